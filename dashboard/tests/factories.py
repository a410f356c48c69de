"""Ten years of national history, made fast with bulk inserts.

The dashboard's query-count tests need many forces with many inspections;
driving each through the services would take minutes, and the queries under
test only read, so rows are written directly here.
"""

from datetime import date, timedelta

from actionplans.models import ActionPlan, ActionPlanVersion
from core.models import StoredFile
from forces.models import Force
from inspections.models import Finding, Grade, Inspection, Judgment, Recommendation, Topic

Stage = Inspection.Stage
GRADES = list(Grade.values)


def _years_ago(today: date, years: int) -> date:
    return today.replace(year=today.year - years, day=min(today.day, 28))


def history(forces: list[Force], *, lead, today: date, years: int = 10) -> list[Inspection]:
    """Per force: an inspection every three years for `years` years (closed,
    then in follow-up with both plans accepted, then published with its action
    plan accepted and its updated action plan overdue), and one planned for
    next month."""
    plan = []
    for index, force in enumerate(forces):
        for back in range(years, 0, -3):
            start = _years_ago(today, back) + timedelta(days=index)
            latest = back <= 3
            stage = Stage.PUBLISHED if latest else (Stage.FOLLOW_UP if back <= 6 else Stage.CLOSED)
            published = start + timedelta(days=90)
            plan.append(
                Inspection(
                    force=force,
                    stage=stage,
                    fieldwork_start=start,
                    fieldwork_end=start + timedelta(days=4),
                    lead_inspector=lead,
                    received_for_checks_on=start + timedelta(days=50),
                    action_plan_due_on=start + timedelta(days=78),
                    published_on=published,
                    updated_action_plan_due_on=published + timedelta(days=56),
                    pcc_response_due_on=published + timedelta(days=56),
                )
            )
        start = today + timedelta(days=30 + index)
        plan.append(
            Inspection(
                force=force,
                fieldwork_start=start,
                fieldwork_end=start + timedelta(days=4),
                lead_inspector=lead,
            )
        )
    inspections = Inspection.objects.bulk_create(plan)
    judgments, findings = [], []
    for i, inspection in enumerate(inspections):
        for position, topic in enumerate(Topic.values, start=1):
            grade = GRADES[(i + position) % 5] if inspection.published_on else ""
            judgments.append(
                Judgment(
                    inspection=inspection,
                    topic=topic,
                    position=position,
                    grade=grade,
                    rationale="Rationale",
                    status=Judgment.Status.FINAL if grade else Judgment.Status.NOT_STARTED,
                )
            )
        if inspection.published_on:
            for kind in (Finding.Kind.CAUSE_OF_CONCERN, Finding.Kind.AREA_FOR_IMPROVEMENT):
                findings.append(
                    Finding(
                        inspection=inspection,
                        topic=Topic.INVESTIGATION,
                        topic_position=5,
                        kind=kind,
                        kind_position=Finding.kind_order(kind),
                        summary=f"{Finding.Kind(kind).label} {i}",
                        detail="Detail",
                    )
                )
    Judgment.objects.bulk_create(judgments)
    Finding.objects.bulk_create(findings)
    Recommendation.objects.bulk_create(
        Recommendation(finding=f, text=f"Recommendation for {f.summary}")
        for f in findings
        if f.is_concern
    )
    _accepted_plans(inspections, by=lead)
    return inspections


def _accepted_plans(inspections: list[Inspection], *, by) -> None:
    kinds = {
        Stage.FOLLOW_UP: list(ActionPlan.Kind.values),
        Stage.PUBLISHED: [ActionPlan.Kind.ACTION_PLAN],
    }
    plans = ActionPlan.objects.bulk_create(
        ActionPlan(inspection=inspection, kind=kind)
        for inspection in inspections
        for kind in kinds.get(inspection.stage, [])
    )
    document = StoredFile.objects.create(
        original_name="plan.pdf",
        storage_name=f"history/{len(plans)}-{plans[0].pk if plans else 'none'}",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        uploaded_by=by,
    )
    ActionPlanVersion.objects.bulk_create(
        ActionPlanVersion(
            plan=plan,
            number=1,
            document=document,
            submitted_by=by,
            status=ActionPlanVersion.Status.ACCEPTED,
        )
        for plan in plans
    )
