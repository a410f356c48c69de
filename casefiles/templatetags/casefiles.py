"""Template helpers for case file pages: status tags, and the second reviews' progress."""

from functools import cache

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from core.templatetags.govuk import govuk_tag

from ..models import CaseReview

register = template.Library()


@cache
def review_status_tag(status: str | None) -> str:
    """Not started (no review: status None), in progress or submitted, as a
    tag with its word. Cached: three fixed strings, the same for everyone."""
    if status is None:
        return govuk_tag("Not started", "grey")
    if status == CaseReview.Status.SUBMITTED:
        return govuk_tag("Submitted", "green")
    return govuk_tag("In progress", "light-blue")


@register.simple_tag
def review_status(case) -> str:
    """Not started, in progress or submitted, as a tag with its word."""
    review = case.review_or_none
    return review_status_tag(None if review is None else review.status)


@register.simple_tag
def import_status_tag(job) -> str:
    if job.has_stopped:
        return govuk_tag(job.Status.STOPPED.label, "red")
    colours = {"completed": "green", "failed": "red"}
    return govuk_tag(job.get_status_display(), colours.get(job.status, "light-blue"))


@register.simple_tag
def second_reviews_progress(figures, closed: bool) -> str:
    """ReviewProgress.second_reviews_in_words, a line each: the one wording
    of the case files overview and the second review list."""
    lines = figures.second_reviews_in_words(closed=closed)
    br = mark_safe("<br>")  # noqa: S308  # nosec B308 B703 - a constant, no input
    return format_html_join(br, "{}", ((line,) for line in lines))
