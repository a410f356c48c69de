"""Browser journeys: set up two-factor, sign in with a code, get locked out, manage users."""

import re
import time

import pytest
from django_otp.oath import hotp
from playwright.sync_api import Page, expect

from accounts.tests.factories import TEST_PASSWORD, UserFactory, totp_code
from tests.browser import CODE_LABEL, assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def enter_password(page: Page, base_url: str, email: str, password: str = TEST_PASSWORD):
    page.goto(f"{base_url}/account/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_new_user_sets_up_two_factor_then_signs_in_with_a_code(page: Page, live_server):
    newcomer = UserFactory(full_name="Nina Newcomer")
    enter_password(page, live_server.url, newcomer.email)

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    assert_accessible(page)
    key = page.locator("#two-factor-key").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", key)

    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the 6-digit code")
    assert_accessible(page)
    page.get_by_label(CODE_LABEL).fill(totp_code(key))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Two-factor authentication is set up")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your inspections")
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    enter_password(page, live_server.url, newcomer.email)
    expect(page.get_by_role("heading", level=1)).to_have_text(CODE_LABEL)
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the 6-digit code")
    expect(page).to_have_title(
        "Error: Enter the code from your authenticator app – Child protection inspections"
    )
    assert_accessible(page)
    summary.get_by_role("link", name="Enter the 6-digit code").click()
    expect(page.get_by_label(CODE_LABEL)).to_be_focused()
    # The app's next code: the one shown now was spent setting up, moments ago.
    page.get_by_label(CODE_LABEL).fill(next_code(key, newcomer))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your inspections")


def next_code(key: str, user) -> str:
    from base64 import b32decode

    device = user.totpdevice_set.get()
    step = max(device.last_t + 1, int(time.time()) // 30)
    return f"{hotp(b32decode(key.replace(' ', '')), step):06d}"


def test_five_wrong_passwords_lock_the_account_out(page: Page, live_server, inspector):
    for _ in range(4):
        enter_password(page, live_server.url, inspector.email, "not the password")
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "Enter a correct email address and password"
        )
    with page.expect_response(lambda r: r.request.method == "POST") as response:
        enter_password(page, live_server.url, inspector.email, "not the password")
    assert response.value.status == 429
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You have entered the wrong password too many times"
    )
    expect(page.get_by_text("You can try again in 30 minutes.")).to_be_visible()
    assert_accessible(page)

    enter_password(page, live_server.url, inspector.email)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You have entered the wrong password too many times"
    )


def test_admin_finds_and_deactivates_a_user(page: Page, live_server, admin_user, inspector):
    sign_in(page, live_server.url, admin_user)
    page.get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")
    assert_accessible(page)
    page.get_by_label("Name or email address").fill("ian")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("caption")).to_have_text("1 user")
    page.get_by_role("link", name="Ian Inspector").click()
    assert_accessible(page)
    page.get_by_role("button", name="Deactivate account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deactivate this account")
    assert_accessible(page)
    page.get_by_role("button", name="Deactivate account").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why you are deactivating this account"
    )
    assert_accessible(page)
    page.get_by_label("Why are you doing this?").fill("Left the inspectorate")
    page.get_by_role("button", name="Deactivate account").click()
    expect(page.get_by_text("Ian Inspector’s account has been deactivated")).to_be_visible()
    expect(page.get_by_role("cell", name="Left the inspectorate")).to_be_visible()
    assert_accessible(page)
