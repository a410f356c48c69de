"""Inspections with action plans due, and plans at each step, built through the services."""

from datetime import date, timedelta

from django.utils import timezone

from actionplans import services
from actionplans.models import ActionPlan, Notice, PlanResponse, PostInspectionVisit
from core.tests import files
from inspections import services as inspection_services
from inspections.models import Finding, Inspection, Topic
from inspections.tests.factories import inspection_at


def today() -> date:
    return timezone.localdate()


def inspection_due(
    *,
    force,
    lead,
    admin,
    team=(),
    action_plan_due_on: date | None = None,
    updated_due_on: date | None = None,
    start: date = date(2026, 1, 12),
) -> Inspection:
    """An inspection whose action plan (and, with updated_due_on, updated action
    plan) falls due on the given dates, with its trigger dates set to match."""
    stage = Inspection.Stage.PUBLISHED if updated_due_on else Inspection.Stage.PRE_PUBLICATION
    inspection = inspection_at(stage, force=force, lead=lead, team=team, start=start, admin=admin)
    received_on = (action_plan_due_on or today() + timedelta(days=20)) - timedelta(days=28)
    published_on = updated_due_on - timedelta(days=56) if updated_due_on else None
    inspection_services.inspection_correct_dates(
        inspection=inspection,
        by=admin,
        reason="Set for the test",
        received_on=received_on,
        published_on=published_on,
    )
    # The correction told the force its plans' due dates (notices.plan_due_notices,
    # tested on its own); the tests that use this count the sweep's notices.
    Notice.objects.filter(inspection=inspection, kind=Notice.Kind.PLAN_DUE).delete()
    inspection.refresh_from_db()
    return inspection


def add_area_for_improvement(inspection, *, by) -> Finding:
    return Finding.objects.create(
        inspection=inspection,
        topic=Topic.INITIAL_RESPONSE,
        kind=Finding.Kind.AREA_FOR_IMPROVEMENT,
        summary="Officers should record the child's voice",
        detail="Not always recorded.",
    )


def pdf_upload(name: str = "plan.pdf"):
    return files.upload(name, files.pdf(), "application/pdf")


def complete_draft(plan: ActionPlan, *, by, document: bool = True) -> ActionPlan:
    """Upload a document and answer every item."""
    if document:
        plan = services.action_plan_attach_document(plan=plan, upload=pdf_upload(), by=by)
    for item in services.plan_items(plan):
        services.action_plan_save_response(
            plan=plan,
            item=item,
            action=f"We will act on {item.label}",
            owner_role="Head of public protection",
            target_on=today() + timedelta(days=90),
            status=PlanResponse.Status.IN_PROGRESS,
            by=by,
        )
    return plan


def submitted_plan(inspection, *, by, kind=ActionPlan.Kind.ACTION_PLAN):
    plan = complete_draft(services.action_plan_for(inspection, kind), by=by)
    version = services.action_plan_submit(plan=plan, by=by)
    return plan, version


def bare_inspection(*, force, lead, action_plan_due_on: date, stage=None) -> Inspection:
    """A quick inspection made with the ORM, its dates derived as the services do.

    For tests that need many deadlines and nothing else (the sweep's query count).
    """
    from core.deadlines import action_plan_rule, derive

    received_on = action_plan_due_on - timedelta(days=28)
    inspection = Inspection.objects.create(
        force=force,
        lead_inspector=lead,
        stage=stage or Inspection.Stage.PRE_PUBLICATION,
        fieldwork_start=received_on - timedelta(days=40),
        fieldwork_end=received_on - timedelta(days=36),
        received_for_checks_on=received_on,
        action_plan_due_on=derive(received_on, action_plan_rule()),
    )
    assert inspection.action_plan_due_on == action_plan_due_on
    return inspection


def bare_pcc_response_due(*, force, lead, due_on: date, stage=None) -> Inspection:
    """A quick published inspection made with the ORM whose only open deadline
    is the police and crime commissioner's response, due on due_on."""
    from core.deadlines import derive, pcc_response_rule

    published_on = due_on - timedelta(days=56)
    inspection = Inspection.objects.create(
        force=force,
        lead_inspector=lead,
        stage=stage or Inspection.Stage.FOLLOW_UP,
        fieldwork_start=published_on - timedelta(days=120),
        fieldwork_end=published_on - timedelta(days=116),
        published_on=published_on,
        pcc_response_due_on=derive(published_on, pcc_response_rule()),
    )
    assert inspection.pcc_response_due_on == due_on
    return inspection


def visit_day_comes(visit: PostInspectionVisit) -> PostInspectionVisit:
    """A booked visit's day has come, so it can be recorded: moved to today,
    as the passing of the weeks of notice would."""
    PostInspectionVisit.objects.filter(pk=visit.pk).update(visit_on=today())
    visit.refresh_from_db()
    return visit


def weekly_overdue_notices(recipient, inspection, weeks: int, *, unread=None) -> None:
    """A notice for each of `weeks` overdue weeks, the newest first in the
    list; all unread, or only the weeks in `unread` if given."""
    Notice.objects.bulk_create(
        Notice(
            recipient=recipient,
            kind=Notice.Kind.OVERDUE,
            inspection=inspection,
            subject=Notice.Subject.ACTION_PLAN,
            due_on=today(),
            sequence=week,
            title=f"Overdue week {week}",
            body="Overdue",
            sent_at=timezone.now() - timedelta(days=week),
            read_at=None if unread is None or week in unread else timezone.now(),
        )
        for week in range(weeks)
    )
