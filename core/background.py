"""The one way a background build runs: claim the queued row, build, record the outcome.

Report PDFs and export copies are rows (core.models.BackgroundBuild) with a
status (queued, building, ready, failed) that a Celery task builds. The claim is a conditional
update under a lock held for the build, so a task delivered twice builds
once, and one redelivered after its worker was lost finishes the build;
a failure of any kind ends as "failed" with its error, never as a page
that says "building" for ever. So does a build the broker would not take
(queue_on_commit).
"""

import contextlib
import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from uuid import UUID

from django.db import DatabaseError, connection, models, transaction
from django.db.models import F
from django.utils import timezone

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    """Which run of a Celery task is building: its task id, and how many
    times Celery has retried it. A redelivery repeats both; a retry keeps the
    id and counts one more."""

    task_id: str
    retries: int = 0

    @classmethod
    def of(cls, request) -> "Delivery":
        return cls(task_id=str(request.id or ""), retries=request.retries or 0)


def build_claimed(
    *,
    rows: models.QuerySet,
    pk: UUID | str,
    build: Callable[[models.Model], None],
    delivery: Delivery | None = None,
) -> models.Model | None:
    """Claim row `pk` of `rows` if still queued, run build(row) and return the
    row; None if another run has it (a task delivered twice).

    The build holds a lock for its whole run (builder_lock), which its
    worker's death releases. So a task redelivered after its worker was lost
    mid-build (acks late, reject on worker lost) takes over the row it finds
    "building" and finishes it, where it did nothing and the page said
    "building" until LOST_AFTER, 30 minutes (found by the jobs review); while
    a live worker builds it, a second delivery does nothing. A build that
    stops its worker again is not taken over again: it fails, so the page
    offers another try and the message does not kill worker after worker.
    Celery's retry of the task (`delivery`), after a database error it could
    not record, carries on its own build: no worker was lost."""
    model = rows.model
    with builder_lock(model, pk, wait=CLAIM_WAIT) as held:
        if not held or not _claim(model, pk, delivery):
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


# A build started this many times, its worker lost each time, is not tried again.
MAX_ATTEMPTS = 2


def _claim(model, pk, delivery: Delivery | None = None) -> bool:
    """Claim the row, with the builder lock held: queued, or building by a
    worker that is gone (no live build holds the lock), or by an earlier run
    of this task that Celery has retried."""
    now = timezone.now()
    by = {"task_id": delivery.task_id, "task_retries": delivery.retries} if delivery else {}
    if model.objects.filter(pk=pk, status=model.Status.QUEUED).update(
        status=model.Status.BUILDING, started_at=now, attempts=1, **by
    ):
        return True
    lost = model.objects.filter(pk=pk, status=model.Status.BUILDING)
    if connection.vendor != "postgresql":
        return False  # no lock says whether its builder is alive: left to LOST_AFTER
    # Found by the jobs review: the retry took its own build for a lost
    # worker's and spent the one takeover on a database error, so a worker
    # lost after that failed the build. A redelivered message repeats its
    # retries: that is a lost worker, and counted below.
    if (
        delivery
        and delivery.retries
        and lost.filter(task_id=delivery.task_id, task_retries__lt=delivery.retries).update(
            started_at=now, **by
        )
    ):
        log.info("%s %s carried on by Celery's retry", model._meta.verbose_name, pk)
        return True
    if lost.filter(attempts__lt=MAX_ATTEMPTS).update(
        started_at=now, attempts=F("attempts") + 1, **by
    ):
        log.warning("%s %s taken over from a lost worker", model._meta.verbose_name, pk)
        return True
    lost.update(
        status=model.Status.FAILED,
        error="Lost: its worker stopped while building it, each time it was tried",
        finished_at=now,
    )
    return False


# How long a task tries for the builder lock before leaving the build to
# whoever holds it. A page looking at the build (builder_gone,
# give_up_if_lost) holds it for an instant: a task arriving then, which took
# the page for a live builder and did nothing, left its row queued or
# building with no one building it (found by the review of the day's diff).
CLAIM_WAIT = 1.0
CLAIM_POLL = 0.05


@contextmanager
def builder_lock(model, pk, *, wait: float = 0) -> Iterator[bool]:
    """Yield whether this process now holds the build lock of row `pk`: a
    PostgreSQL session advisory lock, held until the build's outcome is
    committed, and released by the database if the worker dies (its
    connection closes). Tried again for up to `wait` seconds while another
    holds it; a page never waits. SQLite (development, one worker) has
    none: True."""
    if connection.vendor != "postgresql":
        yield True
        return
    digest = hashlib.blake2b(f"{model._meta.db_table}:{pk}".encode(), digest_size=8).digest()
    key = int.from_bytes(digest, "big", signed=True)
    deadline = time.monotonic() + wait
    while True:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            held = cursor.fetchone()[0]
        if held or time.monotonic() >= deadline:
            break
        time.sleep(CLAIM_POLL)
    try:
        yield held
    finally:
        if held:
            # A connection already lost has released the lock with it.
            with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


STOPPED = "Lost: its worker stopped while building it (a time limit, or the worker was lost)"


def builder_gone(row: models.Model) -> bool:
    """Whether row is building with no worker building it: its builder lock
    is free (the database freed it with the worker's connection). Noted on
    the row (row.builder_gone), which its page then shows as lost.

    Celery acknowledges a task it stops at its hard time limit, so no worker
    is given it again: the page said "building" until LOST_AFTER, 30
    minutes, and asking again returned the same row (found by the jobs
    review). A worker lost otherwise is given it again (build_claimed), but
    only once its message is seen to be unacknowledged, which may be an hour.
    """
    model = type(row)
    if row.status != model.Status.BUILDING or connection.vendor != "postgresql":
        return False
    with builder_lock(model, row.pk) as held:
        # Read again under the lock: it may have finished since it was read.
        row.builder_gone = held and model.objects.filter(pk=row.pk, status=row.status).exists()
    return row.builder_gone


def give_up_if_lost(row: models.Model) -> None:
    """Mark a row lost with its worker failed, before another is asked for:
    one building with no builder (builder_gone), or not finished within
    core.models.LOST_AFTER. Left queued, its task, reaching a worker late (a
    backlog), built it beside its replacement (found by the jobs review).
    Only while still queued or building: a slow build that finished stays."""
    model = type(row)
    if row.status == model.Status.BUILDING and connection.vendor == "postgresql":
        # Under the builder lock: a redelivered task cannot take it over
        # meanwhile, to build it beside its replacement.
        with builder_lock(model, row.pk) as held:
            if held and _give_up(row, STOPPED, status=model.Status.BUILDING):
                return
    if row.is_lost:
        _give_up(row, "Lost: not finished in time (the worker stopped?)", status__in=model.MAKING)


def _give_up(row: models.Model, error: str, **still) -> bool:
    model, now = type(row), timezone.now()
    failed = {"status": model.Status.FAILED, "error": error, "finished_at": now}
    if not model.objects.filter(pk=row.pk, **still).update(**failed, updated_at=now):
        return False
    for name, value in failed.items():
        setattr(row, name, value)
    return True


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
