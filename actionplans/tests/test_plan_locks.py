"""Action plan and visit services against a closing of the inspection at once.

A closed inspection's plans and visits are final: a plan is no longer
submitted, changed or returned to the force, and a visit is no longer booked
or cancelled. The closing (inspections.services.inspection_close) changes the
inspection's row under its lock, so each of these services must take that
lock before it reads the stage, or it checks a stage about to change.
"""

import threading
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from actionplans import services
from actionplans.models import ActionPlan, ActionPlanVersion, PlanResponse, PostInspectionVisit
from actionplans.tests.factories import complete_draft, pdf_upload, submitted_plan, today
from inspections import services as inspection_services
from inspections.models import Inspection
from tests.locks import assert_waits_for_row_lock, skip_unless_postgresql

pytestmark = pytest.mark.django_db(transaction=True)


def _in_follow_up(inspection, lead_inspector) -> Inspection:
    inspection_services.inspection_start_follow_up(inspection=inspection, by=lead_inspector)
    return inspection


def _while_closing(inspection, admin_user, call):
    """Run call() in another thread while the closing of the inspection is
    under way (its row changed and locked, not yet committed); the closing
    commits half a second later. Returns what call() raised, or None."""
    closing, release, done = threading.Event(), threading.Event(), threading.Event()
    outcome: list = []

    def close():
        try:
            with transaction.atomic():
                inspection_services.inspection_close(
                    inspection=Inspection.objects.get(pk=inspection.pk),
                    closed_on=today(),
                    by=admin_user,
                )
                closing.set()
                release.wait(10)
        finally:
            connection.close()

    def act():
        try:
            call()
            outcome.append(None)
        except ValidationError as error:
            outcome.append(error)
        finally:
            done.set()
            connection.close()

    closer, actor = threading.Thread(target=close), threading.Thread(target=act)
    closer.start()
    try:
        assert closing.wait(10)
        actor.start()
        done.wait(0.5)  # it goes ahead now, or waits for the closing
    finally:
        release.set()
        closer.join(10)
    actor.join(10)
    assert Inspection.objects.get(pk=inspection.pk).stage == Inspection.Stage.CLOSED
    return outcome[0]


def test_a_return_as_the_inspection_closes_is_refused(
    published, force_lead_a, lead_inspector, admin_user
):
    """Found by a review: the return read the stage without the lock, so a
    version could be returned to a force that can no longer send another."""
    skip_unless_postgresql()
    _, version = submitted_plan(published, by=force_lead_a)
    _in_follow_up(published, lead_inspector)

    refused = _while_closing(
        published,
        admin_user,
        lambda: services.action_plan_version_return(
            version=version, by=lead_inspector, comment="Add dates"
        ),
    )

    assert refused is not None and "The inspection is closed" in str(refused)
    version.refresh_from_db()
    assert version.status == ActionPlanVersion.Status.SUBMITTED


def test_a_submission_as_the_inspection_closes_is_refused(
    published, force_lead_a, lead_inspector, admin_user
):
    skip_unless_postgresql()
    plan = complete_draft(
        services.action_plan_for(published, ActionPlan.Kind.UPDATED_ACTION_PLAN), by=force_lead_a
    )
    _in_follow_up(published, lead_inspector)

    refused = _while_closing(
        published, admin_user, lambda: services.action_plan_submit(plan=plan, by=force_lead_a)
    )

    assert refused is not None and "The inspection is closed" in str(refused)
    assert not ActionPlanVersion.objects.filter(plan=plan).exists()


def test_a_visit_booked_as_the_inspection_closes_is_refused(published, lead_inspector, admin_user):
    """A visit still to come stops the closing (inspection_close), so none can
    be cancelled as it closes; one booked as it closes waits for the closing
    and is refused, not left booked on a closed inspection."""
    skip_unless_postgresql()
    _in_follow_up(published, lead_inspector)

    refused = _while_closing(
        published,
        admin_user,
        lambda: services.post_inspection_visit_schedule(
            inspection=Inspection.objects.get(pk=published.pk),
            visit_on=today() + timedelta(days=20),
            by=admin_user,
        ),
    )

    assert refused is not None and "closed" in str(refused)
    assert not PostInspectionVisit.objects.filter(inspection=published).exists()


def _plan_services(inspection, force_lead, lead_inspector, admin_user):
    """Each plan and visit service that checks the stage before it writes."""
    plan, version = submitted_plan(inspection, by=force_lead)
    draft = services.action_plan_for(inspection, ActionPlan.Kind.UPDATED_ACTION_PLAN)
    item = services.plan_items(draft)[0]
    visit = services.post_inspection_visit_schedule(
        inspection=inspection, visit_on=today() + timedelta(days=20), by=lead_inspector
    )
    return {
        "action_plan_attach_document": lambda: services.action_plan_attach_document(
            plan=draft, upload=pdf_upload(), by=force_lead
        ),
        "action_plan_save_response": lambda: services.action_plan_save_response(
            plan=draft,
            item=item,
            action="Act",
            owner_role="Head of public protection",
            target_on=date(2027, 1, 4),
            status=PlanResponse.Status.NOT_STARTED,
            by=force_lead,
        ),
        "action_plan_submit": lambda: services.action_plan_submit(plan=draft, by=force_lead),
        "action_plan_version_accept": lambda: services.action_plan_version_accept(
            version=version, by=lead_inspector
        ),
        "action_plan_version_return": lambda: services.action_plan_version_return(
            version=version, by=lead_inspector, comment="Add dates"
        ),
        "post_inspection_visit_cancel": lambda: services.post_inspection_visit_cancel(
            visit=visit, reason="The force asked", by=admin_user
        ),
    }


@pytest.mark.parametrize(
    "name",
    [
        "action_plan_attach_document",
        "action_plan_save_response",
        "action_plan_submit",
        "action_plan_version_accept",
        "action_plan_version_return",
        "post_inspection_visit_cancel",
    ],
)
def test_each_waits_for_the_inspections_lock(
    name, published, force_lead_a, lead_inspector, admin_user
):
    skip_unless_postgresql()
    call = _plan_services(published, force_lead_a, lead_inspector, admin_user)[name]
    assert_waits_for_row_lock(Inspection, published.pk, call)
