"""Status tags for inspections, judgments and grades. The word is always shown."""

from functools import cache

from django import template

from core.templatetags.govuk import govuk_tag
from inspections.models import FactualAccuracyPoint, Grade, Inspection, Judgment

register = template.Library()

STAGE_COLOURS = {
    Inspection.Stage.PLANNED: "grey",
    Inspection.Stage.FIELDWORK: "blue",
    Inspection.Stage.MODERATION: "purple",
    Inspection.Stage.PRE_PUBLICATION: "yellow",
    Inspection.Stage.PUBLISHED: "green",
    Inspection.Stage.FOLLOW_UP: "turquoise",
    Inspection.Stage.CLOSED: "grey",
    Inspection.Stage.CANCELLED: "red",
}
STATUS_COLOURS = {
    Judgment.Status.NOT_STARTED: "grey",
    Judgment.Status.DRAFT: "light-blue",
    Judgment.Status.SUBMITTED: "purple",
    Judgment.Status.RETURNED: "orange",
    Judgment.Status.FINAL: "green",
}
GRADE_COLOURS = {
    Grade.OUTSTANDING: "green",
    Grade.GOOD: "turquoise",
    Grade.ADEQUATE: "yellow",
    Grade.REQUIRES_IMPROVEMENT: "orange",
    Grade.INADEQUATE: "red",
}


@register.simple_tag
def stage_tag(inspection: Inspection) -> str:
    return govuk_tag(inspection.get_stage_display(), STAGE_COLOURS.get(inspection.stage, ""))


@register.simple_tag
def judgment_status_tag(judgment: Judgment) -> str:
    return govuk_tag(judgment.get_status_display(), STATUS_COLOURS.get(judgment.status, ""))


@register.simple_tag
@cache  # one of six tags, drawn hundreds of times on the programme and dashboard
def grade_tag(grade: str) -> str:
    if not grade:
        return govuk_tag("Not graded", "grey")
    return govuk_tag(Grade(grade).label, GRADE_COLOURS[grade])


@register.simple_tag
def point_status_tag(point: FactualAccuracyPoint) -> str:
    """A factual accuracy point: draft, sent and waiting, accepted or not."""
    if not point.is_sent:
        return govuk_tag("Draft: not sent", "grey")
    if not point.is_answered:
        return govuk_tag("Waiting for a response", "blue")
    if point.response == FactualAccuracyPoint.Response.ACCEPTED:
        return govuk_tag("Accepted", "green")
    return govuk_tag("Not accepted", "orange")
