"""Inspections at any stage, built through the real services."""

from datetime import date, timedelta

from inspections import services
from inspections.models import Finding, Grade, Inspection, Topic

STAGE_ORDER = list(Inspection.Stage.values)


def schedule(*, force, lead, team=(), start=date(2026, 1, 12), days=4, by=None, kind=None):
    from accounts.models import User

    admin = by or User.objects.filter(role=User.Role.ADMIN).first()
    return services.inspection_schedule(
        force=force,
        kind=kind or Inspection.Kind.INSPECTION,
        fieldwork_start=start,
        fieldwork_end=start + timedelta(days=days),
        lead_inspector=lead,
        team=list(team),
        by=admin,
    )


def grade_all(inspection, *, by, grade=Grade.GOOD, submit=True):
    for judgment in inspection.judgments.all():
        services.judgment_save(
            judgment=judgment,
            grade=grade,
            rationale=f"Evidence for {judgment.get_topic_display()}",
            cites_case_reviews=False,
            interviews=[],
            documents=[],
            by=by,
        )
        if submit:
            services.judgment_submit(judgment=judgment, by=by)


def add_concern(
    inspection,
    *,
    by,
    topic=Topic.INVESTIGATION,
    recommendation=True,
    summary="Investigations into child abuse are delayed",
):
    finding = services.finding_create(
        inspection=inspection,
        topic=topic,
        kind=Finding.Kind.CAUSE_OF_CONCERN,
        summary=summary,
        detail="Supervision of investigations is weak.",
        reported_to_force_on=None,
        interviews=[],
        documents=[],
        by=by,
    )
    if recommendation:
        services.recommendation_add(
            finding=finding, text="Within six months, the force should review supervision.", by=by
        )
    return finding


def inspection_at(stage: str, *, force, lead, team=(), start=date(2026, 1, 12), admin=None):
    """An inspection driven through the lifecycle services up to ``stage``."""
    inspection = schedule(force=force, lead=lead, team=team, start=start, by=admin)
    target = STAGE_ORDER.index(stage)
    steps = [
        lambda: services.inspection_start_fieldwork(inspection=inspection, by=lead),
        lambda: (
            add_concern(inspection, by=lead),
            grade_all(inspection, by=lead),
            services.inspection_start_moderation(inspection=inspection, by=lead),
        ),
        lambda: (
            [services.judgment_agree(judgment=j, by=lead) for j in inspection.judgments.all()],
            services.inspection_send_for_checks(
                inspection=inspection, received_on=start + timedelta(days=40), by=lead
            ),
        ),
        lambda: services.inspection_publish(
            inspection=inspection, published_on=start + timedelta(days=80), by=lead
        ),
        lambda: services.inspection_start_follow_up(inspection=inspection, by=lead),
        lambda: services.inspection_close(
            inspection=inspection, closed_on=start + timedelta(days=120), by=admin
        ),
    ]
    for step in steps[:target]:
        step()
        inspection.refresh_from_db()
    return inspection


def change_team(inspection, *, team, by, lead=None):
    """The plan kept as it is but for the team (and the lead, if given)."""
    return services.inspection_update_plan(
        inspection=inspection,
        kind=inspection.kind,
        fieldwork_start=inspection.fieldwork_start,
        fieldwork_end=inspection.fieldwork_end,
        lead_inspector=lead or inspection.lead_inspector,
        team=team,
        by=by,
    )


def record_evidence(inspection, *, by):
    """An interview (two participants, a typo in its notes) and a document
    with a file that names a child: evidence to correct."""
    from core.tests.files import pdf, upload

    interview = services.interview_record(
        inspection=inspection,
        held_on=date(2026, 1, 13),
        topics=[Topic.LEADERSHIP],
        notes="Spoke about supervison of the MASH",
        participants=[("Superintendent", "police"), ("Team manager", "childrens_social_care")],
        by=by,
    )
    document = services.document_record(
        inspection=inspection,
        title="Strategy meeting minutes",
        kind="policy",
        received_on=date(2026, 1, 12),
        notes="",
        upload=upload("minutes naming a child.pdf", pdf()),
        by=by,
    )
    return interview, document


def cite_in_a_finding(inspection, *, by, interviews=(), documents=()):
    """An area for improvement on leadership that cites this evidence."""
    return services.finding_create(
        inspection=inspection,
        topic=Topic.LEADERSHIP,
        kind=Finding.Kind.AREA_FOR_IMPROVEMENT,
        summary="Supervision is patchy",
        detail="Supervisors rarely review strategy discussions.",
        reported_to_force_on=None,
        interviews=list(interviews),
        documents=list(documents),
        by=by,
    )
