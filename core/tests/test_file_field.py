"""PrivateFileField: GOV.UK file upload whose errors come from core.uploads."""

import pytest
from django.template import Context, Template

from core.forms import GovukForm, PrivateFileField
from core.tests import files


class DocumentForm(GovukForm):
    submit_label = "Upload document"
    document = PrivateFileField(
        label="Upload the action plan", kinds=["pdf", "docx", "odt", "xlsx"]
    )


def render(form) -> str:
    return Template(
        "{% load crispy_forms_tags crispy_forms_gds %}{% error_summary form %}{% crispy form %}"
    ).render(Context({"form": form}))


def file_input(html: str) -> str:
    start = html.index('<input type="file"')
    return html[start : html.index(">", start) + 1]


def test_hint_states_types_and_size_before_choosing():
    html = render(DocumentForm())
    assert "PDF, DOCX, ODT or XLSX, up to 20MB" in html
    assert 'aria-describedby="id_document_hint"' in file_input(html)


def test_hint_follows_the_size_setting(settings):
    settings.UPLOAD_MAX_BYTES = 5 * files.MB
    assert "PDF, DOCX, ODT or XLSX, up to 5MB" in render(DocumentForm())


def test_renders_a_plain_govuk_file_upload():
    html = render(DocumentForm())
    widget = file_input(html)
    assert 'class="govuk-file-upload"' in widget
    assert 'accept=".pdf,.docx,.odt,.xlsx"' in widget
    assert 'enctype="multipart/form-data"' in html
    assert "Clear" not in html and 'type="checkbox"' not in html


def test_a_refused_file_shows_its_error_by_the_field_and_in_the_summary():
    form = DocumentForm(data={}, files={"document": files.upload("plan.pdf", b"MZ" + bytes(64))})

    assert not form.is_valid()
    message = "The selected file must be a PDF, DOCX, ODT or XLSX"
    assert form.errors["document"] == [message]
    html = render(form)
    assert "govuk-file-upload govuk-file-upload--error" in file_input(html)
    assert 'href="#id_document"' in html
    assert 'id="id_document_1_error"' in html
    assert html.count(message) == 2


@pytest.mark.parametrize(
    "uploaded, message",
    [
        (None, "Select a file"),
        (files.upload("plan.pdf", b""), "The selected file is empty"),
    ],
)
def test_missing_or_empty_file_in_govuk_words(uploaded, message):
    form = DocumentForm(data={}, files={"document": uploaded} if uploaded else {})
    assert form.errors["document"] == [message]


def test_too_big_file_is_refused_by_the_field():
    class SmallForm(GovukForm):
        document = PrivateFileField(label="Upload", kinds=["csv"], max_bytes=10)

    form = SmallForm(data={}, files={"document": files.upload("g.csv", b"a,b\n1,2\n3,4\n")})
    assert form.errors["document"] == ["The selected file must be smaller than 10 bytes"]


def test_an_accepted_file_is_cleaned_to_the_upload():
    upload = files.upload("plan.docx", files.docx())
    form = DocumentForm(data={}, files={"document": upload})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["document"] is upload
