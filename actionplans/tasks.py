"""Thin Celery tasks: they take ids and dates, and call the notice engine."""

from datetime import date
from smtplib import SMTPException

from celery import shared_task

from . import notices

# Only these are worth another try: the mail server or the network hiccuped.
# Anything else is a bug, and retrying it would only repeat it.
TRANSIENT_ERRORS = (SMTPException, ConnectionError, TimeoutError)


@shared_task(acks_late=True)
def sweep_deadlines(today: str | None = None) -> int:
    """Run hourly by beat. Idempotent: a missed or doubled run is harmless."""
    return notices.notices_sweep(today=date.fromisoformat(today) if today else None)


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_jitter=True,
    max_retries=8,
)
def send_notice_email(notice_id: str) -> bool:
    return notices.notice_email(notice_id=notice_id)
