"""The GOV.UK form base, with our fixes to crispy-forms-gds's templates."""

import re

import pytest
from crispy_forms_gds.layout import Field
from django import forms
from django.core.exceptions import ValidationError
from django.template import Context, Template

from core.forms import GovukDateField, GovukForm, add_service_errors


class ExampleForm(GovukForm):
    submit_label = "Save example"
    colour = forms.ChoiceField(
        label="Colour", choices=[("red", "Red"), ("blue", "Blue")], widget=forms.RadioSelect
    )
    kind = forms.ChoiceField(label="Kind", choices=[("", "Choose"), ("a", "A")])
    notes = forms.CharField(label="Notes", widget=forms.Textarea, max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout[2] = Field.textarea("notes", max_characters=20)


def render(form) -> str:
    return Template(
        "{% load crispy_forms_tags crispy_forms_gds %}{% error_summary form %}{% crispy form %}"
    ).render(Context({"form": form}))


def test_error_summary_links_radios_to_the_first_option():
    html = render(ExampleForm(data={}))
    assert 'href="#id_colour_1"' in html
    assert 'id="id_colour_1"' in html


def test_select_in_error_gets_the_select_error_class():
    html = render(ExampleForm(data={}))
    select = html[html.index("<select") : html.index(">", html.index("<select"))]
    assert "govuk-select--error" in select
    assert "govuk-input--error" not in select


def test_character_count_without_help_text_renders():
    html = render(ExampleForm())
    assert 'data-module="govuk-character-count"' in html
    assert 'aria-describedby="id_notes-info"' in html


def test_submit_button_says_what_it_does():
    assert "Save example" in render(ExampleForm())


def test_labels_are_escaped():
    class Hostile(GovukForm):
        name = forms.CharField(label="<script>alert(1)</script>")

    assert "<script>alert(1)" not in render(Hostile())


class DateForm(GovukForm):
    on = GovukDateField(what="the date", label="Date")


def test_a_day_too_large_for_c_is_a_date_error_not_a_crash():
    # date() raises OverflowError, not ValueError, past a C int: found by Hypothesis.
    form = DateForm(data={"on_0": "2147483648", "on_1": "0", "on_2": "0000"})
    assert not form.is_valid()
    assert form.errors["on"] == ["The date must be a real date"]


@pytest.mark.parametrize(
    ("parts", "error"),
    [
        (("3", "", "2026"), "The date must include a month"),
        (("", "", "2026"), "The date must include a day and month"),
        (("31", "2", "2026"), "The date must be a real date"),
        (("3", "four", "2026"), "The date must be a real date"),
        # GOV.UK's own words for a short year (found by a review).
        (("3", "4", "26"), "The year of the date must include 4 numbers"),
        (("3", "4", "20260"), "The year of the date must include 4 numbers"),
        (("3", "4", "2o26"), "The date must be a real date"),
        (("3", "4", "1999"), "The date must be between 1 January 2000 and 31 December 2099"),
    ],
)
def test_a_required_date_says_what_is_wrong_as_govuk_does(parts, error):
    """One message per problem, naming every missing part (GOV.UK's date input
    pattern); before, a required date partly filled in said only "Enter the date"."""
    form = DateForm(data={f"on_{n}": value for n, value in enumerate(parts)})
    assert not form.is_valid()
    assert form.errors["on"] == [error]


def test_the_error_summary_gives_a_date_message_once_linked_to_the_first_missing_part():
    form = DateForm(data={"on_0": "", "on_1": "", "on_2": "2026"})
    assert not form.is_valid()
    summary = render(form)
    # Once in the summary, once beside the field; both missing parts are marked.
    assert summary.count("The date must include a day and month") == 2
    assert summary.count("govuk-input--error") == 2
    assert '<a href="#id_on_0">The date must include a day and month</a>' in summary


@pytest.mark.parametrize("blank", ["\r", " ", "\t\n"])
def test_a_required_date_of_blank_parts_is_missing_not_none(blank):
    """Spaces or line breaks in every part pass MultiValueField's own check for
    a missing value, then clean to nothing: found by Hypothesis on the publish
    form, where the service was handed no date (a 500)."""
    from actionplans.forms import VisitScheduleForm

    form = DateForm(data={"on_0": blank, "on_1": blank, "on_2": blank})
    assert not form.is_valid()
    assert form.errors["on"] == ["Enter the date"]
    visit = VisitScheduleForm(data={f"visit_on_{n}": blank for n in range(3)})
    assert not visit.is_valid()
    assert visit.errors["visit_on"] == ["Enter the date of the visit"]


def test_status_tags_escape_words_and_remember_which_were_safe():
    from django.utils.safestring import mark_safe

    from core.templatetags.govuk import govuk_tag

    plain = govuk_tag("<b>Due</b>", "red")
    assert plain == '<strong class="govuk-tag govuk-tag--red">&lt;b&gt;Due&lt;/b&gt;</strong>'
    # The same words already marked safe are not escaped, and the cache keeps them apart.
    assert "<b>Due</b>" in govuk_tag(mark_safe("<b>Due</b>"), "red")  # noqa: S308
    assert govuk_tag("<b>Due</b>", "red") == plain
    assert govuk_tag("Due", "no-such-colour") == '<strong class="govuk-tag ">Due</strong>'


class _OneFieldForm(forms.Form):
    name = forms.CharField()


def test_a_service_error_goes_beside_its_field_or_to_the_top_if_the_form_lacks_it():
    form = _OneFieldForm({"name": "x"})
    assert form.is_valid()
    refusal = ValidationError({"name": "Taken", "force": "Already has an open inspection"})

    add_service_errors(form, refusal)  # form.add_error(None, refusal) raised ValueError

    assert form.errors == {
        "name": ["Taken"],
        "__all__": ["Already has an open inspection"],
    }
    add_service_errors(form, ValidationError("Not at this stage"))
    assert form.non_field_errors() == ["Already has an open inspection", "Not at this stage"]


class _OptionalDateForm(forms.Form):
    on = GovukDateField(label="Reported on", what="the date it was reported", required=False)


@pytest.mark.parametrize(
    ("parts", "error"),
    [
        (("", "", ""), None),
        (("3", "4", "2026"), None),
        (("3", "", "2026"), "The date it was reported must include a month"),
        (("", "4", ""), "The date it was reported must include a day and year"),
    ],
)
def test_an_optional_date_partly_filled_in_is_an_error_not_left_out(parts, error):
    form = _OptionalDateForm({f"on_{n}": value for n, value in enumerate(parts)})
    assert form.is_valid() is (error is None)
    if error:
        assert form.errors["on"] == [error]


def test_the_submit_button_ignores_a_second_click():
    """GOV.UK Frontend's Button ignores a click within a second of the last:
    the commonest way a form is sent twice."""
    html = render(ExampleForm())
    button = html[html.index("<button") : html.index("</button>")]
    assert 'data-module="govuk-button"' in button
    assert 'data-prevent-double-click="true"' in button
    assert "Save example" in button


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "(none)"),
        ("", "(none)"),
        (True, "Yes"),
        (False, "No"),
        (0, "0"),
        ("requires_improvement", "Requires improvement"),
        ("not_relevant", "Not relevant to this case"),
        ("submitted", "Submitted"),
        ("accepted", "Accepted"),
        ("2020-07-07", "7 July 2020"),
        ("2020-13-45", "2020-13-45"),
        # An inspection's scheduled fieldwork, recorded as one range.
        ("2027-03-01 to 2027-03-05", "1 March 2027 to 5 March 2027"),
        ("2027-03-01 to next week", "2027-03-01 to next week"),
        ("Officers spoke to the child", "Officers spoke to the child"),
    ],
)
def test_audit_values_read_as_words_not_codes(value, shown):
    """Found by looking at the timelines: 'requires_improvement → inadequate',
    '(none) → True', '2020-07-07', and False or 0 shown as (none)."""
    from core.templatetags.govuk import audit_value

    assert audit_value(value) == shown


def test_a_topics_field_is_named_by_the_topic():
    from core.templatetags.govuk import humanise

    assert humanise("risk_assessment_referral_rating") == "Risk assessment and referral: rating"
    assert humanise("investigation_observation") == "Investigation: observation"
    assert humanise("received_for_checks_on") == "Received for checks on"
    # Found by a review: "Pcc response due on" and "Short notice override".
    assert humanise("pcc_response_due_on") == "Police and crime commissioner's response due on"
    assert humanise("short_notice_override") == "Reason for short notice"
    # Found by walking the admin's journey: an account's history said "Is
    # staff: (none) → No". As the Django admin, where they are set, names them.
    assert humanise("is_active") == "Active"
    assert humanise("is_staff") == "Staff status"
    assert humanise("is_superuser") == "Superuser status"


def test_a_date_legend_is_bold_like_the_other_labels():
    """Found by a screenshot sweep: the legend got the class "s", which GOV.UK
    does not know, so dates read lighter than every other question."""
    html = render(DateForm())
    assert 'class="govuk-fieldset__legend govuk-fieldset__legend--s"' in html


def test_django_messages_are_replaced_by_govuk_ones_unless_a_form_gives_its_own():
    """Found by an exploratory review: Django's own English reached people."""

    class Example(GovukForm):
        comment = forms.CharField(label="Comments", max_length=20)
        reason = forms.CharField(label="Why is it changing?", max_length=5)
        kept = forms.CharField(
            label="Kept", max_length=3, error_messages={"max_length": "Keep it short"}
        )
        colour = forms.ChoiceField(label="Colour", choices=[("red", "Red")])
        person = forms.ChoiceField(
            label="Person",
            choices=[("ann", "Ann")],
            error_messages={"required": "Select the person"},
        )

    form = Example(
        {
            "comment": "x" * 2001,
            "reason": "too long",
            "kept": "long",
            "colour": "blue",
            "person": "bob",
        }
    )
    assert not form.is_valid()
    assert form.errors == {
        "comment": ["Comments must be 20 characters or fewer"],
        "reason": ["Your answer must be 5 characters or fewer"],
        "kept": ["Keep it short"],
        "colour": ["Select colour from the list"],
        "person": ["Select the person"],
    }
    nul = Example({"comment": "a\x00b", "colour": "red", "person": "ann", "reason": "", "kept": ""})
    assert nul.errors["comment"] == [
        "Comments must not contain a null character (a character that cannot be printed)"
    ]


def test_a_form_of_hidden_fields_alone_lists_its_error_without_a_link():
    # Found by a review: the summary linked a non-field error to the first
    # visible field, and a form with none raised a 500.
    class Hidden(GovukForm):
        token = forms.CharField(widget=forms.HiddenInput)

        def clean(self):
            raise ValidationError("Something changed since")

    form = Hidden(data={"token": "x"})
    assert not form.is_valid()
    html = render(form)
    assert "<li>Something changed since</li>" in html


def test_a_services_own_refusal_of_a_file_replaces_select_it_again():
    # Found by a review: a service's errors come field by field; the title's
    # first asked for the file again, then the file's own problem followed.
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.forms import FILE_NOT_KEPT, GovukForm, add_service_errors

    class UploadForm(GovukForm):
        title = forms.CharField()
        document = forms.FileField(required=False)

    upload = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    form = UploadForm({"title": "x"}, {"document": upload})
    assert form.is_valid()
    add_service_errors(
        form,
        ValidationError({"title": "Enter a shorter title", "document": "The file is infected"}),
    )
    assert form.errors["document"] == ["The file is infected"]
    other = UploadForm({"title": "x"}, {"document": upload})
    assert other.is_valid()
    add_service_errors(other, ValidationError({"title": "Enter a shorter title"}))
    assert other.errors["document"] == [FILE_NOT_KEPT]


def test_a_long_answer_is_never_cut_short_in_silence():
    """Django gives a limited text box maxlength, and a browser then cuts a
    long paste at the limit and says nothing: a force lead's factual accuracy
    point lost its end (found by the force lead review). The box has no
    maxlength; the form says the answer is too long and keeps it, to shorten."""

    class Point(GovukForm):
        name = forms.CharField(label="Name", max_length=10)
        correction = forms.CharField(label="Correction", widget=forms.Textarea, max_length=20)

    assert "maxlength" not in render(Point())
    form = Point(data={"name": "y" * 11, "correction": "x" * 21})
    html = render(form)
    assert "Correction must be 20 characters or fewer" in html
    assert "x" * 21 in html
    assert "Name must be 10 characters or fewer" in html and "y" * 11 in html


def test_forms_leave_checking_answers_to_the_service():
    """The browser's own checks (an email field's) stop a form with a tooltip,
    before the service can give its GOV.UK error summary."""
    html = render(ExampleForm())
    assert re.search(r"<form [^>]*\bnovalidate\b", html)


def test_a_line_break_counts_once_as_the_character_count_counts_it():
    """Browsers send a textarea's line breaks as CR LF, two characters, while
    GOV.UK's character count on the page counts each as one: 20 characters
    over two lines, which the count said fitted, were refused as too long."""
    form = ExampleForm(data={"colour": "red", "kind": "a", "notes": "a" * 9 + "\r\n" + "b" * 10})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["notes"] == "a" * 9 + "\n" + "b" * 10
    too_long = ExampleForm(
        data={"colour": "red", "kind": "a", "notes": "a" * 10 + "\r\n" + "b" * 10}
    )
    assert too_long.errors["notes"] == ["Notes must be 20 characters or fewer"]


@pytest.mark.parametrize(
    ("month", "expected"),
    [("Apr", 4), ("april", 4), ("SEPT", 9), ("Sep", 9), ("december", 12), (" Mar ", 3)],
)
def test_a_month_written_as_a_word_is_read(month, expected):
    """GOV.UK asks date inputs to accept a month's name or its abbreviation
    (the Design System's guidance since August 2023): "April" was told the
    date must be a real date."""
    from datetime import date

    form = DateForm(data={"on_0": "3", "on_1": month, "on_2": "2026"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["on"] == date(2026, expected, 3)


@pytest.mark.parametrize("month", ["Foo", "Ap", "Aprilx", "13"])
def test_a_word_that_is_no_month_is_not_a_real_date(month):
    form = DateForm(data={"on_0": "3", "on_1": month, "on_2": "2026"})
    assert form.errors["on"] == ["The date must be a real date"]
