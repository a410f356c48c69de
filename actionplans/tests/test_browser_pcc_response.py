"""Browser journey: a force lead records the police and crime commissioner's
response, after a refusal, and an admin sees it gone from the dashboard."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from actionplans.tests.factories import today
from core.templatetags.govuk import govuk_date
from inspections.models import Inspection
from tests.browser import assert_accessible, keep, sign_in, sign_out, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADDRESS = "https://www.example-pcc.gov.uk/responses/child-protection-2027"
HEADING = "Record the police and crime commissioner’s response"


def fill_date(page: Page, day) -> None:
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))


def pcc_section(page: Page):
    return page.locator("#pcc-response + p + .govuk-summary-list")


def test_force_lead_records_the_response_after_an_error_and_the_dashboard_clears(
    page: Page, live_server, published, force_lead_a, admin_user
):
    # The response was due yesterday: overdue, and on the dashboard.
    Inspection.objects.filter(pk=published.pk).update(
        published_on=today() - timedelta(days=57),
        pcc_response_due_on=today() - timedelta(days=1),
    )
    sign_in(page, live_server.url, admin_user)
    page.goto(f"{live_server.url}/dashboard/")
    visit(page, "Programme dashboard")
    overdue = page.locator("#pcc-responses ~ .app-table-scroll").first
    expect(overdue).to_contain_text("Greater Manchester")
    expect(overdue).to_contain_text("Police and crime commissioner’s response")
    sign_out(page)

    sign_in(page, live_server.url, force_lead_a)
    page.goto(f"{live_server.url}{published.get_absolute_url()}")
    expect(page.locator(".govuk-summary-list").first).to_contain_text("Overdue")
    page.goto(f"{live_server.url}/inspections/{published.pk}/follow-up/")
    visit(page, "Follow-up")
    expect(pcc_section(page)).to_contain_text("Overdue")
    page.get_by_role("link", name="Record the police and crime commissioner’s response").click()
    visit(page, HEADING)

    # A date in the future and an address that is not https: both named.
    fill_date(page, today() + timedelta(days=1))
    page.get_by_label("Web address of the response (optional)").fill(
        "http://www.example-pcc.gov.uk/response"
    )
    page.get_by_role("button", name="Save response").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(
        "The date the response was published must be today or in the past"
    )
    expect(summary).to_contain_text("Enter a web address that starts with https://")
    expect(page).to_have_title(
        f"Error: {HEADING} – {published.force.short_name} – Child protection inspections"
    )
    assert_accessible(page)
    keep(page, "PCC response errors")
    # The summary's link takes the user to the field.
    summary.get_by_role("link", name="Enter a web address that starts with https://").click()
    expect(page.get_by_label("Web address of the response (optional)")).to_be_focused()

    published_on = today() - timedelta(days=2)
    fill_date(page, published_on)
    page.get_by_label("Web address of the response (optional)").fill(ADDRESS)
    page.get_by_role("button", name="Save response").click()

    visit(page, "Follow-up")
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text(f"response published on {govuk_date(published_on)} saved")
    section = pcc_section(page)
    expect(section).to_contain_text(f"Published on {govuk_date(published_on)}")
    expect(section.get_by_role("link", name="read the response")).to_have_attribute("href", ADDRESS)
    expect(section).not_to_contain_text("Overdue")

    # A way to change it, with the answers given.
    page.get_by_role("link", name="Change the police and crime commissioner’s response").click()
    visit(page, "Change the police and crime commissioner’s response")
    expect(page.get_by_label("Day")).to_have_value(str(published_on.day))
    expect(page.get_by_label("Web address of the response (optional)")).to_have_value(ADDRESS)
    page.get_by_role("link", name="Back").click()
    visit(page, "Follow-up")
    page.goto(f"{live_server.url}{published.get_absolute_url()}")
    expect(page.locator(".govuk-summary-list").first).to_contain_text(
        f"Published on {govuk_date(published_on)}"
    )
    assert_accessible(page)
    keep(page, "Inspection with PCC response")
    sign_out(page)

    sign_in(page, live_server.url, admin_user)
    page.goto(f"{live_server.url}/dashboard/")
    visit(page, "Programme dashboard")
    expect(
        page.get_by_text("No police and crime commissioner’s response is overdue.")
    ).to_be_visible()
