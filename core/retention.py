"""The retention policy: what is deleted once an inspection has been closed
for settings.PROGRAMME_RULES["RETENTION_MONTHS"] (24 by default).

Deleted: the free-text notes and observations of case reviews, and every
uploaded file (documents examined, action plan documents, case lists). Kept:
grades, findings, recommendations, ratings and figures, and the audit trail,
which records each deletion.
"""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction

from actionplans.models import ActionPlan, ActionPlanVersion
from casefiles.models import CaseListImport, CaseReview, TopicAssessment
from inspections.models import Document, Inspection

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


@dataclass
class Removed:
    inspection: Inspection
    review_notes: int = 0
    observations: int = 0
    files: list[str] = field(default_factory=list)


def due_for_retention(today: date):
    cutoff = months_before(today, settings.PROGRAMME_RULES["RETENTION_MONTHS"])
    return Inspection.objects.filter(
        stage=Inspection.Stage.CLOSED, closed_on__isnull=False, closed_on__lte=cutoff
    ).select_related("force")


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


def _redact_audited_text(inspection: Inspection) -> None:
    """The audit rows stay (who did what, when) but lose the deleted text they
    quoted: keeping notes in the audit trail would defeat the policy."""
    events = AuditEvent.objects.filter(
        inspection_id=inspection.pk, object_type__startswith="casefiles."
    )
    for event in events:
        changed = {
            name: [REDACTED if value else value for value in values]
            for name, values in event.changes.items()
            if any(word in name for word in FREE_TEXT)
        }
        if changed:
            event.changes = {**event.changes, **changed}
            event.save(update_fields=["changes"])


@transaction.atomic
def retention_apply(*, today: date, dry_run: bool, by=None) -> list[Removed]:
    """Delete what the policy says for every inspection past its period.

    Idempotent: a second run finds nothing left to delete. With dry_run, it
    reports what it would delete and changes nothing.
    """
    report = []
    for inspection in due_for_retention(today):
        reviews = CaseReview.objects.filter(case__inspection=inspection).exclude(notes="")
        observations = TopicAssessment.objects.filter(review__case__inspection=inspection).exclude(
            observation=""
        )
        files = list(StoredFile.objects.filter(pk__in=_file_ids(inspection)))
        removed = Removed(
            inspection=inspection,
            review_notes=reviews.count(),
            observations=observations.count(),
            files=[f.original_name for f in files],
        )
        if not (removed.review_notes or removed.observations or removed.files):
            continue
        report.append(removed)
        if dry_run:
            continue
        # Bulk updates on purpose: the audit row below records the deletion.
        reviews.update(notes="")
        observations.update(observation="")
        for stored_file in files:
            uploads.delete_stored_file(stored_file)
        _redact_audited_text(inspection)
        audit.record(
            by=by,
            action="retention.applied",
            obj=inspection,
            force=inspection.force,
            inspection_id=inspection.pk,
            changes={
                "case review notes": [removed.review_notes, 0],
                "topic observations": [removed.observations, 0],
                "files": [", ".join(removed.files), ""],
            },
        )
    return report
