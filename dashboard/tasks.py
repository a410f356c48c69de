"""Background work for the dashboard: preparing the national exports."""

from celery import shared_task
from django.db import OperationalError

from core import background

from . import export_files


@shared_task(
    bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3, acks_late=True
)
def build_export(self, export_file_id: str) -> None:
    """Thin: the service claims the row, so a rerun after a crash is harmless."""
    export_files.export_build(
        export_file_id=export_file_id, delivery=background.Delivery.of(self.request)
    )


@shared_task
def prepare_exports() -> None:
    """Nightly: ask for a fresh copy of every export (one already being
    prepared is left to finish, so a doubled run asks once). Its heartbeat
    is written once every copy of the day is ready (export_files._store)."""
    export_files.prepare_all()
