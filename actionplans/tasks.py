"""Thin Celery tasks: they take ids and dates, and call the notice engine."""

import logging
from datetime import date

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from core.heartbeats import Job, heartbeat_record
from core.mail import EMAIL_TASK, TRANSIENT_ERRORS

from . import notices

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def sweep_deadlines(today: str | None = None) -> int:
    """Run hourly by beat. Idempotent: a missed or doubled run is harmless.
    Its heartbeat says it ran (core.heartbeats): a stopped beat or worker is
    seen, not silent."""
    sent = notices.notices_sweep(today=date.fromisoformat(today) if today else None)
    heartbeat_record(job=Job.DEADLINE_SWEEP)
    return sent


@shared_task(**EMAIL_TASK)
def send_notice_email(notice_id: str) -> bool:
    return notices.notice_email(notice_id=notice_id)


@shared_task(**EMAIL_TASK)
def send_notice_emails(notice_ids: list[str]) -> int:
    """Email a batch of notices (the sweep queues them 200 at a time).

    Each notice is emailed once (notice_email re-checks under a row lock), so
    a retry of the batch sends only those not yet sent. A notice the mail
    server refuses for good (SMTP 5xx: a mistyped address) is recorded as
    refused by notice_email and the batch goes on to the next: the others'
    addresses are no worse for it. A notice that fails with an error of ours
    (a bug) is logged and left for the next sweep to queue again, without
    holding up the rest of the batch either. A transient failure (the mail
    server or the network) retries the batch at once, as the rest would only
    wait for the same server in turn: 200 notices at 30 s each ran past the
    task's time limit (found by a review). The soft time limit is never taken
    for one notice's failure: it ends the batch, and the next sweep queues
    the rest.
    """
    sent = 0
    for notice_id in notice_ids:
        try:
            sent += notices.notice_email(notice_id=notice_id)
        except (SoftTimeLimitExceeded, *TRANSIENT_ERRORS):
            raise
        except Exception:
            logger.exception("Notice %s could not be emailed", notice_id)
    return sent
