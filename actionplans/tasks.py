"""Thin Celery tasks: they take ids and dates, and call the notice engine."""

import logging
from datetime import date
from smtplib import SMTPException

from celery import shared_task

from . import notices

# Only these are worth another try: the mail server or the network hiccuped.
# Anything else is a bug, and retrying it would only repeat it.
TRANSIENT_ERRORS = (SMTPException, ConnectionError, TimeoutError)
logger = logging.getLogger(__name__)
# Emails retry on those alone, backing off, for about four hours.
EMAIL_TASK = {
    "acks_late": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(acks_late=True)
def sweep_deadlines(today: str | None = None) -> int:
    """Run hourly by beat. Idempotent: a missed or doubled run is harmless."""
    return notices.notices_sweep(today=date.fromisoformat(today) if today else None)


@shared_task(**EMAIL_TASK)
def send_notice_email(notice_id: str) -> bool:
    return notices.notice_email(notice_id=notice_id)


@shared_task(**EMAIL_TASK)
def send_notice_emails(notice_ids: list[str]) -> int:
    """Email a batch of notices (the sweep queues them 200 at a time).

    Each notice is emailed once (notice_email re-checks under a row lock), so
    a retry of the batch sends only those not yet sent. A notice that fails
    for good is logged and left for the next sweep to queue again, without
    holding up the rest of the batch; a transient failure retries the batch.
    """
    sent, transient = 0, None
    for notice_id in notice_ids:
        try:
            sent += notices.notice_email(notice_id=notice_id)
        except TRANSIENT_ERRORS as error:
            transient = error
        except Exception:
            logger.exception("Notice %s could not be emailed", notice_id)
    if transient is not None:
        raise transient
    return sent
