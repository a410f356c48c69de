"""The doors to action plans, their versions and files, and visits.

Each goes through inspections.access.get_inspection_for_user first, so a user
who may not see the inspection gets 404 for everything inside it.
"""

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from inspections.access import can_moderate, get_inspection_for_user

from .models import ActionPlan, ActionPlanVersion, PostInspectionVisit
from .pcc_response import may_record_pcc_response
from .services import action_plan_for, can_record_visit, can_schedule_visit


def can_respond(user, inspection) -> bool:
    """Only the force's own leads write its action plans."""
    return user.is_force_lead and user.force_id == inspection.force_id


def get_plan_for_user(
    request: HttpRequest, inspection_id: UUID, slug: str, *, respond: bool = False
) -> ActionPlan:
    """The plan of the kind named by ``slug``; 404 until its due date exists (the
    force has the report), 403 with respond=True unless the user is the force's lead."""
    inspection = get_inspection_for_user(request, inspection_id)
    kind = ActionPlan.kind_from_slug(slug)
    if kind is None or getattr(inspection, ActionPlan.DUE_FIELDS[kind]) is None:
        raise Http404("No such action plan")
    if request.user.is_force_lead and not inspection.force_sees_findings:
        raise Http404("No such action plan")
    if respond and not can_respond(request.user, inspection):
        raise PermissionDenied
    return action_plan_for(inspection, kind)


def get_version_for_user(
    request: HttpRequest, inspection_id: UUID, slug: str, number: int, *, review: bool = False
) -> ActionPlanVersion:
    """One submitted version; with review=True, 403 unless the user is the lead inspector."""
    plan = get_plan_for_user(request, inspection_id, slug)
    try:
        version = plan.versions.select_related("document", "submitted_by", "reviewed_by").get(
            number=number
        )
    except ActionPlanVersion.DoesNotExist:
        raise Http404("No such version") from None
    if review and not can_moderate(request.user, plan.inspection):
        raise PermissionDenied
    version.plan = plan
    return version


def get_visit_for_user(
    request: HttpRequest, inspection_id: UUID, visit_id: UUID, *, record: bool = False
) -> PostInspectionVisit:
    """A visit; with record=True, 403 unless the user is an admin or the lead inspector."""
    inspection = get_inspection_for_user(request, inspection_id)
    try:
        visit = inspection.post_inspection_visits.select_related(
            "scheduled_by", "outcome_recorded_by", "re_inspection"
        ).get(pk=visit_id)
    except PostInspectionVisit.DoesNotExist:
        raise Http404("No such visit") from None
    if record and not can_record_visit(request.user, inspection):
        raise PermissionDenied
    visit.inspection = inspection
    return visit


def get_inspection_for_visits(request: HttpRequest, inspection_id: UUID, *, schedule: bool):
    inspection = get_inspection_for_user(request, inspection_id)
    if schedule and not can_schedule_visit(request.user, inspection):
        raise PermissionDenied
    return inspection


def get_inspection_for_pcc_response(request: HttpRequest, inspection_id: UUID):
    """An inspection whose police and crime commissioner's response the user
    may record: 404 until the report is published (nothing is due yet), 403
    unless they are an admin, its lead inspector or one of the force's leads."""
    inspection = get_inspection_for_user(request, inspection_id)
    if inspection.pcc_response_due_on is None:
        raise Http404("No response is due")
    if not may_record_pcc_response(request.user, inspection):
        raise PermissionDenied
    return inspection
