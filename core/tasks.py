"""Scheduled work of the whole service: the retention policy, and expired sessions."""

import logging

from celery import shared_task
from django.utils import timezone

from .heartbeats import Job, heartbeat_record
from .retention import (
    RetentionIncompleteError,
    expired_sessions_remove,
    orphaned_files_remove,
    retention_apply,
    superseded_reports_remove,
)

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def apply_retention() -> None:
    """Nightly, by beat: what `manage.py apply_retention` does by hand.
    Idempotent (a second run finds nothing left), and a missed night is
    caught up by the next, which deletes everything then due. Its heartbeat
    says it ran, so a policy that stops being applied is seen."""
    # Each step whatever the others did; a step that could not finish says
    # so at the end, with no heartbeat, so the job is seen to have failed
    # (found by the jobs review: one failure stopped the rest every night).
    incomplete = []
    counts = []
    for step in (
        lambda: retention_apply(today=timezone.localdate(), dry_run=False),
        lambda: superseded_reports_remove(dry_run=False),
        lambda: orphaned_files_remove(dry_run=False),
        lambda: range(expired_sessions_remove()),  # counted as the others are
    ):
        try:
            counts.append(len(step()))
        except RetentionIncompleteError as error:
            incomplete.append(str(error))
            counts.append("some")
    logger.info(
        "retention: %s inspections cleared, %s replaced report PDFs, %s unrecorded files "
        "removed, %s expired sessions deleted",
        *counts,
    )
    if incomplete:
        raise RetentionIncompleteError("; ".join(incomplete))
    heartbeat_record(job=Job.RETENTION)
