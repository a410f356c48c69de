"""The nightly retention job, when one row cannot be dealt with (found by
the background jobs review: the first failure stopped every row after it,
each night, and one inspection's failure undid the others'). Each test
failed on the code as reviewed."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from core.models import JobHeartbeat, StoredFile
from core.tests.files import pdf
from inspections.models import Inspection, ReportFile

pytestmark = pytest.mark.django_db


# 4. Retention: one report PDF that cannot be removed stops the rest.


def test_superseded_reports_one_failure_does_not_stop_the_rest(
    private_storage, force_a, force_b, lead_inspector, admin_user, monkeypatch
):
    from core import retention, uploads
    from core.retention import superseded_reports_remove
    from inspections.tests.factories import schedule

    now = timezone.now()
    removed_pks = []
    for offset, force, start in ((0, force_a, date(2026, 1, 12)), (1, force_b, date(2026, 3, 2))):
        inspection = schedule(force=force, lead=lead_inspector, team=[], start=start, by=admin_user)
        for days_ago in (10 - offset, 5 - offset):
            stored = uploads.store_bytes(pdf(), name="report.pdf", kind="pdf", by=admin_user)
            report = ReportFile.objects.create(
                inspection=inspection,
                requested_by=admin_user,
                stage=Inspection.Stage.PUBLISHED,
                status=ReportFile.Status.READY,
                stored_file=stored,
            )
            when = now - timedelta(days=days_ago)
            ReportFile.objects.filter(pk=report.pk).update(created_at=when, finished_at=when)
            if days_ago == 10 - offset:
                removed_pks.append(report.pk)

    real_delete = uploads.delete_stored_file
    calls = []

    def flaky_delete(stored_file):
        calls.append(stored_file.pk)
        if len(calls) == 1:
            raise PermissionError("one file's folder is read-only")
        real_delete(stored_file)

    monkeypatch.setattr(uploads, "delete_stored_file", flaky_delete)
    monkeypatch.setattr(retention.uploads, "delete_stored_file", flaky_delete)
    with pytest.raises(retention.RetentionIncompleteError):
        superseded_reports_remove(dry_run=False)
    # The first (oldest) removal failed; the second inspection's superseded
    # PDF is still removed.
    assert ReportFile.objects.filter(pk=removed_pks[0]).exists()
    assert ReportFile.objects.filter(pk=removed_pks[1]).exists() is False


# 5. Retention: one inspection that fails rolls back, and stops, every other.


def test_retention_one_inspection_failing_does_not_stop_the_others(
    private_storage, force_a, force_b, lead_inspector, inspector, admin_user, monkeypatch
):
    from casefiles.models import CaseReview
    from core import retention
    from core.tests.files import upload
    from inspections import services
    from inspections.tests.report_factories import report_inspection

    inspections = []
    for force in (force_a, force_b):
        inspection = report_inspection(
            force=force, lead=lead_inspector, inspector=inspector, admin=admin_user, case_reviews=1
        )
        CaseReview.objects.filter(case__inspection=inspection).update(notes="The child said...")
        services.document_record(
            inspection=inspection,
            title="Policy",
            kind="policy",
            received_on=date(2026, 3, 3),
            notes="",
            upload=upload("policy.pdf", pdf()),
            by=inspector,
        )
        services.inspection_start_follow_up(inspection=inspection, by=lead_inspector)
        services.inspection_close(inspection=inspection, closed_on=date(2026, 6, 1), by=admin_user)
        inspections.append(inspection)
    first_files = set(
        StoredFile.objects.filter(pk__in=retention._file_ids(inspections[0])).values_list(
            "pk", flat=True
        )
    )
    real_delete = retention.uploads.delete_stored_file

    def failing_for_the_first(stored_file):
        if stored_file.pk in first_files:
            raise PermissionError("this one file cannot be removed")
        real_delete(stored_file)

    monkeypatch.setattr(retention.uploads, "delete_stored_file", failing_for_the_first)
    with pytest.raises(retention.RetentionIncompleteError, match="1 inspections not cleared"):
        retention.retention_apply(today=date(2028, 6, 15), dry_run=False)
    # The other inspection, due as well, has had its notes deleted; the one
    # that failed is left whole, its notes and files, for the next night.
    assert CaseReview.objects.filter(case__inspection=inspections[1]).exclude(notes="").count() == 0
    assert CaseReview.objects.filter(case__inspection=inspections[0]).exclude(notes="").exists()
    assert StoredFile.objects.filter(pk__in=first_files).count() == len(first_files)


def test_the_nightly_job_does_every_step_and_withholds_its_heartbeat_if_one_failed(
    private_storage, monkeypatch
):
    from core import retention, tasks

    ran = []

    def fails(**kwargs):
        ran.append("retention")
        raise retention.RetentionIncompleteError("1 inspections not cleared")

    monkeypatch.setattr(tasks, "retention_apply", fails)
    monkeypatch.setattr(tasks, "superseded_reports_remove", lambda **kw: ran.append("pdfs") or [])
    monkeypatch.setattr(tasks, "orphaned_files_remove", lambda **kw: ran.append("orphans") or [])
    monkeypatch.setattr(tasks, "expired_sessions_remove", lambda: ran.append("sessions") or 0)
    before = JobHeartbeat.objects.filter(job=JobHeartbeat.Job.RETENTION).first()
    with pytest.raises(retention.RetentionIncompleteError):
        tasks.apply_retention()
    assert ran == ["retention", "pdfs", "orphans", "sessions"]
    assert JobHeartbeat.objects.filter(job=JobHeartbeat.Job.RETENTION).first() == before
    # Whole, it says it ran.
    monkeypatch.setattr(tasks, "retention_apply", lambda **kw: [])
    tasks.apply_retention()
    assert JobHeartbeat.objects.filter(job=JobHeartbeat.Job.RETENTION).exists()


def test_the_nightly_job_deletes_expired_sessions_and_keeps_live_ones(private_storage):
    """Found by the sign-in review: nothing cleared expired sessions, so the
    table kept a row of every sign-in for ever."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    from core import tasks

    live, expired = SessionStore(), SessionStore()
    live["who"], expired["who"] = "signed in", "gone"
    live.create()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(minutes=1)
    )
    tasks.apply_retention()
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
    tasks.apply_retention()  # a second run finds nothing more to do
    assert Session.objects.count() == 1
