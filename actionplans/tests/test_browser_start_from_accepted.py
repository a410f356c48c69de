"""Browser journey: the force lead starts the updated action plan from the
accepted action plan, then brings a response up to date."""

import pytest
from playwright.sync_api import Page, expect

from actionplans import services
from actionplans.tests.factories import add_area_for_improvement, submitted_plan
from tests.browser import assert_accessible, keep, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_force_lead_fills_in_the_updated_plan_from_the_accepted_plan(
    page: Page, live_server, published, force_lead_a, lead_inspector
):
    _, version = submitted_plan(published, by=force_lead_a)
    services.action_plan_version_accept(version=version, by=lead_inspector)
    add_area_for_improvement(published, by=lead_inspector)

    sign_in(page, live_server.url, force_lead_a)
    page.goto(f"{live_server.url}/inspections/{published.pk}/action-plans/updated-action-plan/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Updated action plan")
    expect(page.locator(".govuk-inset-text")).to_contain_text(
        "Version 1 of your action plan was accepted on"
    )
    assert_accessible(page)
    keep(page, "updated plan offered")

    page.get_by_role("button", name="Fill in from the accepted action plan").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "2 responses filled in from the accepted action plan"
    )
    offer = page.get_by_role("button", name="Fill in from the accepted action plan")
    expect(offer).to_have_count(0)
    for label in ("Cause of concern 1", "Recommendation 1"):
        item = page.locator(".govuk-task-list__item").filter(has_text=label)
        expect(item.locator(".govuk-task-list__status")).to_have_text("Completed")
    assert_accessible(page)
    keep(page, "updated plan filled in")
    page.get_by_role("link", name="Recommendation 1").click()
    expect(page.get_by_label("What the force will do")).to_have_value(
        "We will act on Recommendation 1"
    )
    page.get_by_label("Complete").check()
    page.get_by_role("button", name="Save response").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Response to recommendation 1 saved"
    )
    # The area for improvement is the updated plan's own: still to answer.
    area = page.locator(".govuk-task-list__item").filter(has_text="Area for improvement 1")
    expect(area.locator(".govuk-task-list__status")).to_contain_text("Incomplete")
    assert_accessible(page)
