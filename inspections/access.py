"""The doors to an inspection and the things inside it.

A user who may not know an object exists gets 404; a user who may see it but
not change it gets 403. Every view loads inspections through these helpers.
"""

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from .models import Inspection

# The stages in which the evidence and the graded judgments can change. From
# pre-publication checks on, the force holds the report they make.
EDITABLE_STAGES = (
    Inspection.Stage.PLANNED,
    Inspection.Stage.FIELDWORK,
    Inspection.Stage.MODERATION,
)
# The stages in which the five topics are graded and moderated: from the
# start of fieldwork, as the 'Start fieldwork' page says (found by a review:
# all five could be graded, and agreed, while the inspection was planned).
GRADING_STAGES = (Inspection.Stage.FIELDWORK, Inspection.Stage.MODERATION)


def can_work_on(user, inspection: Inspection) -> bool:
    """Admins, and inspectors on the inspection's team, may change its contents."""
    if user.is_admin:
        return True
    return user.is_inspector and user.pk in inspection.team_member_ids()


def can_moderate(user, inspection: Inspection) -> bool:
    """Only the inspection's lead inspector moderates and signs off, and only
    while one of the inspectorate's field staff: a lead inspector whose role
    became force lead (accounts.services.user_details_change now refuses
    that while they lead an inspection not closed) takes no step on it."""
    return user.is_inspector and user.pk == inspection.lead_inspector_id


def get_inspection_for_user(
    request: HttpRequest, inspection_id: UUID | str, *, edit: bool = False, moderate: bool = False
) -> Inspection:
    """Load an inspection the user may see, or raise 404.

    With edit=True, raise 403 unless the user may change its contents; with
    moderate=True, unless they are its lead inspector.
    """
    # By primary key, then the visibility rule in Python on the loaded row and
    # its team's ids (one query): the same answer as visible_to() without its
    # join on the team and DISTINCT, which cost more to plan than to run.
    try:
        inspection = (
            Inspection.objects.select_related("force", "lead_inspector")
            .with_team_ids()
            .get(pk=inspection_id)
        )
    except (Inspection.DoesNotExist, ValueError):
        raise Http404("No such inspection") from None
    if not inspection.is_visible_to(request.user):
        raise Http404("No such inspection")
    if request.user.is_force_lead:
        # Their own force (just checked), already loaded: the page header's
        # force name needs no query of its own.
        request.user.force = inspection.force
    if edit and not can_work_on(request.user, inspection):
        raise PermissionDenied
    if moderate and not can_moderate(request.user, inspection):
        raise PermissionDenied
    return inspection


def require_inspectorate(request: HttpRequest, inspection: Inspection) -> None:
    """Evidence, notes and case files are never shown to a force: 404 for them."""
    if request.user.is_force_lead:
        raise Http404("No such page")
