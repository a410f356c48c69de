"""Demo data for `make run`, called by core's seed_demo after the inspections
seed. Idempotent: cases are found by their reference, the sample is drawn
once with a fixed seed, and a review is written only where none exists.

Gives each demo inspection led by the demo lead inspector (past planning) a
case list and a drawn sample. Inspections in fieldwork get a mix of reviews
not started, in draft, submitted and second-reviewed; later ones have every
review submitted and second-reviewed. With no such inspection, it creates
nothing.
"""

import random
from contextlib import contextmanager
from datetime import timedelta

from django.db import transaction

from inspections.models import Inspection

from . import services
from .models import (
    PRACTICE_POINTS,
    REVIEWED_TOPICS,
    Case,
    CaseCategory,
    SecondReview,
)

DEMO_LEAD_EMAIL = "lead.inspector@example.org"
DEMO_INSPECTOR_EMAIL = "inspector@example.org"
DEMO_SEED = 2024
# Cases on the list and in the sample, per category in the seeded order.
LIST_SIZES = [24, 40, 30, 18, 15, 45, 12, 6]
SAMPLE_SIZES = [6, 8, 7, 6, 5, 8, 5, 3]
AREAS = ["North", "South", "City centre"]
OBSERVATIONS = {
    "good": "Timely and child-centred: the records show clear decisions.",
    "requires_improvement": "Some delay, and the rationale for decisions was not always recorded.",
    "inadequate": "Risk was not identified or acted on quickly enough.",
}


def _demo_inspections():
    return (
        Inspection.objects.filter(lead_inspector__email__iexact=DEMO_LEAD_EMAIL)
        .exclude(stage=Inspection.Stage.PLANNED)
        .select_related("force", "lead_inspector")
        .prefetch_related("team")
        .order_by("fieldwork_start")
    )


def _add_cases(inspection: Inspection, categories: list[CaseCategory]) -> int:
    prefix = inspection.force.slug[:3].upper()
    start = inspection.fieldwork_start - timedelta(days=365)
    cases = [
        Case(
            inspection=inspection,
            reference=f"{prefix}/{index + 1}{n:04d}",
            category=category,
            recorded_on=start + timedelta(days=(n * 7 + index * 3) % 330),
            area=AREAS[n % len(AREAS)],
        )
        for index, (category, count) in enumerate(zip(categories, LIST_SIZES, strict=False))
        for n in range(1, count + 1)
    ]
    before = Case.objects.filter(inspection=inspection).count()
    Case.objects.bulk_create(cases, ignore_conflicts=True)
    return Case.objects.filter(inspection=inspection).count() - before


def _answers(reference: str, draft: bool = False) -> dict[str, str]:
    rng = random.Random(reference)
    scale = ["good"] * 5 + ["requires_improvement"] * 3 + ["inadequate"] * 2
    overall = rng.choice(scale)
    answers = {"overall_rating": overall, "notes": ""}
    for topic in REVIEWED_TOPICS:
        rating = "not_relevant" if rng.random() < 0.1 else rng.choice(scale)
        answers[f"{topic}_rating"] = rating
        answers[f"{topic}_observation"] = OBSERVATIONS.get(rating, "")
    for field, _ in PRACTICE_POINTS:
        answers[field] = rng.choice(["yes", "yes", "yes", "no", "not_applicable"])
    if draft:
        # Half way through: the later questions are not answered yet.
        for key in list(answers)[len(answers) // 2 :]:
            answers[key] = ""
    return answers


def _reviews(inspection: Inspection, *, complete: bool) -> tuple[int, int]:
    """Assign every sampled case; review all of them once fieldwork is over,
    or, during fieldwork, submit six in ten, leave one in ten as a draft and
    the rest not started."""
    lead = inspection.lead_inspector
    team = [m for m in inspection.team.all() if m.is_inspector and m.pk != lead.pk]
    reviewer = next((m for m in team if m.email == DEMO_INSPECTOR_EMAIL), team[0] if team else lead)
    cases = list(
        Case.objects.sampled()
        .filter(inspection=inspection)
        .select_related("review")
        .order_by("reference")
    )
    submitted = drafts = 0
    for position, case in enumerate(cases):
        # The lead writes every third review, but none chosen for a second
        # review: the lead second-reviews, and not their own work.
        who = reviewer if position % 3 or case.second_review_due else lead
        if case.reviewer_id is None:
            services.cases_assign(inspection=inspection, case_ids=[case.pk], reviewer=who, by=lead)
        if case.review_or_none is not None or (not complete and position >= len(cases) * 7 // 10):
            continue
        is_draft = not complete and position >= len(cases) * 6 // 10
        review = services.case_review_save(
            case=case, answers=_answers(case.reference, draft=is_draft), by=who
        )
        if is_draft:
            drafts += 1
        else:
            services.case_review_submit(review=review, by=who)
            submitted += 1
    return submitted, drafts


def _second_reviews(inspection: Inspection, *, complete: bool) -> int:
    """Record the lead's second reviews: all once fieldwork is over, else all
    but one. About one in three rates the case differently."""
    pending = list(
        SecondReview.objects.filter(
            review__case__inspection=inspection, status=SecondReview.Status.PENDING
        )
        .select_related("review__case")
        .order_by("review__case__reference")
    )
    done = 0
    for second in pending if complete else pending[:-1]:
        original = second.review.overall_rating
        disagree = done % 3 == 2
        services.second_review_complete(
            second_review=second,
            agrees=not disagree,
            rating=("requires_improvement" if original != "requires_improvement" else "inadequate")
            if disagree
            else "",
            reason="The records show a delay the first review did not weigh." if disagree else "",
            by=inspection.lead_inspector,
        )
        done += 1
    return done


@contextmanager
def _during_fieldwork(inspection: Inspection):
    """The demo inspections are made at their stage first; their case file
    work belongs to fieldwork, when the services allow it. A plain update:
    the stage's history records no such step back."""
    stage = inspection.stage
    Inspection.objects.filter(pk=inspection.pk).update(stage=Inspection.Stage.FIELDWORK)
    try:
        yield
    finally:
        Inspection.objects.filter(pk=inspection.pk).update(stage=stage)


@transaction.atomic
def seed(stdout) -> None:
    inspections = list(_demo_inspections())
    if not inspections:
        stdout.write("Case files: no demo inspections yet, so no case lists.")
        return
    categories = list(CaseCategory.objects.order_by("position")[: len(LIST_SIZES)])
    for inspection in inspections:
        added = _add_cases(inspection, categories)
        drew = not inspection.sample_draws.exists()
        complete = inspection.stage not in (Inspection.Stage.PLANNED, Inspection.Stage.FIELDWORK)
        with _during_fieldwork(inspection):
            if drew:
                services.sample_draw(
                    inspection=inspection,
                    sizes={c.slug: n for c, n in zip(categories, SAMPLE_SIZES, strict=False)},
                    seed=DEMO_SEED,
                    reason="",
                    by=inspection.lead_inspector,
                )
            submitted, drafts = _reviews(inspection, complete=complete)
            seconds = _second_reviews(inspection, complete=complete)
        stdout.write(
            f"Case files for {inspection}: {_count(added, 'case')} added, "
            f"{'sample drawn' if drew else 'sample kept'}, "
            f"{_count(submitted, 'review')} submitted, {_count(drafts, 'draft')}, "
            f"{_count(seconds, 'second review')}."
        )


def _count(number: int, noun: str) -> str:
    """'1 draft', '5 drafts'."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
