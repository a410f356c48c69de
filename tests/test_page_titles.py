"""Page titles (WCAG 2.4.2): every page about one inspection says which force
it is about, so tabs and history open on several inspections can be told
apart ("Action plan", "Follow-up" and "Sample" were the same for every force)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import signed_in
from tests.test_access_matrix import _kwargs, url_patterns, world  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


def test_every_page_about_an_inspection_names_its_force_in_the_title(
    world,  # noqa: F811 - the fixture imported above
    admin_user,
    lead_inspector,
    force_lead_a,
    force_a,
):
    untitled = []
    for user in (admin_user, lead_inspector, force_lead_a):
        client = signed_in(Client(), user)
        for name, pattern in url_patterns():
            if "inspection_id" not in pattern.pattern.converters:
                continue
            response = client.get(reverse(name, kwargs=_kwargs(name, pattern, world)))
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            title = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
            if force_a.short_name not in title.group(1):
                untitled.append(f"{name} ({user.get_role_display()}): {title.group(1).strip()}")
    assert not untitled, "\n".join(untitled)


def test_the_inspection_pages_title_starts_with_its_heading(
    client_for, admin_user, force_lead_a, lead_inspector, force_a
):
    """Found by an accessibility audit: the title said "Inspection of Kent"
    above the heading "Inspection overview"."""
    from inspections.tests.report_factories import report_inspection

    inspection = report_inspection(
        force=force_a, lead=lead_inspector, inspector=lead_inspector, admin=admin_user
    )
    url = reverse("inspections:detail", args=[inspection.pk])
    for user, heading in (
        (lead_inspector, "Inspection overview"),
        (force_lead_a, "Your inspection"),
    ):
        html = client_for(user).get(url).content.decode()
        assert f'<h1 class="govuk-heading-l">{heading}</h1>' in html
        assert f"<title>{heading} – {force_a.short_name} – " in html
