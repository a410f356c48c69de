"""The plan and visit services keep the stage rule their pages keep (found by
the stage review: called past the page's door, they booked a visit and told
the force before publication, and drafted and submitted a plan during
grading, or on a cancelled inspection)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from actionplans import services
from actionplans.models import ActionPlan, ActionPlanVersion, Notice, PostInspectionVisit
from actionplans.tests.factories import complete_draft, today
from inspections import services as inspection_services
from inspections.models import Inspection
from inspections.tests.factories import inspection_at

Stage = Inspection.Stage
pytestmark = pytest.mark.django_db


@pytest.fixture
def at(force_a, lead_inspector, inspector, admin_user):
    """at(stage): an inspection of force A at that stage; cancelled while planned."""

    def make(stage):
        people = {
            "force": force_a,
            "lead": lead_inspector,
            "team": [inspector],
            "admin": admin_user,
        }
        if stage != Stage.CANCELLED:
            return inspection_at(stage, **people)
        inspection = inspection_at(Stage.PLANNED, **people)
        inspection_services.inspection_cancel(
            inspection=inspection, reason="Called off", by=admin_user
        )
        inspection.refresh_from_db()
        return inspection

    return make


@pytest.mark.parametrize(
    "stage",
    [Stage.PLANNED, Stage.FIELDWORK, Stage.MODERATION, Stage.PRE_PUBLICATION, Stage.CANCELLED],
)
def test_no_visit_is_booked_before_publication(at, stage, admin_user, force_lead_a):
    inspection = at(stage)
    with pytest.raises(ValidationError, match="once the report is published"):
        services.post_inspection_visit_schedule(
            inspection=inspection, visit_on=today() + timedelta(days=30), by=admin_user
        )
    assert not PostInspectionVisit.objects.filter(inspection=inspection).exists()
    assert not Notice.objects.filter(inspection=inspection, kind=Notice.Kind.VISIT_BOOKED).exists()


def test_only_the_lead_or_an_admin_books_a_visit(at, inspector, force_lead_a):
    with pytest.raises(PermissionDenied):
        services.post_inspection_visit_schedule(
            inspection=at(Stage.PUBLISHED), visit_on=today() + timedelta(days=30), by=inspector
        )


@pytest.mark.parametrize(
    "stage, kind",
    [
        (Stage.FIELDWORK, ActionPlan.Kind.ACTION_PLAN),
        (Stage.MODERATION, ActionPlan.Kind.ACTION_PLAN),
        (Stage.CANCELLED, ActionPlan.Kind.ACTION_PLAN),
        (Stage.PRE_PUBLICATION, ActionPlan.Kind.UPDATED_ACTION_PLAN),
    ],
)
def test_no_plan_is_drafted_or_submitted_before_its_stage(at, stage, kind, force_lead_a):
    inspection = at(stage)
    with pytest.raises(ValidationError, match="The force works on the"):
        plan = complete_draft(services.action_plan_for(inspection, kind), by=force_lead_a)
        services.action_plan_submit(plan=plan, by=force_lead_a)
    assert not ActionPlanVersion.objects.filter(plan__inspection=inspection).exists()
