"""Browser journeys: a signed-in person opens their account from the header
and changes their password; one who keeps giving a wrong current password is
signed out."""

import os
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from accounts.tests.factories import TEST_PASSWORD
from tests.browser import assert_accessible, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ["SCREENSHOT_DIR"]) if os.environ.get("SCREENSHOT_DIR") else None
NEW_PASSWORD = "copper kettle winter garden"
WRONG = "not my password at all"


def look(page: Page, name: str) -> None:
    assert_accessible(page)
    if SCREENSHOTS:  # SCREENSHOT_DIR=... keeps a picture of each page, to look at
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def change_password(page: Page, current: str) -> None:
    page.get_by_label("Current password").fill(current)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Enter the new password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()


def test_a_force_lead_changes_their_password_from_their_account(
    page: Page, live_server, force_lead_a
):
    sign_in(page, live_server.url, force_lead_a)
    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    details = page.locator(".govuk-summary-list")
    expect(details).to_contain_text(force_lead_a.email)
    expect(details).to_contain_text("Greater Manchester Police")
    expect(page.get_by_text("Ask an admin to change your name or email address")).to_be_visible()
    look(page, "01-your-account")

    page.get_by_role("link", name="Change your password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    look(page, "02-change-your-password")
    change_password(page, WRONG)
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Your current password is not correct")
    look(page, "03-change-your-password-wrong-current")
    summary.get_by_role("link", name="Your current password is not correct").click()
    expect(page.get_by_label("Current password")).to_be_focused()

    change_password(page, TEST_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.get_by_text("Your password has been changed.")).to_be_visible()
    expect(page.locator(".govuk-summary-list")).to_contain_text("Password last changed")
    look(page, "04-your-account-password-changed")
    assert mail.outbox[-1].to == [force_lead_a.email]
    assert "has been changed" in mail.outbox[-1].subject

    sign_out(page)
    sign_in(page, live_server.url, force_lead_a, password=NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Greater Manchester Police")


def test_five_wrong_current_passwords_sign_the_person_out(page: Page, live_server, inspector):
    sign_in(page, live_server.url, inspector)
    page.goto(f"{live_server.url}/account/your-account/change-password/")
    for _ in range(5):
        change_password(page, WRONG)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You have entered the wrong password too many times"
    )
    expect(page.get_by_text("To keep your account safe, you have been signed out.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    look(page, "05-locked-out-while-changing-password")
