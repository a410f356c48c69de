"""Template helpers for case file pages: pagination and review status tags."""

from django import template
from django.core.paginator import Page

from core.templatetags.govuk import govuk_tag

register = template.Library()


@register.inclusion_tag("casefiles/_pagination.html", takes_context=True)
def pagination(context, page: Page) -> dict:
    """GOV.UK pagination for a page of a list, keeping the other query parameters."""
    request = context["request"]

    def url(number: int) -> str:
        params = request.GET.copy()
        params["page"] = number
        return f"?{params.urlencode()}"

    items = []
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1):
        if number == page.paginator.ELLIPSIS:
            items.append({"ellipsis": True})
        else:
            items.append({"number": number, "url": url(number), "current": number == page.number})
    return {
        "page": page,
        "items": items,
        "previous_url": url(page.previous_page_number()) if page.has_previous() else "",
        "next_url": url(page.next_page_number()) if page.has_next() else "",
    }


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
