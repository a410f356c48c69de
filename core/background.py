"""The one way a background build runs: claim the queued row, build, record the outcome.

Report PDFs and export copies are rows with a status (queued, building,
ready, failed) that a Celery task builds. The claim is a conditional
update, so a task delivered twice (acks late, a worker lost) builds once;
a failure of any kind ends as "failed" with its error, never as a page
that says "building" for ever.
"""

import logging
from collections.abc import Callable
from datetime import timedelta
from uuid import UUID

from django.db import models
from django.utils import timezone

log = logging.getLogger(__name__)

# A build still waiting this long after it was asked for, or still running
# this long after it started (the task time limit is 10 minutes), was lost
# with its worker: its page says so and offers to try again.
LOST_AFTER = timedelta(minutes=30)


class BuildState:
    """For a model with status, created_at, started_at and stored_file:
    ready, in progress or lost."""

    MAKING = ("queued", "building")

    @property
    def is_ready(self) -> bool:
        return self.status == "ready" and self.stored_file_id is not None

    @property
    def is_lost(self) -> bool:
        since = timezone.now() - LOST_AFTER
        if self.status == "queued":
            return self.created_at < since
        if self.status == "building":
            return (self.started_at or self.created_at) < since
        return False

    @property
    def is_in_progress(self) -> bool:
        return self.status in self.MAKING and not self.is_lost


def build_claimed(
    *, rows: models.QuerySet, pk: UUID | str, build: Callable[[models.Model], None]
) -> models.Model | None:
    """Claim row `pk` of `rows` if still queued, run build(row) and return the
    row; None if another run had already claimed it (a task delivered twice,
    or one redelivered after its worker was lost mid-build: that row stays
    "building" until the page calls it lost and offers to ask again)."""
    model = rows.model
    claimed = model.objects.filter(pk=pk, status=model.Status.QUEUED).update(
        status=model.Status.BUILDING, started_at=timezone.now()
    )
    if not claimed:
        return None
    row = rows.get(pk=pk)
    try:
        build(row)
    except Exception as exc:
        log.exception("%s %s failed", model._meta.verbose_name, pk)
        model.objects.filter(pk=pk).update(
            status=model.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        row.refresh_from_db()
    return row
