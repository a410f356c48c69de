"""Demo action plans, a visit and notices, called by core's seed_demo. Idempotent.

Built on the demo inspections (inspections.seed), through the real services:
- Greater Manchester: action plan returned then accepted at version 2; updated
  action plan returned at version 1; a post-inspection visit booked.
- Cleveland: action plan submitted, awaiting the lead inspector; updated
  action plan not yet due (the report is not published).
- Merseyside: both plans overdue, so the sweep has sent overdue notices.
Each step is skipped when its rows already exist.
"""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from core.tests.files import pdf  # a small valid PDF, so the demo documents open
from inspections.models import Inspection

from . import services
from .models import ActionPlan, PlanResponse, PostInspectionVisit
from .notices import notices_sweep

ACTIONS = {
    "Cause of concern": (
        "Introduce a daily review of open child abuse investigations by the detective "
        "chief inspector, with overdue cases escalated.",
        "Detective chief superintendent, public protection",
    ),
    "Recommendation": (
        "Set and monitor timescales for allocating and progressing each investigation; "
        "report performance monthly to the chief officer group.",
        "Head of public protection",
    ),
    "Area for improvement": (
        "Add a mandatory 'voice of the child' field to the incident record and audit a "
        "sample each quarter.",
        "Superintendent, neighbourhood policing",
    ),
}


def _draft(plan: ActionPlan, *, by: User) -> None:
    name = f"{plan.inspection.force.short_name} {plan.get_kind_display().lower()}.pdf"
    upload = SimpleUploadedFile(name, pdf(name[:-4]), content_type="application/pdf")
    services.action_plan_attach_document(plan=plan, upload=upload, by=by)
    for item in services.plan_items(plan):
        action, owner = next(v for k, v in ACTIONS.items() if item.label.startswith(k))
        services.action_plan_save_response(
            plan=plan,
            item=item,
            action=action,
            owner_role=owner,
            target_on=timezone.localdate() + timedelta(days=120),
            status=PlanResponse.Status.IN_PROGRESS,
            by=by,
        )


def _submitted(inspection, kind, *, by):
    plan = services.action_plan_for(inspection, kind)
    if plan.versions.exists():
        return None
    _draft(plan, by=by)
    return plan, services.action_plan_submit(plan=plan, by=by)


def _demo_inspection(slug: str) -> Inspection | None:
    return (
        Inspection.objects.filter(force__slug=slug, kind=Inspection.Kind.INSPECTION)
        .exclude(received_for_checks_on=None)
        .select_related("force", "lead_inspector")
        .order_by("-fieldwork_start")
        .first()
    )


def seed(stdout) -> None:
    manchester = _demo_inspection("greater-manchester")
    cleveland = _demo_inspection("cleveland")
    users = {u.email: u for u in User.objects.filter(email__endswith="@example.org")}
    lead = users.get("lead.inspector@example.org")
    gm_lead = users.get("force.lead@example.org")
    cleveland_lead = users.get("other.force.lead@example.org")
    if not (manchester and cleveland and lead and gm_lead and cleveland_lead):
        stdout.write("Action plans: no demo inspections yet, so nothing to add")
        return
    made = _submitted(manchester, ActionPlan.Kind.ACTION_PLAN, by=gm_lead)
    if made:
        plan, first = made
        services.action_plan_version_return(
            version=first,
            by=lead,
            comment="Give each action a target date within six months and say how you "
            "will know supervision has improved.",
        )
        second = services.action_plan_submit(plan=plan, by=gm_lead)
        services.action_plan_version_accept(version=second, by=lead)
    made = _submitted(manchester, ActionPlan.Kind.UPDATED_ACTION_PLAN, by=gm_lead)
    if made:
        services.action_plan_version_return(
            version=made[1],
            by=lead,
            comment="Say how you will measure progress on recording the child's voice.",
        )
    _submitted(cleveland, ActionPlan.Kind.ACTION_PLAN, by=cleveland_lead)
    if not PostInspectionVisit.objects.filter(inspection=manchester).exists():
        services.post_inspection_visit_schedule(
            inspection=manchester, visit_on=timezone.localdate() + timedelta(days=21), by=lead
        )
    sent = notices_sweep()
    stdout.write(
        "Action plans: plans in every state, a booked post-inspection visit; "
        f"the deadline sweep sent {sent} notice{'s' if sent != 1 else ''}"
    )
