"""The deadline engine: every notice is a row, claimed once, emailed after commit.

A notice is built unsaved, then inserted with ON CONFLICT DO NOTHING against
the unique constraint naming its occasion (recipient, kind, deadline, due
date, sequence). Only the rows this call inserted are emailed, and only once
the transaction commits, so a rollback never sends and a second sweep, or a
second worker racing the first, sends nothing twice.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.templatetags.govuk import govuk_date
from inspections.models import Inspection

from .models import ActionPlan, ActionPlanVersion, Notice, PostInspectionVisit, described

SIGN_IN = "Sign in to the child protection inspections service to see it."
# An email not sent this long after its notice was claimed is queued again by
# the next sweep, for up to a week.
EMAIL_GRACE = timedelta(minutes=15)
EMAIL_GIVE_UP = timedelta(days=7)


def _key(notice: Notice) -> tuple:
    return (
        str(notice.recipient_id),
        notice.kind,
        str(notice.inspection_id),
        notice.subject,
        notice.due_on,
        notice.sequence,
    )


def notices_claim(candidates: list[Notice]) -> list[Notice]:
    """Insert the notices not already sent and return the ones this call inserted.

    One INSERT ... ON CONFLICT DO NOTHING and one SELECT, however many
    notices. Primary keys are made here, so the SELECT finds exactly the rows
    this call wrote: a notice another worker inserted first keeps that
    worker's key. Rows go in a fixed order so two racing workers take the
    unique-index locks in the same order and cannot deadlock. Must run inside
    a transaction: the emails are queued for after it commits.
    """
    if not candidates:
        return []
    candidates = sorted({_key(n): n for n in candidates}.values(), key=_key)
    Notice.objects.bulk_create(candidates, ignore_conflicts=True)
    inserted = set(
        Notice.objects.filter(pk__in=[n.pk for n in candidates]).values_list("pk", flat=True)
    )
    created = [n for n in candidates if n.pk in inserted]
    _email_after_commit([str(n.pk) for n in created])
    return created


def _email_after_commit(ids: list[str]) -> None:
    # robust: if the broker is down, the change a person made still stands and
    # the page still answers; the next sweep re-queues the unsent email.
    if ids:
        transaction.on_commit(lambda: _enqueue_emails(ids), robust=True)


def _enqueue_emails(ids: list[str]) -> None:
    from .tasks import send_notice_email

    for notice_id in ids:
        send_notice_email.delay(notice_id)


def notice_email(*, notice_id: str) -> bool:
    """Email one notice, once. The row lock makes a duplicate task wait, then
    find it already emailed; a failure rolls back, so a retry sends it."""
    with transaction.atomic():
        notice = (
            Notice.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=notice_id, emailed_at__isnull=True)
            .first()
        )
        if notice is None or not notice.recipient.is_active:
            return False
        EmailMessage(
            subject=notice.title,
            body=f"{notice.body}\n\n{SIGN_IN}",
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notice.recipient.email],
        ).send()
        notice.emailed_at = timezone.now()
        notice.save(update_fields=["emailed_at", "updated_at"])
    return True


def _force_leads(force_ids) -> dict:
    leads: dict = {}
    users = User.objects.filter(role=User.Role.FORCE_LEAD, is_active=True, force_id__in=force_ids)
    for user in users:
        leads.setdefault(user.force_id, []).append(user)
    return leads


def _admins() -> list[User]:
    return list(User.objects.filter(role=User.Role.ADMIN, is_active=True))


def _notice(recipients, **fields) -> list[Notice]:
    return [Notice(recipient=user, **fields) for user in {u.pk: u for u in recipients}.values()]


# --- Plan and visit notices, sent by the services ----------------------------


def plan_notices(*, version: ActionPlanVersion, plan: ActionPlan, kind: str) -> list[Notice]:
    """Confirm a submission to the force and tell the lead inspector; tell the
    force of an acceptance or a return."""
    inspection = plan.inspection
    label = plan.get_kind_display()
    what = f"{label} version {version.number}"
    recipients = _force_leads([inspection.force_id]).get(inspection.force_id, [])
    if kind == Notice.Kind.PLAN_SUBMITTED:
        title = f"{what} submitted: {inspection.force.short_name}"
        body = (
            f"{version.submitted_by} submitted version {version.number} of the {label.lower()} "
            f"for the {described(inspection)} on {govuk_date(version.submitted_at)}. "
            "The lead inspector will accept it or return it with comments."
        )
        recipients = [*recipients, inspection.lead_inspector]
    elif kind == Notice.Kind.PLAN_ACCEPTED:
        title = f"{what} accepted: {inspection.force.short_name}"
        body = f"The lead inspector accepted version {version.number} of the {label.lower()} "
        body += f"for the {described(inspection)}."
        if version.review_comment:
            body += f"\n\nTheir comments:\n\n{version.review_comment}"
    else:
        title = f"{what} returned: {inspection.force.short_name}"
        body = (
            f"The lead inspector returned version {version.number} of the {label.lower()} "
            f"for the {described(inspection)} with these comments:\n\n{version.review_comment}\n\n"
            "Your next version starts from this one's responses."
        )
    candidates = _notice(
        recipients,
        kind=kind,
        inspection=inspection,
        subject=plan.kind,
        due_on=plan.due_on or timezone.localdate(),
        sequence=version.number,
        title=title,
        body=body,
        link=plan.get_absolute_url(),
    )
    return notices_claim(candidates)


def visit_notices(*, visit: PostInspectionVisit) -> datetime:
    """Give the force its notice of a visit; returns when it was sent."""
    inspection = Inspection.objects.select_related("force").get(pk=visit.inspection_id)
    force = inspection.force
    sent_at = timezone.now()
    candidates = _notice(
        _force_leads([force.pk]).get(force.pk, []),
        kind=Notice.Kind.VISIT_BOOKED,
        inspection=inspection,
        subject=Notice.Subject.POST_INSPECTION_VISIT,
        due_on=visit.visit_on,
        sequence=0,
        sent_at=sent_at,
        title=f"Post-inspection visit on {govuk_date(visit.visit_on)}: {force.short_name}",
        body=(
            f"Inspectors will visit {force.name} on {govuk_date(visit.visit_on)} for the "
            f"post-inspection visit after the {described(inspection)}. They will interview "
            "officers and staff, including chief officers and the child protection lead, review a "
            "limited set of documents recording progress on the action plan, and give "
            "feedback on the day."
        ),
        link=visit.get_absolute_url(),
    )
    notices_claim(candidates)
    return sent_at


# --- The sweep ----------------------------------------------------------------


def _open_deadlines(kind: str, today: date, reminder_dates: list[date]):
    """Inspections whose plan of this kind is unsubmitted and due for a notice today."""
    field = ActionPlan.DUE_FIELDS[kind]
    submitted = ActionPlanVersion.objects.filter(plan__inspection=OuterRef("pk"), plan__kind=kind)
    return (
        Inspection.objects.exclude(stage=Inspection.Stage.CLOSED)
        .filter(Q(**{f"{field}__in": reminder_dates}) | Q(**{f"{field}__lt": today}))
        .filter(~Exists(submitted))
        .select_related("force", "lead_inspector")
        .order_by()
    )


def _reminder(inspection, kind, due_on, days_left, recipients) -> list[Notice]:
    label = ActionPlan.Kind(kind).label
    day_word = "day" if days_left == 1 else "days"
    return _notice(
        recipients,
        kind=Notice.Kind.REMINDER,
        inspection=inspection,
        subject=kind,
        due_on=due_on,
        sequence=days_left,
        title=f"{label} due in {days_left} {day_word}: {inspection.force.short_name}",
        body=(
            f"The {label.lower()} for the {described(inspection)} is due on {govuk_date(due_on)}. "
            "Upload the plan and respond to each cause of concern and recommendation"
            + (" and area for improvement." if kind == ActionPlan.Kind.UPDATED_ACTION_PLAN else ".")
        ),
        link=reverse("actionplans:plan", args=[inspection.pk, ActionPlan.SLUGS[kind]]),
    )


def _overdue(inspection, kind, due_on, days_late, recipients) -> list[Notice]:
    label = ActionPlan.Kind(kind).label
    return _notice(
        recipients,
        kind=Notice.Kind.OVERDUE,
        inspection=inspection,
        subject=kind,
        due_on=due_on,
        # Week 1 starts the day after the due date; one notice a week.
        sequence=(days_late - 1) // 7 + 1,
        title=f"{label} overdue: {inspection.force.short_name}",
        body=(
            f"The {label.lower()} for the {described(inspection)} was due on {govuk_date(due_on)} "
            f"and has not been submitted. It is {days_late} day{'s' if days_late != 1 else ''} "
            "overdue."
        ),
        link=reverse("actionplans:plan", args=[inspection.pk, ActionPlan.SLUGS[kind]]),
    )


def notices_sweep(*, today: date | None = None) -> int:
    """Send today's reminders and overdue notices; return how many were sent.

    Reminders go to the force leads REMINDER_DAYS_BEFORE each due date, on
    that day only: after downtime a reminder whose day has passed is stale
    and is skipped. Overdue notices go to the force leads, the lead inspector
    and the admins from the day after the due date, once a week while the
    plan is unsubmitted; after downtime the current week's is sent. Queries:
    one to re-queue unsent emails, two for the deadlines, two for the
    recipients, one insert, one select.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        _requeue_unsent_emails()
    reminder_days = settings.PROGRAMME_RULES["REMINDER_DAYS_BEFORE"]
    reminder_dates = [date.fromordinal(today.toordinal() + days) for days in reminder_days]
    deadlines = [
        (inspection, kind, getattr(inspection, ActionPlan.DUE_FIELDS[kind]))
        for kind in ActionPlan.Kind.values
        for inspection in _open_deadlines(kind, today, reminder_dates)
    ]
    if not deadlines:
        return 0
    leads = _force_leads({inspection.force_id for inspection, _, _ in deadlines})
    admins = _admins() if any(due_on < today for _, _, due_on in deadlines) else []
    candidates: list[Notice] = []
    for inspection, kind, due_on in deadlines:
        force_leads = leads.get(inspection.force_id, [])
        days_left = (due_on - today).days
        if days_left in reminder_days:
            candidates += _reminder(inspection, kind, due_on, days_left, force_leads)
        elif days_left < 0:
            lead = [inspection.lead_inspector] if inspection.lead_inspector.is_active else []
            recipients = [*force_leads, *lead, *admins]
            candidates += _overdue(inspection, kind, due_on, -days_left, recipients)
    with transaction.atomic():
        return len(notices_claim(candidates))


def _requeue_unsent_emails() -> None:
    """Queue again the emails of notices claimed but not yet emailed: the broker
    was down when they were claimed, or the task ran out of retries. The email
    task re-checks under a row lock, so an email still queued is not doubled."""
    now = timezone.now()
    ids = Notice.objects.filter(
        emailed_at__isnull=True,
        recipient__is_active=True,
        sent_at__lt=now - EMAIL_GRACE,
        sent_at__gte=now - EMAIL_GIVE_UP,
    ).values_list("pk", flat=True)
    _email_after_commit([str(pk) for pk in ids])
