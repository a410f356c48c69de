"""The warning before a session ends (WCAG 2.2.1): in the browser, with the
limits cut from 30 minutes to seconds, and axe on the open warning."""

import time

import pytest
from playwright.sync_api import Page, expect

from inspections.models import Inspection, Judgment, Topic
from inspections.tests.factories import inspection_at
from tests.browser import assert_accessible, keep, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IDLE = 20
WARN = 16


@pytest.fixture
def short_sessions(settings):
    settings.SESSION_IDLE_TIMEOUT = IDLE
    settings.SESSION_TIMEOUT_WARNING = WARN


@pytest.fixture
def rationale_page(admin_user, lead_inspector, inspector, force_a) -> str:
    inspection = inspection_at(
        Inspection.Stage.FIELDWORK,
        force=force_a,
        lead=lead_inspector,
        team=[inspector],
        admin=admin_user,
    )
    inspection.judgments.update(status=Judgment.Status.NOT_STARTED, grade="", rationale="")
    return f"/inspections/{inspection.pk}/judgments/{Topic.LEADERSHIP}/"


def test_an_inspector_stays_signed_in_and_loses_nothing_they_typed(
    page: Page, live_server, short_sessions, inspector, rationale_page
):
    sign_in(page, live_server.url, inspector)
    signed_in_by = time.monotonic()
    page.goto(live_server.url + rationale_page)
    page.get_by_label("Good", exact=True).check()
    page.get_by_label("Rationale").fill("Good: the board reviews every strategy meeting.")
    warning = page.get_by_role("dialog", name="You’re about to be signed out")
    expect(warning).to_be_visible(timeout=IDLE * 1000)
    expect(warning).to_contain_text("For your security, we will sign you out in")
    expect(warning.get_by_role("button", name="Stay signed in")).to_be_focused()
    assert_accessible(page)
    keep(page, "session-timeout-warning")
    warning.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()
    expect(page.get_by_label("Rationale")).to_be_focused()
    # Past the time the session would have ended: the warning is back (the
    # idle clock restarted), and Escape keeps the person signed in too.
    time.sleep(max(0, signed_in_by + IDLE + 1 - time.monotonic()))
    expect(warning).to_be_visible(timeout=IDLE * 1000)
    page.keyboard.press("Escape")
    expect(warning).to_be_hidden()
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("draft saved")
    judgment = Judgment.objects.get(topic=Topic.LEADERSHIP, inspection__team=inspector)
    assert judgment.rationale == "Good: the board reviews every strategy meeting."


def test_when_nobody_answers_the_page_goes_to_sign_in_and_says_why(
    page: Page, live_server, short_sessions, inspector, rationale_page
):
    sign_in(page, live_server.url, inspector)
    page.goto(live_server.url + rationale_page)
    expect(page.get_by_role("dialog")).to_be_visible(timeout=IDLE * 1000)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible(timeout=IDLE * 1000)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "You were signed out because you had not used the service"
    )
    assert_accessible(page)
    assert rationale_page in page.url  # signing in again comes back here


def test_near_the_end_of_the_day_the_warning_says_to_save_and_cannot_extend(
    page: Page, live_server, settings, inspector, rationale_page
):
    settings.SESSION_ABSOLUTE_TIMEOUT = 20
    settings.SESSION_TIMEOUT_WARNING = 18
    sign_in(page, live_server.url, inspector)
    page.goto(live_server.url + rationale_page)
    warning = page.get_by_role("dialog", name="You’re about to be signed out")
    expect(warning).to_be_visible(timeout=20_000)
    expect(warning).to_contain_text("you must sign in again every")
    expect(warning).to_contain_text("Save your work now.")
    expect(warning.get_by_role("button", name="Stay signed in")).to_be_hidden()
    assert_accessible(page)
    warning.get_by_role("button", name="Continue").click()
    expect(warning).to_be_hidden()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "You were signed out because you signed in more than 12 hours ago", timeout=20_000
    )


def test_a_page_opened_inside_the_warning_time_warns_at_once(
    page: Page, live_server, settings, inspector, rationale_page
):
    """A page drawn with less time left than the warning gives (opened two
    minutes before the end of the 12 hours) warned never: the page set a
    timer only for a warning still to come."""
    settings.SESSION_ABSOLUTE_TIMEOUT = 40
    settings.SESSION_TIMEOUT_WARNING = 60
    sign_in(page, live_server.url, inspector)
    page.goto(live_server.url + rationale_page)
    warning = page.get_by_role("dialog", name="You’re about to be signed out")
    expect(warning).to_be_visible(timeout=5_000)
    expect(warning).to_contain_text("Save your work now.")
