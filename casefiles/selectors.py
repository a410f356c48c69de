"""The figures behind each grade: what the submitted case file reviews found.

Every count is made by the database (GROUP BY with conditional counts), in a
fixed number of queries whatever the number of reviews; Python only arranges
the few grouped rows that come back.

Interface for the grading page:
    case_review_figures(inspection) -> CaseReviewFigures (a ReviewProgress with the figures)
    figures_by_topic(inspection) -> dict[topic value, TopicFigures]
    topic_figures(inspection, topic) -> TopicFigures | None (one topic, fewer queries)
for the inspection's task list:
    review_progress(inspection) -> ReviewProgress (the counts and status only)
and for the review list:
    review_counts(inspection) -> ReviewCounts (the reviews' counts only)
and the partial templates/casefiles/_topic_figures.html, which renders one
TopicFigures given as `topic_figures`.

For a person's home page, one query each whatever the number of inspections:
    reviews_assigned_to(user) -> list[AssignedReviews]
    second_reviews_to_do_by_inspection(user) -> list[SecondReviewsToDo]
"""

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Value
from django.db.models.functions import Coalesce, NullIf

from inspections.models import Inspection, Topic

from .access import EDITABLE_STAGES, case_files_open
from .models import (
    NOT_RELEVANT,
    PRACTICE_POINTS,
    REVIEWED_TOPICS,
    Answer,
    Case,
    CaseRating,
    CaseReview,
    SecondReview,
    TopicAssessment,
)

SUBMITTED = CaseReview.Status.SUBMITTED


def reviews_of(inspection: Inspection, prefix: str = "") -> Q:
    """The reviews of this inspection's cases, said so that PostgreSQL finds
    them through the small partial index of sampled cases rather than by
    scanning every review in the country. Only sampled cases have reviews (a
    redraw is refused once a review has started), so the sample_draw
    condition changes no result."""
    return Q(
        **{f"{prefix}case__inspection": inspection, f"{prefix}case__sample_draw__isnull": False}
    )


def percent(part: int, whole: int) -> int:
    """A whole percentage, half rounded up, as a report prints it."""
    if not whole:
        return 0
    return (200 * part + whole) // (2 * whole)


@dataclass(frozen=True)
class RatingFigures:
    """How many reviews rated something good, requires improvement, inadequate."""

    label: str
    good: int = 0
    requires_improvement: int = 0
    inadequate: int = 0

    @property
    def total(self) -> int:
        return self.good + self.requires_improvement + self.inadequate

    @property
    def rows(self) -> list[tuple[str, int, int]]:
        """(rating label, count, percentage of the total) in scale order."""
        return [
            (
                rating.label,
                getattr(self, rating.value),
                percent(getattr(self, rating.value), self.total),
            )
            for rating in CaseRating
        ]

    @property
    def good_percent(self) -> int:
        return percent(self.good, self.total)

    @property
    def requires_improvement_percent(self) -> int:
        return percent(self.requires_improvement, self.total)

    @property
    def inadequate_percent(self) -> int:
        return percent(self.inadequate, self.total)


@dataclass(frozen=True)
class TopicFigures:
    """One topic's ratings from the submitted reviews, overall and by category."""

    topic: str
    label: str
    overall: RatingFigures
    by_category: list[RatingFigures]
    submitted: int
    sampled: int
    not_relevant: int = 0

    @property
    def outstanding(self) -> int:
        return self.sampled - self.submitted


@dataclass(frozen=True)
class PracticePointFigures:
    """How often one key practice point held: yes out of yes and no."""

    field: str
    question: str
    yes: int = 0
    no: int = 0
    not_applicable: int = 0

    @property
    def answered(self) -> int:
        return self.yes + self.no

    @property
    def held_percent(self) -> int:
        return percent(self.yes, self.answered)


@dataclass(frozen=True)
class CategoryPracticePoints:
    label: str
    points: list[PracticePointFigures]


def _review_status(figures) -> tuple[str, str]:
    """(words, tag colour) for a task list: not started, in progress, completed."""
    if not figures.sampled:
        return "Not started", "grey"
    waiting = figures.second_reviews_waiting  # for a next lead, who may never come
    if figures.outstanding or figures.second_reviews_done + waiting < figures.second_reviews_due:
        return "In progress", "light-blue"
    return "Completed", "green"


@dataclass(frozen=True)
class ReviewCounts:
    """The sample's reviews by state, without the second reviews: all the
    review list shows."""

    sampled: int
    submitted: int
    drafts: int

    @property
    def outstanding(self) -> int:
        return self.sampled - self.submitted

    @property
    def not_started(self) -> int:
        return self.sampled - self.submitted - self.drafts


@dataclass(frozen=True)
class ReviewProgress(ReviewCounts):
    """How far the reviews of the sample have got, without the figures: all
    the case file reviews line of an inspection's task list needs."""

    second_reviews_due: int = 0
    second_reviews_done: int = 0
    second_reviews_agreed: int = 0
    # Of reviews the lead wrote: they wait for a next lead (casefiles.services.case_review_submit).
    # Once the case files close: every one not done, which no one can now do.
    second_reviews_waiting: int = 0

    @property
    def status(self) -> tuple[str, str]:
        return _review_status(self)

    @property
    def second_reviews_for_the_lead(self) -> int:
        """The second reviews due but for those waiting for a next lead: the
        "of" in "2 of 2 done", which reaches done (found by a review: it
        counted waiting ones as to do, and never did)."""
        return self.second_reviews_due - self.second_reviews_waiting

    def second_reviews_in_words(self, *, closed: bool) -> list[str]:
        """How far the second reviews have got, in lines, as the case files
        overview and the second review list both say it. One rule: those
        waiting for a next lead are counted apart from the lead's, as the
        task list's status and the report's blockers count them (found by a
        review: the list said "2 of 3 so far", the overview "2 of 2 done")."""
        if not self.second_reviews_due:
            return ["None due"]
        lines = []
        if lead := self.second_reviews_for_the_lead:
            so_far = "" if closed else " so far"
            lines.append(f"{self.second_reviews_done} of {lead} done{so_far}")
        if waiting := self.second_reviews_waiting:
            one = waiting == 1
            more = " more" if lead else ""
            if closed:
                what = "was not done" if one else "were not done"
            else:
                what = f"wait{'s' if one else ''} for the next lead inspector"
            whose = "its first review" if one else "their first reviews"
            lines.append(f"{waiting}{more} {what}, as the lead inspector wrote {whose}")
        return lines


@dataclass(frozen=True, kw_only=True)
class CaseReviewFigures(ReviewProgress):
    """Everything the submitted case file reviews say about one inspection:
    the progress, and the figures."""

    overall: RatingFigures
    overall_by_category: list[RatingFigures]
    topics: list[TopicFigures]
    practice_points: list[PracticePointFigures]
    practice_points_by_category: list[CategoryPracticePoints]
    by_topic: dict[str, TopicFigures] = field(default_factory=dict)

    @property
    def agreement_percent(self) -> int | None:
        if not self.second_reviews_done:
            return None
        return percent(self.second_reviews_agreed, self.second_reviews_done)


def _rating_figures(label: str, counts: dict[str, int]) -> RatingFigures:
    return RatingFigures(label=label, **{r: counts.get(r, 0) for r in CaseRating.values})


def _grouped(rows, key_fields: tuple[str, ...]) -> dict[tuple, dict[str, int]]:
    """{(key values..., category): {rating: n}} from rows of values()+Count."""
    grouped: dict[tuple, dict[str, int]] = {}
    for row in rows:
        key = tuple(row[k] for k in key_fields)
        grouped.setdefault(key, {})[row["rating"]] = row["n"]
    return grouped


def _category_order(rows) -> list[str]:
    seen = {(row["position"], row["category"]) for row in rows}
    return [name for _, name in sorted(seen)]


def _category_fields(prefix: str) -> dict[str, F]:
    return {"category": F(f"{prefix}category__name"), "position": F(f"{prefix}category__position")}


def _topic_figures(
    inspection: Inspection, sampled: int, submitted: int, only: str | None = None
) -> list[TopicFigures]:
    assessments = TopicAssessment.objects.filter(
        reviews_of(inspection, "review__"), review__status=SUBMITTED
    )
    topics = REVIEWED_TOPICS
    if only is not None:
        assessments = assessments.filter(topic=only)
        topics = [topic for topic in REVIEWED_TOPICS if topic == only]
    rows = list(
        assessments.values("topic", "rating", **_category_fields("review__case__"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_topic_category = _grouped(rows, ("topic", "category"))
    categories = _category_order(rows)
    figures = []
    for topic in topics:
        totals: dict[str, int] = {}
        for row in rows:
            if row["topic"] == topic.value:
                totals[row["rating"]] = totals.get(row["rating"], 0) + row["n"]
        per_category = [
            _rating_figures(name, by_topic_category.get((topic.value, name), {}))
            for name in categories
        ]
        figures.append(
            TopicFigures(
                topic=topic.value,
                label=Topic(topic).label,
                overall=_rating_figures("All categories", totals),
                by_category=[f for f in per_category if f.total],
                submitted=submitted,
                sampled=sampled,
                not_relevant=totals.get(NOT_RELEVANT, 0),
            )
        )
    return figures


def _overall_figures(inspection: Inspection) -> tuple[RatingFigures, list[RatingFigures]]:
    """Overall case ratings, after second review: a different rating given by
    the lead inspector replaces the first reviewer's."""
    rows = list(
        CaseReview.objects.filter(reviews_of(inspection), status=SUBMITTED)
        .annotate(
            rating=Coalesce(NullIf("second_review__rating", Value("")), "overall_rating"),
        )
        .values("rating", **_category_fields("case__"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    grouped = _grouped(rows, ("category",))
    categories = _category_order(rows)
    totals: dict[str, int] = {}
    for counts in grouped.values():
        for rating, n in counts.items():
            totals[rating] = totals.get(rating, 0) + n
    per_category = [_rating_figures(name, grouped[(name,)]) for name in categories]
    return _rating_figures("All categories", totals), per_category


def _practice_point_figures(
    inspection: Inspection,
) -> tuple[list[PracticePointFigures], list[CategoryPracticePoints]]:
    counts = {}
    for field_name, _ in PRACTICE_POINTS:
        for answer in Answer.values:
            counts[f"{field_name}__{answer}"] = Count("pk", filter=Q(**{field_name: answer}))
    rows = list(
        CaseReview.objects.filter(reviews_of(inspection), status=SUBMITTED)
        .values(**_category_fields("case__"))
        .annotate(**counts)
        .order_by("position", "category")
    )

    def points(row_list) -> list[PracticePointFigures]:
        return [
            PracticePointFigures(
                field=field_name,
                question=question,
                **{
                    answer: sum(row[f"{field_name}__{answer}"] for row in row_list)
                    for answer in Answer.values
                },
            )
            for field_name, question in PRACTICE_POINTS
        ]

    by_category = [CategoryPracticePoints(row["category"], points([row])) for row in rows]
    return points(rows), by_category


def case_review_figures(inspection: Inspection) -> CaseReviewFigures:
    """Counts and percentages from the submitted reviews of this inspection.

    Four queries whatever the size of the sample: the progress (review_progress)
    and three for the figures. Reviews still in draft or not started count only
    as outstanding.
    """
    progress = review_progress(inspection)
    topics = _topic_figures(inspection, progress.sampled, progress.submitted)
    overall, overall_by_category = _overall_figures(inspection)
    points, points_by_category = _practice_point_figures(inspection)
    return CaseReviewFigures(
        **vars(progress),
        overall=overall,
        overall_by_category=overall_by_category,
        topics=topics,
        practice_points=points,
        practice_points_by_category=points_by_category,
        by_topic={figures.topic: figures for figures in topics},
    )


def figures_by_topic(inspection: Inspection) -> dict[str, TopicFigures]:
    """Topic value -> TopicFigures, for the four topics case files assess
    (initial response, risk assessment and referral, investigation,
    partnership working). Leadership has no entry."""
    return case_review_figures(inspection).by_topic


def review_progress(inspection: Inspection) -> ReviewProgress:
    """The counts of case_review_figures without the figures, in one query:
    for the inspection's task list and the grading page."""
    second = "review__second_review"
    completed = Q(**{f"{second}__status": SecondReview.Status.COMPLETED})
    agreed = completed & Q(**{f"{second}__agrees": True})
    waiting = Q(**{f"{second}__status": SecondReview.Status.PENDING})
    if case_files_open(inspection):
        # One of a review the lead wrote, until a new lead is handed it.
        # Once the case files close, every one still to do stays not done,
        # whoever leads (found by a review: an admin who changed the lead
        # then turned one left waiting into one to do, which no one could).
        waiting &= Q(review__submitted_by_id=inspection.lead_inspector_id)
    counts = _review_counts(
        inspection,
        second_reviews_due=Count(second),
        second_reviews_done=Count(second, filter=completed),
        second_reviews_agreed=Count(second, filter=agreed),
        second_reviews_waiting=Count(second, filter=waiting),
    )
    return ReviewProgress(**counts)


def review_counts(inspection: Inspection) -> ReviewCounts:
    """The counts of review_progress without the second reviews, in one query
    that does not join them: for the review list, which shows no more."""
    return ReviewCounts(**_review_counts(inspection))


def _review_counts(inspection: Inspection, **more) -> dict:
    return (
        Case.objects.sampled()
        .filter(inspection=inspection)
        .aggregate(
            sampled=Count("pk"),
            submitted=Count("pk", filter=Q(review__status=SUBMITTED)),
            drafts=Count("pk", filter=Q(review__status=CaseReview.Status.DRAFT)),
            **more,
        )
    )


def topic_figures(inspection: Inspection, topic: str) -> TopicFigures | None:
    """figures_by_topic(inspection).get(topic) in two queries rather than five:
    for the grading page, which shows one topic."""
    if topic not in REVIEWED_TOPICS:
        return None
    progress = review_progress(inspection)
    return _topic_figures(inspection, progress.sampled, progress.submitted, only=topic)[0]


@dataclass(frozen=True)
class AssignedReviews:
    """The case file reviews assigned to someone on one inspection, not yet submitted."""

    inspection_id: object
    inspection_name: str  # Inspection.name_of
    not_started: int
    in_progress: int


@dataclass(frozen=True)
class SecondReviewsToDo:
    """The second reviews a lead inspector has to do on one inspection."""

    inspection_id: object
    inspection_name: str  # Inspection.name_of
    to_do: int


def _open_and_on_the_team(user, prefix: str) -> Q:
    """Inspections whose case files are open (access.case_files_open), of
    those the person works on: a case left assigned to someone since taken
    off the team is not theirs to review (access.can_edit_review)."""
    return Q(
        **{
            f"{prefix}stage__in": EDITABLE_STAGES,
            f"{prefix}in": Inspection.objects.visible_to(user),
        }
    )


def reviews_assigned_to(user) -> list[AssignedReviews]:
    """Per inspection, this person's sampled cases whose review is not
    started or in progress, soonest fieldwork first, in one query. Only
    inspections with some."""
    rows = (
        Case.objects.sampled()
        .filter(_open_and_on_the_team(user, "inspection__"), reviewer=user)
        .values(
            "inspection_id",
            "inspection__kind",
            "inspection__force__short_name",
            "inspection__fieldwork_start",
        )
        .annotate(
            not_started=Count("pk", filter=Q(review__isnull=True)),
            in_progress=Count("pk", filter=Q(review__status=CaseReview.Status.DRAFT)),
        )
        .filter(Q(not_started__gt=0) | Q(in_progress__gt=0))
        .order_by("inspection__fieldwork_start", "inspection_id")
    )
    return [
        AssignedReviews(
            inspection_id=row["inspection_id"],
            inspection_name=Inspection.name_of(
                row["inspection__kind"],
                row["inspection__force__short_name"],
                row["inspection__fieldwork_start"],
            ),
            not_started=row["not_started"],
            in_progress=row["in_progress"],
        )
        for row in rows
    ]


def second_reviews_to_do_by_inspection(user) -> list[SecondReviewsToDo]:
    """Per inspection this person leads, the second reviews they have to do
    (SecondReview.objects.to_do(), the rule of
    inspections.services.second_reviews_to_do), in one query. Only while the
    case files are open, when a second review can be done."""
    inspection = "review__case__inspection"
    rows = (
        SecondReview.objects.to_do()
        .filter(
            _open_and_on_the_team(user, f"{inspection}__"),
            **{f"{inspection}__lead_inspector": user},
        )
        .values(
            f"{inspection}_id",
            f"{inspection}__kind",
            f"{inspection}__force__short_name",
            f"{inspection}__fieldwork_start",
        )
        .annotate(to_do=Count("pk"))
        .order_by(f"{inspection}__fieldwork_start", f"{inspection}_id")
    )
    return [
        SecondReviewsToDo(
            inspection_id=row[f"{inspection}_id"],
            inspection_name=Inspection.name_of(
                row[f"{inspection}__kind"],
                row[f"{inspection}__force__short_name"],
                row[f"{inspection}__fieldwork_start"],
            ),
            to_do=row["to_do"],
        )
        for row in rows
    ]
