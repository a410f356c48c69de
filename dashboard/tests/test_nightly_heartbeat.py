"""The nightly exports' heartbeat says the copies were made, not only asked
for (found by the background jobs review: every copy failing each night, the
job still read as run). The first test failed on the code as reviewed."""

from datetime import timedelta

from django.utils import timezone

from core.heartbeats import late_jobs
from core.models import JobHeartbeat
from dashboard import export_files
from dashboard.models import ExportFile
from dashboard.tasks import prepare_exports


def _late_three_days(db) -> None:
    JobHeartbeat.objects.update_or_create(
        job=JobHeartbeat.Job.NIGHTLY_EXPORTS,
        defaults={"finished_at": timezone.now() - timedelta(days=3)},
    )
    assert [j.job for j in late_jobs()] == ["nightly_exports"]


def test_no_heartbeat_when_every_copy_fails(
    db, private_storage, django_capture_on_commit_callbacks, monkeypatch
):
    _late_three_days(db)

    def broken(export_file):
        raise OSError("disk full")

    monkeypatch.setattr(export_files, "_store", broken)
    with django_capture_on_commit_callbacks(execute=True):
        prepare_exports()  # eager: each build runs as the request commits
    assert set(ExportFile.objects.values_list("status", flat=True)) == {"failed"}
    assert [j.job for j in late_jobs()] == ["nightly_exports"]


def test_the_heartbeat_once_every_copy_is_ready(
    db, private_storage, django_capture_on_commit_callbacks
):
    _late_three_days(db)
    with django_capture_on_commit_callbacks(execute=True):
        prepare_exports()
    assert set(ExportFile.objects.values_list("status", flat=True)) == {"ready"}
    assert late_jobs() == []


def test_the_heartbeat_when_the_night_shares_a_copy_an_admin_asked_for(
    db, private_storage, django_capture_on_commit_callbacks, admin_user
):
    """Found by the dates review: an admin's copy still in the making when the
    nightly run asked was shared, as it should be, but the copy was the
    admin's, so nothing recorded the night's heartbeat once it was ready: two
    such nights, and the admins were told the exports had stopped."""
    _late_three_days(db)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        shared = export_files.export_request(name="grades", by=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        prepare_exports()  # the other three are built; grades is shared
    assert [j.job for j in late_jobs()] == ["nightly_exports"]
    for callback in queued:
        callback()  # the admin's copy is built last
    shared.refresh_from_db()
    assert shared.status == "ready"
    assert late_jobs() == []


def test_an_admins_copies_alone_are_no_heartbeat(
    db, private_storage, django_capture_on_commit_callbacks, admin_user
):
    """A copy of every export that admins asked for in the day is not the
    nightly run: it says nothing of whether beat still runs it."""
    _late_three_days(db)
    with django_capture_on_commit_callbacks(execute=True):
        for name in export_files.exports.EXPORTS:
            export_files.export_request(name=name, by=admin_user)
    assert set(ExportFile.objects.values_list("status", flat=True)) == {"ready"}
    assert [j.job for j in late_jobs()] == ["nightly_exports"]


def test_an_admins_copy_later_in_the_day_does_not_move_the_nights_heartbeat(
    db, private_storage, django_capture_on_commit_callbacks, admin_user
):
    """Found by the review of the day's changes: once the night's copies were
    ready, every copy an admin asked for later that day found all of them
    ready again and recorded the heartbeat anew, as if the nightly run had
    just finished. A copy asked for in the evening, and beat stopped that
    night, the admins were told the exports had stopped most of a day late."""
    _late_three_days(db)
    with django_capture_on_commit_callbacks(execute=True):
        prepare_exports()
    night = JobHeartbeat.objects.get(job=JobHeartbeat.Job.NIGHTLY_EXPORTS).finished_at
    with django_capture_on_commit_callbacks(execute=True):
        export_files.export_request(name="grades", by=admin_user)
    assert ExportFile.objects.filter(requested_by=admin_user, status="ready").exists()
    assert JobHeartbeat.objects.get(job=JobHeartbeat.Job.NIGHTLY_EXPORTS).finished_at == night
