"""Is each scheduled job running? Each job records when it last finished;
a job is late once that is longer ago than its allowance.

Without this, a stopped beat or worker would fail in silence: no reminder,
no overdue notice, and nobody told. /healthz reports a late job to
monitoring ("degraded"), and the admins' home page and dashboard say which
job is late and what it means for them.

The write is bookkeeping no cached page shows (core.fragments ignores it),
so an hourly sweep that sends nothing leaves the page cache alone.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import JobHeartbeat

Job = JobHeartbeat.Job


@dataclass(frozen=True)
class LateJob:
    job: str
    label: str
    finished_at: datetime


def heartbeat_record(*, job: str) -> None:
    """The job has just finished, and done its work."""
    JobHeartbeat.objects.update_or_create(job=job, defaults={"finished_at": timezone.now()})


def heartbeat_lock(*, job: str) -> None:
    """Wait for any other transaction deciding whether `job` has finished,
    until it commits. Two runs finishing the job's last pieces at once each
    counted the work done in its own transaction, unable to see the other's,
    so neither recorded the heartbeat (found by the jobs review). Taken
    after the run's own writes, the lock makes the second look see the
    first's. SQLite (development) writes one transaction at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The two-key form: its own space, apart from core.background's locks.
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext('heartbeat'), hashtext(%s))", [job]
            )


def late_jobs(now: datetime | None = None) -> list[LateJob]:
    """The jobs that have not finished within their allowance (one query).
    A job with no row (a test's empty database) is not known to be late."""
    now = now or timezone.now()
    allowance = settings.SCHEDULED_JOB_ALLOWANCE
    return [
        LateJob(beat.job, beat.get_job_display(), beat.finished_at)
        for beat in JobHeartbeat.objects.order_by("job")
        if beat.job in allowance and beat.finished_at < now - allowance[beat.job]
    ]
