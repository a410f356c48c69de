"""Each user's private calendar feed (iCalendar, RFC 5545), written by hand.

The format needs only a few rules: CRLF line ends, text escaping, and lines
folded at 75 octets. Deadlines are all-day events on their London date.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from core.templatetags.govuk import govuk_date
from inspections.models import Inspection

from .models import ActionPlan, ActionPlanVersion, PostInspectionVisit, described

PRODID = "-//Child protection inspections//Deadlines//EN"
UID_DOMAIN = "child-protection-inspections"


@dataclass(frozen=True)
class Event:
    uid: str
    on: date
    summary: str
    description: str


NOTHING_MORE = " The inspection is closed: nothing more is due."


def _plan_label(kind: str, sent_in: dict, *, closed: bool) -> tuple[str, str]:
    """What the plan's event says: due, or (found by the dates review: an
    accepted plan stayed 'due' in the calendar) sent in or accepted, and when;
    or, the inspection closed, that it asks for nothing more (found by the
    second dates review)."""
    label = ActionPlan.Kind(kind).label
    version = sent_in.get(kind)
    status, submitted_at, reviewed_at = version or (None, None, None)
    if status == ActionPlanVersion.Status.RETURNED and closed:
        # As the plan's page says (found by the consistency review: it read
        # "not sent in", though it was, and came back).
        return f"{label} returned", f" Returned on {govuk_date(reviewed_at)}.{NOTHING_MORE}"
    if status in (None, ActionPlanVersion.Status.RETURNED):  # with the force
        if closed:
            return f"{label} not sent in", NOTHING_MORE
        return f"{label} due", ""
    if status == ActionPlanVersion.Status.ACCEPTED:
        return f"{label} accepted", f" Accepted on {govuk_date(reviewed_at)}."
    return f"{label} sent in", f" Sent in for review on {govuk_date(submitted_at)}."


def _deadline_events(inspection: Inspection, sent_in: dict) -> list[Event]:
    short = inspection.force.short_name
    closed = inspection.stage == Inspection.Stage.CLOSED
    deadlines = []
    for kind, field in ActionPlan.DUE_FIELDS.items():
        label, since = _plan_label(kind, sent_in, closed=closed)
        deadlines.append((kind, getattr(inspection, field), label, since))
    # Closed with none recorded, as the follow-up page says: nothing chases it
    # (found by the consistency review: it stayed "due" in the calendar).
    unrecorded = closed and not inspection.pcc_response_published_on
    deadlines.append(
        (
            "pcc_response",
            inspection.pcc_response_due_on,
            "Police and crime commissioner's response " + ("not recorded" if unrecorded else "due"),
            NOTHING_MORE if unrecorded else "",
        )
    )
    # The same uid whatever the label: a calendar updates the event it has.
    events = [
        Event(
            f"{kind}-{inspection.pk}",
            due_on,
            f"{label}: {short}",
            f"{label} for the {described(inspection)}.{since}",
        )
        for kind, due_on, label, since in deadlines
        if due_on is not None
    ]
    if inspection.pcc_response_published_on and events:
        # The same event, updated: a calendar keeps it by its uid.
        response = events[-1]
        published = govuk_date(inspection.pcc_response_published_on)
        events[-1] = Event(
            response.uid,
            response.on,
            f"Police and crime commissioner's response published: {short}",
            f"{response.description} Published on {published}.",
        )
    return events


def calendar_events(user) -> list[Event]:
    """The deadlines and visits the user may see: a force lead their own force's,
    inspectors their inspections', admins every one (three queries)."""
    visible = Inspection.objects.visible_to(user)
    inspections = visible.filter(
        Q(action_plan_due_on__isnull=False)
        | Q(updated_action_plan_due_on__isnull=False)
        | Q(pcc_response_due_on__isnull=False)
    ).select_related("force")
    # Each plan's latest version, if any: the last of each plan wins.
    sent_in: dict = {}
    versions = (
        ActionPlanVersion.objects.filter(plan__inspection__in=visible.values("pk"))
        .order_by("number")
        .values_list("plan__inspection_id", "plan__kind", "status", "submitted_at", "reviewed_at")
    )
    for inspection_id, kind, *version in versions:
        sent_in.setdefault(inspection_id, {})[kind] = version
    events = [
        event
        for inspection in inspections
        for event in _deadline_events(inspection, sent_in.get(inspection.pk, {}))
    ]
    visits = (
        PostInspectionVisit.objects.booked()
        .filter(inspection__in=visible.values("pk"))
        .select_related("inspection__force")
    )
    events += [
        Event(
            f"visit-{visit.pk}",
            visit.visit_on,
            f"Post-inspection visit: {visit.inspection.force.short_name}",
            f"Post-inspection visit after the {described(visit.inspection)}.",
        )
        for visit in visits
    ]
    return sorted(events, key=lambda event: (event.on, event.summary))


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Split a content line into 75-octet pieces without breaking a character."""
    pieces, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        if size + width > (75 if not pieces else 74):
            pieces.append(current)
            current, size = "", 0
        current += char
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)


def render_ics(events: list[Event], *, name: str, now: datetime | None = None) -> str:
    stamp = (now or timezone.now()).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(name)}",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}@{UID_DOMAIN}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{event.on:%Y%m%d}",
            f"DTEND;VALUE=DATE:{event.on + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(event.summary)}",
            f"DESCRIPTION:{_escape(event.description)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)
