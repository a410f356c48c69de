"""Pre-publication (factual accuracy) checks: the force's points on the draft
report, the inspectorate's responses, and corrections to the report's words.

The services of inspections.services, for one sub-domain: each is atomic,
takes the acting user as ``by``, locks the inspection, checks who and when,
and writes the audit trail.

A point the force has not sent is its own draft: it is not audited, as the
audit trail is the inspectorate's to read and the force's drafts are not.
Sending is the change on the record, naming how many points and which parts
of the report, never the force's words (they stay on the points, which the
inspectorate reads). Responses and corrections are audited with their words,
as moderation comments and findings are.
"""

from collections.abc import Iterable, Iterator
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from core import audit
from core.models import AuditEvent
from core.stale import refuse_if_stale
from core.text import as_compared

from .models import FactualAccuracyPoint, Finding, Inspection, Judgment
from .services import (
    STALE_FINDING,
    STALE_JUDGMENT,
    _check_new_words,
    _check_seen,
    _lock,
    _read_again,
    _record,
    _require_lead_or_admin,
    _require_stage,
    factual_points_waiting,
    seen_version,
)

Stage = Inspection.Stage
Point = FactualAccuracyPoint
STALE_RESPONSE = (
    "Someone else responded to this point after you opened it, so your response has not "
    "been saved. The point shows their response now. Save again to replace it with yours"
)
STALE_POINT = (
    "Someone else saved this point after you opened it, so your changes have not been "
    "saved. Your force's draft points show it as they saved it. Save again to replace "
    "their changes with yours"
)
NOT_ACCEPTED_NEEDS_WHY = "Explain why the point is not accepted"


def _require_own_force(inspection: Inspection, by: User) -> None:
    """Only the force's own leads raise and send its points."""
    if not (by.is_force_lead and by.force_id == inspection.force_id):
        raise PermissionDenied


def _require_draft(point: Point) -> None:
    if point.is_sent:
        raise ValidationError(
            "This point has been sent to the inspectorate, so it can no longer be changed"
        )


def _check_part(inspection: Inspection, topic: str, finding: Finding | None) -> None:
    if topic and finding is not None:
        raise ValidationError({"where": "Select one part of the report"})
    if finding is not None and finding.inspection_id != inspection.pk:
        raise ValidationError({"where": "Select a part of this inspection's report"})


def _drafts_on(inspection: Inspection, topic: str, finding: Finding | None):
    """The force's draft points on one part of the report."""
    return inspection.factual_points.filter(sent_at__isnull=True, topic=topic, finding=finding)


def _saying(points, inaccuracy: str, correction: str, field: str) -> Iterator:
    """`field` of each of the points that says what this inaccuracy and
    correction say, as people read them (as_compared)."""
    said = (as_compared(inaccuracy), as_compared(correction))
    for raised_inaccuracy, raised_correction, value in points.values_list(
        "inaccuracy", "correction", field
    ):
        if (as_compared(raised_inaccuracy), as_compared(raised_correction)) == said:
            yield value


ALREADY_RAISED = "You have already raised this point. It is in your drafts"
ALREADY_RAISED_WITH_OTHER_EVIDENCE = (
    "You have already raised this point, with other evidence. It is in your drafts: "
    "change it there to add this evidence"
)


def _check_new_point(
    inspection: Inspection,
    topic: str,
    finding: Finding | None,
    inaccuracy: str,
    correction: str,
    evidence: str,
) -> None:
    """Refuse a point the force's drafts already hold (the same part, what
    is inaccurate and the correction): a second click on Save, or one of the
    force's leads raising what the other has. Compared as people read them
    (as_compared): a word with a zero-width space inside, or a doubled space,
    passed as new, and the inspectorate had the same point twice. Call under
    _lock.

    The evidence supports a point; it does not make another one. The same
    point with other evidence is refused too (sent twice, the inspectorate
    would answer the one correction twice), but saying where its evidence
    belongs: the message said only that the point was raised, and the force
    lead could not tell their evidence had not been kept."""
    drafts = _drafts_on(inspection, topic, finding)
    for raised_evidence in _saying(drafts, inaccuracy, correction, "evidence"):
        if as_compared(evidence) not in {"", as_compared(raised_evidence)}:
            raise ValidationError(ALREADY_RAISED_WITH_OTHER_EVIDENCE)
        raise ValidationError(ALREADY_RAISED)


ALREADY_ANOTHER_DRAFT = (
    "Another of your draft points already says this about this part of the report. "
    "Change that one instead, or delete one of them"
)


def _check_changed_point(
    point: Point, topic: str, finding: Finding | None, inaccuracy: str, correction: str
) -> None:
    """Refuse a change that makes a draft another draft's point (as
    _check_new_point): found by a review, the force's two leads could each
    change a draft into the other's, and both went to the inspectorate."""
    others = _drafts_on(point.inspection, topic, finding).exclude(pk=point.pk)
    if any(_saying(others, inaccuracy, correction, "pk")):
        raise ValidationError(ALREADY_ANOTHER_DRAFT)


@transaction.atomic
def factual_point_save(
    *,
    inspection: Inspection,
    topic: str,
    finding: Finding | None,
    inaccuracy: str,
    correction: str,
    evidence: str,
    by: User,
    point: Point | None = None,
    seen: str | None = None,
) -> Point:
    """Raise a point (point=None) or change a draft one. The force's leads
    only, while the report is with the force for checks.

    `seen` is seen_version() as the page showed the draft: if it was saved
    since (the force's leads share its drafts), nothing is saved."""
    _lock(inspection)
    _require_own_force(inspection, by)
    _require_stage(inspection, Stage.PRE_PUBLICATION)
    _check_part(inspection, topic, finding)
    if point is None:
        _check_new_point(inspection, topic, finding, inaccuracy, correction, evidence)
        point = Point(inspection=inspection, raised_by=by)
    else:
        _read_again(point)
        _require_draft(point)
        answers = {"topic": topic, "finding": finding, "inaccuracy": inaccuracy}
        answers |= {"correction": correction, "evidence": evidence}
        if Point.objects.filter(pk=point.pk, **answers).exists():
            return point  # a second click on Save too, not a stale page
        _check_seen(point, seen, STALE_POINT)
        if (topic, finding, as_compared(inaccuracy), as_compared(correction)) != (
            point.topic,
            point.finding,
            as_compared(point.inaccuracy),
            as_compared(point.correction),
        ):  # its evidence alone may change, even of a point raised twice before
            _check_changed_point(point, topic, finding, inaccuracy, correction)
    point.topic, point.finding = topic, finding
    point.inaccuracy, point.correction, point.evidence = inaccuracy, correction, evidence
    point.save()
    return point


@transaction.atomic
def factual_point_delete(*, point: Point, by: User) -> None:
    """Delete a draft point: the force's leads only, before it is sent."""
    _lock(point.inspection)
    _read_again(point)
    _require_own_force(point.inspection, by)
    _require_stage(point.inspection, Stage.PRE_PUBLICATION)
    _require_draft(point)
    point.delete()


def sendings(inspection: Inspection) -> int:
    """How many times the force has sent points (each sending's points share a time)."""
    return (
        inspection.factual_points.filter(sent_at__isnull=False)
        .order_by()
        .aggregate(n=Count("sent_at", distinct=True))["n"]
    )


STALE_SEND = "A point changed after you opened this page. Check your points and send again"


def points_version(points: Iterable[Point]) -> str:
    """What the page that sends the points carries back (as "seen"): the
    words of each, as it showed them."""
    ordered = sorted(points, key=lambda point: str(point.pk))
    return ",".join(f"{point.pk}:{seen_version(point)}" for point in ordered)


@transaction.atomic
def factual_points_send(
    *, inspection: Inspection, points: Iterable[UUID], by: User, seen: str | None = None
) -> list[Point]:
    """Send the draft points the force lead checked (their ids) to the
    inspectorate, and tell the lead inspector. Returns the points sent: none
    if every one was sent already (a second click), so nothing is told twice.
    `seen` is points_version() as the page showed them: a point changed since
    (by the force's other lead) is not sent in words the sender never saw,
    to be frozen (found by the stale-page review)."""
    _lock(inspection)
    _require_own_force(inspection, by)
    _require_stage(inspection, Stage.PRE_PUBLICATION)
    wanted = set(points)
    if not wanted:
        raise ValidationError("Raise a point before sending")
    found = list(inspection.factual_points.filter(pk__in=wanted).select_related("finding"))
    drafts = [point for point in found if not point.is_sent]
    if len(found) != len(wanted):
        raise ValidationError(
            "A point you checked has been deleted since. Check your points and send again"
        )
    if not drafts:
        return []
    refuse_if_stale(seen, points_version(found), STALE_SEND)
    now = timezone.now()
    for point in drafts:
        point.sent_at = now
    Point.objects.filter(pk__in=[point.pk for point in drafts]).update(sent_at=now)
    parts = sorted({point.where for point in drafts})
    _record(
        inspection,
        inspection,
        by=by,
        action="factual_points.sent",
        changes={"points_sent": [None, len(drafts)], "parts": [None, "; ".join(parts)]},
    )
    from actionplans.notices import factual_points_sent_notices  # noqa: PLC0415

    factual_points_sent_notices(
        inspection=inspection, count=len(drafts), sending=sendings(inspection)
    )
    return drafts


def _force_told_of(point: Point) -> bool:
    """Whether the force was told of the responses to the sending this point
    went in: the answered notice of a sending n says every point of sendings
    1 to n had a response (factual_points_answered_notices)."""
    from actionplans.models import Notice  # noqa: PLC0415

    sending = (
        point.inspection.factual_points.filter(sent_at__lte=point.sent_at)
        .order_by()
        .aggregate(n=Count("sent_at", distinct=True))["n"]
    )
    return Notice.objects.filter(
        inspection_id=point.inspection_id, kind=Notice.Kind.POINTS_ANSWERED, sequence__gte=sending
    ).exists()


@transaction.atomic
def factual_point_respond(
    *, point: Point, response: str, explanation: str, by: User, seen: str | None = None
) -> dict:
    """The lead inspector (or an admin) accepts a point sent by the force, or
    does not, with an explanation the force reads. Changeable until
    publication. The force is told once every point it sent has a response,
    and again whenever a response it was told of changes. Returns what
    changed: nothing saved, recorded or told if nothing did."""
    inspection = point.inspection
    _lock(inspection)
    _read_again(point)
    _require_lead_or_admin(inspection, by)
    _require_stage(inspection, Stage.PRE_PUBLICATION)
    if not point.is_sent:
        raise PermissionDenied  # a draft is the force's own
    explanation = explanation.strip()
    if response not in Point.Response.values:
        raise ValidationError({"response": "Select whether the point is accepted"})
    if response == Point.Response.NOT_ACCEPTED and not explanation:
        raise ValidationError({"explanation": NOT_ACCEPTED_NEEDS_WHY})
    before = [point.get_response_display() or None, point.explanation or None]
    after = [Point.Response(response).label, explanation or None]
    # As the audit trail compares them: an explanation saved with the
    # browser's CR LF, saved again as it was, is no change (core.audit._as_read).
    fields = ("response", "explanation")
    changes = audit.diff(
        dict(zip(fields, before, strict=True)), dict(zip(fields, after, strict=True))
    )
    if not changes:
        # Saved again as it was (found by a review): who responded, and
        # when, stay as they were, and nobody is told anything. A second
        # click on Save is this too, not a stale page.
        return {}
    _check_seen(point, seen, STALE_RESPONSE)
    answered_before = bool(before[0])
    point.response, point.explanation = response, explanation
    point.responded_by, point.responded_at = by, timezone.now()
    point.save()
    action = "factual_point.response_changed" if answered_before else "factual_point.responded"
    _record(inspection, point, by=by, action=action, changes=changes)
    from actionplans.notices import (  # noqa: PLC0415
        factual_points_answered_notices,
        factual_response_changed_notices,
    )

    waiting = factual_points_waiting(inspection)
    # A response the force was told of, changed: the force is told, even
    # while points it sent later wait (found by the force lead review: it
    # was told only once nothing waited, so a change made meanwhile, to an
    # answer it had read and relied on, was never told).
    if answered_before and (not waiting or _force_told_of(point)):
        changed = AuditEvent.objects.filter(
            inspection_id=inspection.pk, action="factual_point.response_changed"
        ).count()
        factual_response_changed_notices(inspection=inspection, change=changed)
    elif not answered_before and not waiting:
        factual_points_answered_notices(inspection=inspection, sending=sendings(inspection))
    return changes


# Corrections --------------------------------------------------------------
# At pre-publication checks only the words change: a grade or a kind of
# finding changed would need the report moderated again.


def _require_correctable(inspection: Inspection, by: User) -> None:
    _require_lead_or_admin(inspection, by)
    _require_stage(inspection, Stage.PRE_PUBLICATION)


@transaction.atomic
def finding_correct(
    *, finding: Finding, summary: str, detail: str, by: User, seen: str | None = None
) -> dict:
    """Correct a finding's words (summary, detail) while the report is with
    the force for checks: the lead inspector or an admin."""
    inspection = finding.inspection
    _lock(inspection)
    _read_again(finding)
    _require_correctable(inspection, by)
    changes = {
        field: [getattr(finding, field), value]
        for field, value in (("summary", summary), ("detail", detail))
        if getattr(finding, field) != value
    }
    if not changes:
        # Nothing corrected: nothing recorded (found by a review). A second
        # click on Save is this too, not a stale page.
        return {}
    _check_seen(finding, seen, STALE_FINDING)
    if as_compared(summary) != as_compared(finding.summary):
        others = inspection.findings.exclude(pk=finding.pk)
        _check_new_words(others, topic=finding.topic, kind=finding.kind, summary=summary)
    finding.summary, finding.detail = summary, detail
    finding.save(update_fields=["summary", "detail", "updated_at"])
    _record(
        inspection, finding, by=by, action="finding.corrected_before_publication", changes=changes
    )
    return changes


@transaction.atomic
def judgment_correct(
    *, judgment: Judgment, rationale: str, by: User, seen: str | None = None
) -> dict:
    """Correct a graded judgment's rationale, never its grade, while the
    report is with the force for checks: the lead inspector or an admin."""
    inspection = judgment.inspection
    _lock(inspection)
    _read_again(judgment)
    _require_correctable(inspection, by)
    if not rationale.strip():
        raise ValidationError({"rationale": "Enter the rationale for the grade"})
    if judgment.rationale == rationale:
        # Nothing corrected: nothing recorded (found by a review). A second
        # click on Save is this too, not a stale page.
        return {}
    _check_seen(judgment, seen, STALE_JUDGMENT)
    changes = {"rationale": [judgment.rationale, rationale]}
    judgment.rationale = rationale
    judgment.save(update_fields=["rationale", "updated_at"])
    _record(
        inspection,
        judgment,
        by=by,
        action="judgment.corrected_before_publication",
        changes=changes,
    )
    return changes
