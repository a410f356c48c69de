"""Prepared copies of the national exports: asked for, built by a task, kept privately.

An export reads every published inspection in the country, so its cost grows
with the programme (at ten times its size, the case review figures take
seconds). No request builds one: an admin asks for a fresh copy, or the
nightly task does, a Celery task writes the CSV to private storage, and the
download is a stored file served through the permission check. One copy of
each export is in the making at a time (a unique constraint); the newest
KEEP ready copies are kept and older files deleted.
"""

import contextlib
import tempfile

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from core import audit, background, uploads
from core.heartbeats import Job, heartbeat_lock, heartbeat_record
from core.models import JobHeartbeat

from . import exports
from .csvio import csv_lines
from .models import ExportFile

KEEP = 3


def latest_copies() -> dict[str, dict]:
    """For each export: its newest copy of any status ("latest") and its newest
    ready copy ("ready"). Superseded copies are marked removed, so what is
    left is a few rows an export: at most KEEP ready, one in the making, and
    the failures since its last good copy. A copy building with no worker
    building it is seen as lost (core.background.builder_gone)."""
    rows = (
        ExportFile.objects.exclude(status=ExportFile.Status.REMOVED)
        .filter(name__in=list(exports.EXPORTS))
        .select_related("stored_file", "requested_by")
        .order_by("created_at")
    )
    copies: dict[str, dict] = {name: {"latest": None, "ready": None} for name in exports.EXPORTS}
    for row in rows:
        copies[row.name]["latest"] = row
        if row.is_ready:
            copies[row.name]["ready"] = row
    for copy in copies.values():
        if copy["latest"] is not None:
            background.builder_gone(copy["latest"])  # shown as lost at once
    return copies


def export_request(*, name: str, by) -> ExportFile:
    """Ask for a fresh copy of the export `name`; a task builds it once this
    commits. A copy already in the making is returned instead: the database
    holds at most one (constraint one_export_in_progress), so two people
    asking at once, or a person and the nightly run, share it."""
    from .tasks import build_export

    if name not in exports.EXPORTS:
        raise ValueError(f"No export called {name!r}")
    making = ExportFile.objects.filter(name=name, status__in=ExportFile.MAKING)
    with transaction.atomic():
        _give_up_lost(making)
        current = making.first()  # what is left in the making is not lost
        if current is not None:
            return current
        try:
            with transaction.atomic():
                export_file = ExportFile.objects.create(name=name, requested_by=by)
        except IntegrityError:
            # Another request made one between our read and our insert.
            return making.get()
        audit.record(by=by, action="export.requested", obj=export_file, comment=name)
        background.queue_on_commit(build_export, export_file)
        return export_file


def _give_up_lost(making) -> None:
    """Copies lost with their worker are marked failed (at most one is in the
    making, by the constraint), as a lost report build is."""
    for export_file in making.all():  # its own query: `making` is read again after
        background.give_up_if_lost(export_file)


def export_build(
    *, export_file_id, delivery: background.Delivery | None = None
) -> ExportFile | None:
    """Build one requested copy (core.background: claimed once, failure recorded)."""
    rows = ExportFile.objects.all()
    return background.build_claimed(rows=rows, pk=export_file_id, build=_store, delivery=delivery)


def _store(export_file: ExportFile) -> None:
    """Write the CSV to private storage, then record it in one transaction. If
    anything after the write fails, the commit included, the file goes too."""
    today = timezone.localdate()
    header, rows = exports.EXPORTS[export_file.name].build(today)
    lines = 0
    with tempfile.TemporaryFile() as spool:
        for line in csv_lines(header, rows):
            spool.write(line.encode("utf-8"))
            lines += 1
        stored = uploads.store_file(
            File(spool, name="export.csv"),
            name=f"{export_file.name}-{today:%Y-%m-%d}.csv",
            kind="csv",
            by=export_file.requested_by,
        )
    try:
        with transaction.atomic():
            export_file.stored_file = stored
            export_file.as_of = today
            export_file.row_count = lines - 2  # the byte order mark and the header
            export_file.status = ExportFile.Status.READY
            export_file.finished_at = timezone.now()
            export_file.save(
                update_fields=[
                    "stored_file", "as_of", "row_count", "status", "finished_at", "updated_at"
                ]
            )  # fmt: skip
            _remove_old_copies(export_file)
            _heartbeat_once_all_ready(today)
    except BaseException:
        with contextlib.suppress(Exception):  # the first error is the one to record
            stored.delete()
        default_storage.delete(stored.storage_name)
        raise


def _remove_old_copies(newest: ExportFile) -> None:
    """Keep the newest KEEP ready copies, deleting the others' files; the
    failures before this good copy are superseded too."""
    same = ExportFile.objects.filter(name=newest.name)
    same.filter(status=ExportFile.Status.FAILED, created_at__lt=newest.created_at).update(
        status=ExportFile.Status.REMOVED
    )
    old = same.filter(status=ExportFile.Status.READY).select_related("stored_file")[KEEP:]
    for export_file in old:
        stored = export_file.stored_file
        export_file.status = ExportFile.Status.REMOVED
        export_file.stored_file = None
        export_file.save(update_fields=["status", "stored_file", "updated_at"])
        if stored is not None:
            # Who asked for each copy, and who took it, is on the audit
            # trail: so is its deletion (found by the audit review).
            audit.record(
                by=None,
                action="export.removed",
                obj=export_file,
                changes={"file": [stored.original_name, None]},
            )
            uploads.delete_stored_file(stored)


def _heartbeat_once_all_ready(today) -> None:
    """The nightly job's heartbeat, once every export has a copy of today
    ready: not when the copies were only asked for (found by the jobs
    review: every copy failing each night, the job still read as run).
    Checked whichever copy is ready last: the nightly run shares a copy an
    admin asked for that is still in the making, and when that one was last,
    nothing recorded the night (found by the dates review). Only if the
    nightly run asked for one of them itself: admins' copies alone say
    nothing of whether beat still runs it."""
    # Three queries, whatever is ready (a query budget counts the build's).
    # In turn with any other copy finishing now: each would count without
    # the other's copy, and neither record the night (heartbeat_lock).
    heartbeat_lock(job=Job.NIGHTLY_EXPORTS)
    ready = ExportFile.objects.filter(status=ExportFile.Status.READY, as_of=today).aggregate(
        names=Count("name", distinct=True),
        night=Max("created_at", filter=Q(requested_by__isnull=True)),
    )
    beat = (
        JobHeartbeat.objects.filter(job=Job.NIGHTLY_EXPORTS)
        .values_list("finished_at", flat=True)
        .first()
    )
    # Once a night: a copy an admin asked for later in the day found every
    # copy ready again and moved the heartbeat to its own time, as if the
    # nightly run had just finished (found by the review of the day's changes).
    if (
        ready["night"] is not None
        and ready["names"] == len(exports.EXPORTS)
        and (beat is None or beat < ready["night"])
    ):
        heartbeat_record(job=Job.NIGHTLY_EXPORTS)


def prepare_all() -> list[ExportFile]:
    """The nightly run: a fresh copy of every export."""
    return [export_request(name=name, by=None) for name in exports.EXPORTS]
