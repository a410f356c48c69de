"""The deadline engine: every notice is a row, claimed once, emailed after commit.

A notice is built unsaved, then inserted with ON CONFLICT DO NOTHING against
the unique constraint naming its occasion (recipient, kind, deadline, due
date, sequence). Only the rows this call inserted are emailed, and only once
the transaction commits, so a rollback never sends and a second sweep, or a
second worker racing the first, sends nothing twice.

The sweep runs over every open deadline in the country (100,000 of them in
the benchmark, benchmarks/RESULTS.md), so it works in plain values rather
than model instances: ids are read as text, each notice's words are made once
per deadline and shared by its recipients, occasions already noticed are
skipped before anything is built, and on PostgreSQL the new notices go in by
one COPY and one INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING id.
Emails are queued in batches. Its queries do not grow with the deadlines.
"""

import contextlib
import gc
import io
import logging
import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    F,
    OuterRef,
    Q,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Replace
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.links import ANY, url_maker
from core.mail import send_unless_refused
from core.templatetags.govuk import govuk_date
from forces.models import Force
from inspections.models import Inspection

from .models import (
    LEFT_KINDS,
    ActionPlan,
    ActionPlanVersion,
    Notice,
    PostInspectionVisit,
    described,
    described_as,
)

logger = logging.getLogger(__name__)

SIGN_IN = "Sign in to the child protection inspections service to see it"
PCC_RESPONSE = Notice.Subject.PCC_RESPONSE.value
# An email not sent this long after its notice was claimed is queued again by
# the next sweep, for up to a week.
EMAIL_GRACE = timedelta(minutes=15)
EMAIL_GIVE_UP = timedelta(days=7)


class Candidate(NamedTuple):
    """A notice not yet claimed, in plain values; ids as text."""

    recipient_id: str
    kind: str
    inspection_id: str
    subject: str
    due_on: date
    sequence: int
    title: str
    body: str
    link: str
    id: str | None = None  # made by the database unless given

    @property
    def key(self) -> tuple:
        """The occasion, as the unique constraint names it."""
        return self[:6]


def notices_claim(candidates: list[Notice]) -> list[Notice]:
    """Insert the notices not already sent and return the ones this call inserted.

    Must run inside a transaction: the emails are queued for after it commits.
    """
    inserted = set(
        notices_claim_rows(
            [
                Candidate(
                    str(n.recipient_id),
                    n.kind,
                    str(n.inspection_id),
                    n.subject,
                    n.due_on,
                    n.sequence,
                    n.title,
                    n.body,
                    n.link,
                    str(n.pk),
                )  # fmt: skip
                for n in candidates
            ],
            sent_at=candidates[0].sent_at if candidates else None,
        )
    )
    return [n for n in candidates if str(n.pk) in inserted]


def notices_claim_rows(candidates: list[Candidate], sent_at: datetime | None = None) -> list[str]:
    """Insert the candidates not already sent; return the ids (as text) of the
    rows this call inserted, and queue their emails for after the commit.

    However many there are: on PostgreSQL one COPY into a temporary table and
    one INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING id; elsewhere
    one INSERT and one SELECT. A notice another worker inserted first is not
    returned, so it is not emailed twice. Rows go in sorted by their occasion
    so two racing workers take the unique-index locks in the same order and
    cannot deadlock.
    """
    if not candidates:
        return []
    sent_at = sent_at or timezone.now()
    if connection.vendor == "postgresql":
        created = _claim_by_copy(candidates, sent_at)
    else:
        created = _claim_by_insert(candidates, sent_at)
    _email_after_commit(created)
    return created


CLAIM_TABLE = "actionplans_notice_claim"
CLAIM_COLUMNS = ["recipient_id", "kind", "inspection_id", "subject", "due_on", "sequence"]
CLAIM_COLUMNS += ["title", "body", "link"]


COPY_NULL = "\\N"


def _escaped(text: str) -> str:
    """Free text in COPY's text format."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        text = text.replace("\r", "\\r")
    return text


def _copy_line(c: Candidate) -> str:
    # Ids, kinds, dates and numbers never need escaping; the words might.
    return (
        f"{c.recipient_id}\t{c.kind}\t{c.inspection_id}\t{c.subject}\t{c.due_on}\t"
        f"{c.sequence}\t{_escaped(c.title)}\t{_escaped(c.body)}\t{_escaped(c.link)}\t"
        f"{c.id or COPY_NULL}\n"
    )


def _claim_by_copy(candidates: list[Candidate], sent_at: datetime) -> list[str]:
    columns = ", ".join(CLAIM_COLUMNS)
    all_columns = f"{columns}, id"
    buffer = io.StringIO()
    buffer.writelines(map(_copy_line, candidates))
    buffer.seek(0)
    with connection.cursor() as cursor:
        # Lives for the connection, emptied at each commit. Table and column
        # names are our own constants; the values go by COPY and parameters.
        create = (
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {CLAIM_TABLE} ON COMMIT DELETE ROWS AS "  # noqa: S608  # nosec B608
            f"SELECT {all_columns} FROM actionplans_notice WITH NO DATA"
        )
        cursor.execute(f"{create}; TRUNCATE {CLAIM_TABLE}")
        cursor.cursor.copy_expert(f"COPY {CLAIM_TABLE} ({all_columns}) FROM STDIN", buffer)
        cursor.execute(
            f"INSERT INTO actionplans_notice (id, created_at, updated_at, sent_at, {columns}) "  # noqa: S608  # nosec B608
            f"SELECT COALESCE(id, gen_random_uuid()), %s, %s, %s, {columns} FROM {CLAIM_TABLE} "
            "ORDER BY recipient_id, kind, inspection_id, subject, due_on, sequence "
            "ON CONFLICT DO NOTHING RETURNING id::text",
            [sent_at, sent_at, sent_at],
        )
        return [row[0] for row in cursor.fetchall()]


def _claim_by_insert(candidates: list[Candidate], sent_at: datetime) -> list[str]:
    def notice(candidate: Candidate) -> Notice:
        fields = candidate._asdict()
        fields["id"] = uuid.UUID(candidate.id) if candidate.id else uuid.uuid4()
        return Notice(sent_at=sent_at, **fields)

    by_key = {c.key: c for c in candidates}
    notices = [notice(by_key[key]) for key in sorted(by_key, key=lambda k: tuple(map(str, k)))]
    Notice.objects.bulk_create(notices, ignore_conflicts=True)
    inserted = set(
        Notice.objects.filter(pk__in=[n.pk for n in notices]).values_list("pk", flat=True)
    )
    return [str(n.pk) for n in notices if n.pk in inserted]


def _email_after_commit(ids: list[str]) -> None:
    # robust: if the broker is down, the change a person made still stands and
    # the page still answers; the next sweep re-queues the unsent email.
    if ids:
        transaction.on_commit(lambda: _enqueue_emails(ids), robust=True)


EMAIL_BATCH = 200


def _enqueue_emails(ids: list[str]) -> None:
    """One task per batch of notices, not one per notice: a sweep may send
    tens of thousands, and each message to the broker is a round trip."""
    from .tasks import send_notice_emails

    for start in range(0, len(ids), EMAIL_BATCH):
        send_notice_emails.delay(ids[start : start + EMAIL_BATCH])


def notice_email(*, notice_id: str) -> bool:
    """Email one notice, once. The row lock makes a duplicate task wait, then
    find it already emailed; a failure rolls back, so a retry sends it. A
    refusal for good (core.mail.permanent_refusal) is recorded on the notice, which is then
    never emailed again, and returns False rather than raising: a retry
    would only be refused again."""
    with transaction.atomic():
        notice = (
            Notice.objects.select_for_update(of=("self",))
            .select_related("recipient", "inspection")
            .filter(pk=notice_id, emailed_at__isnull=True, email_refused_at__isnull=True)
            .still_due()
            .first()
        )
        if notice is None or not notice.recipient.is_active:
            return False
        visible = notice.inspection.is_visible_to(notice.recipient)
        theirs = notice.kind in LEFT_KINDS and notice.recipient.is_inspector
        if not (theirs or visible):
            # A force lead moved to another force since, a lead inspector
            # replaced, an inspector off the team: not theirs to read now
            # (but for being told they are off it: NoticeQuerySet.for_user).
            logger.info("Notice %s not emailed: its recipient may no longer see it", notice_id)
            return False
        # The page's address, so the email says where (found by a review: it
        # said only "sign in"). No token in it: the page asks for sign-in.
        # Not a page they may no longer open (NoticeQuerySet.with_links).
        link = notice.link if visible else ""
        where = f": {settings.SERVICE_URL}{link}" if link else "."
        message = EmailMessage(
            subject=notice.title,
            body=f"{_late(notice)}{notice.body}\n\n{SIGN_IN}{where}",
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notice.recipient.email],
        )
        refusal = send_unless_refused(message, about=f"notice {notice_id}")
        if refusal is not None:
            notice.email_refused_at = timezone.now()
            notice.email_refusal = str(refusal)
            notice.save(update_fields=["email_refused_at", "email_refusal", "updated_at"])
            return False
        notice.emailed_at = timezone.now()
        notice.save(update_fields=["emailed_at", "updated_at"])
    return True


def _late(notice: Notice) -> str:
    """A line first in an email sent on a later day than its notice was
    written (the broker was down; the sweep queues it again for up to a
    week): the notice's words hold for the day it was written ("It is 3 days
    overdue"), and the email said them as if of today."""
    written = timezone.localdate(notice.sent_at)
    if written >= timezone.localdate():
        return ""
    return f"This was written on {govuk_date(written)}. Its email was delayed.\n\n"


def told_sentence(notices, *, inspection: Inspection, force_words: str, team: bool) -> str:
    """Who the notices sent told, in a sentence for the confirmation ("The
    force and the lead inspector have been told"), and that the force has no
    force lead in the service to tell where none was: it may need telling
    another way (found by the admin's work review: all were always said told)."""
    told = list(notices.values_list("recipient__role", "recipient_id"))
    leads = any(role == User.Role.FORCE_LEAD for role, _ in told)
    lead = any(pk == inspection.lead_inspector_id for _, pk in told)
    others = any(
        role != User.Role.FORCE_LEAD and pk != inspection.lead_inspector_id for role, pk in told
    )
    groups = ((force_words, leads), ("the lead inspector", lead), ("the team", team and others))
    names = [name for name, was_told in groups if was_told]
    parts = []
    if names:
        said = ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]
        plural = len(names) > 1 or names[0] in ("the force’s leads", "the team")
        parts.append(f"{said} {'have' if plural else 'has'} been told")
    elif team:
        parts.append("no one has been told in the service")
    if not leads:
        parts.append(f"{inspection.force.short_name} has no force lead in the service to tell")
    said = ". ".join(parts)
    return f"{said[0].upper()}{said[1:]}"


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
    to_review = None  # the lead inspector's words, where theirs differ
    if kind == Notice.Kind.PLAN_SUBMITTED:
        title = f"{what} submitted: {inspection.force.short_name}"
        submitted = (
            f"{version.submitted_by} submitted version {version.number} of the {label.lower()} "
            f"for the {described(inspection)} on {govuk_date(version.submitted_at)}."
        )
        body = f"{submitted} The lead inspector will accept it or return it with comments."
        to_review = f"{submitted} Review it: accept it, or return it with comments."
    # The lead inspector's comments stay in the service, on the plan's page:
    # they may quote causes of concern or cases not yet published, and an
    # email leaves the service's protection (found by an email review).
    elif kind == Notice.Kind.PLAN_ACCEPTED:
        title = f"{what} accepted: {inspection.force.short_name}"
        body = f"The lead inspector accepted version {version.number} of the {label.lower()} "
        body += f"for the {described(inspection)}."
        if version.review_comment:
            body += " Read their comments on the plan's page."
    else:
        title = f"{what} returned: {inspection.force.short_name}"
        body = (
            f"The lead inspector returned version {version.number} of the {label.lower()} "
            f"for the {described(inspection)} with comments. Read them on the plan's page, "
            "then submit a new version. Your next version starts from this one's responses."
        )
    fields = {
        "kind": kind,
        "inspection": inspection,
        "subject": plan.kind,
        "due_on": plan.due_on or timezone.localdate(),
        "sequence": version.number,
        "title": title,
        "link": plan.get_absolute_url(),
    }
    candidates = _notice(recipients, body=body, **fields)
    if to_review is not None:
        candidates += _notice([inspection.lead_inspector], body=to_review, **fields)
    return notices_claim(candidates)


def plan_due_notices(*, inspection: Inspection, kinds: list[str], corrected: bool = False):
    """Tell the force's leads the date each plan of these kinds is now due:
    when the force receives the report (the action plan), when it is
    published (the updated action plan), and when an admin corrects a date
    they hang on. Until now the first they heard was the reminder a week
    before. One notice per plan and due date, so a repeat sends nothing."""
    force = inspection.force
    recipients = _force_leads([force.pk]).get(force.pk, [])
    candidates = []
    # A date corrected, or received, long enough ago is already past (found
    # by the dates review: "due on 20 November" was sent on the 27th).
    today = timezone.localdate()

    def is_due(due_on: date) -> str:
        return "was due" if due_on < today else "is due"

    def overdue(due_on: date) -> str:
        return ", so it is overdue" if due_on < today else ""

    for kind in kinds:
        due_on = getattr(inspection, ActionPlan.DUE_FIELDS[kind])
        sent_in = ActionPlanVersion.objects.filter(
            plan__inspection=inspection, plan__kind=kind, status__in=ActionPlanVersion.IN
        )
        if due_on is None or sent_in.exists():
            continue  # a plan in, or accepted, is not due (a correction at follow-up)
        label = ActionPlan.Kind(kind).label
        if corrected:
            why = "An admin corrected the date it is worked out from."
        elif kind == ActionPlan.Kind.ACTION_PLAN:
            why = (
                f"{force.name} received the draft report for pre-publication checks on "
                f"{govuk_date(inspection.received_for_checks_on)}."
            )
        else:
            why = f"The report was published on {govuk_date(inspection.published_on)}."
        what = (
            "It must respond to every cause of concern and recommendation."
            if kind == ActionPlan.Kind.ACTION_PLAN
            else "It must update the action plan and respond to every area for improvement too."
        )
        candidates += _notice(
            recipients,
            kind=Notice.Kind.PLAN_DUE,
            inspection=inspection,
            subject=kind,
            due_on=due_on,
            # A date corrected back to one told before (A, B, then A again)
            # is told again: one more than the other dates already told.
            sequence=Notice.objects.filter(
                inspection=inspection, kind=Notice.Kind.PLAN_DUE, subject=kind
            )
            .exclude(due_on=due_on)
            .values("due_on", "sequence")
            .distinct()
            .count(),
            title=f"{label} {'was due' if due_on < today else 'due'} on {govuk_date(due_on)}: "
            f"{force.short_name}",
            body=(
                f"The {label.lower()} for the {described(inspection)} {is_due(due_on)} on "
                f"{govuk_date(due_on)}{overdue(due_on)}. {why} {what}"
            ),
            link=reverse("actionplans:plan", args=[inspection.pk, ActionPlan.SLUGS[kind]]),
        )
    return notices_claim(candidates)


def visit_notices(*, visit: PostInspectionVisit) -> datetime | None:
    """Give the force its notice of a visit; returns when it was sent, or None
    if nobody was given it (the force has no active force lead)."""
    inspection = Inspection.objects.select_related("force").get(pk=visit.inspection_id)
    force = inspection.force
    sent_at = timezone.now()
    candidates = _notice(
        _force_leads([force.pk]).get(force.pk, []),
        kind=Notice.Kind.VISIT_BOOKED,
        inspection=inspection,
        subject=Notice.Subject.POST_INSPECTION_VISIT,
        due_on=visit.visit_on,
        sequence=_cancelled_before(visit),
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
    return sent_at if notices_claim(candidates) else None


def _cancelled_before(visit: PostInspectionVisit) -> int:
    """How many other visits of the inspection on the same day were cancelled:
    the notices of a day booked again are new occasions, not repeats."""
    return (
        PostInspectionVisit.objects.filter(
            inspection_id=visit.inspection_id, visit_on=visit.visit_on, cancelled_at__isnull=False
        )
        .exclude(pk=visit.pk)
        .count()
    )


def visit_cancelled_notices(*, visit: PostInspectionVisit) -> list[Notice]:
    """Tell the force, and the lead inspector, that a booked visit will not happen."""
    inspection = Inspection.objects.select_related("force", "lead_inspector").get(
        pk=visit.inspection_id
    )
    force = inspection.force
    recipients = [*_force_leads([force.pk]).get(force.pk, [])]
    if inspection.lead_inspector.is_active:
        recipients.append(inspection.lead_inspector)
    when = govuk_date(visit.visit_on)
    return notices_claim(
        _notice(
            recipients,
            kind=Notice.Kind.VISIT_CANCELLED,
            inspection=inspection,
            subject=Notice.Subject.POST_INSPECTION_VISIT,
            due_on=visit.visit_on,
            sequence=_cancelled_before(visit),
            title=f"Post-inspection visit on {when} cancelled: {force.short_name}",
            # The reason stays on the visit's page: it is free text, and an
            # email leaves the service's protection. "The force" is given
            # notice of a new visit: the lead inspector is told this too.
            body=(
                f"The post-inspection visit to {force.name} on {when}, after the "
                f"{described(inspection)}, is cancelled. The reason is on the visit's page. "
                "If another visit is booked, the force will be given notice of it."
            ),
            link=visit.get_absolute_url(),
        )
    )


def inspection_cancelled_notices(*, inspection: Inspection) -> list[Notice]:
    """Tell the force's leads, the lead inspector and the team that a planned
    inspection will not take place, and its fieldwork dates are free."""
    force = inspection.force
    team = [m for m in inspection.team.all() if m.is_active]
    lead = [inspection.lead_inspector] if inspection.lead_inspector.is_active else []
    start, end = govuk_date(inspection.fieldwork_start), govuk_date(inspection.fieldwork_end)
    return notices_claim(
        _notice(
            [*_force_leads([force.pk]).get(force.pk, []), *lead, *team],
            kind=Notice.Kind.INSPECTION_CANCELLED,
            inspection=inspection,
            subject=Notice.Subject.FIELDWORK,
            due_on=inspection.fieldwork_start,
            title=f"Inspection cancelled: {force.short_name}, fieldwork from {start}",
            # As for a visit: the reason, free text, stays on the inspection's
            # page, since an email leaves the service's protection.
            body=(
                f"The {described(inspection)}, with fieldwork planned from {start} to {end}, "
                "is cancelled. The fieldwork will not take place. The reason is on the "
                "inspection's page."
            ),
            link=inspection.get_absolute_url(),
        )
    )


TEAM_KINDS = (Notice.Kind.LEAD_ASSIGNED, Notice.Kind.TEAM_JOINED)


def team_notices(*, inspection: Inspection, joined: set) -> list[Notice]:
    """Tell the lead inspector and each inspector on the team that they are
    on the inspection, and its fieldwork dates: when an admin schedules it or
    changes its plan. Those who `joined` just now (their ids: added to the
    team, or made its lead) are told; so is anyone whose last notice gave
    other dates; a plan saved with nothing changed for someone tells them
    nothing. Not for fieldwork already over (an inspection recorded after
    the event): there is nothing to prepare for."""
    if inspection.fieldwork_end < timezone.localdate():
        return []
    lead = inspection.lead_inspector
    team = [m for m in inspection.team.all() if m.is_active and m.pk != lead.pk]
    candidates = [*_lead_notice(inspection), *_team_notice(inspection, team)]
    return notices_claim(_told_again(inspection, candidates, joined))


def new_lead_notice(*, inspection: Inspection) -> list[Notice]:
    """Tell an inspection's new lead inspector, whatever its dates: a lead is
    changed after fieldwork, when its moderation and sign-off are theirs."""
    joined = {inspection.lead_inspector_id}
    return notices_claim(_told_again(inspection, _lead_notice(inspection), joined))


def _told_again(inspection: Inspection, candidates: list[Notice], joined: set) -> list[Notice]:
    """The candidates to send: to those who joined, or were last told other
    words (other dates). Each is numbered one after the person's last notice
    of its kind about the inspection, so a lead given the inspection back, or
    dates moved back, are told again (found by a code review)."""
    last: dict = {}
    told = (
        Notice.objects.filter(inspection=inspection, kind__in={n.kind for n in candidates})
        .order_by("sequence")
        .values_list("recipient_id", "kind", "sequence", "body")
    )
    for recipient_id, kind, sequence, body in told:
        last[recipient_id, kind] = (sequence, body)
    send = []
    for notice in candidates:
        sequence, body = last.get((notice.recipient_id, notice.kind), (-1, None))
        if body == notice.body and notice.recipient_id not in joined:
            continue
        notice.sequence = sequence + 1
        send.append(notice)
    return send


def _team_fields(inspection: Inspection) -> dict:
    return {
        "inspection": inspection,
        "subject": Notice.Subject.FIELDWORK,
        "due_on": inspection.fieldwork_start,
        "link": inspection.get_absolute_url(),
    }


def _fieldwork(inspection: Inspection) -> str:
    start, end = govuk_date(inspection.fieldwork_start), govuk_date(inspection.fieldwork_end)
    if inspection.fieldwork_end < timezone.localdate():
        return f"Its fieldwork ran from {start} to {end}."
    return f"Its fieldwork is from {start} to {end}."


def _lead_notice(inspection: Inspection) -> list[Notice]:
    lead = inspection.lead_inspector
    start = govuk_date(inspection.fieldwork_start)
    return _notice(
        [lead] if lead.is_active else [],
        kind=Notice.Kind.LEAD_ASSIGNED,
        title=f"Lead inspector: {inspection.force.short_name}, fieldwork from {start}",
        body=(
            f"You are the lead inspector of the {described(inspection)}. "
            f"{_fieldwork(inspection)} You moderate its graded judgments and findings, "
            "sign off the report and review the force's action plans."
        ),
        **_team_fields(inspection),
    )


def _team_notice(inspection: Inspection, team: list) -> list[Notice]:
    start = govuk_date(inspection.fieldwork_start)
    return _notice(
        team,
        kind=Notice.Kind.TEAM_JOINED,
        title=f"Inspection team: {inspection.force.short_name}, fieldwork from {start}",
        body=(
            f"You are on the team for the {described(inspection)}. "
            f"{_fieldwork(inspection)} Its page has the plan and the team."
        ),
        **_team_fields(inspection),
    )


def team_left_notices(
    *,
    inspection: Inspection,
    left: list,
    old_lead: User | None,
    handed_back: dict,
    whatever_the_dates: bool = False,
) -> list[Notice]:
    """Tell those taken off the team (`left`) that they are off it, and a
    lead inspector replaced (`old_lead`) that they no longer lead it, as
    joining is told (team_notices): each time it happens, so someone taken
    off, put back and taken off again is told again, and a plan saved with
    nothing changed tells no one. With the case file reviews `handed_back`
    from them (reviewer id -> cases), if any; and the lead is told of those
    to assign again. As for joining, no one is told of fieldwork already
    over, unless cases were handed back from them, or `whatever_the_dates`
    (a lead replaced after fieldwork, as new_lead_notice tells the new one)."""
    over = inspection.fieldwork_end < timezone.localdate() and not whatever_the_dates
    candidates = [
        *_left_notice(
            inspection, [p for p in left if handed_back.get(p.pk) or not over], handed_back
        ),
        *(
            _lead_replaced_notice(inspection, old_lead, handed_back)
            if old_lead is not None and (handed_back.get(old_lead.pk) or not over)
            else []
        ),
        *_handed_back_notice(inspection, [*left, *([old_lead] if old_lead else [])], handed_back),
    ]
    joined = {notice.recipient_id for notice in candidates}
    return notices_claim(_told_again(inspection, candidates, joined))


# What follows for someone leaving, in their notice, and what it says
# instead once the inspection is cancelled (left_notices_cancelled).
WILL_ASSIGN_AGAIN = ": the lead inspector will assign {} again."
LEADS_IT_NOW = " leads it now."
WAS_MADE_ITS_LEAD = " was made its lead."
CANCELLED_SINCE = " The inspection has since been cancelled: its fieldwork will not take place."
# What the lead is asked to do of reviews handed back, in "Case file reviews to assign".
ASSIGN_THEM = " Assign {} to someone on the team on the sample page."


def _handed_back_words(cases: int) -> str:
    if not cases:
        return ""
    reviews = f"{cases} case file review{'s' if cases != 1 else ''}"
    them = "them" if cases != 1 else "it"
    return (
        f" The {reviews} assigned to you that you had not submitted "
        f"{'are' if cases != 1 else 'is'} no longer assigned to you"
        f"{WILL_ASSIGN_AGAIN.format(them)} Anything you wrote in {them} is kept."
    )


def left_notices_cancelled(*, inspection: Inspection) -> int:
    """Put right, once the inspection is cancelled, what its notices of
    leaving it said would follow: "the lead inspector will assign them
    again" of case file reviews handed back, and "X leads it now". They are
    still emailed if not yet sent (NoticeQuerySet.still_due: they still
    hold), and they say it was cancelled, as those taken off before were
    not told (found by the notices review): after their first sentence, so
    the notifications page, which shows a body's first 240 characters,
    shows it. Returns how many were put right."""
    first = {
        Notice.Kind.TEAM_LEFT: f"{described(inspection)}.",
        Notice.Kind.LEAD_REPLACED: WAS_MADE_ITS_LEAD,
        # The lead's "Case file reviews to assign" no longer asks them to
        # assign reviews of an inspection that will not take place (found
        # by the day's review: it still did, on their notifications page).
        Notice.Kind.CASES_HANDED_BACK: "no longer assigned.",
    }
    kinds = [*LEFT_KINDS, Notice.Kind.CASES_HANDED_BACK]
    notices = list(
        Notice.objects.filter(inspection=inspection, kind__in=kinds).exclude(
            body__contains=CANCELLED_SINCE
        )
    )
    for notice in notices:
        body = notice.body.replace(LEADS_IT_NOW, WAS_MADE_ITS_LEAD)
        for them in ("them", "it"):
            body = body.replace(WILL_ASSIGN_AGAIN.format(them), ".")
            body = body.replace(ASSIGN_THEM.format(them), "")
        said, found, rest = body.partition(first[notice.kind])
        notice.body = f"{said}{found}{CANCELLED_SINCE}{rest}" if found else body + CANCELLED_SINCE
        notice.updated_at = timezone.now()
    return Notice.objects.bulk_update(notices, ["body", "updated_at"])


# What the notices of leaving an inspection are titled, before its force and
# fieldwork: titled again when the fieldwork moves (left_notices_redated).
LEFT_TITLES = {
    Notice.Kind.TEAM_LEFT: "Taken off the inspection team",
    Notice.Kind.LEAD_REPLACED: "No longer lead inspector",
    Notice.Kind.CASES_HANDED_BACK: "Case file reviews to assign",
    # Not of leaving, but named by the inspection as these are, and named
    # again as they are (case_taken_out_notices).
    Notice.Kind.CASE_TAKEN_OUT: "Case taken out of the sample",
    Notice.Kind.CASE_REPLACED: "Case replaced in the sample",
}


def _left_title(inspection: Inspection, kind: str) -> str:
    start = govuk_date(inspection.fieldwork_start)
    return f"{LEFT_TITLES[kind]}: {inspection.force.short_name}, fieldwork from {start}"


def left_notices_redated(*, inspection: Inspection, called: str) -> int:
    """Name the inspection in its notices of leaving it as it is now, once
    an admin moves its fieldwork or changes its kind (`called`: the
    inspection's name before, str(inspection)). Unlike the team, those taken
    off it are not told the new plan, so "fieldwork from 3 March" and "the
    inspection of X, March 2027" stayed in their notices, and in an email not
    yet sent, after it moved to April (found by the notices review). Each
    change names them again, so all were written with `called`. One query;
    returns how many changed."""
    title = Case(
        *(When(kind=kind, then=Value(_left_title(inspection, kind))) for kind in LEFT_TITLES),
        output_field=CharField(),
    )
    body = Replace(
        "body", Value(described_as(called)), Value(described(inspection)), output_field=TextField()
    )
    return (
        Notice.objects.filter(inspection=inspection, kind__in=LEFT_TITLES)
        .exclude(title=title, body=body)
        .update(title=title, body=body, updated_at=timezone.now())
    )


def _left_notice(inspection: Inspection, left: list, handed_back: dict) -> list[Notice]:
    return [
        Notice(
            recipient=person,
            kind=Notice.Kind.TEAM_LEFT,
            title=_left_title(inspection, Notice.Kind.TEAM_LEFT),
            body=(
                f"You are no longer on the team for the {described(inspection)}."
                f"{_handed_back_words(handed_back.get(person.pk, 0))}"
            ),
            # The inspection's page is no longer theirs to see.
            **{**_team_fields(inspection), "link": ""},
        )
        for person in left
        if person.is_active
    ]


def _lead_replaced_notice(inspection: Inspection, old_lead: User, handed_back: dict):
    if not old_lead.is_active:
        return []
    still_on = old_lead.pk in inspection.team_member_ids()
    body = (
        f"You are no longer the lead inspector of the {described(inspection)}: "
        f"{inspection.lead_inspector.full_name}{LEADS_IT_NOW}"
    )
    if still_on:
        body += " You are still on its team."
    else:
        body += f" You are not on its team.{_handed_back_words(handed_back.get(old_lead.pk, 0))}"
    fields = _team_fields(inspection)
    return [
        Notice(
            recipient=old_lead,
            kind=Notice.Kind.LEAD_REPLACED,
            title=_left_title(inspection, Notice.Kind.LEAD_REPLACED),
            body=body,
            **(fields if still_on else {**fields, "link": ""}),
        )
    ]


def cases_handed_back_notices(
    *, inspection: Inspection, people: list, handed_back: dict
) -> list[Notice]:
    """Tell the lead inspector of the case file reviews `handed_back` from
    `people` whose accounts were deactivated (accounts.services.user_deactivate),
    to assign them again: each time, as for a team change."""
    candidates = _handed_back_notice(
        inspection,
        people,
        handed_back,
        happened="can no longer sign in: their account was deactivated while on the team",
    )
    return notices_claim(
        _told_again(inspection, candidates, {notice.recipient_id for notice in candidates})
    )


def _what_happened(whose: list, happened: str) -> str:
    # Taken off the team, or replaced as its lead and not kept on it (found
    # by the day's diff review: a replaced lead "was taken off the team").
    return happened or f"{'is' if len(whose) == 1 else 'are'} no longer on the team"


def _handed_back_notice(
    inspection: Inspection, leaving: list, handed_back: dict, *, happened: str = ""
):
    """The lead is told whose case file reviews are to assign again: those
    no longer on the team, or (`happened`) whatever else befell them."""
    lead = inspection.lead_inspector
    whose = [p for p in leaving if handed_back.get(p.pk)]
    if not whose or not lead.is_active:
        return []
    total = sum(handed_back[p.pk] for p in whose)
    names = [
        f"{p.full_name} ({handed_back[p.pk]})" for p in sorted(whose, key=lambda p: p.full_name)
    ]
    reviews = f"{total} case file review{'s' if total != 1 else ''}"
    return _notice(
        [lead],
        kind=Notice.Kind.CASES_HANDED_BACK,
        title=_left_title(inspection, Notice.Kind.CASES_HANDED_BACK),
        body=(
            f"{' and '.join(names)} {_what_happened(whose, happened)} "
            f"for the {described(inspection)}, so the {reviews} assigned to them and not "
            f"submitted {'are' if total != 1 else 'is'} no longer assigned."
            f"{ASSIGN_THEM.format('them' if total != 1 else 'it')} "
            f"Anything already written in {'them' if total != 1 else 'it'} is kept."
        ),
        **{
            **_team_fields(inspection),
            "link": reverse("casefiles:sample", args=[inspection.pk]),
        },
    )


# --- A reviewer's case taken out of the sample, sent by casefiles.services ----


def case_taken_out_notices(
    *, case, reviewer: User | None, by: User, reason: str, draft_deleted: bool, replacement=None
) -> list[Notice]:
    """Tell the reviewer of a case the lead inspector (`by`) took out of the
    sample, with the `replacement` drawn in its place (which they review
    instead) or none, that it is no longer theirs, and that their draft
    review of it was deleted if one was (found by a review: a draft they
    had spent an hour on vanished without a word). No one when the case had
    no reviewer or the lead reviewed it. Never a word of second reviews: which
    cases go to one is not shown until their reviews are in. Each time, as
    for a team change: numbered one after the reviewer's last of its kind
    about the inspection (a case, once out, is never drawn again, so each
    is a new occasion). Must run in the service's transaction."""
    if reviewer is None or reviewer.pk == by.pk or not reviewer.is_active:
        return []
    inspection = Inspection.objects.select_related("force").get(pk=case.inspection_id)
    kind = Notice.Kind.CASE_REPLACED if replacement is not None else Notice.Kind.CASE_TAKEN_OUT
    told = Notice.objects.filter(recipient=reviewer, inspection=inspection, kind=kind)
    sequence = max(told.values_list("sequence", flat=True), default=-1) + 1
    # What they most need first: the notifications page shows a body's
    # first 240 characters (the email all of it).
    words = [
        f"Case {case.reference} is no longer assigned to you: the lead inspector took it "
        f"out of the sample for the {described(inspection)}"
        f"{'' if replacement is not None else ', with no case drawn in its place'}."
    ]
    if draft_deleted:
        words.append("Your draft review of it was deleted.")
    if replacement is not None:
        words.append(f"You now review case {replacement.reference} instead.")
    stop = "" if reason.endswith((".", "!", "?")) else "."
    words.append(f"The reason given: {reason}{stop}")
    link = replacement.get_absolute_url() if replacement is not None else ""
    return notices_claim(
        [
            Notice(
                recipient=reviewer,
                kind=kind,
                title=_left_title(inspection, kind),
                body=" ".join(words),
                **{**_team_fields(inspection), "link": link or _case_files(inspection)},
                sequence=sequence,
            )
        ]
    )


def _case_files(inspection: Inspection) -> str:
    return reverse("casefiles:review_list", args=[inspection.pk])


# --- Factual accuracy checks, sent by inspections.factual_accuracy -----------


def _factual_fields(inspection: Inspection, *, kind: str, sending: int) -> dict:
    """One occasion per sending of points by the force (1, 2…): a repeat of
    the same sending, or of its answers, is refused by the unique constraint."""
    return {
        "kind": kind,
        "inspection": inspection,
        "subject": Notice.Subject.FACTUAL_ACCURACY,
        "due_on": inspection.received_for_checks_on or timezone.localdate(),
        "sequence": sending,
        "link": reverse("inspections:factual_accuracy", args=[inspection.pk]),
    }


def factual_points_sent_notices(
    *, inspection: Inspection, count: int, sending: int
) -> list[Notice]:
    """Tell the lead inspector the force has sent factual accuracy points."""
    lead = inspection.lead_inspector
    force = inspection.force
    points = f"{count} factual accuracy point{'s' if count != 1 else ''}"
    return notices_claim(
        _notice(
            [lead] if lead.is_active else [],
            title=f"{points} sent: {force.short_name}",
            body=(
                f"{force.name} sent {points} on the draft report of the "
                f"{described(inspection)}. Respond to each one: the report cannot be "
                "published until every point the force sent has a response."
            ),
            **_factual_fields(inspection, kind=Notice.Kind.POINTS_SENT, sending=sending),
        )
    )


def _tell_the_force(inspection: Inspection, *, kind: str, sending: int, title: str, body: str):
    force = inspection.force
    return notices_claim(
        _notice(
            _force_leads([force.pk]).get(force.pk, []),
            title=f"{title}: {force.short_name}",
            body=body,
            **_factual_fields(inspection, kind=kind, sending=sending),
        )
    )


def factual_points_answered_notices(*, inspection: Inspection, sending: int) -> list[Notice]:
    """Tell the force's leads the inspectorate has responded to every point sent."""
    return _tell_the_force(
        inspection,
        kind=Notice.Kind.POINTS_ANSWERED,
        sending=sending,
        title="Responses to your factual accuracy points",
        body=(
            "The lead inspector has responded to every factual accuracy point you sent "
            f"on the draft report of the {described(inspection)}. Each response says "
            "whether the point is accepted and, if not, why."
        ),
    )


def factual_response_changed_notices(*, inspection: Inspection, change: int) -> list[Notice]:
    """Tell the force's leads a response they were told of has changed: the
    change-th change of a response on this inspection, each told once."""
    return _tell_the_force(
        inspection,
        kind=Notice.Kind.RESPONSE_CHANGED,
        sending=change,
        title="A response to your factual accuracy points changed",
        body=(
            "The lead inspector has changed a response to a factual accuracy point you "
            f"sent on the draft report of the {described(inspection)}. Read it again: it "
            "says whether the point is accepted and, if not, why."
        ),
    )


# --- The sweep ----------------------------------------------------------------


def _text(field: str) -> Cast:
    """An id as text: tens of thousands of ids are cheaper as strings than as UUIDs."""
    return Cast(field, output_field=CharField())


class Deadline(NamedTuple):
    inspection_id: str
    force_id: str
    force_name: str
    inspection_kind: str
    fieldwork_start: date
    lead_inspector_id: str
    lead_inspector_active: bool
    returned: bool  # a version was returned and no newer one is in
    due_on: date
    subject: str  # the plan's kind, or Notice.Subject.PCC_RESPONSE


Deadline.COLUMNS = [
    "pk_text", "force_text", "force__short_name", "kind", "fieldwork_start", "lead_text",
    "lead_inspector__is_active", "returned",
]  # fmt: skip


def _open_plans(kind: str, today: date, reminder_dates: list[date]):
    """Plans of this kind not in (never submitted, or returned) and due for a
    notice today, as plain values. The partial indexes on the due dates of
    inspections not closed find them."""
    field = ActionPlan.DUE_FIELDS[kind]
    versions = ActionPlanVersion.objects.filter(plan__inspection=OuterRef("pk"), plan__kind=kind)
    return (
        Inspection.objects.exclude(stage=Inspection.Stage.CLOSED)
        .filter(Q(**{f"{field}__in": reminder_dates}) | Q(**{f"{field}__lt": today}))
        .filter(~Exists(versions.filter(status__in=ActionPlanVersion.IN)))
        .annotate(
            pk_text=_text("pk"),
            force_text=_text("force"),
            lead_text=_text("lead_inspector"),
            returned=Exists(versions),  # any version, none of them in: returned
            due=F(field),
            subject=Value(kind, output_field=CharField()),
        )
    )


def _open_pcc_responses(today: date):
    """Police and crime commissioners' responses past due with none recorded,
    in the same columns. No reminders: the commissioner is not a user, so only
    the overdue notice asks the force and the inspectorate to chase it, or to
    record it. The partial index open_pcc_response_due_idx finds them."""
    return (
        Inspection.objects.exclude(stage=Inspection.Stage.CLOSED)
        .filter(pcc_response_due_on__lt=today, pcc_response_published_on__isnull=True)
        .annotate(
            pk_text=_text("pk"),
            force_text=_text("force"),
            lead_text=_text("lead_inspector"),
            returned=Value(False, output_field=BooleanField()),
            due=F("pcc_response_due_on"),
            subject=Value(PCC_RESPONSE, output_field=CharField()),
        )
    )


def _open_deadlines(today: date, reminder_dates: list[date]) -> list[Deadline]:
    """Every deadline due for a notice today, in two queries: the action
    plans; then the updated action plans and the commissioners' responses,
    both due from publication, by UNION ALL, each part on its own partial
    index. Every column is an annotation or a field in the same place in each
    part, so the rows line up. Not all three in one query: at 100,000
    deadlines the planner's estimate for it passes PostgreSQL's
    jit_optimize_above_cost, and compiling it took 1.4 s, four times the two
    queries together (measured against the benchmark's synthetic deadlines)."""
    columns = [*Deadline.COLUMNS, "due", "subject"]
    plans = _open_plans(ActionPlan.Kind.ACTION_PLAN, today, reminder_dates)
    published = _open_plans(ActionPlan.Kind.UPDATED_ACTION_PLAN, today, reminder_dates)
    responses = _open_pcc_responses(today).values_list(*columns).order_by()
    queries = [
        plans.values_list(*columns).order_by(),
        # order_by() again: the union would otherwise take the model's ordering.
        published.values_list(*columns).order_by().union(responses, all=True).order_by(),
    ]
    return [Deadline(*row) for query in queries for row in query]


def _recipients(force_ids: set, with_admins: bool) -> tuple[dict, list[str]]:
    """Active force leads by force, and the active admins, as text ids."""
    users = (
        User.objects.filter(is_active=True)
        .filter(Q(role=User.Role.FORCE_LEAD, force_id__in=force_ids) | Q(role=User.Role.ADMIN))
        .annotate(pk_text=_text("pk"), force_text=_text("force"))
        .values_list("pk_text", "role", "force_text")
    )
    leads: dict = {}
    admins = []
    for pk, role, force in users:
        if role == User.Role.ADMIN:
            admins.append(pk)
        else:
            leads.setdefault(force, []).append(pk)
    return leads, admins if with_admins else []


def _already_sent(today: date, reminder_dates: list[date]) -> dict:
    """Who has had each reminder and overdue notice that today's could repeat,
    by occasion (Candidate.key without the recipient): reminders for today's
    reminder dates, and overdue notices sent in the past week (the current
    overdue week began at most six days ago). Skipping them saves building
    what would only be refused by the unique constraint; the constraint still
    decides. By occasion, so that each deadline is looked up once, not once
    per recipient: the same day's second sweep over 100,000 deadlines looked
    up 150,000 tuples."""
    since = timezone.make_aware(datetime.combine(today - timedelta(days=7), datetime.min.time()))
    rows = (
        Notice.objects.filter(
            Q(kind=Notice.Kind.REMINDER, due_on__in=reminder_dates)
            | Q(kind=Notice.Kind.OVERDUE, sent_at__gte=since)
        )
        .annotate(recipient_text=_text("recipient"), inspection_text=_text("inspection"))
        .values_list("kind", "inspection_text", "subject", "due_on", "sequence", "recipient_text")
    )
    sent: dict = {}
    for row in rows:
        sent.setdefault(row[:5], set()).add(row[5])
    return sent


class _Words:
    """The words of reminders and overdue notices, each piece made once."""

    def __init__(self):
        self.dates: dict = {}
        self.described: dict = {}
        self.links = {
            kind: url_maker("actionplans:plan", ANY, slug)
            for kind, slug in ActionPlan.SLUGS.items()
        }
        followup = url_maker("actionplans:followup", ANY)
        self.links[PCC_RESPONSE] = lambda inspection_id: f"{followup(inspection_id)}#pcc-response"

    def date(self, day: date) -> str:
        if day not in self.dates:
            self.dates[day] = govuk_date(day)
        return self.dates[day]

    def inspection(self, d: Deadline) -> str:
        """described(inspection), from the values alone."""
        key = (d.inspection_kind, d.force_id, d.fieldwork_start)
        if key not in self.described:
            unsaved = Inspection(
                kind=d.inspection_kind,
                fieldwork_start=d.fieldwork_start,
                force=Force(short_name=d.force_name),
            )
            self.described[key] = described(unsaved)
        return self.described[key]

    def link(self, d: Deadline) -> str:
        inspection_id = d.inspection_id
        if len(inspection_id) == 32:  # SQLite keeps a UUID without its dashes
            inspection_id = str(uuid.UUID(inspection_id))
        return self.links[d.subject](inspection_id)

    def reminder(self, d: Deadline, days_left: int) -> tuple[str, str]:
        label = ActionPlan.Kind(d.subject).label
        day_word = "day" if days_left == 1 else "days"
        title = f"{label} due in {days_left} {day_word}: {d.force_name}"
        body = f"The {label.lower()} for the {self.inspection(d)} is due on {self.date(d.due_on)}. "
        if d.returned:
            body += (
                "The lead inspector returned the last version with comments: "
                "submit a new version that responds to them."
            )
        else:
            body += "Upload the plan and respond to each cause of concern and recommendation" + (
                " and area for improvement."
                if d.subject == ActionPlan.Kind.UPDATED_ACTION_PLAN
                else "."
            )
        return title, body

    def overdue(self, d: Deadline, days_late: int) -> tuple[str, str]:
        if d.subject == PCC_RESPONSE:
            return self.pcc_response_overdue(d, days_late)
        label = ActionPlan.Kind(d.subject).label
        title = f"{label} overdue: {d.force_name}"
        what, next_step = (
            (
                "the last version was returned with comments and no new version has been submitted",
                "A force lead submits a new version on the plan's page.",
            )
            if d.returned
            else ("has not been submitted", "A force lead submits it on the plan's page.")
        )
        # One text for the force and the inspectorate: it says who acts, and
        # where (found by an email review: it said only that it was late).
        body = (
            f"The {label.lower()} for the {self.inspection(d)} was due on {self.date(d.due_on)} "
            f"and {what}. It is {days_late} day{'s' if days_late != 1 else ''} overdue. "
            f"{next_step}"
        )
        return title, body

    def pcc_response_overdue(self, d: Deadline, days_late: int) -> tuple[str, str]:
        title = f"Police and crime commissioner's response overdue: {d.force_name}"
        body = (
            "The police and crime commissioner's response to the report of the "
            f"{self.inspection(d)} was due on {self.date(d.due_on)} and has not been recorded "
            f"as published. It is {days_late} day{'s' if days_late != 1 else ''} overdue. "
            "Once it is published, record the date (and where it is published) on the "
            "inspection's follow-up page."
        )
        return title, body


def _candidates(deadlines, today, reminder_days, leads, admins, sent) -> Iterable[Candidate]:
    words = _Words()
    for d in deadlines:
        days_left = (d.due_on - today).days
        if days_left in reminder_days:
            kind, sequence = Notice.Kind.REMINDER, days_left
            recipients = leads.get(d.force_id, [])
        elif days_left < 0:
            # Week 1 starts the day after the due date; one notice a week.
            kind, sequence = Notice.Kind.OVERDUE, (-days_left - 1) // 7 + 1
            lead = [d.lead_inspector_id] if d.lead_inspector_active else []
            recipients = [*leads.get(d.force_id, []), *lead, *admins]
        else:
            continue
        done = sent.get((kind, d.inspection_id, d.subject, d.due_on, sequence), ())
        new = [r for r in dict.fromkeys(recipients) if r not in done]
        if not new:
            continue
        if kind == Notice.Kind.REMINDER:
            title, body = words.reminder(d, days_left)
        else:
            title, body = words.overdue(d, -days_left)
        link = words.link(d)
        for recipient in new:
            yield Candidate(
                recipient, kind, d.inspection_id, d.subject, d.due_on, sequence, title, body, link
            )


def notices_sweep(*, today: date | None = None) -> int:
    """Send today's reminders and overdue notices; return how many were sent.

    Reminders go to the force leads REMINDER_DAYS_BEFORE each due date, on
    that day only: after downtime a reminder whose day has passed is stale
    and is skipped. Overdue notices go to the force leads, the lead inspector
    and the admins from the day after the due date, once a week while the
    plan is unsubmitted; after downtime the current week's is sent. The same
    weekly overdue notices chase the police and crime commissioner's response
    until it is recorded (no reminders before: see _open_pcc_responses).
    Queries, however many deadlines: one to re-queue unsent emails, two for
    the deadlines, one for the recipients, one for what was already sent,
    then the claim (see notices_claim_rows).
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        _requeue_unsent_emails()
    with _collector_paused():
        return _notices_send(today)


@contextlib.contextmanager
def _collector_paused():
    """The sweep makes hundreds of thousands of tuples (deadlines, what was
    sent, candidates) and no reference cycles, yet the cyclic garbage
    collector ran every 2,000 new ones and, now and then, over all of them:
    pausing it saved about a fifth of the sweep's own CPU time over 100,000
    deadlines. It is back on after the sweep, whatever happens."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _notices_send(today: date) -> int:
    reminder_days = set(settings.PROGRAMME_RULES["REMINDER_DAYS_BEFORE"])
    reminder_dates = [date.fromordinal(today.toordinal() + days) for days in reminder_days]
    deadlines = _open_deadlines(today, reminder_dates)
    if not deadlines:
        return 0
    leads, admins = _recipients(
        {d.force_id for d in deadlines}, with_admins=any(d.due_on < today for d in deadlines)
    )
    sent = _already_sent(today, reminder_dates)
    candidates = list(_candidates(deadlines, today, reminder_days, leads, admins, sent))
    with transaction.atomic():
        return len(notices_claim_rows(candidates))


def _requeue_unsent_emails() -> None:
    """Queue again the emails of notices claimed but not yet emailed: the broker
    was down when they were claimed, or the task ran out of retries. The email
    task re-checks under a row lock, so an email still queued is not doubled.
    Not one the mail server refused for good: it would be refused every hour."""
    now = timezone.now()
    ids = (
        Notice.objects.filter(
            emailed_at__isnull=True,
            email_refused_at__isnull=True,
            recipient__is_active=True,
            sent_at__lt=now - EMAIL_GRACE,
            sent_at__gte=now - EMAIL_GIVE_UP,
        )
        # Not one its recipient may no longer see (a force lead about a force
        # they have since left, a lead inspector replaced): notice_email
        # would refuse it at every sweep for a week.
        .still_theirs()
        # Nor one no longer true: a deadline moved or met, a visit cancelled.
        .still_due()
        # In the order they were written, as their recipients would have read them.
        .order_by("sent_at")
        .values_list("pk", flat=True)
    )
    _email_after_commit([str(pk) for pk in ids])
