"""Browser journeys: each role signs in, lands on its home page, signs out."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser import assert_accessible, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("persona", "heading"),
    [
        ("admin_user", "Programme administration"),
        ("lead_inspector", "Your inspections"),
        ("inspector", "Your inspections"),
        ("force_lead_a", "Greater Manchester Police"),
    ],
)
def test_each_role_signs_in_to_its_home_and_out(page: Page, live_server, request, persona, heading):
    user = request.getfixturevalue(persona)
    sign_in(page, live_server.url, user)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(page)
    sign_out(page)
    assert_accessible(page)


def test_force_lead_gets_404_for_another_force(page: Page, live_server, force_lead_a, force_b):
    sign_in(page, live_server.url, force_lead_a)
    response = page.goto(f"{live_server.url}/forces/{force_b.slug}/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_accessible(page)


def test_sign_in_errors_are_summarised_and_focusable(page: Page, live_server, inspector):
    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter your email address")
    expect(summary).to_contain_text("Enter your password")
    expect(page).to_have_title("Error: Sign in – Child protection inspections")
    assert_accessible(page)
    summary.get_by_role("link", name="Enter your email address").click()
    expect(page.get_by_label("Email address")).to_be_focused()

    page.get_by_label("Email address").fill(inspector.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(summary).to_contain_text("Enter a correct email address and password")
    assert_accessible(page)


def test_forces_list_and_page_are_accessible(page: Page, live_server, admin_user):
    sign_in(page, live_server.url, admin_user)
    page.get_by_role("link", name="Forces").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forces")
    assert_accessible(page)
    page.get_by_label("Country").select_option("wales")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("caption")).to_have_text("4 forces")
    page.get_by_role("link", name="Gwent Police").click()
    expect(page.get_by_text("Wales Safeguarding Procedures")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{live_server.url}/accessibility/")
    assert_accessible(page)
