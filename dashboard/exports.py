"""CSV exports for the data team: national figures, streamed row by row.

Each export reads with values_list(...).iterator(chunk_size=...), so memory
stays flat however many years of inspections there are. Grades, findings
and case file review figures are of published inspections only: drafts never
leave the service this way. The deadlines export also lists inspections at
pre-publication checks, whose action plan is already due, and their notices:
dates and statuses, none of the report.
"""

from collections.abc import Callable, Iterator
from datetime import date
from typing import NamedTuple

from django.db.models import Count, Min, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from accounts.models import User
from actionplans.models import ActionPlanVersion, Notice
from actionplans.pcc_response import pcc_response_overdue
from casefiles.models import CaseRating, CaseReview, SecondReview
from forces.models import Force
from inspections.models import Finding, Grade, Inspection, Judgment, Topic

from .national import PLAN_STAGES, open_findings_q, with_plan_statuses

CHUNK = 2000
PUBLISHED = Inspection.PUBLISHED_STAGES
KINDS = dict(Inspection.Kind.choices)
STAGES = dict(Inspection.Stage.choices)
TOPICS = dict(Topic.choices)
GRADES = dict(Grade.choices)
FINDING_KINDS = dict(Finding.Kind.choices)
PLAN_STATUSES = dict(ActionPlanVersion.Status.choices)
NOTICE_KINDS = dict(Notice.Kind.choices)
NOTICE_SUBJECTS = dict(Notice.Subject.choices)
FORCE = ["Force", "Force short name", "Region", "Country"]
FORCE_FIELDS = ["force__name", "force__short_name", "force__region", "force__country"]
REGIONS = dict(Force.Region.choices)
COUNTRIES = dict(Force.Country.choices)


def _force(r: tuple) -> tuple:
    """The four force columns, with region and country as people write them."""
    return (r[0], r[1], REGIONS.get(r[2], r[2]), COUNTRIES.get(r[3], r[3]))


def grades() -> tuple[list[str], Iterator]:
    header = [
        *FORCE,
        "Inspection type",
        "Fieldwork start",
        "Fieldwork end",
        "Published on",
        "Topic",
        "Grade",
    ]
    rows = (
        Judgment.objects.filter(inspection__stage__in=PUBLISHED)
        .order_by("inspection__force__short_name", "inspection__fieldwork_start", "position")
        .values_list(
            *(f"inspection__{f}" for f in FORCE_FIELDS),
            "inspection__kind",
            "inspection__fieldwork_start",
            "inspection__fieldwork_end",
            "inspection__published_on",
            "topic",
            "grade",
        )
        .iterator(chunk_size=CHUNK)
    )
    return header, (
        (
            *_force(r),
            KINDS.get(r[4], r[4]),
            r[5],
            r[6],
            r[7],
            TOPICS.get(r[8]),
            GRADES.get(r[9], ""),
        )
        for r in rows
    )


def findings() -> tuple[list[str], Iterator]:
    header = [
        *FORCE,
        "Fieldwork start",
        "Published on",
        "Topic",
        "Kind",
        "Summary",
        "Recommendations",
        "Status",
    ]
    open_ids = Finding.objects.filter(open_findings_q()).values("pk")
    rows = (
        Finding.objects.filter(inspection__stage__in=PUBLISHED)
        .annotate(recommendation_count=Count("recommendations"))
        .order_by(
            "inspection__force__short_name",
            "inspection__fieldwork_start",
            "topic_position",
            # Within a topic, in the order the report prints them (found by
            # the outputs review: they came as they were written).
            "kind_position",
            "created_at",
        )
        .values_list(
            *(f"inspection__{f}" for f in FORCE_FIELDS),
            "inspection__fieldwork_start",
            "inspection__published_on",
            "topic",
            "kind",
            "summary",
            "recommendation_count",
            "pk",
        )
        .iterator(chunk_size=CHUNK)
    )
    open_set = set(open_ids.values_list("pk", flat=True).iterator(chunk_size=CHUNK))
    return header, (
        (
            *_force(r),
            r[4],
            r[5],
            TOPICS.get(r[6]),
            FINDING_KINDS.get(r[7]),
            r[8],
            r[9],
            "Open" if r[10] in open_set else "Closed",
        )
        for r in rows
    )


def case_reviews() -> tuple[list[str], Iterator]:
    """Submitted case file reviews per published inspection and category, by
    overall rating (after second review), counted by the database.

    The last column counts, of the total, the reviews chosen for a second
    review that never had one, whose ratings are the first reviewer's alone:
    one the lead wrote, left waiting for a next lead when the case files
    closed, or one submitted before every chosen review got a second review
    (casefiles migration 0007). They were counted as if second-reviewed
    (found by a review); the report's annex says so of the first kind."""
    header = [
        *FORCE,
        "Fieldwork start",
        "Category",
        "Good",
        "Requires improvement",
        "Inadequate",
        "Total",
        "Chosen for second review but not second-reviewed",
    ]
    rating = Coalesce(NullIf("second_review__rating", Value("")), "overall_rating")
    not_second_reviewed = Q(case__second_review_due=True) & (
        Q(second_review__isnull=True) | Q(second_review__status=SecondReview.Status.PENDING)
    )
    rows = (
        # Reviews belong to sampled cases only; saying so lets PostgreSQL read
        # the sampled cases from their partial index rather than every case.
        CaseReview.objects.filter(
            status=CaseReview.Status.SUBMITTED,
            case__inspection__stage__in=PUBLISHED,
            case__sample_draw__isnull=False,
        )
        .annotate(rating=rating)
        .values_list(
            *(f"case__inspection__{f}" for f in FORCE_FIELDS),
            "case__inspection__fieldwork_start",
            "case__category__name",
            "case__inspection_id",
            "case__category__position",
        )
        .annotate(
            good=Count("pk", filter=Q(rating=CaseRating.GOOD)),
            requires_improvement=Count("pk", filter=Q(rating=CaseRating.REQUIRES_IMPROVEMENT)),
            inadequate=Count("pk", filter=Q(rating=CaseRating.INADEQUATE)),
            not_second_reviewed=Count("pk", filter=not_second_reviewed),
        )
        .order_by(
            "case__inspection__force__short_name",
            "case__inspection__fieldwork_start",
            "case__inspection_id",
            "case__category__position",
        )
        .iterator(chunk_size=CHUNK)
    )
    return header, (
        (*_force(r), r[4], r[5], r[8], r[9], r[10], r[8] + r[9] + r[10], r[11]) for r in rows
    )


def deadlines(today: date) -> tuple[list[str], Iterator]:
    """Every dated deadline of every inspection, with its status (a plan's,
    or whether the police and crime commissioner's response is published, and
    when), then every notice sent to the force's leads, once per occasion."""
    header = [
        *FORCE,
        "Fieldwork start",
        "Stage",
        "Deadline or notice",
        "Due on",
        "Status",
        "Overdue",
        "Notice sent on",
        "Response published on",
    ]
    inspections = (
        with_plan_statuses(Inspection.objects.exclude(action_plan_due_on__isnull=True))
        .order_by("force__short_name", "fieldwork_start")
        .values_list(
            *FORCE_FIELDS,
            "fieldwork_start",
            "stage",
            "action_plan_due_on",
            "updated_action_plan_due_on",
            "pcc_response_due_on",
            "action_plan_status",
            "updated_action_plan_status",
            "pcc_response_published_on",
        )
        .iterator(chunk_size=CHUNK)
    )
    # The notices sent to the force: one row per occasion however many of
    # its leads were sent it, and not the copies sent to the lead inspector
    # or the admins (found by the outputs review: an overdue notice was three
    # rows, and a force with no lead looked chased).
    notices = (
        Notice.objects.filter(recipient__role=User.Role.FORCE_LEAD)
        .values(
            *(f"inspection__{f}" for f in FORCE_FIELDS),
            "inspection__fieldwork_start",
            "inspection__stage",
            "kind",
            "subject",
            "due_on",
            "inspection",
            "sequence",
        )
        .annotate(first_sent_at=Min("sent_at"))
        .order_by("inspection__force__short_name", "due_on", "first_sent_at")
        .values_list(
            *(f"inspection__{f}" for f in FORCE_FIELDS),
            "inspection__fieldwork_start",
            "inspection__stage",
            "kind",
            "subject",
            "due_on",
            "first_sent_at",
        )
        .iterator(chunk_size=CHUNK)
    )

    def rows():
        for r in inspections:
            stage, expects_plans = r[5], r[5] in PLAN_STAGES
            for what, due_on, status in (
                ("Action plan", r[6], r[9]),
                ("Updated action plan", r[7], r[10]),
            ):
                if due_on is None:
                    continue
                overdue = expects_plans and due_on < today and status not in ActionPlanVersion.IN
                yield (
                    *_force(r),
                    r[4],
                    STAGES.get(stage),
                    what,
                    due_on,
                    PLAN_STATUSES.get(status, "Not submitted"),
                    overdue,
                    "",
                    "",
                )
            if r[8] is not None:
                yield (
                    *_force(r),
                    r[4],
                    STAGES.get(stage),
                    *_pcc_response(r[8], r[11], stage, today),
                )
        for r in notices:
            what = f"{NOTICE_KINDS.get(r[6])} notice: {NOTICE_SUBJECTS.get(r[7])}"
            sent = timezone.localdate(r[9])
            yield (*_force(r), r[4], STAGES.get(r[5]), what, r[8], "", "", sent, "")

    return header, rows()


def _pcc_response(due_on: date, published_on: date | None, stage: str, today: date) -> tuple:
    """The commissioner's response's columns from "Deadline or notice" on.
    Overdue as the service chases it: past due, none recorded, not closed."""
    if published_on is not None:
        status = "Published"
    elif stage == Inspection.Stage.CLOSED:
        status = "Not recorded"
    else:
        status = "Not yet published"
    overdue = pcc_response_overdue(
        due_on=due_on, published_on=published_on, stage=stage, today=today
    )
    return (
        "Police and crime commissioner's response",
        due_on,
        status,
        overdue,
        "",
        published_on or "",
    )


class Export(NamedTuple):
    title: str
    description: str
    build: Callable[[date], tuple[list[str], Iterator]]  # header and rows, as of a date


EXPORTS = {
    "grades": Export(
        "Grades by force and topic",
        "Every graded judgment of every published inspection.",
        lambda today: grades(),
    ),
    "findings": Export(
        "Findings with their status",
        "Causes of concern, areas for improvement and practice of published inspections, "
        "open or closed.",
        lambda today: findings(),
    ),
    "case-reviews": Export(
        "Case file review figures",
        "Case file reviews per inspection and category, by rating after second review, and "
        "how many of them were chosen for a second review but did not have one.",
        lambda today: case_reviews(),
    ),
    "deadlines": Export(
        "Deadlines and notices",
        "Action plans, updated action plans and police and crime commissioner's responses, "
        "with their due dates and statuses (and the date each response was published), from "
        "pre-publication checks on; then every notice sent to a force.",
        deadlines,
    ),
}
