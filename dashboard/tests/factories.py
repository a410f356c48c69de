"""Ten years of national history, made fast with bulk inserts.

The dashboard's query-count tests need many forces with many inspections;
driving each through the services would take minutes, and the queries under
test only read, so rows are written directly here.
"""

from datetime import date, timedelta

from forces.models import Force
from inspections.models import Finding, Grade, Inspection, Judgment, Recommendation, Topic

Stage = Inspection.Stage
GRADES = list(Grade.values)


def _years_ago(today: date, years: int) -> date:
    return today.replace(year=today.year - years, day=min(today.day, 28))


def history(forces: list[Force], *, lead, today: date, years: int = 10) -> list[Inspection]:
    """Per force: an inspection every three years for `years` years (closed,
    then in follow-up, then published with its updated action plan due), and
    one planned for next month."""
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
                        kind_position=Finding.Kind.values.index(kind) + 1,
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
    return inspections
