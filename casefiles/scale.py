"""Synthetic case file reviews at national scale, registered in seed_scale.

Every inspection past planning gets the force's case list of 5,000 cases
over the eight categories, a sample of 60 drawn from it (one draw, with its
seed), the 60 reviews and their four topic assessments each, and second
reviews of one in ten. During fieldwork, six in ten reviews are submitted and
one in ten is a draft; later, all are submitted and second-reviewed.

Cases go in by COPY on PostgreSQL (6.45 million of them at factor 10),
streamed so memory stays flat.
"""

import random
from collections.abc import Iterable
from datetime import timedelta

from django.utils import timezone

from core.models import AuditEvent
from inspections.models import Inspection
from inspections.scale import AUDIT_FIELDS, audit_rows, has_contents, insert_rows, scale_uuid

from .models import (
    PRACTICE_POINTS,
    REVIEWED_TOPICS,
    Case,
    CaseCategory,
    CaseReview,
    SampleDraw,
    SecondReview,
    TopicAssessment,
)

CASE_LIST = 5000
SAMPLE = 60
SECOND_REVIEW_EVERY = 10
# Share of the case list in each category, in the categories' order.
SHARES = [0.10, 0.25, 0.15, 0.10, 0.08, 0.20, 0.07, 0.05]
AREAS = ["North", "South", "East", "West", "City centre"]
RATINGS = ["good"] * 5 + ["requires_improvement"] * 3 + ["inadequate"] * 2
ANSWERS = ["yes", "yes", "yes", "no", "not_applicable"]
OBSERVATION = "Synthetic observation on the records."


def _sizes(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if n < total % parts else 0) for n in range(parts)]


class _Inspection:
    """What the later tables need to know about one inspection's case list."""

    def __init__(self, inspection: Inspection, team: list, draw_id, rng: random.Random):
        self.inspection = inspection
        self.team = team
        self.draw_id = draw_id
        self.sampled: dict[object, tuple[str, object, bool]] = {}  # id -> (ref, reviewer, second)
        self.rng = rng


def _cases(plans: list[_Inspection], categories: list[CaseCategory], now) -> Iterable[tuple]:
    counts = [round(share * CASE_LIST) for share in SHARES[: len(categories)]]
    counts[-1] += CASE_LIST - sum(counts)
    sample_sizes = _sizes(SAMPLE, len(categories))
    for plan in plans:
        inspection, rng = plan.inspection, plan.rng
        prefix = inspection.force.slug[:3].upper()
        start = inspection.fieldwork_start - timedelta(days=365)
        dates = [start + timedelta(days=d) for d in range(330)]
        number = 0
        for category, count, sample_size in zip(categories, counts, sample_sizes, strict=False):
            chosen = set(rng.sample(range(count), sample_size))
            for n in range(count):
                number += 1
                case_id = scale_uuid(rng)
                reference = f"{prefix}/{inspection.fieldwork_start.year}/{number:05d}"
                reviewer = second = None
                if n in chosen:
                    reviewer = plan.team[len(plan.sampled) % len(plan.team)]
                    second = len(plan.sampled) % SECOND_REVIEW_EVERY == 0
                    plan.sampled[case_id] = (reference, reviewer, second)
                yield (
                    case_id,
                    now,
                    now,
                    inspection.pk,
                    reference,
                    category.pk,
                    dates[number % 330],
                    AREAS[number % 5],
                    plan.draw_id if reviewer else None,
                    reviewer,
                    bool(second),
                )


def _review_state(stage: str, position: int) -> str | None:
    """Submitted, draft or not started (None): six, one and three in ten in fieldwork."""
    if stage != Inspection.Stage.FIELDWORK:
        return CaseReview.Status.SUBMITTED
    decile = position % 10
    if decile < 6:
        return CaseReview.Status.SUBMITTED
    return CaseReview.Status.DRAFT if decile == 6 else None


def _reviews(plans, now, assessments: list, seconds: list, audits: list) -> Iterable[tuple]:
    for plan in plans:
        inspection, rng = plan.inspection, plan.rng
        lead = inspection.lead_inspector_id
        events = []
        for position, (case_id, (reference, reviewer, second)) in enumerate(plan.sampled.items()):
            status = _review_state(inspection.stage, position)
            if status is None:
                continue
            review_id = scale_uuid(rng)
            submitted = status == CaseReview.Status.SUBMITTED
            rating = rng.choice(RATINGS)
            for topic in REVIEWED_TOPICS:
                topic_rating = "not_relevant" if rng.random() < 0.1 else rng.choice(RATINGS)
                assessments.append(
                    (scale_uuid(rng), now, now, review_id, topic, topic_rating, OBSERVATION)
                )
            if submitted and second:
                done = inspection.stage != Inspection.Stage.FIELDWORK
                agrees = rng.random() < 0.7 if done else None
                seconds.append(
                    (
                        scale_uuid(rng),
                        now,
                        now,
                        review_id,
                        lead,
                        SecondReview.Status.COMPLETED if done else SecondReview.Status.PENDING,
                        agrees,
                        "inadequate" if agrees is False else "",
                        "The records show a delay." if agrees is False else "",
                        now if done else None,
                    )
                )
            label = f"Review of case {reference}"
            events.append((reviewer, "case_review.saved", "casefiles.casereview", review_id, label))
            if submitted:
                events.append(
                    (reviewer, "case_review.submitted", "casefiles.casereview", review_id, label)
                )
            yield (
                review_id,
                now,
                now,
                case_id,
                status,
                rating,
                *(rng.choice(ANSWERS) for _ in PRACTICE_POINTS),
                "",
                now if submitted else None,
                reviewer if submitted else None,
            )
        audits.extend(audit_rows(inspection, events, now))


def build(*, inspections: list[Inspection], factor: float, rng: random.Random, stdout) -> None:
    """Case lists, samples, reviews and second reviews for every inspection past planning."""
    now = timezone.now()
    categories = list(CaseCategory.objects.order_by("position", "name")[: len(SHARES)])
    team_of: dict = {}
    for inspection_id, user_id in Inspection.team.through.objects.filter(
        inspection_id__in=[i.pk for i in inspections]
    ).values_list("inspection_id", "user_id"):
        team_of.setdefault(inspection_id, []).append(user_id)
    plans = [
        _Inspection(i, sorted(team_of.get(i.pk, [])) + [i.lead_inspector_id], scale_uuid(rng), rng)
        for i in inspections
        if has_contents(i)
    ]
    sizes = dict(zip([c.slug for c in categories], _sizes(SAMPLE, len(categories)), strict=True))
    population = {
        c.slug: round(share * CASE_LIST) for c, share in zip(categories, SHARES, strict=False)
    }
    insert_rows(
        SampleDraw,
        ["id", "created_at", "updated_at", "inspection", "number", "seed", "sizes", "population"]
        + ["sample_count", "second_review_count", "reason", "drawn_by"],
        (
            (p.draw_id, now, now, p.inspection.pk, 1, rng.randint(1, 2**31 - 1), sizes)
            + (
                population,
                SAMPLE,
                SAMPLE // SECOND_REVIEW_EVERY,
                "",
                p.inspection.lead_inspector_id,
            )
            for p in plans
        ),
    )
    cases = insert_rows(
        Case,
        ["id", "created_at", "updated_at", "inspection", "reference", "category", "recorded_on"]
        + ["area", "sample_draw", "reviewer", "second_review_due"],
        _cases(plans, categories, now),
        chunk=100_000,
    )
    assessments: list[tuple] = []
    seconds: list[tuple] = []
    audits: list[tuple] = []
    reviews = insert_rows(
        CaseReview,
        ["id", "created_at", "updated_at", "case", "status", "overall_rating"]
        + [name for name, _ in PRACTICE_POINTS]
        + ["notes", "submitted_at", "submitted_by"],
        _reviews(plans, now, assessments, seconds, audits),
    )
    insert_rows(
        TopicAssessment,
        ["id", "created_at", "updated_at", "review", "topic", "rating", "observation"],
        assessments,
    )
    insert_rows(
        SecondReview,
        ["id", "created_at", "updated_at", "review", "reviewer", "status", "agrees", "rating"]
        + ["reason", "completed_at"],
        seconds,
    )
    insert_rows(AuditEvent, AUDIT_FIELDS, audits)
    stdout.write(
        f"case files: {cases:,} cases on {len(plans):,} case lists, {reviews:,} reviews, "
        f"{len(assessments):,} topic assessments, {len(seconds):,} second reviews"
    )
