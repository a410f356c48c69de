"""The doors to case file reviews.

Case files are the inspectorate's own evidence: a force lead gets 404 on every
case file page, even for their own force's inspection and after publication.
Inspectors not on the team get 404 from the inspection door.
"""

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from inspections.access import (
    EDITABLE_STAGES,
    can_moderate,
    can_work_on,
    get_inspection_for_user,
    require_inspectorate,
)
from inspections.models import Inspection

from .models import Case, CaseCategory, CaseListImport


def get_casefiles_inspection(
    request: HttpRequest, inspection_id: UUID, *, edit: bool = False, moderate: bool = False
) -> Inspection:
    """The inspection, for its case file pages.

    404 for anyone outside the inspectorate or off the team; then, with
    edit=True, 403 unless the user may work on the inspection, and with
    moderate=True, 403 unless they are its lead inspector. The force check
    comes before the edit check so that a force lead never learns of a page
    through a 403.
    """
    inspection = get_inspection_for_user(request, inspection_id)
    require_inspectorate(request, inspection)
    if edit and not can_work_on(request.user, inspection):
        raise PermissionDenied
    if moderate and not can_moderate(request.user, inspection):
        raise PermissionDenied
    return inspection


def get_case(inspection: Inspection, case_id: UUID, *, sampled: bool = True) -> Case:
    """A case of this inspection (by default, one in the sample), or 404."""
    cases = Case.objects.filter(inspection=inspection).select_related(
        "category", "reviewer", "review", "review__submitted_by", "review__second_review"
    )
    if sampled:
        cases = cases.sampled()
    try:
        return cases.get(pk=case_id)
    except Case.DoesNotExist:
        raise Http404("No such case") from None


def get_import(inspection: Inspection, import_id: UUID) -> CaseListImport:
    try:
        return CaseListImport.objects.select_related("stored_file", "created_by").get(
            inspection=inspection, pk=import_id
        )
    except CaseListImport.DoesNotExist:
        raise Http404("No such import") from None


def case_files_open(inspection: Inspection) -> bool:
    """Case file work (the case list, the sample, assignments, reviews and
    second reviews) is open while the graded judgments are: from
    pre-publication checks on, the report's case review figures are fixed."""
    return inspection.stage in EDITABLE_STAGES


def can_edit_review(user, inspection: Inspection, case: Case) -> bool:
    """The assigned reviewer writes the review; the lead inspector and admins
    may step in. Everyone else on the team reads it."""
    if user.is_admin or user.pk == inspection.lead_inspector_id:
        return True
    return user.pk == case.reviewer_id and can_work_on(user, inspection)


def require_categories_access(request: HttpRequest, *, edit: bool = False) -> None:
    """The categories page: the inspectorate reads it, admins change it."""
    if not request.user.is_inspectorate:
        raise Http404("No such page")
    if edit and not request.user.is_admin:
        raise PermissionDenied


def get_category(request: HttpRequest, category_id: UUID) -> CaseCategory:
    require_categories_access(request, edit=True)
    try:
        return CaseCategory.objects.get(pk=category_id)
    except CaseCategory.DoesNotExist:
        raise Http404("No such category") from None
