"""Case list imports as a spreadsheet user reads them (found by the evidence
review; each test failed on the code as reviewed)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from casefiles import services as casefile_services
from casefiles.models import Case, CaseListImport


def _import(inspection, inspector, data: bytes, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("cases.csv", data, content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        job = casefile_services.case_list_import_start(
            inspection=inspection, upload=upload, by=inspector
        )
    job.refresh_from_db()
    return job


def test_import_errors_name_the_spreadsheet_row_after_a_cell_with_a_line_break(
    inspection, inspector, django_capture_on_commit_callbacks
):
    """Row 2's area holds a line break (Alt+Enter in Excel): one spreadsheet
    row, two lines of the file. The errors said "Row 3" and "Row 4" for
    Excel's rows 2 and 3 (the csv reader's line_num is the line a record
    ends on)."""
    data = (
        b"case_reference,category,date_recorded,area\r\n"
        b'A1,Missing children,1/1/2025,"North\nside"\r\n'
        b"A2,Missing children,not a date,South\r\n"
    )
    job = _import(inspection, inspector, data, django_capture_on_commit_callbacks)
    assert job.status == CaseListImport.Status.FAILED
    assert not Case.objects.filter(inspection=inspection).exists()
    assert [error.split(":")[0] for error in job.errors] == ["Row 2", "Row 3"], job.errors


def test_a_non_breaking_space_is_read_as_a_space_and_a_zero_width_one_is_refused(
    inspection, inspector, django_capture_on_commit_callbacks
):
    """An area pasted from a web page or an email carries a non-breaking space,
    which Excel shows as a space: it was refused as a "control character"."""
    data = (
        "case_reference,category,date_recorded,area\r\n"
        "GMP/0001,Missing children,1/1/2025,North\u00a0Wales\r\n"
    ).encode()
    job = _import(inspection, inspector, data, django_capture_on_commit_callbacks)
    assert job.status == CaseListImport.Status.COMPLETED, job.errors
    assert Case.objects.get(inspection=inspection).area == "North Wales"

    hidden = data.replace("\u00a0".encode(), "\u200b".encode())
    job = _import(inspection, inspector, hidden, django_capture_on_commit_callbacks)
    assert job.errors == ["Row 2: the area must not contain control characters"]


def test_a_unicode_line_or_paragraph_separator_is_refused_as_a_line_break_is(
    inspection, inspector, django_capture_on_commit_callbacks
):
    """U+2028 and U+2029 break a line as \\n does (text pasted from a web page
    or a PDF carries them), but are not "control" characters to Unicode: a
    reference or an area holding one was imported, where a line break is
    refused."""
    data = (
        "case_reference,category,date_recorded,area\r\n"
        "GMP/0001\u20282,Missing children,1/1/2025,North\u2029side\r\n"
    ).encode()
    job = _import(inspection, inspector, data, django_capture_on_commit_callbacks)
    assert job.status == CaseListImport.Status.FAILED
    assert not Case.objects.filter(inspection=inspection).exists()
    assert job.errors == [
        "Row 2: the case reference must not contain control characters",
        "Row 2: the area must not contain control characters",
    ]
