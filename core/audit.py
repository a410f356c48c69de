"""The audit trail: one call, made by services, for every change a person makes."""

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models

from .models import AuditEvent
from .text import strip_invisible


def person(user) -> str:
    """A person as the audit trail names them: their name and email, so that
    two people of one name are told apart (found by the audit review: a case
    moved between two Ian Inspectors read "Ian Inspector → Ian Inspector",
    and a team member replaced by a namesake was no change at all)."""
    return f"{user.full_name} ({user.email})" if user.full_name else user.email


def _plain(value: Any) -> Any:
    if isinstance(value, AbstractBaseUser):
        return person(value)
    if isinstance(value, models.Model):
        return str(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Field -> [from, to] for the fields whose value changed. Nothing and an
    empty answer are the same to people (both read "(none)"): found by a
    review, a case review saved empty recorded "Rating: (none) → (none)".
    So are a line break stored as CR LF and the same break as LF, and text
    with invisible characters at its ends and without them (_as_read)."""
    return {
        field: [_plain(before.get(field)), _plain(value)]
        for field, value in after.items()
        if _as_read(before.get(field)) != _as_read(value)
        and not _both_empty(before.get(field), value)
    }


def _both_empty(old: Any, new: Any) -> bool:
    return old in (None, "") and new in (None, "")


def _as_read(value: Any) -> Any:
    """A text as forms now read it (GovukBoundField.data): its line breaks as
    LF, where text saved before kept the browser's CR LF, and without the
    invisible characters at its ends, which it kept too. Such a record saved
    again as it was was recorded as changed, 'from' and 'to' reading the same
    (found by the review of the day's changes). Direction controls inside
    are kept here, though forms now leave them out (read_as_typed): a text
    saved with one before and saved again is a change, so that it is kept
    without it."""
    if not isinstance(value, str):
        return value
    return strip_invisible(value.replace("\r\n", "\n"))


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The fields' values as people read them: choices by their label."""
    values = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if getattr(field, "choices", None):
            values[name] = getattr(obj, f"get_{name}_display")() if getattr(obj, name) else ""
        else:
            values[name] = getattr(obj, name)
    return values


def record(
    *,
    by,
    action: str,
    obj: models.Model,
    changes: dict[str, list[Any]] | None = None,
    force=None,
    inspection_id=None,
    comment: str = "",
    label: str | None = None,
) -> AuditEvent:
    """Write one audit row. Call inside the service's transaction. `label`
    names the object instead of its str() (a file not by its own name)."""
    return AuditEvent.objects.create(
        actor=by if by is not None and by.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=(label or str(obj))[:255],
        force=force,
        inspection_id=inspection_id,
        changes=changes or {},
        comment=comment,
    )


# What happened, as the audit trail and an inspection's history filter it: a
# kind of change by the start of its action. An action is of the kind whose
# start is the longest that fits it ("inspection.published" is the report's,
# not the schedule's), so the kinds never overlap (found by the lists review:
# hundreds of events a page, and no way to find, say, the grades returned).
WHAT_HAPPENED = {
    "grades": ("Grades and moderation", ["judgment."]),
    "findings": ("Findings and recommendations", ["finding.", "recommendation."]),
    "case_files": (
        "Case files",
        ["case_review.", "second_review.", "case.", "sample.", "case_list.", "case_category."],
    ),
    "evidence": ("Interviews and documents", ["interview.", "document."]),
    "report": (
        "Report and factual accuracy checks",
        [
            "report.",
            "factual_point.",
            "factual_points.",
            "inspection.sent_for_checks",
            "inspection.published",
        ],
    ),
    "schedule": ("Schedule, team and stages", ["inspection."]),
    "follow_up": (
        "Action plans, visits and the commissioner's response",
        ["action_plan.", "visit.", "inspection.pcc_response_"],
    ),
    "downloads": ("Downloads and exports", ["file.", "export."]),
    "people": ("People and their access", ["user_", "calendar_feed."]),
    "forces": ("Forces", ["force."]),
    # Superseded report PDFs are removed by the retention job alone.
    "retention": ("Records deleted under the retention policy", ["retention.", "report.removed"]),
}


def what_happened(kind: str) -> models.Q:
    """The events of one kind of WHAT_HAPPENED: those whose action starts
    with one of its starts and with no longer start of another kind."""
    starts = WHAT_HAPPENED[kind][1]
    longer = [
        other
        for key, (_, others) in WHAT_HAPPENED.items()
        if key != kind
        for other in others
        if any(other.startswith(start) and len(other) > len(start) for start in starts)
    ]
    query = models.Q()
    for start in starts:
        query |= models.Q(action__startswith=start)
    for other in longer:
        query &= ~models.Q(action__startswith=other)
    return query
