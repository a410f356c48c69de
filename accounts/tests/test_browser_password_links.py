"""Browser journeys: an admin adds a force lead, who chooses a password from
the emailed link and sets up two-factor; someone who forgot their password
asks for a link and chooses a new one."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from accounts.models import User
from accounts.tests.factories import totp_code, totp_device
from tests.browser import CODE_LABEL, assert_accessible, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "copper kettle winter garden"


def emailed_link(base_url: str) -> str:
    match = re.search(r"https?://[^/\s]+(/account/set-password/\S+/)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return f"{base_url}{match.group(1)}"


def choose_password(page: Page, password: str) -> None:
    page.get_by_label("New password", exact=True).fill(password)
    page.get_by_label("Enter the new password again").fill(password)
    page.get_by_role("button", name="Save password").click()


def test_admin_adds_a_force_lead_who_chooses_a_password_and_signs_in(
    page: Page, live_server, admin_user, force_a
):
    sign_in(page, live_server.url, admin_user)
    page.get_by_role("link", name="Users").click()
    page.get_by_role("button", name="Add a user").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a user")
    assert_accessible(page)

    page.get_by_label("Full name").fill("Nadia Newlead")
    page.get_by_label("Email address").fill("nadia@example.org")
    page.get_by_role("radio", name="Force lead").check()
    page.get_by_role("button", name="Add user and send invitation").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select the force this force lead belongs to")
    assert_accessible(page)
    summary.get_by_role("link", name="Select the force this force lead belongs to").click()
    expect(page.get_by_label("Force (force leads only)")).to_be_focused()
    page.get_by_label("Force (force leads only)").select_option(label=force_a.name)
    page.get_by_role("button", name="Add user and send invitation").click()

    expect(page.get_by_text("Nadia Newlead has been added.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nadia Newlead")
    expect(page.get_by_role("cell", name="Link to set a password sent")).to_be_visible()
    assert_accessible(page)
    assert mail.outbox[-1].to == ["nadia@example.org"]
    link = emailed_link(live_server.url)
    sign_out(page)

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your password")
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in page.url and page.url.endswith("/set-password/")  # out of the address
    assert_accessible(page)
    choose_password(page, "too short")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Password must be 12 characters or more"
    )
    assert_accessible(page)
    choose_password(page, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password has been saved")
    assert_accessible(page)

    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Email address").fill("nadia@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    key = page.locator("#two-factor-key").inner_text()
    page.get_by_label(CODE_LABEL).fill(totp_code(key))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Signed in as Nadia Newlead")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(force_a.name)
    assert_accessible(page)

    # The link is spent.
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    assert_accessible(page)


def test_someone_who_forgot_their_password_chooses_a_new_one(page: Page, live_server, force_lead_a):
    device = totp_device(force_lead_a)
    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forgotten your password?")
    assert_accessible(page)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your email address")
    assert_accessible(page)
    page.get_by_label("Email address").fill(force_lead_a.email)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(page.get_by_text(force_lead_a.email)).to_be_visible()
    assert_accessible(page)

    page.goto(emailed_link(live_server.url))
    choose_password(page, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password has been saved")
    force_lead_a.refresh_from_db()
    assert force_lead_a.check_password(PASSWORD)

    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Email address").fill(force_lead_a.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label(CODE_LABEL).fill(totp_code(device.bin_key))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text(f"Signed in as {force_lead_a.full_name}")).to_be_visible()
    assert User.objects.get(pk=force_lead_a.pk).last_login is not None


def test_admin_moves_a_force_lead_to_another_force(
    page: Page, live_server, admin_user, force_lead_a, force_b
):
    sign_in(page, live_server.url, admin_user)
    page.goto(f"{live_server.url}/account/users/{force_lead_a.pk}/")
    page.get_by_role("link", name="Change details").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change details")
    assert_accessible(page)
    page.get_by_label("Force (force leads only)").select_option(label=force_b.name)
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why you are making this change"
    )
    assert_accessible(page)
    page.get_by_label("Why are you making this change?").fill("Moved to Cleveland")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Faye Forcelead’s details have been saved")).to_be_visible()
    expect(page.get_by_role("cell", name="Moved to Cleveland")).to_be_visible()
    expect(page.locator(".govuk-summary-list")).to_contain_text(force_b.name)
    assert_accessible(page)


def test_an_email_address_without_an_at_gets_the_services_own_error(
    page: Page, live_server, admin_user
):
    """Found by walking the admin's journey: the browser's own check of an
    email field stopped the form with a tooltip ("Please include an '@'"),
    so the GOV.UK error summary and message never came."""
    sign_in(page, live_server.url, admin_user)
    page.goto(f"{live_server.url}/account/users/add/")
    page.get_by_label("Full name").fill("Nadia Newlead")
    page.get_by_label("Email address").fill("nadia.example.org")
    page.get_by_role("radio", name="Inspector", exact=True).check()
    page.get_by_role("button", name="Add user and send invitation").click()

    message = "Enter an email address in the correct format, like name@example.org"
    expect(page.locator(".govuk-error-summary")).to_contain_text(message)
    expect(page.locator("#div_id_email .govuk-error-message")).to_contain_text(message)
    assert_accessible(page)
    assert not User.objects.filter(full_name="Nadia Newlead").exists()
