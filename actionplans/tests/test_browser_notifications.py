"""A lead inspector with a long list of notifications finds the unread ones."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from actionplans.tests.factories import today, weekly_overdue_notices
from tests.browser import assert_accessible, keep, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_lead_inspector_finds_the_unread_among_many_notifications(
    page: Page, live_server, lead_inspector, make_due
):
    inspection = make_due(action_plan_due_on=today() - timedelta(days=1))
    weekly_overdue_notices(lead_inspector, inspection, 80, unread=(30, 70))
    sign_in(page, live_server.url, lead_inspector)
    page.get_by_role("link", name="Notifications").click()
    expect(page.get_by_role("heading", name="80 notifications")).to_be_visible()
    expect(page.get_by_role("link", name="Page 4")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Show only unread notifications").click()
    expect(page.get_by_role("heading", name="2 unread notifications")).to_be_visible()
    expect(page.get_by_text("Overdue week 30")).to_be_visible()
    expect(page.get_by_text("Overdue week 70")).to_be_visible()
    expect(page.get_by_text("Overdue week 31")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("button", name="Mark all as read").click()
    page.goto(f"{live_server.url}/notifications/?show=unread")
    expect(page.get_by_text("All your notifications have been read.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Show every notification").click()
    expect(page.get_by_role("heading", name="80 notifications")).to_be_visible()
    # Narrowed to what they are about: nothing about visits, then plans.
    page.get_by_label("About", exact=True).select_option(label="Post-inspection visit")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("No notifications match these choices.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("About", exact=True).select_option(label="Action plan")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="80 notifications")).to_be_visible()
    page.get_by_label("Force", exact=True).select_option(label=inspection.force.short_name)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="80 notifications")).to_be_visible()
    expect(page.get_by_label("About", exact=True)).to_have_value("action_plan")
    assert_accessible(page)
    keep(page, "notifications-narrowed")
