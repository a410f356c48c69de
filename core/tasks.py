"""Scheduled work of the whole service: the retention policy."""

import logging

from celery import shared_task
from django.utils import timezone

from .heartbeats import Job, heartbeat_record
from .retention import orphaned_files_remove, retention_apply, superseded_reports_remove

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def apply_retention() -> None:
    """Nightly, by beat: what `manage.py apply_retention` does by hand.
    Idempotent (a second run finds nothing left), and a missed night is
    caught up by the next, which deletes everything then due. Its heartbeat
    says it ran, so a policy that stops being applied is seen."""
    cleared = retention_apply(today=timezone.localdate(), dry_run=False)
    superseded = superseded_reports_remove(dry_run=False)
    orphans = orphaned_files_remove(dry_run=False)
    logger.info(
        "retention: %d inspections cleared, %d replaced report PDFs, %d unrecorded files removed",
        len(cleared),
        len(superseded),
        len(orphans),
    )
    heartbeat_record(job=Job.RETENTION)
