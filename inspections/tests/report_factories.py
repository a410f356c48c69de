"""An inspection with a full report: varied grades and every kind of finding."""

from datetime import date, timedelta

import pytest

from inspections import services
from inspections.models import Finding, Grade, Inspection, Topic
from inspections.tests.factories import schedule

MIXED = {
    Topic.LEADERSHIP: Grade.OUTSTANDING,
    Topic.PARTNERSHIP_WORKING: Grade.GOOD,
    Topic.INITIAL_RESPONSE: Grade.REQUIRES_IMPROVEMENT,
    Topic.RISK_ASSESSMENT: Grade.ADEQUATE,
    Topic.INVESTIGATION: Grade.INADEQUATE,
}
CONCERN = "Investigations of offences against children are delayed"
RECOMMENDATIONS = [
    "Within six months, the force should allocate child abuse investigations without delay.",
    "Within six months, supervisors should review and direct these investigations.",
]
AFI = "Officers should record the voice of the child"
ACCELERATED = "Children held in custody overnight are not seen by a social worker"
ACCELERATED_RECOMMENDATION = (
    "Immediately, the force should tell children's social care of every child detained overnight."
)
PRACTICE = "A joint triage hub with children's social care"


def add_finding(
    inspection, *, topic, kind, summary, detail, by, reported_to_force_on=None
) -> Finding:
    return services.finding_create(
        inspection=inspection,
        topic=topic,
        kind=kind,
        summary=summary,
        detail=detail,
        reported_to_force_on=reported_to_force_on,
        interviews=[],
        documents=[],
        by=by,
    )


def add_findings(inspection, *, by, extra_concerns: int = 0, accelerated: bool = False) -> None:
    concern = add_finding(
        inspection,
        topic=Topic.INVESTIGATION,
        kind=Finding.Kind.CAUSE_OF_CONCERN,
        summary=CONCERN,
        detail="Supervision was not evident in many of the case files we reviewed.",
        by=by,
    )
    for text in RECOMMENDATIONS:
        services.recommendation_add(finding=concern, text=text, by=by)
    if accelerated:
        reported = add_finding(
            inspection,
            topic=Topic.INVESTIGATION,
            kind=Finding.Kind.ACCELERATED,
            summary=ACCELERATED,
            detail="We told the force during fieldwork, as children were at serious risk.",
            reported_to_force_on=inspection.fieldwork_start + timedelta(days=1),
            by=by,
        )
        services.recommendation_add(finding=reported, text=ACCELERATED_RECOMMENDATION, by=by)
    add_finding(
        inspection,
        topic=Topic.INITIAL_RESPONSE,
        kind=Finding.Kind.AREA_FOR_IMPROVEMENT,
        summary=AFI,
        detail="The views of children were recorded in only some incidents.",
        by=by,
    )
    add_finding(
        inspection,
        topic=Topic.PARTNERSHIP_WORKING,
        kind=Finding.Kind.PROMISING_PRACTICE,
        summary=PRACTICE,
        detail="Police and social workers triage referrals together every day.",
        by=by,
    )
    topics = list(Topic)
    for n in range(extra_concerns):
        extra = add_finding(
            inspection,
            topic=topics[n % 5],
            kind=Finding.Kind.CAUSE_OF_CONCERN if n % 2 else Finding.Kind.AREA_FOR_IMPROVEMENT,
            summary=f"Further finding number {n + 1}",
            detail="Detail of the finding, citing the evidence. " * 6,
            by=by,
        )
        if extra.is_concern:
            services.recommendation_add(finding=extra, text=f"Recommendation for {n + 1}.", by=by)


# Case file reviews: categories sampled, and the overall rating of each review in turn.
REVIEW_CATEGORIES = ["missing-children", "child-exploitation", "children-in-custody"]
REVIEW_RATINGS = ["good", "good", "requires_improvement", "good", "inadequate"]


def add_case_reviews(inspection, *, count: int, by, reviewer=None) -> None:
    """`count` sampled cases across three categories, drawn by `by`, each
    reviewed and submitted by `reviewer` (`by` if not given)."""
    from casefiles import services as casefile_services
    from casefiles.models import Case
    from casefiles.tests.factories import add_cases, submit_review

    sizes = {
        slug: count // 3 + (1 if n < count % 3 else 0) for n, slug in enumerate(REVIEW_CATEGORIES)
    }
    add_cases(inspection, {slug: size + 2 for slug, size in sizes.items()})
    casefile_services.sample_draw(inspection=inspection, sizes=sizes, seed=7, reason="", by=by)
    cases = Case.objects.sampled().filter(inspection=inspection).order_by("reference")
    for n, case in enumerate(cases):
        rating = REVIEW_RATINGS[n % len(REVIEW_RATINGS)]
        submit_review(case, reviewer or by, overall_rating=rating)


def agree_second_reviews(inspection, *, by) -> None:
    """`by`, the lead, agrees every second review still to do: a draft goes
    to the force only with none left (services.publication_blockers)."""
    from casefiles import services as casefile_services
    from casefiles.models import SecondReview

    to_do = SecondReview.objects.filter(
        review__case__inspection=inspection, status=SecondReview.Status.PENDING
    ).exclude(review__submitted_by=by)
    for second_review in to_do:
        casefile_services.second_review_complete(
            second_review=second_review, agrees=True, rating="", reason="", by=by
        )


def report_inspection(
    *,
    force,
    lead,
    inspector,
    admin,
    stage: str = Inspection.Stage.PUBLISHED,
    start: date = date(2026, 3, 2),
    extra_findings: int = 0,
    case_reviews: int = 0,
    accelerated: bool = False,
) -> Inspection:
    """An inspection with MIXED grades and findings, driven up to `stage`
    (fieldwork, moderation, pre-publication checks or published), with an
    accelerated cause of concern (and its recommendation) if asked."""
    inspection = schedule(force=force, lead=lead, team=[inspector], start=start, by=admin)
    services.inspection_start_fieldwork(inspection=inspection, by=lead)
    add_findings(inspection, by=inspector, extra_concerns=extra_findings, accelerated=accelerated)
    if case_reviews:
        # By the inspector: the lead second-reviews, and not their own reviews.
        add_case_reviews(inspection, count=case_reviews, by=lead, reviewer=inspector)
    for judgment in inspection.judgments.all():
        services.judgment_save(
            judgment=judgment,
            grade=MIXED[judgment.topic],
            rationale=f"Rationale for {judgment.get_topic_display()}, citing evidence.",
            cites_case_reviews=False,
            interviews=[],
            documents=[],
            by=inspector,
        )
        services.judgment_submit(judgment=judgment, by=inspector)
    order = list(Inspection.Stage.values)
    if order.index(stage) >= order.index(Inspection.Stage.MODERATION):
        services.inspection_start_moderation(inspection=inspection, by=lead)
    if order.index(stage) >= order.index(Inspection.Stage.PRE_PUBLICATION):
        for judgment in inspection.judgments.all():
            services.judgment_agree(judgment=judgment, by=lead)
        agree_second_reviews(inspection, by=lead)
        services.inspection_send_for_checks(
            inspection=inspection, received_on=start + timedelta(days=40), by=lead
        )
    if order.index(stage) >= order.index(Inspection.Stage.PUBLISHED):
        services.inspection_publish(
            inspection=inspection, published_on=start + timedelta(days=80), by=lead
        )
    inspection.refresh_from_db()
    return inspection


@pytest.fixture
def make_report(force_a, lead_inspector, inspector, admin_user):
    """make(stage=..., **overrides): a report_inspection() of force A."""

    def make(stage=Inspection.Stage.PUBLISHED, **kwargs):
        options = {"force": force_a, "lead": lead_inspector, "inspector": inspector}
        return report_inspection(**{**options, **kwargs}, admin=admin_user, stage=stage)

    return make
