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

from .models import ActionPlan, PostInspectionVisit, described

PRODID = "-//Child protection inspections//Deadlines//EN"
UID_DOMAIN = "child-protection-inspections"


@dataclass(frozen=True)
class Event:
    uid: str
    on: date
    summary: str
    description: str


def _deadline_events(inspection: Inspection) -> list[Event]:
    short = inspection.force.short_name
    deadlines = [
        (kind, getattr(inspection, field), f"{ActionPlan.Kind(kind).label} due")
        for kind, field in ActionPlan.DUE_FIELDS.items()
    ]
    deadlines.append(
        (
            "pcc_response",
            inspection.pcc_response_due_on,
            "Police and crime commissioner's response due",
        )
    )
    events = [
        Event(
            f"{kind}-{inspection.pk}",
            due_on,
            f"{label}: {short}",
            f"{label} for the {described(inspection)}.",
        )
        for kind, due_on, label in deadlines
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
    inspectors their inspections', admins every one (two queries)."""
    visible = Inspection.objects.visible_to(user)
    inspections = visible.filter(
        Q(action_plan_due_on__isnull=False)
        | Q(updated_action_plan_due_on__isnull=False)
        | Q(pcc_response_due_on__isnull=False)
    ).select_related("force")
    events = [event for inspection in inspections for event in _deadline_events(inspection)]
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
