"""Workflows for action plans and post-inspection visits.

Each service is atomic, takes the acting user as ``by`` and writes the audit
trail. Notices (in-app and email) go through actionplans.notices, which
claims a row per notice before anything is sent.
"""

import hashlib
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core import audit
from core.deadlines import Rule, derive, visit_notice_rule
from core.stale import refuse_if_stale, row_version
from core.templatetags.govuk import govuk_date
from core.uploads import delete_stored_file, store_upload
from inspections.access import can_moderate
from inspections.models import FactualAccuracyPoint, Finding, Inspection
from inspections.reports import in_report_order
from inspections.services import inspection_schedule

from . import notices
from .models import (
    DUE_SOON_DAYS,
    ActionPlan,
    ActionPlanVersion,
    CalendarFeed,
    Notice,
    PlanResponse,
    PostInspectionVisit,
    new_calendar_token,
)

PLAN_DOCUMENT_KINDS = ("pdf", "docx", "odt", "xlsx")


# --- What a plan must answer -------------------------------------------------


@dataclass(frozen=True)
class PlanItem:
    """One thing a plan must respond to: a cause of concern, recommendation or AFI."""

    id: object
    label: str
    text: str
    position: int
    finding: Finding | None = None
    recommendation: object = None

    @property
    def anchor(self) -> str:
        return f"response-{self.id}"


def plan_items(plan: ActionPlan) -> list[PlanItem]:
    """Every cause of concern and its recommendations; for the updated action
    plan, every area for improvement too. Causes of concern (with their
    recommendations) come first, then areas for improvement, each in the
    order the report prints them and numbered as the report and the action
    plan tracker number them: recommendations 1, 2, 3… through the report."""
    kinds = list(Finding.CONCERN_KINDS)
    if plan.covers_areas_for_improvement:
        kinds.append(Finding.Kind.AREA_FOR_IMPROVEMENT)
    findings = Finding.objects.filter(inspection_id=plan.inspection_id, kind__in=kinds)
    in_order = [
        f
        for _, _, group in in_report_order(findings.prefetch_related("recommendations"))
        for f in group
    ]
    items: list[PlanItem] = []
    count = {"concern": 0, "improvement": 0, "recommendation": 0}
    for finding in sorted(in_order, key=lambda f: not f.is_concern):  # stable: report order kept
        kind = "concern" if finding.is_concern else "improvement"
        count[kind] += 1
        label = (
            f"{'Cause of concern' if finding.is_concern else 'Area for improvement'} {count[kind]}"
        )
        items.append(PlanItem(finding.pk, label, finding.summary, len(items), finding=finding))
        for recommendation in finding.recommendations.all():
            count["recommendation"] += 1
            items.append(
                PlanItem(
                    recommendation.pk,
                    f"Recommendation {count['recommendation']}",
                    recommendation.text,
                    len(items),
                    recommendation=recommendation,
                )
            )
    return items


def draft_responses(plan: ActionPlan) -> dict:
    """The working draft's responses, by the id of the item each answers."""
    rows = PlanResponse.objects.filter(plan=plan, version__isnull=True)
    return {row.item_id: row for row in rows if row.item_id}


STALE_PLAN_CHECK = (
    "The plan changed after you opened this page. Check it again before you submit it"
)


def draft_version(plan: ActionPlan, items: list[PlanItem], responses: dict, versions) -> str:
    """What the check page carries back (as "seen") to tell whether what it
    showed is still what would be submitted: the document, each item as the
    report has it and its response, and the versions sent in so far (a
    check page kept open, or gone back to, after a version went in and came
    back). Found by the stale-page review: another force lead's change, made
    after the page was drawn, went in unchecked."""
    parts = [str(plan.document_id), *(f"{v.number}:{v.status}" for v in versions)]
    parts += [
        f"{item.id}:{item.label}:{item.text}:{row_version(responses.get(item.id))}"
        for item in items
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def plan_problems(plan: ActionPlan, items: list[PlanItem], responses: dict) -> list[tuple]:
    """(anchor, message) for each thing missing before the plan can be submitted."""
    problems = []
    if plan.document_id is None:
        problems.append(("document", f"Upload the {plan.get_kind_display().lower()} document"))
    problems += [
        (item.anchor, f"Add a response to {item.label.lower()}")
        for item in items
        if item.id not in responses
    ]
    return problems


# --- Plans: status and summaries ----------------------------------------------


@dataclass(frozen=True)
class Status:
    label: str
    colour: str


def _due_in(days: int) -> str:
    return "due today" if days == 0 else f"due in {days} day{'s' if days != 1 else ''}"


def plan_status(
    due_on: date | None, latest: ActionPlanVersion | None, today: date, *, closed: bool = False
) -> Status:
    """The status a person sees, always in words: never colour alone. A closed
    inspection asks for nothing, so nothing of it is overdue or due (found by
    the second dates review: its unsent plan read "Overdue" for ever)."""
    if closed:
        if latest is None:
            return Status("Not sent in", "grey") if due_on else Status("Not due", "grey")
        due_on = None
    days = (due_on - today).days if due_on else None
    if latest is not None and latest.status != ActionPlanVersion.Status.RETURNED:
        colour = {"accepted": "green", "submitted": "blue"}[latest.status]
        return Status(latest.get_status_display(), colour)
    return deadline_status(days, returned=latest is not None)


def deadline_status(days: int | None, *, returned: bool = False) -> Status:
    """The words for something still awaited from the force, `days` away
    (negative when past, None when nothing is due): the one rule for every page
    that shows a deadline, so the plan page and the dashboard never disagree
    (found by the admin journey review: one 20 days away read "Due in 20 days"
    on the dashboard and "Not yet due" on the plan page). Due soon means within
    DUE_SOON_DAYS; a page may list deadlines further off, in these words."""
    if returned:
        # Back with the force: how long they have matters as before.
        if days is not None and days < 0:
            return Status("Returned, overdue", "red")
        if days is not None and days <= DUE_SOON_DAYS:
            return Status(f"Returned, {_due_in(days)}", "orange")
        return Status("Returned", "orange")
    if days is None or days > DUE_SOON_DAYS:
        return Status("Not yet due", "grey")
    if days < 0:
        return Status("Overdue", "red")
    return Status(_due_in(days).capitalize(), "yellow")


@dataclass(frozen=True)
class PlanSummary:
    inspection: Inspection
    kind: str
    label: str
    slug: str
    due_on: date | None
    latest: ActionPlanVersion | None
    status: Status

    @property
    def is_open(self) -> bool:
        """Still needs something from the force or the lead inspector."""
        return self.due_on is not None and (self.latest is None or self.latest.status != "accepted")


def _summaries(inspection: Inspection, latest_versions: dict, today: date) -> list[PlanSummary]:
    """latest_versions: (inspection id, kind) -> the plan's newest version."""
    summaries = []
    for kind, label in ActionPlan.Kind.choices:
        due_on = getattr(inspection, ActionPlan.DUE_FIELDS[kind])
        latest = latest_versions.get((inspection.pk, kind))
        summaries.append(
            PlanSummary(
                inspection,
                kind,
                label,
                ActionPlan.SLUGS[kind],
                due_on,
                latest,
                plan_status(due_on, latest, today, closed=inspection.has_ended),
            )
        )
    return summaries


def _plans_by_inspection(inspection_ids) -> dict:
    plans = ActionPlan.objects.filter(inspection_id__in=inspection_ids).prefetch_related("versions")
    return {(plan.inspection_id, plan.kind): plan for plan in plans}


def _latest_versions(inspection_ids) -> dict:
    """(inspection id, kind) -> the newest version of that plan, for the plans
    that have a version (a plan without one has no latest): one query."""
    versions = (
        ActionPlanVersion.objects.filter(plan__inspection_id__in=inspection_ids)
        .select_related("plan")
        .order_by("number")
    )
    return {(version.plan.inspection_id, version.plan.kind): version for version in versions}


def plan_summaries(inspection: Inspection, *, today: date | None = None) -> list[PlanSummary]:
    """Both plans of an inspection with their due dates and statuses (two queries)."""
    today = today or timezone.localdate()
    plans = _plans_by_inspection([inspection.pk])
    return _summaries(inspection, {key: plan.latest_version for key, plan in plans.items()}, today)


def followup_context(*, inspection: Inspection, user, today: date | None = None) -> dict:
    """Context for templates/actionplans/_inspection_plans.html: include it on the
    inspection page with ``context.update(followup_context(inspection=..., user=...))``."""
    # Here, not at the top: pcc_response builds on this module's statuses.
    from .pcc_response import can_record_pcc_response, pcc_response_status

    visits = list(PostInspectionVisit.objects.filter(inspection=inspection))
    return {
        "inspection": inspection,
        "plan_summaries": plan_summaries(inspection, today=today),
        "visits": visits,
        "can_schedule_visit": can_schedule_visit(user, inspection),
        "pcc_status": pcc_response_status(inspection, today),
        "can_record_pcc_response": can_record_pcc_response(user, inspection),
    }


@dataclass(frozen=True)
class DueItem:
    """One card in the force lead's "What is due" list."""

    title: str
    inspection: Inspection
    due_on: date
    status: Status
    url: str
    link_text: str
    date_label: str = "Due"
    # A plan the force has submitted: with the lead inspector, nothing due from
    # the force (found by a UX review: it read as a plan still due).
    awaiting_review: bool = False


def force_current_inspections(force) -> list[Inspection]:
    """The force's inspections not ended, newest fieldwork first, with the force."""
    return list(Inspection.objects.filter(force=force).current().select_related("force"))


def due_items_for_force(
    force, *, today: date | None = None, inspections: list[Inspection] | None = None
) -> list[DueItem]:
    """What the force owes or faces next, soonest first (three queries, two
    given the force's current inspections from force_current_inspections)."""
    today = today or timezone.localdate()
    if inspections is None:
        inspections = force_current_inspections(force)
    latest_versions = _latest_versions([i.pk for i in inspections])
    items: list[DueItem] = []
    for inspection in inspections:
        for summary in _summaries(inspection, latest_versions, today):
            if summary.is_open and _awaiting_review(summary):
                items.append(_awaiting_review_item(summary))
            elif summary.is_open:
                items.append(
                    DueItem(
                        summary.label,
                        inspection,
                        summary.due_on,
                        summary.status,
                        _plan_url(inspection, summary.slug),
                        f"View the {summary.label.lower()}",
                    )
                )
        # Until the response is recorded, overdue or not: the force hears of
        # it first, and records it (actionplans.pcc_response).
        if inspection.pcc_response_due_on and inspection.pcc_response_published_on is None:
            items.append(
                DueItem(
                    "Police and crime commissioner's response",
                    inspection,
                    inspection.pcc_response_due_on,
                    plan_status(inspection.pcc_response_due_on, None, today),
                    _followup_url(inspection),
                    "View follow-up",
                )
            )
    visits = PostInspectionVisit.objects.booked().filter(
        inspection__in=inspections, visit_on__gte=today, outcome=""
    )
    by_id = {i.pk: i for i in inspections}
    for visit in visits:
        inspection = by_id[visit.inspection_id]
        days = (visit.visit_on - today).days
        items.append(
            DueItem(
                "Post-inspection visit",
                inspection,
                visit.visit_on,
                Status(f"In {days} day{'s' if days != 1 else ''}" if days else "Today", "blue"),
                _visit_url(inspection, visit),
                "View the visit",
                date_label="Date",
            )
        )
    at_checks = [i for i in inspections if i.stage == Inspection.Stage.PRE_PUBLICATION]
    items += _factual_accuracy_items(at_checks, today)
    # What the force owes soonest first; what waits for the inspectorate after it.
    return sorted(items, key=lambda item: (item.awaiting_review, item.due_on))


def _awaiting_review(summary: PlanSummary) -> bool:
    latest = summary.latest
    return latest is not None and latest.status == ActionPlanVersion.Status.SUBMITTED


def _awaiting_review_item(summary: PlanSummary) -> DueItem:
    """A submitted plan's card: when it was sent, not its deadline, which the
    force has met (or no longer can meet) by sending it."""
    inspection = summary.inspection
    return DueItem(
        summary.label,
        inspection,
        timezone.localdate(summary.latest.submitted_at),
        Status("Submitted, awaiting review", "blue"),
        _plan_url(inspection, summary.slug),
        f"View the {summary.label.lower()}",
        date_label="Submitted",
        awaiting_review=True,
    )


def _factual_accuracy_items(inspections: list[Inspection], today: date) -> list[DueItem]:
    """The report with the force for pre-publication checks: where to raise
    factual accuracy points, and how they stand (one query, none without
    such a report). Found by a newcomer's review: nothing on the force
    lead's home page led to the checks."""
    if not inspections:
        return []
    counts = {
        row["inspection_id"]: row
        for row in FactualAccuracyPoint.objects.filter(inspection__in=inspections)
        .values("inspection_id")
        .annotate(
            drafts=Count("pk", filter=Q(sent_at__isnull=True)),
            waiting=Count("pk", filter=Q(sent_at__isnull=False, response="")),
        )
    }
    items = []
    for inspection in inspections:
        row = counts.get(inspection.pk, {"drafts": 0, "waiting": 0})
        if row["drafts"]:
            n = row["drafts"]
            status = Status(f"{n} point{'s' if n != 1 else ''} not sent", "yellow")
        elif row["waiting"]:
            status = Status("Waiting for responses", "blue")
        else:
            status = Status("Open until publication", "blue")
        items.append(
            DueItem(
                "Factual accuracy checks",
                inspection,
                inspection.received_for_checks_on or today,
                status,
                reverse("inspections:factual_accuracy", args=[inspection.pk]),
                "Check the report",
                date_label="Report received",
            )
        )
    return items


def _plan_url(inspection, slug) -> str:
    return reverse("actionplans:plan", args=[inspection.pk, slug])


def _followup_url(inspection) -> str:
    return reverse("actionplans:followup", args=[inspection.pk])


def _visit_url(inspection, visit) -> str:
    return reverse("actionplans:visit", args=[inspection.pk, visit.pk])


def home_context(user) -> dict:
    """What core.views.home adds to every role's home page."""
    context = {"unread_notice_count": Notice.objects.for_user(user).unread().count()}
    if user.is_force_lead:
        # Read once for "What is due" and for the home page's table of them.
        inspections = force_current_inspections(user.force)
        context["current_inspections"] = inspections
        due_items = due_items_for_force(user.force, inspections=inspections)
        context["due_items"] = due_items
        context["nothing_due"] = all(item.awaiting_review for item in due_items)
    return context


# --- Plans: the force lead's work ---------------------------------------------


def action_plan_for(inspection: Inspection, kind: str) -> ActionPlan:
    """The plan of this kind, made on first use. Safe when two requests race."""
    try:
        with transaction.atomic():
            plan, _ = ActionPlan.objects.get_or_create(inspection=inspection, kind=kind)
    except IntegrityError:
        plan = ActionPlan.objects.get(inspection=inspection, kind=kind)
    plan.inspection = inspection
    return plan


# The force's drafting of a plan, audited as each is saved: the force's own
# until a version is submitted, as the plan's page keeps it, so the
# inspection's history leaves these out (found by the access review: the
# team read each draft response on the overview as the force typed it).
DRAFT_ACTIONS = (
    "action_plan.document_uploaded",
    "action_plan.response_saved",
    "action_plan.started_from_accepted",
)


def _audit(plan: ActionPlan, obj, *, by: User, action: str, changes=None, comment="") -> None:
    audit.record(
        by=by,
        action=action,
        obj=obj,
        changes=changes,
        force=plan.inspection.force,
        inspection_id=plan.inspection_id,
        comment=comment,
    )


# The stages in which the force works on each plan: the action plan from
# the report's pre-publication checks, the updated plan from publication.
PLAN_OPEN_STAGES = {
    ActionPlan.Kind.ACTION_PLAN: (
        Inspection.Stage.PRE_PUBLICATION,
        Inspection.Stage.PUBLISHED,
        Inspection.Stage.FOLLOW_UP,
    ),
    ActionPlan.Kind.UPDATED_ACTION_PLAN: (Inspection.Stage.PUBLISHED, Inspection.Stage.FOLLOW_UP),
}


def _require_editable(plan: ActionPlan) -> None:
    if plan.is_closed:
        raise ValidationError(plan.not_editable_message())
    # The page's door (no due date, no plan page), kept by the service too
    # (found by the stage review: a call past it drafted and submitted a plan
    # during grading, or on a cancelled inspection).
    if plan.inspection.stage not in PLAN_OPEN_STAGES[plan.kind]:
        raise ValidationError(
            f"The force works on the {plan.get_kind_display().lower()} once the report is "
            + (
                "with it for pre-publication checks"
                if plan.kind == ActionPlan.Kind.ACTION_PLAN
                else "published"
            )
        )
    if not plan.is_editable:
        raise ValidationError(
            f"This {plan.get_kind_display().lower()} has been submitted and cannot be changed"
        )


@transaction.atomic
def action_plan_attach_document(*, plan: ActionPlan, upload, by: User) -> ActionPlan:
    """Check and store the plan document privately, replacing the draft's document."""
    plan = _locked(plan)
    _require_editable(plan)
    previous = plan.document
    before = str(previous) if previous else None
    # As large as settings.UPLOAD_MAX_BYTES allows any upload.
    stored = store_upload(upload, by=by, kinds=PLAN_DOCUMENT_KINDS)
    plan.document = stored
    plan.save(update_fields=["document", "updated_at"])
    # A replaced draft document nobody submitted is deleted, not left lying about.
    if previous and not ActionPlanVersion.objects.filter(document=previous).exists():
        delete_stored_file(previous)
    _audit(
        plan,
        plan,
        by=by,
        action="action_plan.document_uploaded",
        changes={"document": [before, stored.original_name]},
    )
    return plan


RESPONSE_FIELDS = ["action", "owner_role", "target_on", "status"]
STALE_RESPONSE = (
    "Someone else saved a response to this after you opened the page, so your response has "
    "not been saved. The plan shows their response. Save again to replace it with yours"
)


@transaction.atomic
def action_plan_save_response(
    *,
    plan: ActionPlan,
    item: PlanItem,
    action: str,
    owner_role: str,
    target_on: date,
    status: str,
    by: User,
    seen: str | None = None,
) -> PlanResponse:
    """Save the draft's response to one item.

    `seen` is row_version() of the response as the page showed it: if the response was
    saved since (another of the force's leads, another tab), nothing is saved."""
    plan = _locked(plan)
    _require_editable(plan)
    key = {"finding": item.finding} if item.finding else {"recommendation": item.recommendation}
    response = PlanResponse.objects.filter(plan=plan, version__isnull=True, **key).first()
    version = row_version(response)
    before = audit.snapshot(response, RESPONSE_FIELDS) if response else {}
    response = response or PlanResponse(plan=plan, **key)
    response.position = item.position
    response.subject = f"{item.label}: {item.text}"
    response.action, response.owner_role = action, owner_role
    response.target_on, response.status = target_on, status
    changes = audit.diff(before, audit.snapshot(response, RESPONSE_FIELDS))
    if not changes:
        return response  # a second click on Save too, not a stale page
    refuse_if_stale(seen, version, STALE_RESPONSE)
    response.save()
    _audit(
        plan,
        plan,
        by=by,
        action="action_plan.response_saved",
        changes=changes,
        comment=item.label,
    )
    return response


# A response's answers, as a version's page compares them with the version before.
RESPONSE_ANSWERS = [
    ("action", "Action"),
    ("owner_role", "Responsible"),
    ("target_on", "Target date"),
    ("status", "Status"),
]


def _answered(response: PlanResponse) -> tuple | str:
    """What a response answers: its finding or recommendation, or, once that
    is gone (SET_NULL), the words it answered."""
    if response.finding_id or response.recommendation_id:
        return response.finding_id, response.recommendation_id
    return response.subject


def compare_with_previous(version: ActionPlanVersion, responses) -> ActionPlanVersion | None:
    """The version before `version` (None for the first), each of `responses`
    (version's own) marked with what it said there (`response.before`, None
    for a response new in this version) and the names of the answers changed
    since (`response.changed`): a lead inspector reviewing a plan sent again
    after being returned sees what the force changed, as the force sees what
    it sent. Two queries, whatever the number of responses."""
    previous = version.plan.versions.filter(number__lt=version.number).order_by("-number").first()
    before = {}
    if previous is not None:
        before = {_answered(response): response for response in previous.responses.all()}
    for response in responses:
        response.before = before.get(_answered(response))
        response.changed = [
            label
            for field, label in RESPONSE_ANSWERS
            if response.before is not None
            and getattr(response, field) != getattr(response.before, field)
        ]
    return previous


def accepted_to_start_from(plan: ActionPlan, items, responses) -> ActionPlanVersion | None:
    """The accepted action plan, while it answered an item this draft has
    not (updated_action_plan_start_from_accepted would fill it in); else None."""
    accepted = accepted_action_plan(plan)
    if accepted is None:
        return None
    answered = {
        finding_id or recommendation_id
        for finding_id, recommendation_id in accepted.responses.values_list(
            "finding_id", "recommendation_id"
        )
    }
    unanswered = (item.id for item in items if item.id not in responses)
    return accepted if any(item_id in answered for item_id in unanswered) else None


def accepted_action_plan(plan: ActionPlan) -> ActionPlanVersion | None:
    """For an updated action plan, the inspection's last accepted version of
    the action plan, whose responses it may start from; else None."""
    if plan.kind != ActionPlan.Kind.UPDATED_ACTION_PLAN:
        return None
    return (
        ActionPlanVersion.objects.filter(
            plan__inspection_id=plan.inspection_id,
            plan__kind=ActionPlan.Kind.ACTION_PLAN,
            status=ActionPlanVersion.Status.ACCEPTED,
        )
        .order_by("-number")
        .first()
    )


@transaction.atomic
def updated_action_plan_start_from_accepted(*, plan: ActionPlan, by: User) -> int:
    """Fill in the updated action plan's draft from the accepted action plan:
    each cause of concern and recommendation not yet answered gets that plan's
    response to it, for the force to bring up to date. An answer already
    given is kept, so a second click changes nothing. Returns how many were
    filled in. Areas for improvement are new in the updated plan: the force
    answers them itself."""
    plan = _locked(plan)
    _require_editable(plan)
    source = accepted_action_plan(plan)
    if source is None:
        raise ValidationError("The action plan has no accepted version to start from")
    answered = draft_responses(plan)
    earlier = {response.item_id: response for response in source.responses.all()}
    copies = [
        PlanResponse(
            plan=plan,
            finding=item.finding,
            recommendation=item.recommendation,
            position=item.position,
            subject=f"{item.label}: {item.text}",
            **{field: getattr(earlier[item.id], field) for field in RESPONSE_FIELDS},
        )
        for item in plan_items(plan)
        if item.id in earlier and item.id not in answered
    ]
    PlanResponse.objects.bulk_create(copies)  # one insert, as action_plan_submit's
    if copies:
        _audit(
            plan,
            plan,
            by=by,
            action="action_plan.started_from_accepted",
            changes={"responses": [len(answered), len(answered) + len(copies)]},
            comment=f"From action plan version {source.number}",
        )
    return len(copies)


def _lock_inspection(inspection_id) -> Inspection:
    """Lock the inspection's row (NO KEY UPDATE, as inspections.services takes
    it) and read its stage as committed now. A closing of the inspection
    takes this lock too, so it either commits before this reads the stage
    (and is seen) or waits until this transaction ends. Found by a review:
    without it, a plan submitted or returned, or a visit cancelled, while
    the inspection closed was written after the closing."""
    return Inspection.objects.select_for_update(no_key=True).only("stage").get(pk=inspection_id)


def _locked(plan: ActionPlan) -> ActionPlan:
    """Lock the inspection's row, then the plan's, so two submissions (two
    tabs, a double click) queue up, and a closing of the inspection is seen.
    Always in that order, as every service here takes them."""
    _lock_inspection(plan.inspection_id)
    locked = (
        ActionPlan.objects.select_for_update(of=("self",))
        .select_related("inspection__force", "inspection__lead_inspector", "document")
        .get(pk=plan.pk)
    )
    locked._prefetched_objects_cache = {}
    return locked


@transaction.atomic
def action_plan_submit(*, plan: ActionPlan, by: User, seen: str | None = None) -> ActionPlanVersion:
    """Freeze the draft as the next numbered version, for the lead inspector to review.

    Refused, naming each gap, until the document and a response to every
    required item are present; and refused when `seen`, draft_version() as
    the check page showed it, is no longer the draft's. Confirms to the
    force and tells the lead inspector, once each.
    """
    plan = _locked(plan)
    _require_editable(plan)
    items = plan_items(plan)
    responses = draft_responses(plan)
    versions = list(plan.versions.order_by("-number").only("number", "status"))
    refuse_if_stale(seen, draft_version(plan, items, responses, versions), STALE_PLAN_CHECK)
    problems = plan_problems(plan, items, responses)
    if problems:
        raise ValidationError([message for _, message in problems])
    number = (versions[0].number if versions else 0) + 1
    version = ActionPlanVersion.objects.create(
        plan=plan, number=number, document=plan.document, submitted_by=by
    )
    PlanResponse.objects.bulk_create(
        PlanResponse(
            plan=plan,
            version=version,
            finding=item.finding,
            recommendation=item.recommendation,
            position=item.position,
            # The item's words now, as the report has them: a finding
            # corrected at pre-publication checks after the force drafted
            # its response was frozen in its old words (found by the
            # workflow review).
            subject=f"{item.label}: {item.text}",
            **{field: getattr(responses[item.id], field) for field in RESPONSE_FIELDS},
        )
        for item in items
    )
    _audit(
        plan,
        version,
        by=by,
        action="action_plan.submitted",
        changes={"status": [None, "submitted"]},
    )
    notices.plan_notices(version=version, plan=plan, kind=Notice.Kind.PLAN_SUBMITTED)
    return version


CLOSED_NO_RETURN = (
    "The inspection is closed, so the force cannot send a new version. Accept this one, or leave it"
)


def _review(*, version: ActionPlanVersion, by: User, status: str, comment: str) -> None:
    stage = _lock_inspection(version.plan.inspection_id).stage
    if status == ActionPlanVersion.Status.RETURNED and stage == Inspection.Stage.CLOSED:
        # The force could not send a new version: accept it, or leave it.
        raise ValidationError({"decision": CLOSED_NO_RETURN})
    # A conditional update: only a version still awaiting review changes, so
    # two reviewers (or two clicks) cannot both decide it.
    now = timezone.now()
    changed = ActionPlanVersion.objects.filter(
        pk=version.pk, status=ActionPlanVersion.Status.SUBMITTED
    ).update(status=status, reviewed_by=by, reviewed_at=now, review_comment=comment)
    if not changed:
        raise ValidationError("This version has already been reviewed")
    version.status, version.reviewed_by, version.reviewed_at = status, by, now
    version.review_comment = comment
    plan = version.plan
    _audit(
        plan,
        version,
        by=by,
        action=f"action_plan.{status}",
        changes={"status": ["submitted", str(status)]},
        comment=comment,
    )
    kind = {"accepted": Notice.Kind.PLAN_ACCEPTED, "returned": Notice.Kind.PLAN_RETURNED}[status]
    notices.plan_notices(version=version, plan=plan, kind=kind)


@transaction.atomic
def action_plan_version_accept(
    *, version: ActionPlanVersion, by: User, comment: str = ""
) -> ActionPlanVersion:
    """The lead inspector accepts a submitted version."""
    _review(version=version, by=by, status=ActionPlanVersion.Status.ACCEPTED, comment=comment)
    return version


@transaction.atomic
def action_plan_version_return(
    *, version: ActionPlanVersion, by: User, comment: str
) -> ActionPlanVersion:
    """The lead inspector returns a version with comments. The draft still holds
    this version's responses, so the force lead starts the next one from them."""
    if not comment.strip():
        raise ValidationError({"comment": "Enter comments to tell the force what to change"})
    _review(version=version, by=by, status=ActionPlanVersion.Status.RETURNED, comment=comment)
    return version


# --- Post-inspection visits ---------------------------------------------------


def can_record_visit(user, inspection: Inspection) -> bool:
    """Admins and the inspection's lead inspector record what a visit found,
    once it is published (a visit before the closing may be written up after)."""
    return inspection.is_published and (user.is_admin or can_moderate(user, inspection))


def can_schedule_visit(user, inspection: Inspection) -> bool:
    """They book visits too, until the inspection is closed."""
    return can_record_visit(user, inspection) and inspection.stage != Inspection.Stage.CLOSED


def is_short_notice(*, visit_on: date, today: date) -> bool:
    """Whether the force would get less than VISIT_NOTICE_DAYS' notice."""
    return today > derive(visit_on, visit_notice_rule())


def visit_notice_problems(
    *, visit_on: date, short_notice_reason: str, by: User, today: date
) -> dict[str, str]:
    """Field -> message for a visit date that breaks the notice rule.

    The force must have the notice at least VISIT_NOTICE_DAYS before the
    visit. Only an admin may give less, and must say why.
    """
    if visit_on <= today:
        return {"visit_on": "The date of the visit must be in the future"}
    if not is_short_notice(visit_on=visit_on, today=today):
        return {}
    days = settings.PROGRAMME_RULES["VISIT_NOTICE_DAYS"]
    earliest = derive(today, Rule("earliest visit with full notice", days))
    if not by.is_admin:
        return {
            "visit_on": f"The force must have {days} days' notice: choose "
            f"{earliest.day} {earliest:%B %Y} or later, or ask an admin to allow short notice"
        }
    if not short_notice_reason.strip():
        return {
            "short_notice_reason": f"The visit is less than {days} days away: "
            "enter the reason for the short notice"
        }
    return {}


DAY_TAKEN = "A visit is already booked for that date"


def visit_day_problem(*, inspection: Inspection, visit_on: date) -> dict[str, str]:
    """Field -> message when a visit of this inspection is booked that day
    already: checked before the check page too, so it offers no booking that
    must fail."""
    booked = PostInspectionVisit.objects.booked().filter(inspection=inspection, visit_on=visit_on)
    return {"visit_on": DAY_TAKEN} if booked.exists() else {}


def visit_recipient_problem(inspection: Inspection) -> str:
    """Why the force cannot be given notice of a visit, or "": the notice goes
    to its active force leads, and a visit booked with nobody told would break
    the two weeks' notice while the page said it was given."""
    leads = User.objects.filter(
        role=User.Role.FORCE_LEAD, is_active=True, force_id=inspection.force_id
    )
    if leads.exists():
        return ""
    return (
        f"{inspection.force.short_name} has no active force lead to send the notice to. "
        "An admin must add one before the visit can be booked"
    )


@transaction.atomic
def post_inspection_visit_schedule(
    *,
    inspection: Inspection,
    visit_on: date,
    by: User,
    short_notice_reason: str = "",
    today: date | None = None,
) -> PostInspectionVisit:
    """Book a visit and send the force its notice at once (email and in-app)."""
    today = today or timezone.localdate()
    # The row as it is now, locked: an inspection closed since the page was
    # drawn takes no booking, and the closing waits for one in progress.
    inspection.stage = (
        Inspection.objects.select_for_update(no_key=True)
        .values_list("stage", flat=True)
        .get(pk=inspection.pk)
    )
    if inspection.stage == Inspection.Stage.CLOSED:
        raise ValidationError("The inspection is closed: no more visits can be booked")
    # The view's door, kept by the service too (found by the stage review: a
    # call past the door booked a visit, and told the force, before the
    # report was published, or on a cancelled inspection).
    if inspection.stage not in Inspection.PUBLISHED_STAGES:
        raise ValidationError("A post-inspection visit is booked once the report is published")
    if not can_schedule_visit(by, inspection):
        raise PermissionDenied
    problems = visit_notice_problems(
        visit_on=visit_on, short_notice_reason=short_notice_reason, by=by, today=today
    )
    if problems:
        raise ValidationError(problems)
    if problem := visit_day_problem(inspection=inspection, visit_on=visit_on):
        raise ValidationError(problem)
    short_notice = is_short_notice(visit_on=visit_on, today=today)
    try:
        with transaction.atomic():
            visit = PostInspectionVisit.objects.create(
                inspection=inspection,
                visit_on=visit_on,
                scheduled_by=by,
                short_notice_reason=short_notice_reason.strip() if short_notice else "",
            )
    except IntegrityError:  # booked by someone else between the check and now
        raise ValidationError({"visit_on": DAY_TAKEN}) from None
    visit.notice_sent_at = notices.visit_notices(visit=visit)
    if visit.notice_sent_at is None:
        # Nobody to tell: the booking is undone with the rest of the transaction.
        raise ValidationError(visit_recipient_problem(inspection) or "The notice was not sent")
    visit.save(update_fields=["notice_sent_at", "updated_at"])
    changes = {"visit_on": [None, str(visit_on)]}
    if short_notice:
        changes["short_notice_override"] = [None, visit.short_notice_reason]
    audit.record(
        by=by,
        action="visit.scheduled",
        obj=visit,
        changes=changes,
        force=inspection.force,
        inspection_id=inspection.pk,
        comment=visit.short_notice_reason,
    )
    return visit


@transaction.atomic
def post_inspection_visit_cancel(
    *, visit: PostInspectionVisit, reason: str, by: User
) -> PostInspectionVisit:
    """Cancel a visit before its day, with the reason, and tell the force.
    Its day can then be booked again."""
    # The inspection's row first (a closing meanwhile is seen), then the visit's.
    _lock_inspection(visit.inspection_id)
    visit = (
        PostInspectionVisit.objects.select_for_update(of=("self",))
        .select_related("inspection")
        .get(pk=visit.pk)
    )
    if visit.inspection.stage == Inspection.Stage.CLOSED:
        raise ValidationError("The inspection is closed, so the visit can no longer be cancelled")
    if not can_schedule_visit(by, visit.inspection):
        raise PermissionDenied
    if visit.is_cancelled:
        raise ValidationError("This visit has already been cancelled")
    if not visit.can_be_cancelled:
        raise ValidationError("This visit has taken place, so it cannot be cancelled")
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the visit is cancelled"})
    visit.cancelled_at = timezone.now()
    visit.cancelled_by = by
    visit.cancellation_reason = reason.strip()
    visit.save(update_fields=["cancelled_at", "cancelled_by", "cancellation_reason", "updated_at"])
    notices.visit_cancelled_notices(visit=visit)
    audit.record(
        by=by,
        action="visit.cancelled",
        obj=visit,
        changes={"visit_on": [str(visit.visit_on), None]},
        force=visit.inspection.force,
        inspection_id=visit.inspection_id,
        comment=visit.cancellation_reason,
    )
    return visit


VISIT_RECORD_FIELDS = [
    "people_interviewed",
    "other_people_interviewed",
    "documents_reviewed",
    "feedback",
    "outcome",
]


def _visit_record_words(visit: PostInspectionVisit) -> dict:
    """The visit's record as its history shows it: the people interviewed
    named in words, as the visit's page names them, not as stored codes."""
    words = audit.snapshot(visit, VISIT_RECORD_FIELDS)
    words["people_interviewed"] = ", ".join(visit.interviewee_labels)
    return words


STALE_VISIT = (
    "Someone else recorded this visit after you opened this page, so your record has not "
    "been saved. The visit's page shows what they recorded. Save again to replace their "
    "record with yours"
)


@transaction.atomic
def post_inspection_visit_record(
    *,
    visit: PostInspectionVisit,
    by: User,
    people_interviewed: list[str],
    other_people_interviewed: str,
    documents_reviewed: str,
    feedback: str,
    outcome: str,
    re_inspection_start: date | None = None,
    re_inspection_end: date | None = None,
    seen: str | None = None,
) -> PostInspectionVisit:
    """Record what happened at the visit. "Full re-inspection recommended" puts a
    planned re-inspection of the force into the programme, once.

    `seen` is row_version() of the visit as the page showed it: if the visit was saved
    since (the lead inspector and an admin may both record it), nothing is
    saved, rather than the page's answers silently replacing theirs."""
    visit = PostInspectionVisit.objects.select_for_update().get(pk=visit.pk)
    if visit.is_cancelled:
        raise ValidationError("This visit was cancelled, so there is nothing to record")
    if not visit.has_happened:
        raise ValidationError(
            f"The visit can be recorded from {govuk_date(visit.visit_on)}, the day it takes place"
        )
    wants_re_inspection = outcome == PostInspectionVisit.Outcome.FULL_RE_INSPECTION
    if visit.re_inspection_planned and not wants_re_inspection:
        # The re-inspection it recommended is in the programme; an admin
        # would have to take it out first.
        raise ValidationError(
            {
                "outcome": "A re-inspection is already in the programme for this visit, "
                "so the outcome can no longer change"
            }
        )
    before, version = _visit_record_words(visit), row_version(visit)
    visit.people_interviewed = people_interviewed
    visit.other_people_interviewed = other_people_interviewed
    visit.documents_reviewed = documents_reviewed
    visit.feedback = feedback
    visit.outcome = outcome
    if seen is not None and not audit.diff(before, _visit_record_words(visit)):
        return visit  # a second click on Save: recorded already, as asked
    refuse_if_stale(seen, version, STALE_VISIT)
    visit.outcome_recorded_by, visit.outcome_recorded_at = by, timezone.now()
    inspection = Inspection.objects.select_related("force").get(pk=visit.inspection_id)
    if wants_re_inspection and not visit.re_inspection_planned:
        if not (re_inspection_start and re_inspection_end):
            raise ValidationError(
                {"re_inspection_start": "Enter the proposed start of re-inspection fieldwork"}
            )
        if re_inspection_start <= timezone.localdate():
            raise ValidationError(
                {"re_inspection_start": "The re-inspection fieldwork must start after today"}
            )
        visit.re_inspection = _schedule_re_inspection(
            inspection=inspection, start=re_inspection_start, end=re_inspection_end, by=by
        )
    elif not wants_re_inspection:
        visit.re_inspection = None  # the one it recommended was cancelled
    visit.save()
    audit.record(
        by=by,
        action="visit.recorded",
        obj=visit,
        changes=audit.diff(before, _visit_record_words(visit)),
        force=inspection.force,
        inspection_id=inspection.pk,
    )
    return visit


RE_INSPECTION_ENDS_TOO_SOON = (
    "The re-inspection fieldwork end date must be the same as or after its start date"
)


def _schedule_re_inspection(*, inspection: Inspection, start: date, end: date, by) -> Inspection:
    """A planned re-inspection of the same force, with the same lead inspector
    and the team members who may still inspect: not anyone deactivated or
    given another role since (found by the admin review: they were put on
    the new team as they were)."""
    if end < start:
        # The scheduler's own message names neither re-inspection nor the end
        # date's question, and would land beside the start date with the rest.
        raise ValidationError({"re_inspection_end": RE_INSPECTION_ENDS_TOO_SOON})
    lead = inspection.lead_inspector
    if not (lead.is_active and lead.is_lead_inspector):
        raise ValidationError(
            {
                "re_inspection_start": f"{lead.full_name} no longer leads inspections, so the "
                "re-inspection cannot be planned with them. Change the lead inspector of "
                "this inspection first"
            }
        )
    team = [member for member in inspection.team.all() if member.is_active and member.is_inspector]
    try:
        return inspection_schedule(
            force=inspection.force,
            kind=Inspection.Kind.RE_INSPECTION,
            fieldwork_start=start,
            fieldwork_end=end,
            lead_inspector=lead,
            team=team,
            by=by,
        )
    except ValidationError as error:
        # The scheduler names its own fields (force, team, fieldwork_end);
        # here they all concern the proposed re-inspection dates.
        raise ValidationError({"re_inspection_start": error.messages}) from None


# --- Notifications and the calendar -------------------------------------------


@transaction.atomic
def notices_mark_all_read(*, user: User) -> int:
    return Notice.objects.for_user(user).unread().update(read_at=timezone.now())


def calendar_feed_for(user: User) -> CalendarFeed:
    """The person's feed, with a new address if the old one has ended."""
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    if feed.ended:
        feed.token = new_calendar_token()
        feed.save(update_fields=["token", "updated_at"])
    return feed


@transaction.atomic
def calendar_feed_reset(*, user: User, by: User) -> CalendarFeed:
    """Give the feed a new address; the old one stops working at once."""
    feed = calendar_feed_for(user)
    feed.token = new_calendar_token()
    feed.save(update_fields=["token", "updated_at"])
    # With the person's force, as each change to their access is (audit review).
    audit.record(by=by, action="calendar_feed.reset", obj=feed, force=user.force)
    return feed
