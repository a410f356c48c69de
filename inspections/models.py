from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, StringAgg, Subquery, Value
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from core.models import BackgroundBuild, BaseModel
from core.templatetags.govuk import govuk_date


class Topic(models.TextChoices):
    """The five graded topics, in the methodology's order."""

    LEADERSHIP = "leadership", "Leadership"
    PARTNERSHIP_WORKING = "partnership_working", "Partnership working"
    INITIAL_RESPONSE = "initial_response", "Initial response"
    RISK_ASSESSMENT = "risk_assessment_referral", "Risk assessment and referral"
    INVESTIGATION = "investigation", "Investigation"

    @classmethod
    def position(cls, value: str) -> int:
        return cls.values.index(value) + 1


class Grade(models.TextChoices):
    """The inspectorate's five-point scale."""

    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    ADEQUATE = "adequate", "Adequate"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"


GRADE_MEANINGS = {
    Grade.OUTSTANDING: "Substantially exceeds the characteristics of good.",
    Grade.GOOD: "Shows substantially all the characteristics of good.",
    Grade.ADEQUATE: "Shows some of the characteristics of good, with areas to improve.",
    Grade.REQUIRES_IMPROVEMENT: (
        "Shows few, if any, of the characteristics of good, with a substantial number of "
        "areas to improve."
    ),
    Grade.INADEQUATE: "There are causes of concern, with recommendations.",
}


class InspectionQuerySet(models.QuerySet):
    def with_team_ids(self) -> "InspectionQuerySet":
        """Each row's team members' ids, comma-separated, from a subquery in
        the same query: Inspection.team_member_ids() then needs no other."""
        through = Inspection.team.through
        ids = (
            through.objects.filter(inspection_id=OuterRef("pk"))
            .order_by()
            .values("inspection_id")
            .annotate(ids=StringAgg(Cast("user_id", models.TextField()), Value(",")))
            .values("ids")
        )
        return self.annotate(team_ids_text=Subquery(ids))

    def visible_to(self, user) -> "InspectionQuerySet":
        """Admins see every inspection; inspectors those whose team they are on;
        a force lead their own force's. Inspection.is_visible_to says the same
        of one inspection."""
        if user.is_admin:
            return self
        if user.is_force_lead:
            return self.filter(force_id=user.force_id)
        return self.filter(Q(lead_inspector=user) | Q(team=user)).distinct()

    def for_summary(self) -> "InspectionQuerySet":
        """Only what a line about an inspection shows (kind, stage, dates, link):
        the programme, the dashboard and a force's history list many."""
        return self.only(
            "force_id",
            "kind",
            "stage",
            "fieldwork_start",
            "fieldwork_end",
            "published_on",
            "cancelled_at",
            "cancellation_reason",
        )

    def open(self) -> "InspectionQuerySet":
        """Not yet published: the inspection's own work is still under way."""
        return self.filter(stage__in=Inspection.OPEN_STAGES)

    def current(self) -> "InspectionQuerySet":
        """Not ended (closed, or cancelled before fieldwork): someone's work,
        a booking of its team, or something due from the force."""
        return self.exclude(stage__in=Inspection.ENDED_STAGES)

    def overlapping(self, start: date, end: date) -> "InspectionQuerySet":
        return self.filter(fieldwork_start__lte=end, fieldwork_end__gte=start)


class Inspection(BaseModel):
    """One inspection of one force, from planning to closure."""

    class Kind(models.TextChoices):
        INSPECTION = "inspection", "Inspection"
        RE_INSPECTION = "re_inspection", "Re-inspection"
        ACCELERATED = "accelerated_cause_of_concern", "Accelerated cause of concern"
        POST_INSPECTION_REVIEW = "post_inspection_review", "Post-inspection review"

    class Stage(models.TextChoices):
        PLANNED = "planned", "Planned"
        FIELDWORK = "fieldwork", "Fieldwork"
        MODERATION = "moderation", "Moderation"
        PRE_PUBLICATION = "pre_publication", "Pre-publication checks"
        PUBLISHED = "published", "Published"
        FOLLOW_UP = "follow_up", "Follow-up"
        CLOSED = "closed", "Closed"
        # Called off before fieldwork (services.inspection_cancel): it ends
        # there, and is no one's work, booking or deadline.
        CANCELLED = "cancelled", "Cancelled"

    # What an admin schedules: an inspection, and the full re-inspection a
    # post-inspection visit may find necessary. An accelerated cause of
    # concern is a finding (Finding.Kind.ACCELERATED) reported during an
    # inspection, and a post-inspection visit is a PostInspectionVisit of the
    # inspection it follows: the methodology grades neither on five topics,
    # nor asks a force for action plans after it. Those two kinds stay among
    # the choices only so that a row already stored as one still reads.
    SCHEDULED_KINDS = [Kind.INSPECTION, Kind.RE_INSPECTION]

    OPEN_STAGES = [Stage.PLANNED, Stage.FIELDWORK, Stage.MODERATION, Stage.PRE_PUBLICATION]
    # No step follows these: InspectionQuerySet.current() leaves them out.
    ENDED_STAGES = [Stage.CLOSED, Stage.CANCELLED]
    # From these stages on, the force lead sees grades and findings.
    FORCE_SEES_FINDINGS_STAGES = [
        Stage.PRE_PUBLICATION,
        Stage.PUBLISHED,
        Stage.FOLLOW_UP,
        Stage.CLOSED,
    ]
    PUBLISHED_STAGES = [Stage.PUBLISHED, Stage.FOLLOW_UP, Stage.CLOSED]
    STAGES_AFTER_FIELDWORK = [Stage.MODERATION, *FORCE_SEES_FINDINGS_STAGES]
    # An admin changes the lead on the plan page until fieldwork ends, then on
    # its own page (services.inspection_change_lead) until the inspection closes.
    LEAD_CHANGE_STAGES = [Stage.MODERATION, Stage.PRE_PUBLICATION, Stage.PUBLISHED, Stage.FOLLOW_UP]

    force = models.ForeignKey("forces.Force", on_delete=models.PROTECT, related_name="inspections")
    kind = models.CharField(max_length=40, choices=Kind.choices, default=Kind.INSPECTION)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.PLANNED)
    fieldwork_start = models.DateField()
    fieldwork_end = models.DateField()
    lead_inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="inspections_led"
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="inspection_teams"
    )
    received_for_checks_on = models.DateField(
        null=True, blank=True, help_text="The date the force received the draft report."
    )
    published_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    # When and why an admin cancelled it (services.inspection_cancel); who is
    # on the audit trail. db_default: rows copied in bulk name only their columns.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.TextField(blank=True, default="", db_default="")
    # Absolute deadlines derived by core.deadlines from the dates above, and
    # recomputed by the service that changes a trigger date.
    action_plan_due_on = models.DateField(null=True, blank=True)
    updated_action_plan_due_on = models.DateField(null=True, blank=True)
    pcc_response_due_on = models.DateField(null=True, blank=True)
    # The police and crime commissioner's published response (Police Act 1996
    # s55): recorded by actionplans.pcc_response.pcc_response_record.
    pcc_response_published_on = models.DateField(null=True, blank=True)
    # A default in the database too: rows copied in bulk (seed_scale, the
    # benchmarks) name only the columns they fill.
    pcc_response_url = models.URLField(max_length=500, blank=True, default="", db_default="")

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-fieldwork_start"]
        indexes = [
            models.Index(fields=["force", "stage"]),
            models.Index(fields=["stage"]),
            # Open deadlines, for the deadline sweep: due dates of inspections
            # not closed. Ten years of closed inspections stay out of them.
            models.Index(
                fields=["action_plan_due_on"],
                condition=~Q(stage="closed") & Q(action_plan_due_on__isnull=False),
                name="open_action_plan_due_idx",
            ),
            models.Index(
                fields=["updated_action_plan_due_on"],
                condition=~Q(stage="closed") & Q(updated_action_plan_due_on__isnull=False),
                name="open_updated_plan_due_idx",
            ),
            # Commissioners' responses not yet recorded, for the sweep and
            # the dashboard: few at any time, whatever the years behind them.
            models.Index(
                fields=["pcc_response_due_on"],
                condition=~Q(stage="closed")
                & Q(pcc_response_due_on__isnull=False)
                & Q(pcc_response_published_on__isnull=True),
                name="open_pcc_response_due_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="fieldwork_ends_on_or_after_start",
                condition=Q(fieldwork_end__gte=models.F("fieldwork_start")),
            )
        ]

    def __str__(self) -> str:
        return self.name_of(self.kind, self.force.short_name, self.fieldwork_start)

    @classmethod
    def name_of(cls, kind: str, force_short_name: str, fieldwork_start) -> str:
        """How the service names an inspection ('Re-inspection of West
        Yorkshire, November 2026', the caption of its pages), from the values
        a list reads without loading the row: the force alone names two
        inspections of one force alike."""
        label = dict(cls.Kind.choices).get(kind, kind)
        return f"{label} of {force_short_name}, {fieldwork_start:%B %Y}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.stage in self.OPEN_STAGES

    @property
    def is_cancelled(self) -> bool:
        return self.stage == self.Stage.CANCELLED

    @property
    def has_ended(self) -> bool:
        """Closed, or cancelled: it takes no more evidence or steps."""
        return self.stage in self.ENDED_STAGES

    @property
    def is_published(self) -> bool:
        return self.stage in self.PUBLISHED_STAGES

    @property
    def force_sees_findings(self) -> bool:
        return self.stage in self.FORCE_SEES_FINDINGS_STAGES

    @property
    def pcc_response_date_passed(self) -> bool:
        """Whether the police and crime commissioner's response date is past (London)."""
        due = self.pcc_response_due_on
        return due is not None and due < timezone.localdate()

    @property
    def pcc_response_closed_before_due(self) -> bool:
        """Closed, none recorded, before its due date (London): no longer due,
        as the calendar and the status say (found by the force lead review:
        the pages still said it "is due on" that date)."""
        return (
            self.stage == self.Stage.CLOSED
            and self.pcc_response_published_on is None
            and self.pcc_response_due_on is not None
            and not self.pcc_response_date_passed
        )

    @property
    def pcc_response_is_overdue(self) -> bool:
        """Past its due date (London) with no response recorded, while the
        inspection is still followed up: a closed one is chased no more."""
        return (
            self.pcc_response_published_on is None
            and self.pcc_response_date_passed
            and self.stage != self.Stage.CLOSED
        )

    def team_member_ids(self) -> set:
        """Lead inspector and team: from InspectionQuerySet.with_team_ids() if
        it loaded this row, else the (prefetched, or queried) team."""
        if hasattr(self, "team_ids_text"):
            to_python = self._meta.get_field("team").target_field.to_python
            members = {to_python(pk) for pk in (self.team_ids_text or "").split(",") if pk}
        else:
            members = {member.pk for member in self.team.all()}
        return {self.lead_inspector_id, *members}

    @property
    def lead_changeable(self) -> bool:
        """Past fieldwork and not closed: 'Change the lead inspector' applies."""
        return self.stage in self.LEAD_CHANGE_STAGES

    def is_visible_to(self, user) -> bool:
        """InspectionQuerySet.visible_to for one loaded inspection, in Python:
        the two must agree. With the team prefetched it costs no query."""
        if user.is_admin:
            return True
        if user.is_force_lead:
            return self.force_id == user.force_id
        return user.pk in self.team_member_ids()


class JudgmentQuerySet(models.QuerySet):
    def awaiting(self, user) -> "JudgmentQuerySet":
        """What waits for this person, on the inspections they work on: a
        judgment the lead inspector returned (to its team's inspectors), or
        one put forward and ready to agree (to the lead). Only while grades
        can change (fieldwork and moderation)."""
        returned = Q(status=Judgment.Status.RETURNED) & ~Q(inspection__lead_inspector=user)
        to_agree = Q(status=Judgment.Status.SUBMITTED, inspection__lead_inspector=user)
        return self.filter(
            returned | to_agree,
            inspection__in=Inspection.objects.visible_to(user).filter(
                stage__in=(Inspection.Stage.FIELDWORK, Inspection.Stage.MODERATION)
            ),
        )


class Judgment(BaseModel):
    """The graded judgment on one topic of one inspection."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        DRAFT = "draft", "In progress"
        SUBMITTED = "submitted", "Ready for moderation"
        RETURNED = "returned", "Returned"
        FINAL = "final", "Final"

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="judgments")
    topic = models.CharField(max_length=40, choices=Topic.choices)
    position = models.PositiveSmallIntegerField()
    grade = models.CharField(max_length=30, choices=Grade.choices, blank=True)
    rationale = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    moderation_comment = models.TextField(blank=True)
    interviews = models.ManyToManyField("Interview", blank=True, related_name="judgments")
    documents = models.ManyToManyField("Document", blank=True, related_name="judgments")
    cites_case_reviews = models.BooleanField(
        default=False, help_text="The rationale relies on the case file review figures."
    )

    objects = JudgmentQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "topic"], name="one_judgment_per_topic")
        ]

    def __str__(self) -> str:
        return f"{self.get_topic_display()} judgment"

    def get_absolute_url(self) -> str:
        return reverse("inspections:judgment", args=[self.inspection_id, self.topic])

    @property
    def grade_meaning(self) -> str:
        return GRADE_MEANINGS.get(self.grade, "")

    @property
    def is_final(self) -> bool:
        return self.status == self.Status.FINAL


class Finding(BaseModel):
    """A cause of concern, area for improvement or practice worth sharing."""

    class Kind(models.TextChoices):
        CAUSE_OF_CONCERN = "cause_of_concern", "Cause of concern"
        ACCELERATED = "accelerated_cause_of_concern", "Accelerated cause of concern"
        AREA_FOR_IMPROVEMENT = "area_for_improvement", "Area for improvement"
        INNOVATIVE_PRACTICE = "innovative_practice", "Innovative practice"
        PROMISING_PRACTICE = "promising_practice", "Promising practice"

    CONCERN_KINDS = [Kind.CAUSE_OF_CONCERN, Kind.ACCELERATED]
    # The order the report prints them in (inspections.reports.FINDING_SECTIONS):
    # accelerated causes of concern first. kind_position follows it, so every
    # list "in report order" is (found by the outputs review: the findings
    # page put causes of concern before accelerated ones).
    REPORT_ORDER = [
        Kind.ACCELERATED,
        Kind.CAUSE_OF_CONCERN,
        Kind.AREA_FOR_IMPROVEMENT,
        Kind.INNOVATIVE_PRACTICE,
        Kind.PROMISING_PRACTICE,
    ]

    @classmethod
    def kind_order(cls, kind: str) -> int:
        """kind_position for a kind: 1 for the first in report order."""
        return cls.REPORT_ORDER.index(kind) + 1

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    topic = models.CharField(max_length=40, choices=Topic.choices)
    topic_position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=40, choices=Kind.choices)
    kind_position = models.PositiveSmallIntegerField()
    summary = models.CharField(max_length=200)
    detail = models.TextField()
    reported_to_force_on = models.DateField(
        null=True, blank=True, help_text="For an accelerated cause of concern."
    )
    interviews = models.ManyToManyField("Interview", blank=True, related_name="findings")
    documents = models.ManyToManyField("Document", blank=True, related_name="findings")

    class Meta:
        # Report order: topic in the methodology's order, then kind, then age.
        ordering = ["topic_position", "kind_position", "created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:finding_edit", args=[self.inspection_id, self.pk])

    def save(self, *args, **kwargs):
        # Derived sort keys, so report order is a plain ORDER BY.
        self.topic_position = Topic.position(self.topic)
        self.kind_position = self.kind_order(self.kind)
        super().save(*args, **kwargs)

    @property
    def is_concern(self) -> bool:
        return self.kind in self.CONCERN_KINDS


class Recommendation(BaseModel):
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="recommendations")
    text = models.TextField()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:80]


class Interview(BaseModel):
    """An interview or discussion. Participants are described by role and
    organisation, never by name."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="interviews")
    held_on = models.DateField()
    topics = models.JSONField(default=list, help_text="Topic values covered.")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-held_on", "-created_at"]

    def __str__(self) -> str:
        return f"Interview on {govuk_date(self.held_on)}"

    @property
    def topic_labels(self) -> list[str]:
        return topic_labels(self.topics)


def topic_labels(values: list[str]) -> list[str]:
    """The labels of the topics among these values, in their order."""
    labels = dict(Topic.choices)
    return [labels[value] for value in values if value in labels]


class Participant(BaseModel):
    class Organisation(models.TextChoices):
        POLICE = "police", "Police"
        SOCIAL_CARE = "childrens_social_care", "Children's social care"
        HEALTH = "health", "Health"
        EDUCATION = "education", "Education"
        OTHER = "other", "Other"

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="participants")
    role = models.CharField(max_length=120, help_text="For example, detective inspector.")
    organisation = models.CharField(max_length=30, choices=Organisation.choices)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.role} ({self.get_organisation_display()})"


class Document(BaseModel):
    """Data, reports, policies and other written material examined."""

    class Kind(models.TextChoices):
        POLICY = "policy", "Policy"
        PROCEDURE = "procedure", "Procedure"
        DATA = "data", "Data"
        REPORT = "report", "Report"
        OTHER = "other", "Other"

    # Upload kinds accepted for a copy of the document (see core.uploads).
    FILE_KINDS = ["pdf", "docx", "odt", "xlsx", "csv"]

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    received_on = models.DateField()
    notes = models.TextField(blank=True)
    stored_file = models.ForeignKey(
        "core.StoredFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_on", "title"]

    def __str__(self) -> str:
        return self.title


def evidence_label(item: "Interview | Document") -> str:
    """How a piece of evidence is named where it is cited: on the forms that
    cite it and in the audit trail of what cites it."""
    if isinstance(item, Document):
        kind = item.get_kind_display().lower()
        return f"{item.title} ({kind}, received {govuk_date(item.received_on)})"
    roles = ", ".join(str(p) for p in item.participants.all())
    return f"{govuk_date(item.held_on)}: {roles}"


class ReportFileQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ReportFileQuerySet":
        """Force leads: only what was built from pre-publication checks on,
        and once the report is published only the published report: the
        draft was for their checks, not a copy to keep taking."""
        if user.is_force_lead:
            # A draft is one asked for before publication (its stage says
            # so): one asked for since is no draft, though it is marked one
            # until built (is_draft's default), and the force lead follows
            # it building, or failing (found by the force lead review: hidden,
            # the page said no PDF had been built).
            return self.filter(stage__in=Inspection.FORCE_SEES_FINDINGS_STAGES).exclude(
                is_draft=True,
                inspection__stage__in=Inspection.PUBLISHED_STAGES,
                stage=Inspection.Stage.PRE_PUBLICATION,
            )
        return self


class ReportFile(BackgroundBuild):
    """One build of an inspection's report PDF, made by a Celery task.

    The row says what the PDF was built from (a hash of the report's data, of
    what worded it, and the latest audit event of the inspection at that
    moment), so the page can tell when the inspection, or a draft's wording,
    has changed since and offer to build it again.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        BUILDING = "building", "Building"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="report_files"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    data_version = models.CharField(max_length=64, blank=True)
    # What worded it (reports.wording_version): a draft worded otherwise than
    # the running code words it is out of date. Empty on drafts built before.
    wording_version = models.CharField(max_length=64, blank=True)
    audit_event_id = models.BigIntegerField(null=True, blank=True)
    is_draft = models.BooleanField(default=True)
    # The inspection's stage when built: a force lead may take only a PDF built
    # once the force could see the findings, never an earlier, unmoderated one.
    stage = models.CharField(max_length=20, choices=Inspection.Stage.choices, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)

    objects = ReportFileQuerySet.as_manager()

    class Meta(BackgroundBuild.Meta):
        pass

    def __str__(self) -> str:
        return f"Report PDF for {self.inspection}"


class FactualAccuracyPoint(BaseModel):
    """A point the force raises in its pre-publication (factual accuracy)
    checks of the draft report, and the inspectorate's response to it.

    A point not yet sent (sent_at empty) is the force's own draft: the
    inspectorate never sees it. Once sent it is frozen for the force, and the
    lead inspector (or an admin) responds, until the report is published.
    It is about a graded judgment (topic), a finding, or neither: elsewhere.
    """

    class Response(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        NOT_ACCEPTED = "not_accepted", "Not accepted"

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="factual_points"
    )
    topic = models.CharField(
        max_length=40, choices=Topic.choices, blank=True, help_text="The graded judgment."
    )
    # RESTRICT: a finding is frozen from pre-publication checks on, so only
    # the inspection's own deletion takes one with its points.
    finding = models.ForeignKey(
        Finding, null=True, blank=True, on_delete=models.RESTRICT, related_name="factual_points"
    )
    inaccuracy = models.TextField()
    correction = models.TextField()
    evidence = models.TextField(blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    response = models.CharField(max_length=20, choices=Response.choices, blank=True)
    explanation = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                name="factual_point_about_one_part",
                condition=Q(topic="") | Q(finding__isnull=True),
            )
        ]

    def __str__(self) -> str:
        # Never the force's own words: this names the point in the audit trail.
        return f"Factual accuracy point on {self.where[:1].lower()}{self.where[1:]}"

    @property
    def where(self) -> str:
        """The part of the report the point is about, as people read it.
        Loads the finding unless select_related."""
        if self.finding_id:
            return f"{self.finding.get_kind_display()}: {self.finding.summary}"
        if self.topic:
            return f"{self.get_topic_display()} graded judgment"
        return "Elsewhere in the report"

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None

    @property
    def is_answered(self) -> bool:
        return bool(self.response)
