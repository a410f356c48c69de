"""The one way a background build runs: claim the queued row, build, record the outcome.

Report PDFs and export copies are rows (core.models.BackgroundBuild) with a
status (queued, building, ready, failed) that a Celery task builds. The claim is a conditional
update, so a task delivered twice (acks late, a worker lost) builds once;
a failure of any kind ends as "failed" with its error, never as a page
that says "building" for ever. So does a build the broker would not take
(queue_on_commit).
"""

import logging
from collections.abc import Callable
from uuid import UUID

from django.db import models, transaction
from django.utils import timezone

log = logging.getLogger(__name__)


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


def give_up_if_lost(row: models.Model) -> None:
    """Mark a row lost with its worker (core.models.LOST_AFTER) failed, before
    another is asked for: left queued, its task, reaching a worker late (a
    backlog), built it beside its replacement (found by the jobs review).
    Only while still queued or building: a slow build that finished stays."""
    if row.is_lost:
        model = type(row)
        model.objects.filter(pk=row.pk, status__in=model.MAKING).update(
            status=model.Status.FAILED,
            error="Lost: not finished in time (the worker stopped?)",
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )


def queue_on_commit(task, row: models.Model) -> None:
    """Queue task(row id) once the transaction commits. A broker that refuses
    it (down, or not answering) fails the row at once, so its page offers
    another try, where it said "waiting to start" until LOST_AFTER, with no
    worker ever told (found by the on-call review). The request that asked
    has committed either way: never a 500 for it."""
    transaction.on_commit(lambda: _queue(task, row), robust=True)


def _queue(task, row: models.Model) -> None:
    try:
        task.delay(str(row.pk))
    except Exception as exc:
        log.exception("%s %s could not be queued", row._meta.verbose_name, row.pk)
        model = type(row)
        model.objects.filter(pk=row.pk, status=model.Status.QUEUED).update(
            status=model.Status.FAILED,
            error=f"Not queued: {type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
