"""Demo inspections at every stage of the lifecycle, built through the services.

Each demo inspection is found by force, type and fieldwork start, so running
this again creates nothing new.
"""

from datetime import date

from django.utils import timezone

from accounts.models import User
from forces.models import Force

from . import services
from .models import Document, Finding, Grade, Inspection, Topic

Stage = Inspection.Stage

# force slug, fieldwork start, fieldwork end, target stage, grades, dates
DEMO = [
    (
        "dorset",
        date(2024, 1, 15),
        date(2024, 1, 19),
        Stage.CLOSED,
        "good",
        {
            "received_on": date(2024, 3, 1),
            "published_on": date(2024, 4, 15),
            "pcc_response_on": date(2024, 6, 3),
            "closed_on": date(2025, 6, 2),
        },
    ),
    (
        "merseyside",
        date(2025, 9, 8),
        date(2025, 9, 12),
        Stage.FOLLOW_UP,
        "adequate",
        {
            "received_on": date(2025, 11, 3),
            "published_on": date(2026, 1, 12),
            "pcc_response_on": date(2026, 3, 2),
        },
    ),
    (
        "greater-manchester",
        date(2026, 6, 8),
        date(2026, 6, 12),
        Stage.PUBLISHED,
        "mixed",
        {"received_on": date(2026, 8, 3), "published_on": date(2026, 10, 5)},
    ),
    (
        "cleveland",
        date(2026, 9, 7),
        date(2026, 9, 11),
        Stage.PRE_PUBLICATION,
        "mixed",
        {"received_on": date(2026, 11, 2)},
    ),
    ("kent", date(2026, 10, 12), date(2026, 10, 16), Stage.MODERATION, "good", {}),
    ("west-yorkshire", date(2026, 11, 23), date(2026, 11, 27), Stage.FIELDWORK, "good", {}),
    ("gwent", date(2027, 2, 8), date(2027, 2, 12), Stage.PLANNED, "good", {}),
]

MIXED = {
    Topic.LEADERSHIP: Grade.GOOD,
    Topic.PARTNERSHIP_WORKING: Grade.ADEQUATE,
    Topic.INITIAL_RESPONSE: Grade.REQUIRES_IMPROVEMENT,
    Topic.RISK_ASSESSMENT: Grade.ADEQUATE,
    Topic.INVESTIGATION: Grade.INADEQUATE,
}

RATIONALE = {
    Topic.LEADERSHIP: "Chief officers give child protection a clear priority, and the "
    "safeguarding board receives regular performance data.",
    Topic.PARTNERSHIP_WORKING: "Information is shared with children's social care promptly "
    "in most cases, but attendance at strategy discussions is inconsistent.",
    Topic.INITIAL_RESPONSE: "Call handlers identify risk to children well; attending officers "
    "do not always record the child's voice.",
    Topic.RISK_ASSESSMENT: "Risk assessments are completed in most cases; referrals to "
    "children's social care are sometimes late.",
    Topic.INVESTIGATION: "Investigations of offences against children are often delayed, and "
    "supervision is not evident in many of the case files we reviewed.",
}


def seed(stdout) -> None:
    admin = User.objects.get(email="admin@example.org")
    lead = User.objects.get(email="lead.inspector@example.org")
    inspector = User.objects.get(email="inspector@example.org")
    created = 0
    for slug, start, end, stage, grades, dates in DEMO:
        force = Force.objects.get(slug=slug)
        if Inspection.objects.filter(force=force, fieldwork_start=start).exists():
            continue
        inspection = services.inspection_schedule(
            force=force,
            kind=Inspection.Kind.INSPECTION,
            fieldwork_start=start,
            fieldwork_end=end,
            lead_inspector=lead,
            team=[inspector],
            by=admin,
        )
        _advance(inspection, stage, grades, dates, admin=admin, lead=lead, inspector=inspector)
        created += 1
    stdout.write(f"Inspections: {created} demo inspections created")


def _advance(inspection, stage, grades, dates, *, admin, lead, inspector) -> None:
    order = list(Stage.values)
    target = order.index(stage)
    if target >= order.index(Stage.FIELDWORK):
        services.inspection_start_fieldwork(inspection=inspection, by=lead)
        _evidence(inspection, by=inspector)
        _findings(inspection, by=inspector)
        _grade(
            inspection,
            grades,
            by=inspector,
            submit=target > order.index(Stage.FIELDWORK),
            # Its case files are seeded after it goes to the force (casefiles.seed),
            # and a judgment citing figures not yet there is not sent.
            cite=target < order.index(Stage.PRE_PUBLICATION),
        )
    if target >= order.index(Stage.MODERATION):
        services.inspection_start_moderation(inspection=inspection, by=lead)
    if target >= order.index(Stage.PRE_PUBLICATION):
        for judgment in inspection.judgments.all():
            services.judgment_agree(judgment=judgment, by=lead)
        services.inspection_send_for_checks(
            inspection=inspection, received_on=dates["received_on"], by=lead
        )
    if target >= order.index(Stage.PUBLISHED):
        services.inspection_publish(
            inspection=inspection, published_on=dates["published_on"], by=lead
        )
    if "pcc_response_on" in dates:
        from actionplans.pcc_response import pcc_response_record

        pcc_response_record(
            inspection=inspection,
            published_on=dates["pcc_response_on"],
            url=f"https://www.example.org/pcc/{inspection.force.slug}/response",
            by=admin,
        )
    if target >= order.index(Stage.FOLLOW_UP):
        services.inspection_start_follow_up(inspection=inspection, by=lead)
    if target >= order.index(Stage.CLOSED):
        services.inspection_close(inspection=inspection, closed_on=dates["closed_on"], by=admin)


def _grade_for(grades: str, topic: str) -> str:
    """The demo's grade for a topic. Every demo inspection has its cause of
    concern (a serious, critical or systemic shortcoming) on investigation,
    and a rationale saying so (_findings, RATIONALE): on the inspectorate's
    scale that topic is inadequate, never good or adequate, whatever the
    demo's other grades."""
    if grades == "mixed":
        return MIXED[topic]
    return Grade.INADEQUATE if topic == Topic.INVESTIGATION else grades


def _grade(inspection, grades, *, by, submit: bool, cite: bool) -> None:
    interviews = list(inspection.interviews.all())
    documents = list(inspection.documents.all())
    for judgment in inspection.judgments.all():
        grade = _grade_for(grades, judgment.topic)
        services.judgment_save(
            judgment=judgment,
            grade=grade,
            rationale=RATIONALE[judgment.topic],
            cites_case_reviews=cite
            and judgment.topic in (Topic.INITIAL_RESPONSE, Topic.INVESTIGATION),
            interviews=interviews[:1],
            documents=documents[:1],
            by=by,
        )
        if submit:
            services.judgment_submit(judgment=judgment, by=by)


def _evidence(inspection, *, by) -> None:
    # Evidence is of what has happened: an inspection in fieldwork now has
    # only what has been gathered so far.
    today = timezone.localdate()
    services.interview_record(
        inspection=inspection,
        held_on=inspection.fieldwork_start,
        topics=[Topic.LEADERSHIP, Topic.PARTNERSHIP_WORKING],
        notes="Discussed governance of child protection and the partnership's priorities.",
        participants=[
            ("Assistant chief constable", "police"),
            ("Head of service", "childrens_social_care"),
        ],
        by=by,
    )
    services.interview_record(
        inspection=inspection,
        held_on=min(inspection.fieldwork_end, today),
        topics=[Topic.INVESTIGATION],
        notes="Focus group with detective constables from the child abuse investigation unit.",
        participants=[("Detective constable", "police"), ("Detective sergeant", "police")],
        by=by,
    )
    services.document_record(
        inspection=inspection,
        title="Child protection performance report, quarter 2",
        kind=Document.Kind.DATA,
        received_on=min(inspection.fieldwork_start, today),
        notes="Supplied by the force's performance team.",
        by=by,
    )


def _findings(inspection, *, by) -> None:
    concern = services.finding_create(
        inspection=inspection,
        topic=Topic.INVESTIGATION,
        kind=Finding.Kind.CAUSE_OF_CONCERN,
        summary="Investigations of offences against children are not always timely or supervised",
        detail="In too many of the cases we reviewed, investigations were delayed and there was "
        "no evidence of supervision.",
        reported_to_force_on=None,
        interviews=[],
        documents=[],
        by=by,
    )
    for text in (
        "Within six months, the force should make sure that investigations of offences against "
        "children are allocated and progressed without delay.",
        "Within six months, the force should make sure that supervisors review these "
        "investigations and record their direction.",
    ):
        services.recommendation_add(finding=concern, text=text, by=by)
    services.finding_create(
        inspection=inspection,
        topic=Topic.INITIAL_RESPONSE,
        kind=Finding.Kind.AREA_FOR_IMPROVEMENT,
        summary="Officers should record the child's voice at every incident",
        detail="The views and feelings of children were recorded in only some incidents.",
        reported_to_force_on=None,
        interviews=[],
        documents=[],
        by=by,
    )
    services.finding_create(
        inspection=inspection,
        topic=Topic.PARTNERSHIP_WORKING,
        kind=Finding.Kind.PROMISING_PRACTICE,
        summary="A joint triage hub with children's social care",
        detail="Police and social workers triage referrals together in one room, every day.",
        reported_to_force_on=None,
        interviews=[],
        documents=[],
        by=by,
    )
