"""Importing the case list: all or nothing, streamed, in a Celery task."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from casefiles import services
from casefiles.models import Case, CaseListImport
from core.models import AuditEvent, StoredFile

from .factories import CP1252_FILE, add_cases, csv_upload, good_rows

pytestmark = pytest.mark.django_db


def start(inspection, upload, by, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.case_list_import_start(inspection=inspection, upload=upload, by=by)
    job.refresh_from_db()
    return job


def test_a_good_file_imports_every_row(inspection, inspector, django_capture_on_commit_callbacks):
    job = start(inspection, csv_upload(good_rows(6)), inspector, django_capture_on_commit_callbacks)
    assert job.status == CaseListImport.Status.COMPLETED
    assert (job.total_rows, job.rows_done, job.errors) == (6, 6, [])
    cases = Case.objects.filter(inspection=inspection).order_by("reference")
    assert [c.reference for c in cases] == [f"GMP/{i:05d}" for i in range(6)]
    first = cases[0]
    assert (first.category.slug, first.recorded_on.isoformat(), first.area) == (
        "missing-children",
        "2025-01-01",
        "Salford",
    )
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"case_list.import_started", "case_list.imported"} <= actions


def test_the_uploaded_file_is_kept_privately_under_a_random_name(
    inspection, inspector, django_capture_on_commit_callbacks, private_storage
):
    job = start(inspection, csv_upload(good_rows(2)), inspector, django_capture_on_commit_callbacks)
    stored = job.stored_file
    assert stored.original_name == "cases.csv"
    assert "cases" not in stored.storage_name
    assert (private_storage / stored.storage_name).exists()
    assert stored.uploaded_by == inspector and len(stored.sha256) == 64


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The selected file is empty"),
        (CP1252_FILE, "The selected file must be a CSV saved as UTF-8"),
        (b"\x00\x01\x02PK\x03\x04", "The selected file must be a CSV saved as UTF-8"),
        (b"MZ\x90\x00", "The selected file must be a CSV"),
    ],
)
def test_a_file_that_is_not_utf8_csv_is_refused_at_upload(data, message, inspection, inspector):
    with pytest.raises(ValidationError, match=message):
        services.case_list_import_start(
            inspection=inspection,
            upload=SimpleUploadedFile("cases.csv", data, content_type="text/csv"),
            by=inspector,
        )
    assert not CaseListImport.objects.exists() and not StoredFile.objects.exists()


def bad_file(rows=None, header=None, data: bytes | None = None):
    if data is not None:
        return SimpleUploadedFile("bad.csv", data, content_type="text/csv")
    return csv_upload(rows if rows is not None else good_rows(3), header=header)


BAD_FILES = {
    "unknown category": (
        bad_file(good_rows(3) + [["GMP/9", "Burglary", "1/1/2025", ""]]),
        "Row 5: ‘Burglary’ is not a case category",
    ),
    "duplicate reference": (
        bad_file(good_rows(3) + [["GMP/00001", "Missing children", "1/1/2025", ""]]),
        "Row 5: case reference GMP/00001 is already on row 3",
    ),
    "bad date": (
        bad_file(good_rows(12) + [["GMP/99", "Missing children", "31/13/2024", ""]]),
        "Row 14: the date recorded must be a real date",
    ),
    "missing column": (
        bad_file([["A", "Missing children"]], header=["case_reference", "category"]),
        "Add a ‘date recorded’ column",
    ),
    "identifying column": (
        bad_file(
            [["A", "Missing children", "1/1/2025", "Jane"]],
            header=["case_reference", "category", "date_recorded", "child name"],
        ),
        "Remove the ‘child name’ column: the case list must never include a child’s name",
    ),
    "headings only": (
        bad_file(data=b"case_reference,category,date_recorded\r\n"),
        "The file has no cases in it",
    ),
    "control characters": (
        bad_file(data=b"case_reference,category,date_recorded\nA\x07B,Missing children,1/1/2025\n"),
        "Row 2: the case reference must not contain control characters",
    ),
    # In words, not Python's "field larger than field limit (131072)" (found
    # by the uploads review).
    "a quote never closed": (
        bad_file(
            data=b"case_reference,category,date_recorded\n"
            + b'"A1,Missing children,1/1/2025\n'
            + b"A2,Missing children,1/1/2025\n" * 8000
        ),
        # The row where the quote mark is, not the line where the reader gave up.
        "Row 2: a value is longer than 131,072 characters. Check that every quote mark",
    ),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_a_bad_file_saves_nothing_and_says_why(
    kind, inspection, inspector, django_capture_on_commit_callbacks
):
    upload, message = BAD_FILES[kind]
    upload.seek(0)
    job = start(inspection, upload, inspector, django_capture_on_commit_callbacks)
    assert job.status == CaseListImport.Status.FAILED
    assert job.errors, "a failed import must say why"
    assert any(message in error for error in job.errors), job.errors
    assert not Case.objects.exists()
    assert AuditEvent.objects.filter(action="case_list.import_failed").count() == 1


def test_an_error_late_in_a_big_file_saves_no_row_at_all(
    inspection, inspector, django_capture_on_commit_callbacks
):
    rows = good_rows(6000) + [["GMP/LAST", "Missing children", "not a date", ""]]
    job = start(inspection, csv_upload(rows), inspector, django_capture_on_commit_callbacks)
    assert job.status == CaseListImport.Status.FAILED
    assert job.errors == ["Row 6002: enter a date in the format 31/12/2024"]
    assert not Case.objects.exists()


def test_errors_are_capped_but_all_counted(
    inspection, inspector, django_capture_on_commit_callbacks
):
    rows = [[f"R{i}", "Nope", "1/1/2025", ""] for i in range(250)]
    job = start(inspection, csv_upload(rows), inspector, django_capture_on_commit_callbacks)
    assert len(job.errors) == CaseListImport.MAX_ERRORS
    assert job.error_count == 250
    assert job.more_errors == 150


def test_a_new_list_replaces_the_old_one_before_sampling(
    inspection, inspector, django_capture_on_commit_callbacks
):
    add_cases(inspection, {"missing-children": 5})
    job = start(inspection, csv_upload(good_rows(3)), inspector, django_capture_on_commit_callbacks)
    assert job.status == CaseListImport.Status.COMPLETED
    assert Case.objects.filter(inspection=inspection).count() == 3


def test_the_list_cannot_be_replaced_once_the_sample_is_drawn(inspection, drawn, inspector):
    with pytest.raises(ValidationError, match="sample has been drawn"):
        services.case_list_import_start(
            inspection=inspection, upload=csv_upload(good_rows(3)), by=inspector
        )


def test_running_the_task_again_changes_nothing(
    inspection, inspector, django_capture_on_commit_callbacks
):
    job = start(inspection, csv_upload(good_rows(4)), inspector, django_capture_on_commit_callbacks)
    services.case_list_import_run(import_id=job.pk)
    assert Case.objects.count() == 4
    assert AuditEvent.objects.filter(action="case_list.imported").count() == 1


def test_a_task_that_died_half_way_starts_again(
    inspection, inspector, django_capture_on_commit_callbacks
):
    job = services.case_list_import_start(
        inspection=inspection, upload=csv_upload(good_rows(4)), by=inspector
    )
    CaseListImport.objects.filter(pk=job.pk).update(status=CaseListImport.Status.SAVING)
    services.case_list_import_run(import_id=job.pk)
    job.refresh_from_db()
    assert job.status == CaseListImport.Status.COMPLETED
    assert Case.objects.count() == 4


def test_a_fault_that_is_not_the_files_stops_the_import_and_frees_the_inspection(
    inspection, inspector, client_for, django_capture_on_commit_callbacks, monkeypatch
):
    """Before, only a problem with the file was caught: a storage or database
    fault (or the task's time limit) left the import "checking" for ever, and
    every later upload and sample draw was refused as waiting for it."""

    def storage_fault(*args, **kwargs):
        raise OSError("disk gone")

    monkeypatch.setattr(services, "_check_file", storage_fault)
    job = start(inspection, csv_upload(good_rows(4)), inspector, django_capture_on_commit_callbacks)
    assert job.status == CaseListImport.Status.STOPPED
    assert not Case.objects.filter(inspection=inspection).exists()
    assert AuditEvent.objects.filter(action="case_list.import_stopped").count() == 1
    html = client_for(inspector).get(job.get_absolute_url()).content.decode()
    assert "The import stopped before it finished" in html
    assert "<title>Error: Case list import" in html

    monkeypatch.undo()
    again = start(
        inspection, csv_upload(good_rows(3)), inspector, django_capture_on_commit_callbacks
    )
    assert again.status == CaseListImport.Status.COMPLETED
    assert Case.objects.filter(inspection=inspection).count() == 3


def test_an_import_left_running_past_its_time_no_longer_blocks_anything(
    inspection, inspector, client_for
):
    """Its worker died: after the task's time limit and a margin it shows as
    stopped, another file can be uploaded, and the old task never resumes."""
    from datetime import timedelta

    from django.utils import timezone

    job = services.case_list_import_start(
        inspection=inspection, upload=csv_upload(good_rows(4)), by=inspector
    )
    CaseListImport.objects.filter(pk=job.pk).update(status=CaseListImport.Status.CHECKING)
    with pytest.raises(ValidationError, match="already being imported"):
        services.case_list_import_start(
            inspection=inspection, upload=csv_upload(good_rows(2)), by=inspector
        )
    long_ago = timezone.now() - CaseListImport.STOPPED_AFTER - timedelta(minutes=1)
    CaseListImport.objects.filter(pk=job.pk).update(created_at=long_ago)
    html = client_for(inspector).get(job.get_absolute_url()).content.decode()
    assert "The import stopped before it finished" in html
    assert "checks every few seconds" not in html

    services.case_list_import_start(
        inspection=inspection, upload=csv_upload(good_rows(2)), by=inspector
    )
    services.case_list_import_run(import_id=job.pk)
    assert not Case.objects.filter(inspection=inspection).exists()


def test_an_import_that_runs_after_the_report_went_out_saves_nothing(inspection, inspector):
    """Started during moderation, run late (a backlog, a broker down): by then
    the case files are closed, and the import fails saying why."""
    from inspections.models import Inspection

    job = services.case_list_import_start(
        inspection=inspection, upload=csv_upload(good_rows(4)), by=inspector
    )
    Inspection.objects.filter(pk=inspection.pk).update(stage=Inspection.Stage.PRE_PUBLICATION)
    services.case_list_import_run(import_id=job.pk)
    job.refresh_from_db()
    assert job.status == CaseListImport.Status.FAILED
    assert "Case files can no longer be changed" in " ".join(job.errors)
    assert not Case.objects.filter(inspection=inspection).exists()


def test_progress_is_written_periodically_not_every_row(
    inspection, inspector, django_capture_on_commit_callbacks, monkeypatch
):
    seen = []
    original = services._set_progress

    def spy(job, **fields):
        seen.append(fields)
        original(job, **fields)

    monkeypatch.setattr(services, "_set_progress", spy)
    monkeypatch.setattr(services, "PROGRESS_EVERY", 5_000)
    start(inspection, csv_upload(good_rows(12_000)), inspector, django_capture_on_commit_callbacks)
    checking = [f["rows_done"] for f in seen if set(f) == {"rows_done", "total_rows"}]
    assert checking == [5_000, 10_000]
    assert seen[-1]["status"] == CaseListImport.Status.COMPLETED


def test_progress_reads_in_words():
    job = CaseListImport(status=CaseListImport.Status.SAVING, rows_done=40_000, total_rows=100_000)
    assert job.progress_text == "Importing row 40,000 of 100,000"
    job.status = CaseListImport.Status.CHECKING
    assert job.progress_text == "Checking row 40,000 of 100,000"
    job.status, job.rows_done = CaseListImport.Status.SAVING, 0
    assert job.progress_text == "Importing 100,000 rows"


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_outside_the_import_transaction(categories, inspection, inspector):
    from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: there the page shows the phase only")
    job = services.case_list_import_start(
        inspection=inspection, upload=csv_upload(good_rows(3)), by=inspector
    )
    reader = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with transaction.atomic():
            progress = services._SideProgress(job)
            progress.write(4_000)
            with reader.cursor() as cursor:
                cursor.execute(
                    "SELECT rows_done FROM casefiles_caselistimport WHERE id = %s", [str(job.pk)]
                )
                assert cursor.fetchone()[0] == 4_000
            progress.close()
    finally:
        reader.close()


@pytest.mark.django_db(transaction=True)
def test_a_big_import_writes_progress_as_it_saves(categories, inspection, inspector):
    job = services.case_list_import_start(
        inspection=inspection, upload=csv_upload(good_rows(12_000)), by=inspector
    )
    job.refresh_from_db()
    assert job.status == CaseListImport.Status.COMPLETED
    assert job.rows_done == job.total_rows == 12_000
    assert Case.objects.filter(inspection=inspection).count() == 12_000


def test_a_failed_import_is_not_marked_failed_without_its_audit_row(
    inspection, inspector, django_capture_on_commit_callbacks, monkeypatch
):
    """The status and its audit row are written together: if the audit row
    cannot be written, the import is not left 'failed' with its errors and
    no record of it; it stops, and says so on the record."""
    audit = services._audit

    def audit_fault(**kwargs):
        if kwargs["action"] == "case_list.import_failed":
            raise OSError("audit table unavailable")
        return audit(**kwargs)

    monkeypatch.setattr(services, "_audit", audit_fault)
    upload, _ = BAD_FILES["control characters"]
    upload.seek(0)
    job = start(inspection, upload, inspector, django_capture_on_commit_callbacks)
    assert job.status == CaseListImport.Status.STOPPED
    assert job.errors == [] and job.error_count == 0  # no half of the failure written
    assert AuditEvent.objects.filter(action="case_list.import_stopped").count() == 1


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"\r"])
def test_the_first_estimate_of_rows_counts_lines_whatever_ends_them(ending):
    from django.core.files.uploadedfile import SimpleUploadedFile

    lines = [b"case_reference,category,date_recorded", b"A1,Missing children,1/1/2025"]
    data = ending.join([lines[0], lines[1], lines[1], lines[1]])  # no ending after the last
    assert services._estimate_rows(SimpleUploadedFile("cases.csv", data)) == 3
    assert services._estimate_rows(SimpleUploadedFile("cases.csv", data + ending)) == 3


def test_an_import_the_service_stopped_is_recorded_as_the_systems_not_the_uploaders(
    inspection, inspector, django_capture_on_commit_callbacks, monkeypatch
):
    """Found by the audit completeness review: a fault of the service's own
    (storage, the database, the time limit, the broker) stopping the import
    was recorded as done by the inspector who uploaded the file, who did
    nothing of the kind; the audit trail and the history named them."""

    def storage_fault(*args, **kwargs):
        raise OSError("disk gone")

    monkeypatch.setattr(services, "_check_file", storage_fault)
    job = start(inspection, csv_upload(good_rows(4)), inspector, django_capture_on_commit_callbacks)
    assert job.status == CaseListImport.Status.STOPPED
    started = AuditEvent.objects.get(action="case_list.import_started")
    stopped = AuditEvent.objects.get(action="case_list.import_stopped")
    assert started.actor == inspector  # the upload was theirs
    assert stopped.actor is None  # the stop was the service's
    assert stopped.inspection_id == inspection.pk
