"""A scheduled job that stops is seen: /healthz and the admins are told."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from core.heartbeats import Job, heartbeat_record, late_jobs
from core.models import JobHeartbeat

HOURLY = timedelta(hours=2, minutes=15)  # two runs missed, and a little more


def beat(job: str, ago: timedelta) -> None:
    JobHeartbeat.objects.update_or_create(job=job, defaults={"finished_at": timezone.now() - ago})


def test_each_jobs_clock_starts_at_install(db):
    """The migrations start every clock, so a beat that never ran is late
    once its allowance has passed."""
    assert set(JobHeartbeat.objects.values_list("job", flat=True)) == set(Job.values)
    assert late_jobs() == []
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        assert [late.job for late in late_jobs()] == [
            Job.DEADLINE_SWEEP,
            Job.NIGHTLY_EXPORTS,
            Job.RETENTION,
        ]


def test_a_job_is_late_only_once_its_allowance_has_passed(db):
    beat(Job.DEADLINE_SWEEP, HOURLY - timedelta(minutes=1))
    assert late_jobs() == []
    beat(Job.DEADLINE_SWEEP, HOURLY + timedelta(minutes=1))
    [late] = late_jobs()
    assert late.job == Job.DEADLINE_SWEEP
    assert late.label == "Deadline reminders and overdue notices"


def test_a_job_never_recorded_is_not_known_to_be_late(db):
    JobHeartbeat.objects.all().delete()
    assert late_jobs() == []


def test_the_sweep_records_its_heartbeat_when_it_finishes(db):
    from actionplans.tasks import sweep_deadlines

    beat(Job.DEADLINE_SWEEP, timedelta(days=1))
    sweep_deadlines.delay()
    assert late_jobs() == []
    finished = JobHeartbeat.objects.get(job=Job.DEADLINE_SWEEP).finished_at
    assert timezone.now() - finished < timedelta(minutes=1)


def test_a_sweep_that_fails_records_nothing(db, monkeypatch):
    from actionplans import notices
    from actionplans.tasks import sweep_deadlines

    def broken(**kwargs):
        raise RuntimeError("the sweep failed")

    monkeypatch.setattr(notices, "notices_sweep", broken)
    beat(Job.DEADLINE_SWEEP, timedelta(days=1))
    with pytest.raises(RuntimeError):
        sweep_deadlines.apply(throw=True)
    assert [late.job for late in late_jobs()] == [Job.DEADLINE_SWEEP]


def test_the_nightly_exports_record_their_heartbeat_once_their_copies_are_ready(
    db, admin_user, private_storage, django_capture_on_commit_callbacks
):
    from dashboard.tasks import prepare_exports

    beat(Job.NIGHTLY_EXPORTS, timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        prepare_exports.delay()  # eager: the copies are made as it commits
    assert late_jobs() == []  # and not when they fail: dashboard/tests/test_nightly_heartbeat.py


def test_healthz_says_degraded_while_a_job_is_late(client, db):
    beat(Job.DEADLINE_SWEEP, HOURLY + timedelta(minutes=1))
    response = client.get("/healthz")
    assert response.status_code == 200  # pages work: the load balancer keeps it
    assert response.json()["status"] == "degraded"
    assert response.json()["late_jobs"] == ["deadline_sweep"]


def test_admins_are_told_on_their_home_page_and_the_dashboard(
    client_for, admin_user, inspector, force_lead_a
):
    beat(Job.DEADLINE_SWEEP, timedelta(hours=5))
    said = "Deadline reminders and overdue notices have not run since"
    admin = client_for(admin_user)
    for url in ("/", "/dashboard/"):
        html = admin.get(url).content.decode()
        assert said in html, url
        assert "Tell the service’s support team" in html
    assert said not in client_for(inspector).get("/dashboard/").content.decode()
    assert said not in client_for(force_lead_a).get("/").content.decode()
    heartbeat_record(job=Job.DEADLINE_SWEEP)
    assert said not in admin.get("/").content.decode()


def test_admins_are_told_when_the_retention_policy_stops_being_applied(client_for, admin_user):
    beat(Job.RETENTION, timedelta(hours=50))
    html = client_for(admin_user).get("/").content.decode()
    assert "Deletions under the retention policy have not run since" in html
    assert "being kept past the end of their retention period" in html


def test_every_scheduled_task_exists_and_every_job_has_an_allowance(settings):
    """A task misspelt in the beat schedule would never run, and a job with
    no allowance would never be late: both in silence."""
    from config.celery import app

    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name
    assert set(settings.SCHEDULED_JOB_ALLOWANCE) == set(Job.values)
    assert len(settings.CELERY_BEAT_SCHEDULE) == len(Job.values)  # one heartbeat a job
