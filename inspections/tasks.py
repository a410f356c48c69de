"""Background work for inspections: building the report PDF."""

from celery import shared_task
from django.db import OperationalError

from core import background

from . import reports


@shared_task(
    bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3, acks_late=True
)
def build_report(self, report_file_id: str) -> None:
    """Thin: the service claims the row, so a rerun after a crash is harmless."""
    reports.report_build(
        report_file_id=report_file_id, delivery=background.Delivery.of(self.request)
    )
