"""Formatting and GOV.UK form rendering helpers for templates."""

from datetime import date, datetime
from functools import lru_cache

from django import forms, template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeData, mark_safe

register = template.Library()

_CLASSES = {
    forms.Select: ("govuk-select", "govuk-select--error"),
    forms.Textarea: ("govuk-textarea", "govuk-textarea--error"),
    forms.FileInput: ("govuk-file-upload", "govuk-file-upload--error"),
    forms.widgets.Input: ("govuk-input", "govuk-input--error"),
}


@register.filter
def govuk_date(value: date | datetime | None) -> str:
    """3 May 2024, as the GOV.UK style guide writes dates."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    return f"{value.day} {value:%B %Y}"


@register.filter
def govuk_datetime(value: datetime | None) -> str:
    """3 May 2024 at 2:15pm; at midnight and at midday, as the GOV.UK style
    guide writes them (found by an email review: "12:00am")."""
    if not value:
        return ""
    local = timezone.localtime(value)
    if local.minute == 0 and local.hour in (0, 12):
        return f"{govuk_date(local)} at {'midnight' if local.hour == 0 else 'midday'}"
    hour = local.hour % 12 or 12
    return f"{govuk_date(local)} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


@register.filter
def error_anchor(field, field_id: str) -> str:
    """The id an error summary link must point at.

    crispy-forms-gds links radio and checkbox errors to the field's own id,
    which no element has: the inputs are numbered from _1. GOV.UK links to the
    first option.
    """
    widget = field.field.widget
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return f"id_{field.html_name}_1"
    if isinstance(widget, forms.MultiWidget) and field_id == field.auto_id:
        return f"{field_id}_0"  # a date input: the day box, as GOV.UK links to
    return field_id


@register.filter
def error_links(field) -> list[tuple[str, str]]:
    """(id to link to, message) for each of a field's errors in the error summary.

    Each message once: a date's message can mark several parts (day, month,
    year) in error, and is linked to the first. crispy-forms-gds's own
    field_errors listed it once for every part it marked.
    """
    links, seen = [], set()
    subfields = getattr(field.field, "fields", ())
    for n, subfield in enumerate(subfields):
        for message in getattr(subfield.widget, "errors", ()):
            if message not in seen:
                seen.add(message)
                links.append((f"{field.auto_id}_{n}", message))
    for message in field.errors:
        if message not in seen:
            seen.add(message)
            links.append((error_anchor(field, field.auto_id), message))
    return links


@register.simple_tag
def govuk_widget(field, max_characters=None):
    """Render a single widget with the GOV.UK class for its kind and state.

    This replaces crispy-forms-gds's field node for plain widgets. That node
    marks a select in error with govuk-input--error and crashes on a character
    count without help text.
    """
    widget = field.field.widget
    base, error = next(
        (classes for kind, classes in _CLASSES.items() if isinstance(widget, kind)),
        ("", ""),
    )
    if isinstance(widget, forms.CheckboxInput):
        base, error = "govuk-checkboxes__input", ""
    css = [base] if base else []
    css.extend(c for c in widget.attrs.get("class", "").split() if c not in css)
    if field.errors and error:
        css.append(error)
    if max_characters:
        css.append("govuk-js-character-count")
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}_hint")
    described_by += [f"{field.auto_id}_{n}_error" for n in range(1, len(field.errors) + 1)]
    if max_characters:
        described_by.append(f"{field.auto_id}-info")
    attrs = {"class": " ".join(css)}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)


_TAG_COLOURS = {
    "grey": "govuk-tag--grey",
    "blue": "govuk-tag--blue",
    "green": "govuk-tag--green",
    "red": "govuk-tag--red",
    "yellow": "govuk-tag--yellow",
    "orange": "govuk-tag--orange",
    "purple": "govuk-tag--purple",
    "pink": "govuk-tag--pink",
    "turquoise": "govuk-tag--turquoise",
    "light-blue": "govuk-tag--light-blue",
}


@register.simple_tag
def govuk_tag(text: str, colour: str = "") -> str:
    """A status tag. The word is always written: colour is never the only signal."""
    # A page of 43 forces shows hundreds of tags from a few dozen words.
    return _tag(str(text), isinstance(text, SafeData), colour)


@lru_cache(maxsize=512)
def _tag(text: str, is_safe: bool, colour: str) -> str:
    return format_html(
        '<strong class="govuk-tag {}">{}</strong>',
        _TAG_COLOURS.get(colour, ""),
        # Marked safe again only if it came as SafeData: the cache keeps str.
        mark_safe(text) if is_safe else text,  # noqa: S308  # nosec B308 B703
    )


class _WarningTextNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context) -> str:
        return format_html(
            '<div class="govuk-warning-text">'
            '<span class="govuk-warning-text__icon" aria-hidden="true">!</span>'
            '<strong class="govuk-warning-text__text">'
            '<span class="govuk-visually-hidden">Warning</span>{}</strong></div>',
            # Already escaped by the template engine as it rendered the words.
            mark_safe(self.nodelist.render(context).strip()),  # noqa: S308  # nosec B308 B703
        )


@register.tag
def warning_text(parser, token):
    """GOV.UK warning text around the words between the tags:
    {% warning_text %}You cannot undo this.{% endwarning_text %}. One place
    for the markup that 18 templates wrote out in full."""
    nodelist = parser.parse(("endwarning_text",))
    parser.delete_first_token()
    return _WarningTextNode(nodelist)


# Verbs that do not read as the service's words made mechanically (found by
# a newcomer's review: "Follow up started", where the stage is "Follow-up").
_ACTION_LABELS = {
    "follow_up_started": "Follow-up started",
    "user_two_factor_set_up": "User two-factor authentication set up",
    "user_two_factor_reset": "User two-factor authentication reset",
    "pcc_response_recorded": "Police and crime commissioner's response recorded",
    "pcc_response_changed": "Police and crime commissioner's response changed",
    "started_from_accepted": "Filled in from the accepted action plan",
    "user_left_force": "User left the force",
}


@register.filter
def action_label(action: str) -> str:
    """ "judgment.returned" -> "Returned", for audit timelines."""
    verb = action.rsplit(".", 1)[-1]
    return _ACTION_LABELS.get(verb) or verb.replace("_", " ").capitalize()


@register.filter
def actor(user) -> str:
    """Who made a change, as the audit trail names people (core.audit.person):
    told apart from a namesake by their email. "The system" for no one (a
    scheduled job, the service itself)."""
    from core.audit import person

    return person(user) if user is not None else "The system"


# Fields whose names do not read as words (found by a review of the audit trail).
_FIELD_LABELS = {
    "pcc_response_due_on": "Police and crime commissioner's response due on",
    "pcc_response_published_on": "Police and crime commissioner's response published on",
    "pcc_response_url": "Web address of the police and crime commissioner's response",
    "short_notice_override": "Reason for short notice",
    # An account's rights, named as in the Django admin, where they are set.
    "is_active": "Active",
    "is_staff": "Staff status",
    "is_superuser": "Superuser status",
}


@register.filter
def humanise(name: str) -> str:
    """ "received_for_checks_on" -> "Received for checks on"; a topic's field
    by the topic's name: "risk_assessment_referral_rating" -> "Risk
    assessment and referral: rating"."""
    name = str(name)
    if name in _FIELD_LABELS:
        return _FIELD_LABELS[name]
    topics = _topic_labels()
    for suffix in ("_rating", "_observation"):
        if name.endswith(suffix) and name.removesuffix(suffix) in topics:
            return f"{topics[name.removesuffix(suffix)]}: {suffix[1:]}"
    return name.replace("_", " ").capitalize()


@lru_cache(maxsize=1)
def _topic_labels() -> dict[str, str]:
    from inspections.models import Topic

    return dict(Topic.choices)


@lru_cache(maxsize=1)
def _code_labels() -> dict[str, str]:
    """The label of each code the audit trail may hold (grades, ratings,
    answers, statuses), where every list that has the code gives it the
    same label."""
    from actionplans.models import ActionPlanVersion
    from casefiles.models import TOPIC_RATING_CHOICES, Answer
    from inspections.models import Grade, Inspection, Judgment

    labels: dict[str, str] = {}
    clashes: set[str] = set()
    for choices in (
        Grade.choices,
        TOPIC_RATING_CHOICES,
        Answer.choices,
        Judgment.Status.choices,
        Inspection.Stage.choices,
        ActionPlanVersion.Status.choices,
    ):
        for code, label in choices:
            if labels.get(code, label) != label:
                clashes.add(code)
            labels[code] = str(label)
    # A clash ("submitted" is a judgment's and a plan version's, worded apart)
    # reads as the plain word.
    return {
        code: code.replace("_", " ").capitalize() if code in clashes else label
        for code, label in labels.items()
    }


@register.filter
def audit_value(value) -> str:
    """A value of an audit record as people read it: (none), Yes or No, a
    code by its label, a date as GOV.UK writes it; anything else as it is."""
    if value is None or value == "":
        return "(none)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        if label := _code_labels().get(value):
            return label
        # A range ("fieldwork" when an inspection is scheduled) reads as two dates.
        if " to " in value:
            start, _, end = value.partition(" to ")
            if _iso_date(start) and _iso_date(end):
                return f"{govuk_date(_iso_date(start))} to {govuk_date(_iso_date(end))}"
        if day := _iso_date(value):
            return govuk_date(day)
    return str(value)


def _iso_date(value: str) -> date | None:
    """The date a "2020-07-07" in an audit record stands for, or None."""
    if len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


@register.filter
def page_param(number, name: str) -> dict:
    """{name: number} for {% querystring request.GET number|page_param:name %}:
    a page of one of two lists on a page, each with its own parameter
    (_pagination.html's `param`)."""
    return {name: number}
