"""The retention policy: what is deleted once an inspection has been closed
for settings.PROGRAMME_RULES["RETENTION_MONTHS"] (24 by default).

Deleted: the free-text notes and observations of case reviews, the reasons
given at second review for rating a case differently, the reasons a case
was taken out of the sample (casefiles.services.case_replace), and every
uploaded file (documents examined, action plan documents, case lists). Kept:
grades, findings, recommendations, ratings and figures, and the audit trail,
which records each deletion.
"""

import logging
import os
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import islice

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from actionplans.models import ActionPlan, ActionPlanVersion
from casefiles.models import (
    CaseListImport,
    CaseReplacement,
    CaseReview,
    SecondReview,
    TopicAssessment,
)
from inspections.models import Document, Inspection, ReportFile

from . import audit, uploads
from .models import AuditEvent, StoredFile


def months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    for last_day in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, last_day))
        except ValueError:
            continue
    raise ValueError(day)


logger = logging.getLogger(__name__)


class RetentionIncompleteError(Exception):
    """Some rows could not be dealt with; the rest were (found by the jobs
    review: the first failure stopped every inspection after it, each night)."""


def _each(items, what: str, act) -> list:
    """act(item) for each item in a transaction of its own; a failure is
    logged and the rest go on. Returns the items that failed."""
    failed = []
    for item in items:
        try:
            with transaction.atomic():
                act(item)
        except Exception:
            logger.exception("retention: could not remove %s %s", what, item)
            failed.append(item)
    return failed


@dataclass
class Removed:
    inspection: Inspection
    review_notes: int = 0
    observations: int = 0
    second_review_reasons: int = 0
    replacement_reasons: int = 0
    files: list[str] = field(default_factory=list)
    audit_rows: int = 0  # audit rows quoting the text deleted

    @property
    def anything(self) -> bool:
        return bool(
            self.review_notes
            or self.observations
            or self.second_review_reasons
            or self.replacement_reasons
            or self.files
            or self.audit_rows
        )


def due_for_retention(today: date):
    """Inspections closed, or cancelled before fieldwork (documents may have
    come in while it was planned), for longer than the retention period."""
    cutoff = months_before(today, settings.PROGRAMME_RULES["RETENTION_MONTHS"])
    closed = Q(stage=Inspection.Stage.CLOSED, closed_on__isnull=False, closed_on__lte=cutoff)
    cancelled = Q(
        stage=Inspection.Stage.CANCELLED,
        cancelled_at__isnull=False,
        cancelled_at__date__lte=cutoff,
    )
    return Inspection.objects.filter(closed | cancelled).select_related("force")


def _file_ids(inspection: Inspection) -> set:
    ids = set(
        Document.objects.filter(inspection=inspection).values_list("stored_file_id", flat=True)
    )
    ids |= set(
        ActionPlan.objects.filter(inspection=inspection).values_list("document_id", flat=True)
    )
    ids |= set(
        ActionPlanVersion.objects.filter(plan__inspection=inspection).values_list(
            "document_id", flat=True
        )
    )
    ids |= set(
        CaseListImport.objects.filter(inspection=inspection).values_list(
            "stored_file_id", flat=True
        )
    )
    return ids - {None}


REDACTED = "[deleted under the retention policy]"
FREE_TEXT = {"notes", "observation"}


def _audit_rows_quoting_text(inspection: Inspection) -> list[AuditEvent]:
    """The inspection's case file audit rows that still quote free text the
    policy deletes, redacted in memory (not saved). The audit rows stay (who
    did what, when) but lose the text: keeping notes in the audit trail would
    defeat the policy. Their text may have gone from the review itself
    (notes naming a child, cleared by the reviewer) and nothing else be left
    to delete, so they are looked for on their own. Only until the policy
    has been applied: the case files are closed long before, so nothing
    quotes new text after that."""
    if AuditEvent.objects.filter(inspection_id=inspection.pk, action="retention.applied").exists():
        return []
    events = AuditEvent.objects.filter(
        inspection_id=inspection.pk, object_type__startswith="casefiles."
    )
    quoting = []
    for event in events:
        changed = {
            name: [REDACTED if value else value for value in values]
            for name, values in event.changes.items()
            if any(word in name for word in FREE_TEXT)
        }
        # A second review's comment is the lead's reason for rating the case
        # differently: free text about the case, as the notes are.
        # So is the reason a case was taken out of the sample ("the file
        # is about a sibling…"), kept as its audit row's comment.
        reason = bool(event.comment) and event.action in (
            "second_review.completed",
            "sample.case_replaced",
            "sample.case_taken_out",
        )
        redacted = {**event.changes, **changed}
        comment = REDACTED if reason else event.comment
        if (redacted, comment) != (event.changes, event.comment):
            event.changes, event.comment = redacted, comment
            quoting.append(event)
    return quoting


def _removable(inspection: Inspection) -> tuple[Removed, list, list, list]:
    """What the policy still has to delete of one inspection: the counts, the
    free text's querysets, the stored files and the audit rows quoting it."""
    reviews = CaseReview.objects.filter(case__inspection=inspection).exclude(notes="")
    observations = TopicAssessment.objects.filter(review__case__inspection=inspection).exclude(
        observation=""
    )
    # Kept until now by mistake (found by the case files review): the
    # lead's free text on the case, beside the first reviewer's notes.
    reasons = SecondReview.objects.filter(review__case__inspection=inspection).exclude(reason="")
    replaced = CaseReplacement.objects.filter(draw__inspection=inspection).exclude(reason="")
    files = list(StoredFile.objects.filter(pk__in=_file_ids(inspection)))
    quoting = _audit_rows_quoting_text(inspection)
    removed = Removed(
        inspection=inspection,
        review_notes=reviews.count(),
        observations=observations.count(),
        second_review_reasons=reasons.count(),
        replacement_reasons=replaced.count(),
        files=[f.original_name for f in files],
        audit_rows=len(quoting),
    )
    return removed, [reviews, observations, reasons, replaced], files, quoting


def retention_apply(*, today: date, dry_run: bool, by=None) -> list[Removed]:
    """Delete what the policy says for every inspection past its period,
    each in a transaction of its own: one that fails is logged and left
    whole for the next night, and the others are done; then
    RetentionIncompleteError is raised, so the job is seen to have failed.

    Idempotent: a second run finds nothing left to delete. With dry_run, it
    reports what it would delete and changes nothing.
    """
    report, failed = [], []
    for inspection in due_for_retention(today):
        if dry_run:
            removed = _removable(inspection)[0]
            if removed.anything:
                report.append(removed)
            continue
        try:
            with transaction.atomic():
                # Locked, then counted: a second run at the same time (the
                # nightly job and an admin's apply_retention) waits here, then
                # finds nothing left. Counted before the lock, both runs
                # cleared it and its history recorded the deletion twice.
                _lock(inspection)
                removed, texts, files, quoting = _removable(inspection)
                if not removed.anything:
                    continue
                _clear(inspection, removed, texts, files, quoting, by)
        except Exception:
            logger.exception("retention: could not clear %s; left whole for next time", inspection)
            failed.append(inspection)
            continue
        report.append(removed)
    if failed:
        raise RetentionIncompleteError(f"{len(failed)} inspections not cleared: {failed}")
    return report


def _lock(inspection: Inspection) -> None:
    list(Inspection.objects.select_for_update(no_key=True).filter(pk=inspection.pk).values("pk"))


def _clear(inspection, removed: Removed, texts: list, files, quoting, by) -> None:
    """One inspection's deletions, and the audit row that records them."""
    # Bulk updates on purpose: the audit row below records the deletion.
    reviews, observations, reasons, replaced = texts
    reviews.update(notes="")
    observations.update(observation="")
    reasons.update(reason="")
    replaced.update(reason="")
    for stored_file in files:
        uploads.delete_stored_file(stored_file)
    for event in quoting:
        event.save(update_fields=["changes", "comment"])
    audit.record(
        by=by,
        action="retention.applied",
        obj=inspection,
        force=inspection.force,
        inspection_id=inspection.pk,
        # Only what there was to delete: none of a kind is no change.
        changes={
            name: [count, 0]
            for name, count in {
                "case review notes": removed.review_notes,
                "topic observations": removed.observations,
                "second review reasons": removed.second_review_reasons,
                "reasons cases were replaced": removed.replacement_reasons,
                # How many, never their names: an evidence document's file
                # name may be a child's, which no row of the history holds
                # (inspections.services.file_kind).
                "files": len(removed.files),
                "audit records quoting case notes": removed.audit_rows,
            }.items()
            if count
        },
    )


# A file with no record younger than this may belong to an upload whose
# transaction is still open: it is left alone.
ORPHAN_AGE = timedelta(days=1)


def _stored_names() -> list[str]:
    """Every file in the private storage, by its name there."""
    root = default_storage.location
    names = []
    for folder, _, files in os.walk(root):
        names += [os.path.relpath(os.path.join(folder, name), root) for name in files]
    return names


def orphaned_files_remove(*, dry_run: bool, older_than: timedelta = ORPHAN_AGE) -> list[str]:
    """Delete files in the private storage that no StoredFile row names.

    They are left by a transaction that stored an upload and then rolled
    back, or by a process that died between deleting a row and its file
    (uploads.delete_stored_file). Nothing can reach them, but they hold what
    people uploaded, so the retention policy removes them too. Returns their
    names, oldest first; with dry_run, deletes nothing.

    One run at a time (a lock held until it ends): the nightly job and an
    admin's `manage.py apply_retention` at once both listed the same files,
    and the second, reading the age of one the first had just removed,
    stopped with FileNotFoundError (found by the jobs review). The second
    now waits, then finds nothing left.
    """
    if dry_run:
        return _orphans(older_than)
    with transaction.atomic():
        _one_sweep_at_a_time()
        orphans = _orphans(older_than)
        failed = _each(orphans, "the unrecorded file", default_storage.delete)
    if failed:
        raise RetentionIncompleteError(f"{len(failed)} unrecorded files not removed")
    return orphans


def _one_sweep_at_a_time() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The two-key form: its own space, apart from core.background's locks.
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext('retention'), hashtext('orphaned files'))"
            )


def _orphans(older_than: timedelta) -> list[str]:
    """The unrecorded files older than `older_than`, oldest first."""
    cutoff = timezone.now() - older_than
    modified = {}
    for name in _stored_names():
        try:
            modified[name] = default_storage.get_modified_time(name)
        except FileNotFoundError:
            # Removed since the folder was listed: a row deleted, its file
            # going as that committed (uploads.delete_stored_file).
            continue
    old = [name for name, when in modified.items() if when < cutoff]
    recorded: set[str] = set()
    names = iter(old)
    while chunk := list(islice(names, 1000)):
        recorded |= set(
            StoredFile.objects.filter(storage_name__in=chunk).values_list("storage_name", flat=True)
        )
    return sorted((name for name in old if name not in recorded), key=modified.__getitem__)


def expired_sessions_remove() -> int:
    """Delete the sessions past their expiry date (signed out by the clock,
    or left by a browser closed without signing out), and return how many:
    Django leaves their rows, and each holds who was signed in, and when,
    until cleared (found by the sign-in review: nothing cleared them, so the
    table grew by one row a sign-in, for ever)."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


# A superseded report PDF younger than this may still be downloading.
SUPERSEDED_AGE = timedelta(days=1)


def superseded_reports_remove(
    *, dry_run: bool, older_than: timedelta = SUPERSEDED_AGE
) -> list[ReportFile]:
    """Delete the report PDFs that a newer build of the same inspection at
    the same stage replaced over a day ago, with their stored files.

    Every change to an inspection, and every request for its PDF after one,
    builds a new copy; the old ones were kept for ever, each an
    official-sensitive copy nobody could reach from the pages. The newest
    build of each stage stays, so the draft the force read at pre-publication
    checks is kept beside the published report. Returns the builds removed.
    """
    # Replaced when the newer build was ready: the old one may still be
    # downloading for a while after that.
    newer = ReportFile.objects.filter(
        inspection=OuterRef("inspection"),
        stage=OuterRef("stage"),
        status=ReportFile.Status.READY,
        created_at__gt=OuterRef("created_at"),
        finished_at__lt=timezone.now() - older_than,
    )
    superseded = list(
        ReportFile.objects.exclude(
            status__in=[ReportFile.Status.QUEUED, ReportFile.Status.BUILDING]
        )
        .filter(Exists(newer))
        .select_related("stored_file", "inspection__force")
        .order_by("created_at")
    )
    if not dry_run:
        failed = _each(superseded, "the superseded report PDF", _remove_report)
        if failed:
            raise RetentionIncompleteError(f"{len(failed)} superseded report PDFs not removed")
    return superseded


def _remove_report(report_file: ReportFile) -> None:
    # Locked and read again: a second run at the same time (the nightly job
    # and an admin's apply_retention) listed it too, and recorded its removal
    # a second time after the first had removed it.
    report_file = (
        ReportFile.objects.select_for_update(of=("self",))
        .select_related("stored_file", "inspection__force")
        .filter(pk=report_file.pk)
        .first()
    )
    if report_file is None:
        return
    stored_file = report_file.stored_file
    # As its request is (found by the audit review).
    audit.record(
        by=None,
        action="report.removed",
        obj=report_file,
        changes={"file": [stored_file.original_name if stored_file else "", None]},
        force=report_file.inspection.force,
        inspection_id=report_file.inspection_id,
    )
    report_file.delete()
    if stored_file is not None:
        uploads.delete_stored_file(stored_file)
