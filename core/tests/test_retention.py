"""apply_retention: notes and files go after 24 months closed; the record stays."""

from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone

from actionplans.models import ActionPlan, ActionPlanVersion
from actionplans.tests.factories import submitted_plan
from casefiles.models import CaseReview, SecondReview, TopicAssessment
from core import audit
from core.models import AuditEvent, StoredFile
from core.retention import months_before, retention_apply
from core.tests.files import pdf, upload
from inspections import services
from inspections.models import Finding, Judgment
from inspections.tests.report_factories import report_inspection

TODAY = date(2028, 6, 15)


def retain(*, today: date) -> None:
    """apply_retention on that day: at noon in London, as the nightly job runs
    on its own day (the command refuses a later --today than today)."""
    noon = timezone.make_aware(datetime.combine(today, time(12)))
    with time_machine.travel(noon, tick=False):
        call_command("apply_retention", f"--today={today}")


@pytest.fixture
def closed(private_storage, force_a, lead_inspector, inspector, admin_user, force_lead_a):
    """Force A's inspection, closed on 1 June 2026: 24.5 months before TODAY."""
    inspection = report_inspection(
        force=force_a, lead=lead_inspector, inspector=inspector, admin=admin_user, case_reviews=3
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
    submitted_plan(inspection, by=force_lead_a, kind=ActionPlan.Kind.ACTION_PLAN)
    services.inspection_start_follow_up(inspection=inspection, by=lead_inspector)
    services.inspection_close(inspection=inspection, closed_on=date(2026, 6, 1), by=admin_user)
    return inspection


def _files_on_disk() -> int:
    folders, _ = default_storage.listdir("")
    return sum(len(default_storage.listdir(folder)[1]) for folder in folders)


def test_month_arithmetic():
    assert months_before(date(2029, 6, 15), 24) == date(2027, 6, 15)
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2028, 3, 31), 1) == date(2028, 2, 29)


def test_dry_run_reports_and_changes_nothing(closed, capsys, private_storage):
    files_before = _files_on_disk()
    call_command("apply_retention", "--dry-run", f"--today={TODAY}")
    out = capsys.readouterr().out
    assert "would remove 3 case review notes" in out
    assert "policy.pdf" in out
    assert "inspections to clear: 1" in out
    assert CaseReview.objects.exclude(notes="").count() == 3
    assert _files_on_disk() == files_before


def test_retention_deletes_notes_and_files_and_keeps_the_record(
    closed, capsys, private_storage, django_capture_on_commit_callbacks
):
    grades = list(Judgment.objects.filter(inspection=closed).values_list("grade", flat=True))
    findings = Finding.objects.filter(inspection=closed).count()
    assert StoredFile.objects.count() >= 2  # the document, and the plan's
    with django_capture_on_commit_callbacks(execute=True):
        retain(today=TODAY)
    out = capsys.readouterr().out
    assert "removed 3 case review notes" in out
    assert "inspections cleared: 1" in out
    assert CaseReview.objects.exclude(notes="").count() == 0
    assert TopicAssessment.objects.exclude(observation="").count() == 0
    assert StoredFile.objects.count() == 0
    assert _files_on_disk() == 0
    assert ActionPlanVersion.objects.get().document is None
    assert (
        list(Judgment.objects.filter(inspection=closed).values_list("grade", flat=True)) == grades
    )
    assert Finding.objects.filter(inspection=closed).count() == findings
    assert AuditEvent.objects.filter(action="retention.applied").count() == 1
    assert not AuditEvent.objects.filter(changes__icontains="The child said").exists()

    retain(today=TODAY)
    assert "Nothing to remove." in capsys.readouterr().out


def test_a_file_deleted_under_the_policy_says_so_when_asked_for(
    closed, client_for, admin_user, force_lead_a, django_capture_on_commit_callbacks
):
    """Found by a code review: an evidence document's file was 'Page not found'."""
    from django.urls import reverse

    document = closed.documents.get()
    version = ActionPlanVersion.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        retain(today=TODAY)
    url = reverse("inspections:document_download", args=[closed.pk, document.pk])
    response = client_for(admin_user).get(url)
    assert response.status_code == 410
    assert "The file was deleted under the retention policy." in response.text
    response = client_for(force_lead_a).get(version.get_absolute_url() + "document/")
    assert response.status_code == 410
    assert "The document was deleted under the retention policy." in response.text


def test_the_record_of_the_deletion_counts_the_files_and_names_none(
    private_storage, force_a, lead_inspector, inspector, admin_user
):
    """An evidence document's file name may be a child's, so no row of the
    history holds one (inspections.services.file_kind): the retention row
    copied every deleted file's name into the audit trail, kept for ever."""
    planned = planned_with_a_document(force_a, lead_inspector, inspector, admin_user)
    services.document_record(
        inspection=planned,
        title="Strategy discussion",
        kind="policy",
        received_on=date(2026, 3, 4),
        notes="",
        upload=upload("minutes about Jane Doe.pdf", pdf()),
        by=inspector,
    )
    services.inspection_cancel(inspection=planned, reason="Called off", by=admin_user)
    retention_apply(today=months_before(timezone.localdate(), -24), dry_run=False)
    event = AuditEvent.objects.get(action="retention.applied")
    assert event.changes["files"] == [2, 0]
    assert not AuditEvent.objects.filter(changes__icontains="Jane Doe").exists()
    assert not AuditEvent.objects.filter(comment__icontains="Jane Doe").exists()


def test_the_record_of_the_deletion_says_only_what_was_deleted(
    private_storage, force_a, lead_inspector, inspector, admin_user
):
    """Found by the audit completeness review: every kind of thing the policy
    deletes was listed, those with none to delete as "Case review notes: 0 →
    0", the same before and after, on an inspection cancelled with only its
    documents' files to delete."""
    planned = planned_with_a_document(force_a, lead_inspector, inspector, admin_user)
    services.inspection_cancel(inspection=planned, reason="Called off", by=admin_user)
    retention_apply(today=months_before(timezone.localdate(), -24), dry_run=False)
    event = AuditEvent.objects.get(action="retention.applied")
    assert event.changes == {"files": [1, 0]}


def test_inspections_inside_the_period_are_untouched(closed, capsys):
    retain(today=date(2026, 6, 1) + timedelta(days=700))
    assert "Nothing to remove." in capsys.readouterr().out
    assert CaseReview.objects.exclude(notes="").count() == 3


def test_the_period_is_a_setting(closed, settings, capsys):
    settings.PROGRAMME_RULES = {**settings.PROGRAMME_RULES, "RETENTION_MONTHS": 36}
    call_command("apply_retention", "--dry-run", f"--today={TODAY}")
    assert "Nothing to remove." in capsys.readouterr().out


def test_stored_files_no_record_names_are_removed_once_a_day_old(private_storage, admin_user):
    """A transaction that stored an upload and then rolled back left its file
    with no row: unreachable, but holding what someone uploaded."""
    import io
    import os
    import time

    from django.core.files.base import ContentFile

    from core import uploads
    from core.retention import orphaned_files_remove

    kept = uploads.store_file(ContentFile(pdf()), name="kept.pdf", kind="pdf", by=admin_user)
    orphan = default_storage.save("zz/orphan", ContentFile(b"what a child said"))
    young = default_storage.save("zz/young", ContentFile(b"an upload still in its transaction"))
    two_days_ago = time.time() - 2 * 24 * 60 * 60
    for name in (kept.storage_name, orphan):
        os.utime(default_storage.path(name), (two_days_ago, two_days_ago))

    assert orphaned_files_remove(dry_run=True) == [orphan]
    assert default_storage.exists(orphan)
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert "stored files with no record, removed: 1" in out.getvalue()
    assert not default_storage.exists(orphan)
    assert default_storage.exists(kept.storage_name) and default_storage.exists(young)
    assert orphaned_files_remove(dry_run=False) == []


def test_report_pdfs_a_newer_build_replaced_are_removed_once_a_day_old(
    private_storage, force_a, lead_inspector, admin_user, django_capture_on_commit_callbacks
):
    """Each change, then a request for the PDF, built a new copy, and the
    old ones were kept for ever. The newest of each stage stays: the draft
    the force read at pre-publication checks beside the published report."""
    import io

    from django.utils import timezone

    from core import uploads
    from core.retention import superseded_reports_remove
    from inspections.models import Inspection, ReportFile
    from inspections.tests.factories import schedule

    inspection = schedule(force=force_a, lead=lead_inspector, team=[], by=admin_user)
    now = timezone.now()

    def build(stage, days_ago, status=ReportFile.Status.READY):
        stored = uploads.store_bytes(pdf(), name="report.pdf", kind="pdf", by=admin_user)
        report = ReportFile.objects.create(
            inspection=inspection, requested_by=admin_user, stage=stage, status=status,
            stored_file=stored,
        )  # fmt: skip
        when = now - timedelta(days=days_ago)
        ReportFile.objects.filter(pk=report.pk).update(created_at=when, finished_at=when)
        return report

    checks, published = Inspection.Stage.PRE_PUBLICATION, Inspection.Stage.PUBLISHED
    old_draft, draft = build(checks, 30), build(checks, 20)
    failed, old_report = build(published, 9, ReportFile.Status.FAILED), build(published, 8)
    report = build(published, 2)  # replaced 12 hours ago: may still be downloading
    replaced_lately, newest = build(published, 0.5), build(published, 0.05)
    assert [r.pk for r in superseded_reports_remove(dry_run=True)] == [
        old_draft.pk, failed.pk, old_report.pk
    ]  # fmt: skip
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("apply_retention", stdout=out)
    assert "report PDFs replaced by a newer build, removed: 3" in out.getvalue()
    left = set(ReportFile.objects.values_list("pk", flat=True))
    assert left == {draft.pk, report.pk, replaced_lately.pk, newest.pk}
    names = set(StoredFile.objects.values_list("storage_name", flat=True))
    assert old_report.stored_file.storage_name not in names
    assert not default_storage.exists(old_report.stored_file.storage_name)
    assert default_storage.exists(newest.stored_file.storage_name)


def test_the_nightly_task_applies_the_policy_once_and_records_its_heartbeat(
    closed, private_storage, django_capture_on_commit_callbacks
):
    """Beat runs it each night (no cron to forget); a second run finds
    nothing left, and a night missed is caught up by the next."""
    from django.utils import timezone

    from core.models import JobHeartbeat
    from core.tasks import apply_retention

    # 23:30 UTC on 31 May 2028 is already 1 June in London (BST): 24 months
    # after the inspection closed, so the policy applies.
    with time_machine.travel("2028-05-31 23:30:00+00:00", tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            apply_retention.delay()
        assert JobHeartbeat.objects.get(job="retention").finished_at == timezone.now()
        apply_retention.delay()
    assert CaseReview.objects.exclude(notes="").count() == 0
    assert StoredFile.objects.count() == 0
    assert AuditEvent.objects.filter(action="retention.applied").count() == 1


def test_the_task_keeps_inspections_inside_the_period(closed):

    from core.tasks import apply_retention

    # 22:30 UTC on 31 May 2028 is 23:30 in London: still 31 May, one day short.
    with time_machine.travel("2028-05-31 22:30:00+00:00", tick=False):
        apply_retention.delay()
    assert CaseReview.objects.exclude(notes="").count() == 3


def test_beat_runs_the_retention_policy_every_night(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["apply-retention"]
    assert entry["task"] == "core.tasks.apply_retention"
    assert entry["schedule"].hour == {3}
    assert settings.SCHEDULED_JOB_ALLOWANCE["retention"].total_seconds() == 49 * 3600


def planned_with_a_document(force, lead_inspector, inspector, admin_user):
    """A planned inspection with a document's copy stored: one to cancel."""
    from inspections.tests.factories import schedule

    planned = schedule(force=force, lead=lead_inspector, team=[inspector], by=admin_user)
    services.document_record(
        inspection=planned,
        title="Force structure chart",
        kind="policy",
        received_on=date(2026, 3, 3),
        notes="",
        upload=upload("chart.pdf", pdf()),
        by=inspector,
    )
    return planned


def test_a_cancelled_inspections_files_go_when_the_period_has_passed_since_it_was_cancelled(
    private_storage, force_a, lead_inspector, inspector, admin_user, capsys
):
    """Documents can come in while an inspection is planned; one cancelled
    then was never closed, so the policy never reached its files (found by
    the review that added cancelling)."""
    from django.utils import timezone

    planned = planned_with_a_document(force_a, lead_inspector, inspector, admin_user)
    services.inspection_cancel(inspection=planned, reason="Called off", by=admin_user)
    cancelled_on = timezone.localdate()
    retain(today=months_before(cancelled_on, -23))
    assert "Nothing to remove." in capsys.readouterr().out
    assert StoredFile.objects.count() == 1
    retain(today=months_before(cancelled_on, -24))
    assert f"(cancelled {cancelled_on:%Y-%m-%d}): removed" in capsys.readouterr().out
    assert StoredFile.objects.count() == 0


def test_a_cancellation_is_dated_as_in_london_not_utc(
    private_storage, force_a, lead_inspector, inspector, admin_user, capsys
):
    """Cancelled at 00:30 on 1 July 2026 in London (23:30 on 30 June, UTC):
    the policy counts from 1 July, and the command said 30 June."""

    planned = planned_with_a_document(force_a, lead_inspector, inspector, admin_user)
    with time_machine.travel("2026-06-30 23:30:00+00:00", tick=False):
        services.inspection_cancel(inspection=planned, reason="Called off", by=admin_user)
    retain(today=date(2028, 7, 1))
    assert "(cancelled 2026-07-01): removed" in capsys.readouterr().out


def test_retention_deletes_the_reason_given_at_second_review(closed, lead_inspector, capsys):
    review = CaseReview.objects.filter(case__inspection=closed).order_by("pk").first()
    # The fixture's draw may have chosen it for second review already: a
    # review has one second review at most, so that one is completed.
    second, _ = SecondReview.objects.update_or_create(
        review=review,
        defaults={
            "reviewer": lead_inspector,
            "status": SecondReview.Status.COMPLETED,
            "agrees": False,
            "rating": "inadequate" if review.overall_rating != "inadequate" else "good",
            "reason": "The child said the officer never came back",
        },
    )
    event = audit.record(
        by=lead_inspector,
        action="second_review.completed",
        obj=second,
        inspection_id=closed.pk,
        comment=second.reason,
    )
    retain(today=TODAY)
    assert "1 second review reasons" in capsys.readouterr().out
    second.refresh_from_db()
    # The rating stays, as every rating does; the free text about the case goes.
    assert second.reason == "" and second.rating
    assert not AuditEvent.objects.filter(comment__icontains="never came back").exists()
    # Its own record (the fixture's lead agreed the others before checks).
    event.refresh_from_db()
    assert event.comment == "[deleted under the retention policy]"


def test_retention_deletes_the_reason_a_case_was_replaced(closed, lead_inspector, capsys):
    """The reason a case was taken out of the sample is free text about the
    case, as a second review's reason is (found by the review of the day's
    changes): it goes, with its audit row's comment; who replaced which case
    stays."""
    from casefiles.models import Case, CaseReplacement

    draw = closed.sample_draws.first()
    out, new = Case.objects.filter(inspection=closed, sample_draw=None).order_by("reference")[:2]
    record = CaseReplacement.objects.create(
        draw=draw,
        removed=out,
        replacement=new,
        reason="The file is about the child's brother",
        replaced_by=lead_inspector,
    )
    event = audit.record(
        by=lead_inspector,
        action="sample.case_replaced",
        obj=record,
        inspection_id=closed.pk,
        changes={"case": [out.reference, new.reference]},
        comment=record.reason,
    )
    retain(today=TODAY)
    assert "1 reasons cases were replaced" in capsys.readouterr().out
    record.refresh_from_db()
    event.refresh_from_db()
    assert record.reason == "" and record.removed == out and record.replacement == new
    assert event.comment == "[deleted under the retention policy]"
    assert event.changes == {"case": [out.reference, new.reference]}
    assert not AuditEvent.objects.filter(comment__icontains="brother").exists()
    applied = AuditEvent.objects.get(action="retention.applied", inspection_id=closed.pk)
    assert applied.changes["reasons cases were replaced"] == [1, 0]


def test_retention_deletes_the_reason_a_case_was_taken_out_without_a_replacement(
    closed, lead_inspector
):
    """As for a case replaced: the reason, kept as the audit row's comment too, goes."""
    from casefiles.models import Case, CaseReplacement

    out = Case.objects.filter(inspection=closed, sample_draw=None).order_by("reference").first()
    record = CaseReplacement.objects.create(
        draw=closed.sample_draws.first(),
        removed=out,
        replacement=None,
        reason="The file is about the child's sister",
        replaced_by=lead_inspector,
    )
    event = audit.record(
        by=lead_inspector,
        action="sample.case_taken_out",
        obj=record,
        inspection_id=closed.pk,
        changes={"case": [out.reference, None]},
        comment=record.reason,
    )
    retain(today=TODAY)
    record.refresh_from_db()
    event.refresh_from_db()
    assert record.reason == "" and record.replacement is None
    assert event.comment == "[deleted under the retention policy]"
    assert not AuditEvent.objects.filter(comment__icontains="sister").exists()


def test_notes_cleared_before_the_period_ends_go_from_the_audit_trail_too(
    private_storage, force_a, lead_inspector, inspector, admin_user, capsys
):
    """A review's notes named a child, and were cleared: the case review no
    longer held them, but its audit row did, and with nothing else left to
    delete the policy passed the inspection by and kept them for ever."""
    from casefiles import services as casefile_services
    from casefiles.models import Case
    from casefiles.tests.factories import add_cases
    from inspections.tests.factories import schedule

    planned = schedule(force=force_a, lead=lead_inspector, team=[inspector], by=admin_user)
    add_cases(planned, {"missing-children": 3})
    casefile_services.sample_draw(
        inspection=planned, sizes={"missing-children": 1}, seed=7, reason="", by=lead_inspector
    )
    case = Case.objects.sampled().get(inspection=planned)
    for notes in ("Jane Doe said the officer never came back", ""):
        casefile_services.case_review_save(case=case, answers={"notes": notes}, by=lead_inspector)
    services.inspection_cancel(inspection=planned, reason="Called off", by=admin_user)
    later = months_before(timezone.localdate(), -24)
    assert AuditEvent.objects.filter(changes__icontains="Jane Doe").exists()
    call_command("apply_retention", "--dry-run", f"--today={later}")
    assert AuditEvent.objects.filter(changes__icontains="Jane Doe").exists()
    retain(today=later)
    assert not AuditEvent.objects.filter(changes__icontains="Jane Doe").exists()
    assert AuditEvent.objects.filter(action="retention.applied").count() == 1
    capsys.readouterr()
    retain(today=later)
    assert "Nothing to remove." in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_clear_an_inspection_once_and_record_it_once(closed, monkeypatch):
    """The nightly job and an admin's `manage.py apply_retention` at the same
    time: each counted what was left before the other had cleared it, and
    both cleared it, so the inspection's history said its notes and files
    were deleted twice, and both runs reported them."""
    import contextlib
    import threading

    from django.db import connection

    from core import retention
    from tests.races import race

    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes a database-wide write lock; the race is tested on PostgreSQL")
    # Both runs have counted what is left before either clears: a run that
    # cannot get there (waiting for the other) is not waited for.
    both_counted = threading.Barrier(2, timeout=3)
    clear = retention._clear

    def clear_together(*args, **kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            both_counted.wait()
        return clear(*args, **kwargs)

    monkeypatch.setattr(retention, "_clear", clear_together)

    def run() -> int:
        return len(retention_apply(today=TODAY, dry_run=False))

    assert sorted(race(run, run)) == [0, 1]
    assert AuditEvent.objects.filter(action="retention.applied").count() == 1
    assert CaseReview.objects.exclude(notes="").count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_record_a_replaced_report_pdfs_removal_once(
    private_storage, force_a, lead_inspector, admin_user, monkeypatch
):
    """Both runs listed the replaced PDF before either removed it, and both
    recorded its removal: the inspection's history said it went twice."""
    import contextlib
    import threading

    from django.db import connection

    from core import retention, uploads
    from core.retention import superseded_reports_remove
    from inspections.models import Inspection, ReportFile
    from inspections.tests.factories import schedule
    from tests.races import race

    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes a database-wide write lock; the race is tested on PostgreSQL")
    inspection = schedule(force=force_a, lead=lead_inspector, team=[], by=admin_user)
    for days_ago in (3, 2):
        stored = uploads.store_bytes(pdf(), name="report.pdf", kind="pdf", by=admin_user)
        report = ReportFile.objects.create(
            inspection=inspection, requested_by=admin_user, stage=Inspection.Stage.PLANNED,
            status=ReportFile.Status.READY, stored_file=stored,
        )  # fmt: skip
        when = timezone.now() - timedelta(days=days_ago)
        ReportFile.objects.filter(pk=report.pk).update(created_at=when, finished_at=when)
    # Both runs have listed it before either removes it; a run that cannot
    # get there (waiting for the other) is not waited for.
    both_listed = threading.Barrier(2, timeout=3)
    remove = retention._remove_report

    def remove_together(report_file):
        with contextlib.suppress(threading.BrokenBarrierError):
            both_listed.wait()
        return remove(report_file)

    monkeypatch.setattr(retention, "_remove_report", remove_together)

    def run() -> int:
        return len(superseded_reports_remove(dry_run=False))

    race(run, run)
    assert ReportFile.objects.count() == 1
    assert AuditEvent.objects.filter(action="report.removed").count() == 1


def test_a_later_day_than_today_is_refused_unless_looked_at_in_a_dry_run(closed, capsys):
    """An operator's mistyped year would have deleted notes and files before
    their 24 months were up, and they cannot be brought back."""
    later = months_before(timezone.localdate(), -25)
    with pytest.raises(CommandError, match="cannot be later than today"):
        call_command("apply_retention", f"--today={later}")
    assert CaseReview.objects.filter(case__inspection=closed).exclude(notes="").exists()
    assert not AuditEvent.objects.filter(action="retention.applied").exists()
    call_command("apply_retention", "--dry-run", f"--today={later}")
    assert "would remove" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_remove_each_unrecorded_file_once_and_log_no_error(
    private_storage, caplog, monkeypatch
):
    """The nightly job and an admin's `manage.py apply_retention` at the same
    time: both listed the unrecorded files, the first removed them, and the
    second, reading the age of a file that was no longer there, stopped with
    FileNotFoundError: an error logged, the night's heartbeat withheld, and
    every file after it left for the next night."""
    import contextlib
    import os
    import threading
    import time
    from collections import Counter

    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage
    from django.db import connection

    from core import retention
    from tests.races import race

    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes a database-wide write lock; the race is tested on PostgreSQL")
    orphans = [default_storage.save(f"zz/orphan-{n}", ContentFile(b"notes")) for n in range(3)]
    two_days_ago = time.time() - 2 * 24 * 60 * 60
    for name in orphans:
        os.utime(default_storage.path(name), (two_days_ago, two_days_ago))
    # Both runs have listed the files before either removes one; a run that
    # cannot get there (waiting for the other) is not waited for.
    both_listed = threading.Barrier(2, timeout=3)
    stored_names = retention._stored_names

    def listed_together():
        names = stored_names()
        with contextlib.suppress(threading.BrokenBarrierError):
            both_listed.wait()
        return names

    monkeypatch.setattr(retention, "_stored_names", listed_together)
    deleted = Counter()
    delete = FileSystemStorage.delete

    def counted(storage, name):
        deleted[name] += 1
        return delete(storage, name)

    monkeypatch.setattr(FileSystemStorage, "delete", counted)

    def run() -> list[str]:
        return retention.orphaned_files_remove(dry_run=False)

    assert sorted(sorted(names) for names in race(run, run)) == [[], orphans]
    assert deleted == dict.fromkeys(orphans, 1)
    assert not any(default_storage.exists(name) for name in orphans)
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == []


@pytest.mark.django_db
def test_a_file_removed_after_the_folder_was_listed_is_passed_over(private_storage, monkeypatch):
    """A file another process removes between the listing and the reading of
    its age (a stored file deleted, its file going as that commits, while the
    sweep runs) is not an orphan to remove: the sweep goes on without it. It
    stopped with FileNotFoundError."""
    from django.core.files.base import ContentFile

    from core import retention

    gone = default_storage.save("zz/gone", ContentFile(b"notes"))
    left = default_storage.save("zz/left", ContentFile(b"notes"))
    stored_names = retention._stored_names

    def listed_then_removed():
        names = stored_names()
        default_storage.delete(gone)
        return names

    monkeypatch.setattr(retention, "_stored_names", listed_then_removed)
    assert retention.orphaned_files_remove(dry_run=False, older_than=timedelta(0)) == [left]
