"""Template helpers for case file pages: status tags."""

from django import template

from core.templatetags.govuk import govuk_tag

register = template.Library()


@register.simple_tag
def review_status(case) -> str:
    """Not started, in progress or submitted, as a tag with its word."""
    review = case.review_or_none
    if review is None:
        return govuk_tag("Not started", "grey")
    if review.is_submitted:
        return govuk_tag("Submitted", "green")
    return govuk_tag("In progress", "light-blue")


@register.simple_tag
def import_status_tag(job) -> str:
    colours = {"completed": "green", "failed": "red"}
    return govuk_tag(job.get_status_display(), colours.get(job.status, "light-blue"))
