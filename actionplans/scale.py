"""Synthetic follow-up at national scale, registered in seed_scale.

For each inspection, by stage:
- pre-publication checks: the action plan in draft, not submitted (its
  deadline is open: due in the coming four weeks, or overdue);
- published: the action plan returned at version 1 and accepted at version 2;
  the updated action plan in draft (open);
- follow-up: as published, and the updated action plan submitted for half of
  them (the other half open, mostly overdue); a post-inspection visit booked;
- closed: both plans accepted; a visit held, with its outcome.
Each version has a response to each of the plan's 20 items (five causes of
concern and their fifteen recommendations; the updated plan adds the four
areas for improvement). The notices the services would have sent are there
too: submissions, decisions and visit bookings.
"""

import random
from datetime import datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.models import AuditEvent, StoredFile
from inspections.models import Finding, Inspection, Recommendation
from inspections.scale import AUDIT_FIELDS, audit_rows, insert_rows, scale_uuid

from .models import ActionPlan, ActionPlanVersion, Notice, PlanResponse, PostInspectionVisit

Stage = Inspection.Stage
Kind = ActionPlan.Kind
Accepted, Returned, Submitted = (
    ActionPlanVersion.Status.ACCEPTED,
    ActionPlanVersion.Status.RETURNED,
    ActionPlanVersion.Status.SUBMITTED,
)
# (action plan versions, updated action plan versions) by stage; None: no plan yet.
PLANS = {
    Stage.PRE_PUBLICATION: ([], None),
    Stage.PUBLISHED: ([Returned, Accepted], []),
    Stage.FOLLOW_UP: ([Returned, Accepted], "half submitted"),
    Stage.CLOSED: ([Returned, Accepted], [Accepted]),
}
ACTION = "Review every open investigation weekly, with overdue cases escalated to the DCI."
OWNER = "Head of public protection"
RESPONSE_STATUSES = list(PlanResponse.Status.values)


def _items(inspection_ids) -> dict:
    """inspection id -> (concern items, area for improvement items), each item
    (finding id, recommendation id, subject), in report order."""
    findings = (
        Finding.objects.filter(
            inspection_id__in=inspection_ids,
            kind__in=[*Finding.CONCERN_KINDS, Finding.Kind.AREA_FOR_IMPROVEMENT],
        )
        .order_by("inspection_id", "topic_position", "kind_position", "summary")
        .values_list("pk", "inspection_id", "kind", "summary")
    )
    recommendations: dict = {}
    for pk, finding_id, text in (
        Recommendation.objects.filter(finding__inspection_id__in=inspection_ids)
        .order_by("finding_id", "text")
        .values_list("pk", "finding_id", "text")
    ):
        recommendations.setdefault(finding_id, []).append((pk, text))
    items: dict = {}
    for pk, inspection_id, kind, summary in findings:
        concerns, improvements = items.setdefault(inspection_id, ([], []))
        if kind in Finding.CONCERN_KINDS:
            number = sum(1 for item in concerns if item[0]) + 1
            concerns.append((pk, None, f"Cause of concern {number}: {summary}"))
            for rec_pk, text in recommendations.get(pk, []):
                # Numbered through the report, as services.plan_items numbers them.
                n = sum(1 for item in concerns if item[1]) + 1
                concerns.append((None, rec_pk, f"Recommendation {n}: {text}"))
        else:
            improvements.append(
                (pk, None, f"Area for improvement {len(improvements) + 1}: {summary}")
            )
    return items


class _Rows:
    """The rows of every table, gathered while walking the inspections."""

    def __init__(self):
        self.files: list[tuple] = []
        self.plans: list[tuple] = []
        self.versions: list[tuple] = []
        self.responses: list[tuple] = []
        self.visits: list[tuple] = []
        self.notices: list[tuple] = []
        self.audits: list[tuple] = []


def _at(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


def _file(rows: _Rows, rng, name: str, by, when) -> object:
    file_id = scale_uuid(rng)
    rows.files.append(
        (file_id, when, when, name, f"scale/{file_id}.pdf", "application/pdf", 48_213)
        + ("0" * 64, by)
    )
    return file_id


def _notice(rows: _Rows, rng, inspection, recipients, kind, subject, due_on, sequence, when):
    title = f"{Notice.Kind(kind).label}: {inspection.force.short_name}"
    link = reverse("actionplans:followup", args=[inspection.pk])
    for recipient in recipients:
        rows.notices.append(
            (scale_uuid(rng), when, when, recipient, kind, inspection.pk, subject, due_on)
            + (sequence, when, when, when if inspection.stage == Stage.CLOSED else None)
            + (title, f"{title}. Synthetic notice.", link)
        )


def _plan(rows: _Rows, rng, inspection, kind, statuses, items, force_lead, now) -> None:
    due_on = getattr(inspection, ActionPlan.DUE_FIELDS[kind])
    plan_id = scale_uuid(rng)
    lead = inspection.lead_inspector_id
    label = Kind(kind).label
    document = _file(rows, rng, f"{label}.pdf", force_lead, now)
    rows.plans.append((plan_id, now, now, inspection.pk, kind, document))
    target = due_on + timedelta(days=180)

    def responses(version_id, share=1.0) -> None:
        for position, (finding_id, recommendation_id, subject) in enumerate(items):
            if version_id is None and rng.random() > share:
                continue
            rows.responses.append(
                (scale_uuid(rng), now, now, plan_id, version_id, finding_id, recommendation_id)
                + (position, subject, ACTION, OWNER, target, rng.choice(RESPONSE_STATUSES))
            )

    responses(None, share=1.0 if statuses else 0.5)
    events = []
    for number, status in enumerate(statuses, start=1):
        version_id = scale_uuid(rng)
        submitted = _at(due_on - timedelta(days=10 - 5 * number))
        reviewed = submitted + timedelta(days=3) if status != Submitted else None
        rows.versions.append(
            (version_id, now, now, plan_id, number)
            + (_file(rows, rng, f"{label} v{number}.pdf", force_lead, submitted), force_lead)
            + (submitted, status, lead if reviewed else None, reviewed)
            + ("Give each action a target date." if status == Returned else "",)
        )
        responses(version_id)
        what = f"{label} version {number}"
        events.append(
            (force_lead, "action_plan.submitted", "actionplans.actionplanversion", version_id, what)
        )
        _notice(
            rows,
            rng,
            inspection,
            [force_lead, lead],
            Notice.Kind.PLAN_SUBMITTED,
            kind,
            due_on,
            number,
            submitted,
        )
        if reviewed:
            events.append(
                (lead, f"action_plan.{status}", "actionplans.actionplanversion", version_id, what)
            )
            decision = (
                Notice.Kind.PLAN_ACCEPTED if status == Accepted else Notice.Kind.PLAN_RETURNED
            )
            _notice(rows, rng, inspection, [force_lead], decision, kind, due_on, number, reviewed)
    rows.audits.extend(audit_rows(inspection, events, now))


def _visit(rows: _Rows, rng, inspection, force_lead, today, now) -> None:
    held = inspection.stage == Stage.CLOSED
    visit_on = (
        inspection.published_on + timedelta(days=300)
        if held
        else today + timedelta(days=rng.randint(20, 60))
    )
    lead = inspection.lead_inspector_id
    notice_at = _at(visit_on - timedelta(days=28))
    visit_id = scale_uuid(rng)
    rows.visits.append(
        (visit_id, now, now, inspection.pk, visit_on, lead, "", notice_at)
        + (
            (["chief_officer", "child_protection_lead"], "", "Progress reports.")
            if held
            else ([], "", "")
        )
        + (
            ("Good progress.", "progress_satisfactory", lead, _at(visit_on))
            if held
            else ("", "", None, None)
        )
        + (None, "")  # no re-inspection; not cancelled
    )
    _notice(
        rows,
        rng,
        inspection,
        [force_lead],
        Notice.Kind.VISIT_BOOKED,
        Notice.Subject.POST_INSPECTION_VISIT,
        visit_on,
        0,
        notice_at,
    )
    event = (
        lead,
        "visit.scheduled",
        "actionplans.postinspectionvisit",
        visit_id,
        "Post-inspection visit",
    )
    rows.audits.extend(audit_rows(inspection, [event], now))


def _walk(inspections, items, force_leads, rng, today, now) -> _Rows:
    rows = _Rows()
    for inspection in inspections:
        if inspection.stage not in PLANS:
            continue
        force_lead = force_leads.get(inspection.force_id)
        concerns, improvements = items.get(inspection.pk, ([], []))
        plan_versions, updated_versions = PLANS[inspection.stage]
        if updated_versions == "half submitted":
            updated_versions = [Submitted] if rng.random() < 0.5 else []
        _plan(rows, rng, inspection, Kind.ACTION_PLAN, plan_versions, concerns, force_lead, now)
        if updated_versions is not None:
            _plan(
                rows,
                rng,
                inspection,
                Kind.UPDATED_ACTION_PLAN,
                updated_versions,
                concerns + improvements,
                force_lead,
                now,
            )
        if inspection.stage in (Stage.FOLLOW_UP, Stage.CLOSED):
            _visit(rows, rng, inspection, force_lead, today, now)
    return rows


def _insert(rows: _Rows) -> None:
    base = ["id", "created_at", "updated_at"]
    insert_rows(
        StoredFile,
        base + ["original_name", "storage_name", "content_type", "size", "sha256", "uploaded_by"],
        rows.files,
    )
    insert_rows(ActionPlan, base + ["inspection", "kind", "document"], rows.plans)
    insert_rows(
        ActionPlanVersion,
        base
        + ["plan", "number", "document", "submitted_by", "submitted_at", "status"]
        + ["reviewed_by", "reviewed_at", "review_comment"],
        rows.versions,
    )
    insert_rows(
        PlanResponse,
        base
        + ["plan", "version", "finding", "recommendation", "position", "subject", "action"]
        + ["owner_role", "target_on", "status"],
        rows.responses,
    )
    insert_rows(
        PostInspectionVisit,
        base
        + ["inspection", "visit_on", "scheduled_by", "short_notice_reason", "notice_sent_at"]
        + ["people_interviewed", "other_people_interviewed", "documents_reviewed", "feedback"]
        + ["outcome", "outcome_recorded_by", "outcome_recorded_at", "re_inspection"]
        + ["cancellation_reason"],
        rows.visits,
    )
    insert_rows(
        Notice,
        base
        + ["recipient", "kind", "inspection", "subject", "due_on", "sequence", "sent_at"]
        + ["emailed_at", "read_at", "title", "body", "link"],
        rows.notices,
    )
    insert_rows(AuditEvent, AUDIT_FIELDS, rows.audits)


def build(*, inspections: list[Inspection], factor: float, rng: random.Random, stdout) -> None:
    """Action plans, versions, responses, visits and notices for inspections
    from pre-publication checks on."""
    today, now = timezone.localdate(), timezone.now()
    force_leads = dict(
        User.objects.filter(role=User.Role.FORCE_LEAD, email__startswith="scale.")
        .order_by("email")
        .values_list("force_id", "pk")
    )
    items = _items([i.pk for i in inspections if i.stage in PLANS])
    rows = _walk(inspections, items, force_leads, rng, today, now)
    _insert(rows)
    submitted = {version[3] for version in rows.versions}
    unsubmitted = sum(1 for plan in rows.plans if plan[0] not in submitted)
    stdout.write(
        f"follow-up: {len(rows.plans):,} action plans, {len(rows.versions):,} versions, "
        f"{len(rows.responses):,} responses, {len(rows.visits):,} visits, "
        f"{len(rows.notices):,} notices; {unsubmitted:,} plans not yet submitted (open deadlines)"
    )
