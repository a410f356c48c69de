"""Follow-up after an inspection: action plans, post-inspection visits, notices.

Due dates are never stored here. They live on the Inspection, derived by
core.deadlines in the inspections services, so a corrected trigger date moves
every deadline at once and nothing here can drift from it.
"""

import secrets
import uuid
from datetime import date

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.models import BaseModel
from core.templatetags.govuk import govuk_date
from inspections.access import EDITABLE_STAGES
from inspections.models import Inspection

# A plan whose deadline is further away than this reads "Not yet due".
DUE_SOON_DAYS = 14


def described(inspection) -> str:
    """ "inspection of Cleveland, September 2026", to follow "the" mid-sentence."""
    return described_as(str(inspection))


def described_as(name: str) -> str:
    """described() of an inspection once called `name` (its str())."""
    return name[:1].lower() + name[1:]


class ActionPlan(BaseModel):
    """The force's answer to one deadline: a working draft plus submitted versions.

    The draft (``document`` and the responses with no version) is what the
    force lead edits. Submitting copies it into an immutable numbered
    ActionPlanVersion; nothing submitted is ever overwritten.
    """

    class Kind(models.TextChoices):
        ACTION_PLAN = "action_plan", "Action plan"
        UPDATED_ACTION_PLAN = "updated_action_plan", "Updated action plan"

    # URL slugs, so addresses read /action-plans/updated-action-plan/.
    SLUGS = {Kind.ACTION_PLAN: "action-plan", Kind.UPDATED_ACTION_PLAN: "updated-action-plan"}
    # The Inspection field holding each kind's due date.
    DUE_FIELDS = {
        Kind.ACTION_PLAN: "action_plan_due_on",
        Kind.UPDATED_ACTION_PLAN: "updated_action_plan_due_on",
    }

    inspection = models.ForeignKey(
        "inspections.Inspection", on_delete=models.CASCADE, related_name="action_plans"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    document = models.ForeignKey(
        "core.StoredFile",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The draft's document; each version keeps its own.",
    )

    class Meta:
        ordering = ["inspection", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "kind"], name="one_plan_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.inspection}"

    @classmethod
    def kind_from_slug(cls, slug: str) -> str | None:
        return next((kind for kind, value in cls.SLUGS.items() if value == slug), None)

    @property
    def slug(self) -> str:
        return self.SLUGS[self.kind]

    @property
    def due_on(self) -> date | None:
        return getattr(self.inspection, self.DUE_FIELDS[self.kind])

    @property
    def covers_areas_for_improvement(self) -> bool:
        return self.kind == self.Kind.UPDATED_ACTION_PLAN

    def get_absolute_url(self) -> str:
        return reverse("actionplans:plan", args=[self.inspection_id, self.slug])

    @property
    def latest_version(self) -> "ActionPlanVersion | None":
        """The newest version; uses prefetched versions when there are some."""
        versions = list(self.versions.all())
        return max(versions, key=lambda v: v.number) if versions else None

    @property
    def is_closed(self) -> bool:
        """The inspection is closed: its plans are kept as they are."""
        return self.inspection.stage == "closed"

    @property
    def is_editable(self) -> bool:
        """The force lead may change the draft until a version awaits review or
        is accepted, and never once the inspection is closed."""
        if self.is_closed:
            return False
        latest = self.latest_version
        return latest is None or latest.status not in ActionPlanVersion.IN

    def not_editable_message(self) -> str:
        """Why the plan cannot be changed now (call when it is not editable)."""
        label = self.get_kind_display().lower()
        if self.is_closed:
            return f"The inspection is closed, so the {label} cannot be changed"
        version = self.latest_version
        return (
            f"Version {version.number} of the {label} is "
            f"{version.get_status_display().lower()}, so the plan cannot be changed now"
        )


class ActionPlanVersion(BaseModel):
    """One submission, numbered from 1. Its document and responses never change;
    only the lead inspector's decision is added, once."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        ACCEPTED = "accepted", "Accepted"
        RETURNED = "returned", "Returned"

    # The force has sent its plan in: a version awaits review or was accepted.
    # A returned version puts the plan back with the force.
    IN = (Status.SUBMITTED, Status.ACCEPTED)

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    # Null only once the retention policy has deleted the file (apply_retention).
    document = models.ForeignKey(
        "core.StoredFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="one_version_per_number")
        ]

    def __str__(self) -> str:
        return f"{self.plan.get_kind_display()} version {self.number}"

    def get_absolute_url(self) -> str:
        return reverse(
            "actionplans:version", args=[self.plan.inspection_id, self.plan.slug, self.number]
        )


class PlanResponse(BaseModel):
    """The force's answer to one cause of concern, recommendation or area for improvement.

    With no version it belongs to the plan's working draft; with a version it
    is a frozen copy. ``subject`` keeps the words answered, so a version reads
    the same even if the finding is later edited.
    """

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETE = "complete", "Complete"

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="responses")
    version = models.ForeignKey(
        ActionPlanVersion,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="responses",
    )
    finding = models.ForeignKey(
        "inspections.Finding", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recommendation = models.ForeignKey(
        "inspections.Recommendation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(default=0)
    subject = models.TextField()
    action = models.TextField()
    owner_role = models.CharField(max_length=120)
    target_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices)

    class Meta:
        ordering = ["position", "created_at"]
        constraints = [
            models.CheckConstraint(
                name="response_answers_a_finding_or_a_recommendation_not_both",
                condition=~Q(finding__isnull=False, recommendation__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["plan", "finding"],
                condition=Q(version__isnull=True),
                name="one_draft_response_per_finding",
            ),
            models.UniqueConstraint(
                fields=["plan", "recommendation"],
                condition=Q(version__isnull=True),
                name="one_draft_response_per_recommendation",
            ),
        ]

    def __str__(self) -> str:
        return f"Response to {self.subject[:60]}"

    @property
    def item_id(self):
        return self.finding_id or self.recommendation_id

    @property
    def subject_label(self) -> str:
        """ "Recommendation 3" from "Recommendation 3: Within six months…"."""
        return self.subject.partition(": ")[0]

    @property
    def subject_text(self) -> str:
        return self.subject.partition(": ")[2]


class PostInspectionVisitQuerySet(models.QuerySet):
    def booked(self) -> "PostInspectionVisitQuerySet":
        """Visits still to take place or taken place: not cancelled."""
        return self.filter(cancelled_at__isnull=True)


class PostInspectionVisit(BaseModel):
    """A visit after publication to see how the force is implementing its plan."""

    class Outcome(models.TextChoices):
        PROGRESS_SATISFACTORY = "progress_satisfactory", "Progress satisfactory"
        CONCERNS_REMAIN = "concerns_remain", "Concerns remain"
        FULL_RE_INSPECTION = "full_re_inspection", "Full re-inspection recommended"

    class Interviewee(models.TextChoices):
        CHIEF_OFFICER = "chief_officer", "Chief officer"
        CHILD_PROTECTION_LEAD = "child_protection_lead", "Child protection lead"
        OTHER = "other", "Other officers and staff"

    inspection = models.ForeignKey(
        "inspections.Inspection", on_delete=models.CASCADE, related_name="post_inspection_visits"
    )
    visit_on = models.DateField()
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    short_notice_reason = models.TextField(
        blank=True, help_text="Why an admin allowed less than the usual notice."
    )
    notice_sent_at = models.DateTimeField(null=True, blank=True)
    people_interviewed = models.JSONField(default=list, blank=True)
    other_people_interviewed = models.CharField(max_length=200, blank=True)
    documents_reviewed = models.TextField(blank=True)
    feedback = models.TextField(blank=True)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    re_inspection = models.ForeignKey(
        "inspections.Inspection",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The re-inspection this visit put into the programme.",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancellation_reason = models.TextField(blank=True)

    objects = PostInspectionVisitQuerySet.as_manager()

    class Meta:
        ordering = ["visit_on"]
        constraints = [
            # A cancelled visit's day can be booked again.
            models.UniqueConstraint(
                fields=["inspection", "visit_on"],
                condition=Q(cancelled_at__isnull=True),
                name="one_visit_per_day",
            )
        ]

    def __str__(self) -> str:
        # As GOV.UK writes dates ("5 March 2027"): it names the visit on the audit trail.
        return f"Post-inspection visit on {govuk_date(self.visit_on)}"

    def get_absolute_url(self) -> str:
        return reverse("actionplans:visit", args=[self.inspection_id, self.pk])

    @property
    def has_happened(self) -> bool:
        """From the visit's day (London) on, it can be recorded."""
        return self.visit_on <= timezone.localdate()

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def can_be_cancelled(self) -> bool:
        """Until its day, if nothing has been recorded of it."""
        return not self.is_cancelled and not self.has_happened and not self.outcome

    @property
    def re_inspection_planned(self) -> bool:
        """Its re-inspection is in the programme: recommended, and not
        cancelled since (found by the admin review: once an admin cancelled
        it, the outcome could never be corrected)."""
        return self.re_inspection_id is not None and not self.re_inspection.is_cancelled

    @property
    def interviewee_labels(self) -> list[str]:
        labels = dict(self.Interviewee.choices)
        return [labels[value] for value in self.people_interviewed if value in labels]


def _case_page() -> Concat:
    """A case's page address (Case.get_absolute_url, the link of "Case
    replaced in the sample") made in SQL, to find the case a notice links to."""
    first, second = uuid.UUID(int=1), uuid.UUID(int=2)
    url = reverse("casefiles:case_detail", args=[first, second])
    before, rest = url.split(str(first))
    between, after = rest.split(str(second))
    return Concat(
        Value(before),
        UuidText("inspection_id"),
        Value(between),
        UuidText("pk"),
        Value(after),
        output_field=CharField(),
    )


class UuidText(Func):
    """A UUID column as str(uuid) writes it. PostgreSQL's uuid type casts so;
    SQLite (make run) keeps 32 hex digits without the hyphens, so a link
    made from them matched no notice and the "Case replaced in the sample"
    email was never sent there. One expression, not Concat's nest of pairs,
    which SQLite's parser refused as too deep."""

    output_field = CharField()
    template = "CAST(%(expressions)s AS text)"

    def as_sqlite(self, compiler, connection, **extra_context):
        groups = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))
        template = " || '-' || ".join(
            f"substr(%(expressions)s, {start}, {length})" for start, length in groups
        )
        return self.as_sql(compiler, connection, template=f"({template})", **extra_context)


class NoticeQuerySet(models.QuerySet):
    def for_user(self, user) -> "NoticeQuerySet":
        """Their own notices about inspections they may still see, by the one
        rule (InspectionQuerySet.visible_to): a force lead moved to another
        force keeps none of the old one's; a lead inspector replaced, or an
        inspector taken off the team, none of that inspection's."""
        notices = self.filter(recipient=user)
        if user.is_admin:
            return notices
        visible = Q(inspection__in=Inspection.objects.visible_to(user).values("pk"))
        if user.is_inspector:
            # Told they are off it: the one notice about an inspection they
            # may no longer see that is still theirs to read (LEFT_KINDS).
            visible |= Q(kind__in=LEFT_KINDS)
        return notices.filter(visible)

    def with_links(self, user) -> "NoticeQuerySet":
        """Each notice's link as `shown_link`: none for one about an
        inspection they may no longer open (for_user still shows them
        LEFT_KINDS). "No longer lead inspector", sent with the inspection's
        link while they stayed on its team, linked to a page not found once
        they were taken off it too (found by the review of the day's changes)."""
        if user.is_admin:
            return self.annotate(shown_link=F("link"))
        visible = Q(inspection__in=Inspection.objects.visible_to(user).values("pk"))
        return self.annotate(shown_link=Case(When(visible, then=F("link")), default=Value("")))

    def still_theirs(self) -> "NoticeQuerySet":
        """for_user's rule across recipients, for the sweep's look at emails
        still to send."""
        role = "recipient__role"
        on_team = Inspection.team.through.objects.filter(
            inspection_id=OuterRef("inspection_id"), user_id=OuterRef("recipient_id")
        )
        return self.filter(
            Q(**{role: User.Role.ADMIN})
            | Q(**{role: User.Role.FORCE_LEAD}, recipient__force_id=F("inspection__force_id"))
            | Q(**{f"{role}__in": (User.Role.INSPECTOR, User.Role.LEAD_INSPECTOR)})
            & (
                Q(inspection__lead_inspector_id=F("recipient_id"))
                | Exists(on_team)
                | Q(kind__in=LEFT_KINDS)
            )
        )

    def still_due(self) -> "NoticeQuerySet":
        """Notices whose email is still true, for an email claimed but not yet
        sent (the broker or the mail server down): it must not tell the force
        what is no longer so (found by the dates reviews).

        - Reminders, overdue notices and "plan due on" notices only while the
          deadline they name is still open: its due date as the inspection
          has it now, nothing sent in or recorded, the inspection not closed.
          A date corrected twice sent only the newest.
        - An overdue notice only while no later week's has replaced it: mail
          down for a week sent "1 day overdue" beside "8 days overdue".
        - A visit's notice only while that booking stands: a cancelled
          visit's came after its cancellation.
        - "Taken off the team" only while they are not back on it (as its
          lead or on its team), and "no longer lead inspector" only while
          they are not its lead again, and are on its team or not as it says.
        - "On the team" and "lead inspector" only while the inspection has not
          ended: "fieldwork starts on 3 March" came after "Inspection
          cancelled" (found by the team email review). "Case file reviews to
          assign" only while its case files are open to assigning.
        - "On the team" and "lead inspector" only while no later one has told
          them again (other dates, or given it back): "fieldwork from 3
          March" came beside "fieldwork from 10 March" after the dates moved.
          "Lead inspector" only while they lead it: kept on its team when
          replaced, they were emailed it beside "no longer lead inspector".
        - "Case replaced in the sample", which says which case they review
          instead (its link), only while that case is still theirs to
          review: not once it is assigned to someone else or replaced in turn.

        Other notices pass: "taken off the team" and "no longer lead" still
        hold of an inspection cancelled, and whoever was taken off before it
        was not told of the cancellation (their words say it, and no longer
        what would have followed: notices.left_notices_cancelled)."""
        plan_in = ActionPlanVersion.objects.filter(
            plan__inspection_id=OuterRef("inspection_id"),
            plan__kind=OuterRef("subject"),
            status__in=ActionPlanVersion.IN,
        )
        plan_open = ~Exists(plan_in) & (
            Q(subject=ActionPlan.Kind.ACTION_PLAN, inspection__action_plan_due_on=F("due_on"))
            | Q(
                subject=ActionPlan.Kind.UPDATED_ACTION_PLAN,
                inspection__updated_action_plan_due_on=F("due_on"),
            )
        )
        response_open = Q(
            subject=Notice.Subject.PCC_RESPONSE,
            inspection__pcc_response_due_on=F("due_on"),
            inspection__pcc_response_published_on__isnull=True,
        )
        chasing = Q(kind__in=(Notice.Kind.REMINDER, Notice.Kind.OVERDUE, Notice.Kind.PLAN_DUE))
        # A reminder ("due in 1 day") only on its day, as the sweep sends
        # them: days later it would arrive beside the overdue notice (found
        # by a code review). sent_at's date is London's (USE_TZ).
        on_its_day = ~Q(kind=Notice.Kind.REMINDER) | Q(sent_at__date=timezone.localdate())
        later_week = Notice.objects.filter(
            recipient_id=OuterRef("recipient_id"),
            kind=Notice.Kind.OVERDUE,
            inspection_id=OuterRef("inspection_id"),
            subject=OuterRef("subject"),
            due_on=OuterRef("due_on"),
            sequence__gt=OuterRef("sequence"),
        )
        current_week = ~Q(kind=Notice.Kind.OVERDUE) | ~Exists(later_week)
        # The booking its notice was for: a visit on that day not cancelled,
        # after as many cancelled ones on that day as the notice's sequence
        # (visit_notices: a day booked again is a new occasion).
        on_the_day = PostInspectionVisit.objects.filter(
            inspection_id=OuterRef("inspection_id"), visit_on=OuterRef("due_on")
        )
        cancelled_that_day = (
            on_the_day.filter(cancelled_at__isnull=False)
            .order_by()
            .values("inspection_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        booking_stands = Exists(on_the_day.booked()) & Q(
            sequence=Coalesce(Subquery(cancelled_that_day), 0)
        )
        on_team = Inspection.team.through.objects.filter(
            inspection_id=OuterRef("inspection_id"), user_id=OuterRef("recipient_id")
        )
        leads = Q(inspection__lead_inspector_id=F("recipient_id"))
        still_off = ~Q(kind=Notice.Kind.TEAM_LEFT) | ~(leads | Exists(on_team))
        # What "no longer lead inspector" says of the team holds too: one
        # saying they are still on it (sent with the inspection's link) only
        # while they are; one saying they are not (no link) only while not.
        team_as_said = Q(link="") & ~Exists(on_team) | ~Q(link="") & Exists(on_team)
        still_replaced = ~Q(kind=Notice.Kind.LEAD_REPLACED) | ~leads & team_as_said
        told_again = Notice.objects.filter(
            recipient_id=OuterRef("recipient_id"),
            kind=OuterRef("kind"),
            inspection_id=OuterRef("inspection_id"),
            sequence__gt=OuterRef("sequence"),
        )
        on_it = Q(kind__in=(Notice.Kind.TEAM_JOINED, Notice.Kind.LEAD_ASSIGNED))
        not_ended = ~Q(inspection__stage__in=Inspection.ENDED_STAGES)
        told_now = ~on_it | not_ended & ~Exists(told_again)
        still_lead = ~Q(kind=Notice.Kind.LEAD_ASSIGNED) | leads
        cases_open = ~Q(kind=Notice.Kind.CASES_HANDED_BACK) | Q(
            inspection__stage__in=EDITABLE_STAGES
        )
        reviewing = (
            apps.get_model("casefiles", "Case")
            .objects.filter(
                inspection_id=OuterRef("inspection_id"), reviewer_id=OuterRef("recipient_id")
            )
            .annotate(page=_case_page())
            .filter(page=OuterRef("link"))
        )
        still_reviewing = ~Q(kind=Notice.Kind.CASE_REPLACED) | Exists(reviewing)
        return self.filter(
            still_off,
            still_replaced,
            told_now,
            still_lead,
            cases_open,
            still_reviewing,
            (
                ~chasing
                | (
                    ~Q(inspection__stage=Inspection.Stage.CLOSED)
                    & (plan_open | response_open)
                    & on_its_day
                    & current_week
                )
            )
            & (~Q(kind=Notice.Kind.VISIT_BOOKED) | booking_stands),
        )

    def unread(self) -> "NoticeQuerySet":
        return self.filter(read_at__isnull=True)


class Notice(BaseModel):
    """One notice sent to one person: the in-app notification and the proof of the email.

    The unique constraint names the occasion (who, what kind, which deadline
    and due date, which reminder or overdue week or version), so a second
    sweep, or a second worker racing the first, cannot insert it again. The
    row is claimed first; the email goes only for rows this run inserted,
    after the transaction commits.
    """

    class Kind(models.TextChoices):
        REMINDER = "reminder", "Reminder"
        OVERDUE = "overdue", "Overdue"
        PLAN_SUBMITTED = "plan_submitted", "Plan submitted"
        PLAN_ACCEPTED = "plan_accepted", "Plan accepted"
        PLAN_RETURNED = "plan_returned", "Plan returned"
        VISIT_BOOKED = "visit_booked", "Post-inspection visit booked"
        VISIT_CANCELLED = "visit_cancelled", "Post-inspection visit cancelled"
        PLAN_DUE = "plan_due", "Plan due date set"
        POINTS_SENT = "points_sent", "Factual accuracy points sent"
        POINTS_ANSWERED = "points_answered", "Factual accuracy points answered"
        RESPONSE_CHANGED = "response_changed", "Factual accuracy response changed"
        INSPECTION_CANCELLED = "inspection_cancelled", "Inspection cancelled"
        TEAM_JOINED = "team_joined", "Put on an inspection team"
        LEAD_ASSIGNED = "lead_assigned", "Made lead inspector"
        TEAM_LEFT = "team_left", "Taken off an inspection team"
        LEAD_REPLACED = "lead_replaced", "No longer lead inspector"
        CASES_HANDED_BACK = "cases_handed_back", "Case file reviews handed back"
        CASE_TAKEN_OUT = "case_taken_out", "Case reviewed taken out of the sample"
        CASE_REPLACED = "case_replaced", "Case reviewed replaced in the sample"

    class Subject(models.TextChoices):
        ACTION_PLAN = "action_plan", "Action plan"
        UPDATED_ACTION_PLAN = "updated_action_plan", "Updated action plan"
        POST_INSPECTION_VISIT = "post_inspection_visit", "Post-inspection visit"
        FACTUAL_ACCURACY = "factual_accuracy", "Factual accuracy checks"
        PCC_RESPONSE = "pcc_response", "Police and crime commissioner's response"
        FIELDWORK = "fieldwork", "Fieldwork"

    # No index of its own: the unique constraint and (recipient, read_at)
    # both start with it, and the sweep writes notices by the hundred thousand.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notices", db_index=False
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    inspection = models.ForeignKey(
        "inspections.Inspection", on_delete=models.PROTECT, related_name="notices"
    )
    subject = models.CharField(max_length=30, choices=Subject.choices)
    due_on = models.DateField(help_text="The due date or visit date the notice is about.")
    sequence = models.PositiveSmallIntegerField(
        default=0,
        help_text="Days before for a reminder, the week for an overdue notice, "
        "the version number for a plan notice, the force's sending of factual "
        "accuracy points (1, 2…) for theirs, the times the person was told before "
        "for a team or lead notice, one of leaving either, or of case file reviews "
        "handed back (0, 1…), and the times before the person was told of a case "
        "they review taken out of the sample (0, 1…).",
    )
    sent_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # Never emailed again once refused for good; the notice still shows in the
    # service. db_default: the sweep's claim inserts notices by raw SQL.
    email_refused_at = models.DateTimeField(
        null=True, blank=True, help_text="When the mail server refused its email for good."
    )
    email_refusal = models.CharField(
        max_length=300, blank=True, db_default="", help_text="The mail server's code and reply."
    )
    read_at = models.DateTimeField(null=True, blank=True)
    title = models.CharField(max_length=200)
    body = models.TextField()
    link = models.CharField(max_length=300, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "inspection", "subject", "due_on", "sequence"],
                name="one_notice_per_occasion",
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            # The sweep's look for emails still to send: a handful, in normal times.
            models.Index(
                fields=["sent_at"],
                condition=Q(emailed_at__isnull=True),
                name="notice_not_emailed_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (to {self.recipient})"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


# Telling someone they are off an inspection: theirs to read though the
# inspection is no longer theirs to see (NoticeQuerySet.for_user).
LEFT_KINDS = (Notice.Kind.TEAM_LEFT, Notice.Kind.LEAD_REPLACED)


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(BaseModel):
    """A private calendar address: whoever holds the token can read the feed,
    so the user can rotate it at any time."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token)

    def __str__(self) -> str:
        return f"Calendar feed for {self.user}"

    @property
    def ended(self) -> bool:
        """Made before an admin last ended the person's sessions (a
        deactivation, a two-factor reset): the link stops with them, so a
        calendar program on a stolen laptop does not read on after the
        account is reactivated."""
        ended_at = self.user.sessions_ended_at
        return ended_at is not None and self.updated_at < ended_at
