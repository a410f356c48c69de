"""Prepared copies of the national exports: asked for, built by a task, kept privately.

An export reads every published inspection in the country, so its cost grows
with the programme (at ten times its size, the case review figures take
seconds). No request builds one: an admin asks for a fresh copy, or the
nightly task does, a Celery task writes the CSV to private storage, and the
download is a stored file served through the permission check. The newest
KEEP copies of each export are kept; older files are deleted.
"""

import tempfile

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from core import audit, background, uploads

from . import exports
from .csvio import csv_lines
from .models import LOST_AFTER, ExportFile

KEEP = 3
IN_PROGRESS = [ExportFile.Status.QUEUED, ExportFile.Status.BUILDING]


def latest_copies() -> dict[str, dict]:
    """For each export: its newest copy of any status ("latest") and its newest
    ready copy ("ready"), in one query."""
    newest = ExportFile.objects.filter(name=OuterRef("name")).order_by("-created_at")
    ready = newest.filter(status=ExportFile.Status.READY, stored_file__isnull=False)
    rows = (
        ExportFile.objects.filter(
            Q(pk=Subquery(newest.values("pk")[:1])) | Q(pk=Subquery(ready.values("pk")[:1]))
        )
        .filter(name__in=list(exports.EXPORTS))
        .select_related("stored_file", "requested_by")
    )
    copies: dict[str, dict] = {name: {"latest": None, "ready": None} for name in exports.EXPORTS}
    for row in sorted(rows, key=lambda r: r.created_at):
        copies[row.name]["latest"] = row
        if row.is_ready:
            copies[row.name]["ready"] = row
    return copies


@transaction.atomic
def export_request(*, name: str, by) -> ExportFile:
    """Ask for a fresh copy of the export `name`; a task builds it once this
    commits. A copy already waiting or being prepared is returned instead."""
    from .tasks import build_export

    if name not in exports.EXPORTS:
        raise ValueError(f"No export called {name!r}")
    current = (
        ExportFile.objects.select_for_update()
        .filter(name=name, status__in=IN_PROGRESS, created_at__gte=timezone.now() - LOST_AFTER)
        .first()
    )
    if current is not None:
        return current
    export_file = ExportFile.objects.create(name=name, requested_by=by)
    audit.record(by=by, action="export.requested", obj=export_file, comment=name)
    transaction.on_commit(lambda: build_export.delay(str(export_file.pk)))
    return export_file


def export_build(*, export_file_id) -> ExportFile | None:
    """Build one requested copy (core.background: claimed once, failure recorded)."""
    return background.build_claimed(ExportFile.objects.all(), export_file_id, _store)


@transaction.atomic
def _store(export_file: ExportFile) -> None:
    today = timezone.localdate()
    header, rows = exports.build(export_file.name, today)
    counted = _Counted(rows)
    with tempfile.TemporaryFile() as spool:
        for line in csv_lines(header, counted):
            spool.write(line.encode("utf-8"))
        stored = uploads.store_file(
            File(spool, name="export.csv"),
            name=f"{export_file.name}-{today:%Y-%m-%d}.csv",
            kind="csv",
            by=export_file.requested_by,
        )
    try:
        export_file.stored_file = stored
        export_file.as_of = today
        export_file.row_count = counted.count
        export_file.status = ExportFile.Status.READY
        export_file.finished_at = timezone.now()
        export_file.save()
        _remove_old_copies(export_file.name)
    except BaseException:
        default_storage.delete(stored.storage_name)
        raise


class _Counted:
    def __init__(self, rows):
        self.rows = rows
        self.count = 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row


def _remove_old_copies(name: str) -> None:
    """Keep the newest KEEP ready copies; delete the others' files."""
    old = ExportFile.objects.filter(name=name, status=ExportFile.Status.READY).select_related(
        "stored_file"
    )[KEEP:]
    for export_file in old:
        stored = export_file.stored_file
        export_file.status = ExportFile.Status.REMOVED
        export_file.stored_file = None
        export_file.save()
        if stored is not None:
            uploads.delete_stored_file(stored)


def prepare_all() -> list[ExportFile]:
    """The nightly run: a fresh copy of every export."""
    return [export_request(name=name, by=None) for name in exports.EXPORTS]
