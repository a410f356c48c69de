"""Case file reviews: the force's case list, the sample drawn from it, and the
reviews of the sampled cases.

Case records are highly sensitive. Nothing here holds a child's name or any
detail that could identify them: only the force's own case reference, the
category, the date recorded, an optional area, and the inspector's assessment.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from core.models import BaseModel
from inspections.models import Topic


class CaseRating(models.TextChoices):
    """The inspectorate's long-standing case-level scale."""

    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"


# A topic is rated on the case scale, or found not relevant to the case.
NOT_RELEVANT = "not_relevant"
TOPIC_RATING_CHOICES = [*CaseRating.choices, (NOT_RELEVANT, "Not relevant to this case")]


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


# The topics a case file review assesses. Leadership is judged from interviews
# and documents, not from case files. The rest keep the methodology's order,
# as every list of the five topics does (the review form, the case file
# figures, the report's annex): partnership working comes second, not last.
REVIEWED_TOPICS = [topic for topic in Topic if topic != Topic.LEADERSHIP]

# Key practice points: field name on CaseReview, and the question asked.
PRACTICE_POINTS = [
    ("child_voice_recorded", "The child's voice was recorded"),
    ("risk_assessed_promptly", "Risk was assessed promptly"),
    ("strategy_discussion_held", "A strategy discussion was held where needed"),
    ("referral_made", "A referral was made to children's social care"),
    ("supervision_evident", "Supervision was evident"),
]


class CaseCategory(BaseModel):
    """A kind of child protection case. Admins keep the list.

    The slug never changes once made: samples are drawn category by category
    in slug order, so a renamed category still gives the same sample.
    """

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(
        default=True, help_text="Only active categories are accepted in a new case list."
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "case categories"

    def __str__(self) -> str:
        return self.name


class CaseListImportQuerySet(models.QuerySet):
    def running(self) -> "CaseListImportQuerySet":
        """Imports still going: waiting, checking or saving, and not stopped."""
        return self.filter(
            status__in=CaseListImport.RUNNING_STATUSES,
            created_at__gte=CaseListImport.running_since(),
        )


class CaseListImport(BaseModel):
    """One upload of the force's case list, and how its import went."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to start"
        CHECKING = "checking", "Checking the file"
        SAVING = "saving", "Importing"
        COMPLETED = "completed", "Imported"
        FAILED = "failed", "Not imported"
        STOPPED = "stopped", "Stopped"

    RUNNING_STATUSES = [Status.PENDING, Status.CHECKING, Status.SAVING]
    # An import still running this long after its upload has stopped: its task
    # is killed at CELERY_TASK_TIME_LIMIT, and a worker that died took it with it.
    # It no longer blocks another upload or a sample draw, and never resumes.
    STOPPED_AFTER = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) + timedelta(minutes=15)
    # Keep this many error messages; count the rest.
    MAX_ERRORS = 100

    inspection = models.ForeignKey(
        "inspections.Inspection", on_delete=models.CASCADE, related_name="case_list_imports"
    )
    # Null only once the retention policy has deleted the file (apply_retention).
    stored_file = models.ForeignKey(
        "core.StoredFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(
        default=0, help_text="An estimate from the line count until the file has been checked."
    )
    rows_done = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = CaseListImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        name = self.stored_file.original_name if self.stored_file else "a deleted file"
        return f"Case list import of {name}"

    def get_absolute_url(self) -> str:
        return reverse("casefiles:import_status", args=[self.inspection_id, self.pk])

    @classmethod
    def running_since(cls):
        """The earliest upload time of an import that may still be running."""
        return timezone.now() - cls.STOPPED_AFTER

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING_STATUSES and self.created_at >= self.running_since()

    @property
    def has_stopped(self) -> bool:
        """Stopped by a fault (Status.STOPPED), or left running past its time."""
        return self.status == self.Status.STOPPED or (
            self.status in self.RUNNING_STATUSES and not self.is_running
        )

    @property
    def progress_text(self) -> str:
        """The progress in words, as the status page shows it."""
        if self.status == self.Status.PENDING:
            return "Waiting to start"
        verb = "Checking" if self.status == self.Status.CHECKING else "Importing"
        if self.status == self.Status.SAVING and not self.rows_done:
            # SQLite cannot show rows saved inside the import's transaction.
            return f"Importing {self.total_rows:,} rows"
        if self.status in (self.Status.CHECKING, self.Status.SAVING):
            done = max(1, self.rows_done)
            total = max(done, self.total_rows)
            return f"{verb} row {done:,} of {total:,}"
        return self.get_status_display()

    @property
    def more_errors(self) -> int:
        return max(0, self.error_count - len(self.errors))


class SampleDraw(BaseModel):
    """One draw of the sample: the sizes asked for, and the seed that makes it
    reproducible. Every draw is kept; the latest is the sample in use."""

    inspection = models.ForeignKey(
        "inspections.Inspection", on_delete=models.CASCADE, related_name="sample_draws"
    )
    number = models.PositiveIntegerField()
    seed = models.BigIntegerField()
    sizes = models.JSONField(help_text="Category slug to sample size.")
    population = models.JSONField(help_text="Category slug to cases in the list at the draw.")
    sample_count = models.PositiveIntegerField()
    second_review_count = models.PositiveIntegerField(default=0)
    reason = models.TextField(blank=True, help_text="Why the sample was drawn again.")
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "number"], name="one_draw_number")
        ]

    def __str__(self) -> str:
        return f"Sample draw {self.number}"

    @property
    def is_redraw(self) -> bool:
        return self.number > 1


class CaseQuerySet(models.QuerySet):
    def sampled(self) -> "CaseQuerySet":
        return self.filter(sample_draw__isnull=False)


class Case(BaseModel):
    """One case on the force's list. In the sample when it has a sample draw."""

    # No index of its own: the unique (inspection, reference) index serves.
    inspection = models.ForeignKey(
        "inspections.Inspection", on_delete=models.CASCADE, related_name="cases", db_index=False
    )
    reference = models.CharField(max_length=50, help_text="The force's own case reference.")
    category = models.ForeignKey(CaseCategory, on_delete=models.PROTECT, related_name="cases")
    recorded_on = models.DateField()
    area = models.CharField(max_length=100, blank=True)
    # Imports write 100,000 rows at a time, so each index must earn its keep:
    # the sample is found through the partial index of sampled cases (which
    # an import never writes to), and draws and users are never deleted in
    # the normal run of things.
    sample_draw = models.ForeignKey(
        SampleDraw,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        db_index=False,
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
        db_index=False,
    )
    # Chosen at the draw, from the draw's seed; shown only once the review is in.
    second_review_due = models.BooleanField(default=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "reference"], name="one_case_per_reference"
            )
        ]
        indexes = [
            # Sampled cases only (60 of a list of 5,000): the sample pages,
            # the review figures and the national export find the sample and
            # its categories here without touching the rest of the list.
            models.Index(
                fields=["inspection", "category", "id"],
                condition=Q(sample_draw__isnull=False),
                name="case_sampled_idx",
            )
        ]

    def __str__(self) -> str:
        return f"Case {self.reference}"

    def get_absolute_url(self) -> str:
        return reverse("casefiles:case_detail", args=[self.inspection_id, self.pk])

    @property
    def in_sample(self) -> bool:
        return self.sample_draw_id is not None

    @property
    def review_or_none(self) -> "CaseReview | None":
        try:
            return self.review
        except CaseReview.DoesNotExist:
            return None


class CaseReplacement(BaseModel):
    """A case taken out of the sample, and the case drawn in its place.

    The lead inspector replaces a sampled case that cannot be reviewed (not a
    child protection case after all, or a file the force cannot find). The
    case drawn in its place comes from the same category, at random from the
    draw's seed (sampling.choose_replacement), and takes over its reviewer
    and its second review. A case taken out stays out of every later draw.

    No replacement (null) when the category had no other case to draw: the
    lead took the case out alone (case_take_out), and the sample has one
    case fewer in that category.
    """

    draw = models.ForeignKey(SampleDraw, on_delete=models.CASCADE, related_name="replacements")
    removed = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="replaced")
    replacement = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="replacing"
    )
    reason = models.TextField(help_text="Why the case was taken out of the sample.")
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        if self.replacement is None:
            return f"Case {self.removed.reference} taken out, no replacement available"
        return f"Case {self.removed.reference} replaced by case {self.replacement.reference}"


class CaseReview(BaseModel):
    """The review of one sampled case. A draft until submitted, then locked."""

    class Status(models.TextChoices):
        DRAFT = "draft", "In progress"
        SUBMITTED = "submitted", "Submitted"

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="review")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    overall_rating = models.CharField(max_length=30, choices=CaseRating.choices, blank=True)
    child_voice_recorded = models.CharField(max_length=20, choices=Answer.choices, blank=True)
    risk_assessed_promptly = models.CharField(max_length=20, choices=Answer.choices, blank=True)
    strategy_discussion_held = models.CharField(max_length=20, choices=Answer.choices, blank=True)
    referral_made = models.CharField(max_length=20, choices=Answer.choices, blank=True)
    supervision_evident = models.CharField(max_length=20, choices=Answer.choices, blank=True)
    notes = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"Review of case {self.case.reference}"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def first_reviewer(self):
        """Who wrote the review, as the pages name them: once submitted, who
        submitted it, not whom the case is assigned to. The lead inspector or
        an admin may step in on a case assigned to someone else, or handed
        back to no one; until submission, the assigned reviewer. Load
        submitted_by and case__reviewer with the review."""
        if self.is_submitted and self.submitted_by_id:
            return self.submitted_by
        return self.case.reviewer

    def practice_point_answers(self) -> list[tuple[str, str, str]]:
        """(field, question, answer label) for each key practice point."""
        return [
            (field, question, Answer(getattr(self, field)).label if getattr(self, field) else "")
            for field, question in PRACTICE_POINTS
        ]


class TopicAssessment(BaseModel):
    """A review's rating of one topic, with a short observation."""

    review = models.ForeignKey(CaseReview, on_delete=models.CASCADE, related_name="assessments")
    topic = models.CharField(max_length=40, choices=Topic.choices)
    rating = models.CharField(max_length=30, choices=TOPIC_RATING_CHOICES, blank=True)
    observation = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "topic"], name="one_assessment_per_topic")
        ]
        indexes = [models.Index(fields=["topic", "rating"])]

    def __str__(self) -> str:
        return f"{self.get_topic_display()}: {self.get_rating_display() or 'not rated'}"


class SecondReviewQuerySet(models.QuerySet):
    def to_do(self) -> "SecondReviewQuerySet":
        """Second reviews the inspection's lead inspector has still to do.
        One of a review the lead wrote waits for another lead, and is not
        among them: the lead could never clear it. The one rule for
        inspections.services.second_reviews_to_do and the home page."""
        return self.filter(status=SecondReview.Status.PENDING).exclude(
            review__submitted_by_id=F("review__case__inspection__lead_inspector_id")
        )


class SecondReview(BaseModel):
    """The lead inspector's second review of a submitted case review."""

    class Status(models.TextChoices):
        PENDING = "pending", "To do"
        COMPLETED = "completed", "Done"

    review = models.OneToOneField(
        CaseReview, on_delete=models.CASCADE, related_name="second_review"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="second_reviews"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    agrees = models.BooleanField(null=True)
    rating = models.CharField(
        max_length=30,
        choices=CaseRating.choices,
        blank=True,
        help_text="The second reviewer's rating, where it differs.",
    )
    reason = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = SecondReviewQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Second review of case {self.review.case.reference}"

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED
