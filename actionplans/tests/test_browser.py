"""Browser journeys: a plan through two versions, and a short-notice visit."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from actionplans.models import PostInspectionVisit
from actionplans.tests.factories import today
from core.tests import files
from tests.browser import assert_accessible, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def banner(page: Page):
    return page.locator(".govuk-notification-banner")


def fill_response(page: Page, action: str, target) -> None:
    page.get_by_label("What the force will do").fill(action)
    page.get_by_label("Role of the person responsible").fill("Head of public protection")
    page.get_by_label("Day").fill(str(target.day))
    page.get_by_label("Month").fill(str(target.month))
    page.get_by_label("Year").fill(str(target.year))
    page.get_by_label("In progress").check()
    page.get_by_role("button", name="Save response").click()


def open_latest_notification(page: Page, title: str) -> None:
    page.get_by_role("link", name="Notifications").click()
    assert_accessible(page)
    page.get_by_role("link", name=title).click()


def review(page: Page, *, decision: str, comment: str = "") -> None:
    page.get_by_role("link", name="Review version").click()
    assert_accessible(page)
    page.get_by_label(decision).check()
    if comment:
        page.get_by_label("Comments for the force").fill(comment)
    page.get_by_role("button", name="Save decision").click()


def test_force_lead_submits_a_plan_it_is_returned_and_version_2_accepted(
    page: Page, live_server, checks, force_lead_a, lead_inspector
):
    target = today() + timedelta(days=90)
    sign_in(page, live_server.url, force_lead_a)
    expect(page.get_by_role("heading", name="What is due")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="View the action plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Action plan")
    assert_accessible(page)

    page.get_by_role("link", name="Plan document").click()
    assert_accessible(page)
    page.get_by_label("Upload the action plan").set_input_files(
        {"name": "Our action plan.pdf", "mimeType": "application/pdf", "buffer": files.pdf()}
    )
    page.get_by_role("button", name="Upload document").click()
    expect(banner(page)).to_contain_text("Our action plan.pdf uploaded")

    # The check page names each missing response, and offers no button yet.
    page.get_by_role("link", name="Check and submit").click()
    to_do = page.locator("main .govuk-list--bullet")
    expect(to_do).to_contain_text("Add a response to cause of concern 1")
    expect(to_do).to_contain_text("Add a response to recommendation 1")
    expect(to_do).not_to_contain_text("Upload the action plan document")
    expect(page.get_by_role("button", name="Submit action plan")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name="Add response to cause of concern 1").click()
    page.get_by_role("button", name="Save response").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter what the force will do")
    assert_accessible(page)
    fill_response(page, "Review every open investigation daily", target)
    page.get_by_role("link", name="Recommendation 1").click()
    fill_response(page, "Set and monitor timescales", target)

    page.get_by_role("link", name="Check and submit").click()
    expect(page.get_by_text("Set and monitor timescales")).to_be_visible()
    page.get_by_role("button", name="Submit action plan").click()
    expect(banner(page)).to_contain_text("Action plan version 1 submitted")
    assert_accessible(page)
    sign_out(page)

    # The lead inspector returns version 1 with comments.
    sign_in(page, live_server.url, lead_inspector)
    open_latest_notification(page, "Action plan version 1 submitted: Greater Manchester")
    review(
        page, decision="Return it to the force with comments", comment="Name an owner per action"
    )
    expect(banner(page)).to_contain_text("Version 1 returned to the force")
    assert_accessible(page)
    sign_out(page)

    # The force lead starts version 2 from version 1's responses.
    sign_in(page, live_server.url, force_lead_a)
    open_latest_notification(page, "Action plan version 1 returned: Greater Manchester")
    expect(page.locator(".govuk-inset-text")).to_contain_text("Name an owner per action")
    expect(page.get_by_role("heading", name="Version 2")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Cause of concern 1").click()
    expect(page.get_by_label("What the force will do")).to_have_value(
        "Review every open investigation daily"
    )
    page.get_by_label("Role of the person responsible").fill("Detective superintendent")
    page.get_by_role("button", name="Save response").click()
    page.get_by_role("link", name="Check and submit").click()
    page.get_by_role("button", name="Submit action plan").click()
    expect(banner(page)).to_contain_text("Action plan version 2 submitted")
    sign_out(page)

    sign_in(page, live_server.url, lead_inspector)
    open_latest_notification(page, "Action plan version 2 submitted: Greater Manchester")
    # The review shows what the force changed since version 1, and what it said.
    page.get_by_role("link", name="Review version").click()
    expect(page.get_by_text("Since version 1: responsible")).to_be_visible()
    page.get_by_text("What version 1 said").click()
    expect(page.locator(".govuk-details__text")).to_contain_text("Head of public protection")
    expect(page.get_by_text("Unchanged since version 1")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Accept this version").check()
    page.get_by_role("button", name="Save decision").click()
    expect(banner(page)).to_contain_text("Version 2 accepted")
    expect(page.locator(".govuk-summary-list").first).to_contain_text("Accepted")
    expect(page.locator(".moj-timeline")).to_contain_text("Version 1 returned")
    assert_accessible(page)
    page.get_by_role("link", name="View version 1").click()
    expect(page.get_by_text("Review every open investigation daily")).to_be_visible()
    assert_accessible(page)


def test_admin_is_refused_10_days_notice_then_books_with_a_recorded_override(
    page: Page, live_server, published, admin_user, force_lead_a
):
    day = today() + timedelta(days=10)
    sign_in(page, live_server.url, admin_user)
    page.goto(f"{live_server.url}/inspections/{published.pk}/follow-up/")
    assert_accessible(page)
    page.get_by_role("link", name="Book a post-inspection visit").click()
    assert_accessible(page)
    # A date with only its day: one message naming what is missing, linked to the month.
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link")).to_have_text(
        ["The date of the visit must include a month and year"]
    )
    assert_accessible(page)
    summary.get_by_role("link").click()
    expect(page.get_by_label("Month")).to_be_focused()
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The visit is less than 14 days away")
    assert_accessible(page)
    summary.get_by_role("link").click()
    expect(page.get_by_label("Reason for short notice")).to_be_focused()

    page.get_by_label("Reason for short notice").fill("The force asked to be visited early")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the visit before you book it")
    expect(page.get_by_text("The force will get less than the usual notice")).to_be_visible()
    assert_accessible(page)
    # Back keeps the day and the reason, as Change does (it opened the form empty).
    page.locator(".govuk-back-link").click()
    expect(page.get_by_label("Day")).to_have_value(str(day.day))
    expect(page.get_by_label("Reason for short notice")).to_have_value(
        "The force asked to be visited early"
    )
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the visit before you book it")
    page.get_by_role("button", name="Book visit and send notice").click()

    expect(banner(page)).to_contain_text("Notice sent to the force on")
    expect(page.get_by_text("The force asked to be visited early")).to_be_visible()
    assert_accessible(page)
    visit = PostInspectionVisit.objects.get()
    assert visit.visit_on == day
    assert visit.short_notice_reason == "The force asked to be visited early"

    # The force then cannot make that day: the admin cancels, saying why.
    page.get_by_role("link", name="Cancel this visit").click()
    assert_accessible(page)
    page.get_by_role("button", name="Cancel the visit").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why the visit is cancelled")
    assert_accessible(page)
    page.get_by_label("Why is the visit cancelled?").fill("The force cannot host it that week")
    page.get_by_role("button", name="Cancel the visit").click()
    expect(banner(page)).to_contain_text("is cancelled")
    expect(page.get_by_text("The force cannot host it that week")).to_be_visible()
    assert_accessible(page)
    visit.refresh_from_db()
    assert visit.is_cancelled


def test_force_lead_resets_the_calendar_link_after_confirming(
    page: Page, live_server, force_lead_a, client
):
    sign_in(page, live_server.url, force_lead_a)
    page.get_by_role("link", name="Your calendar link").click()
    assert_accessible(page)
    old = page.get_by_label("Calendar link").input_value()

    page.get_by_role("button", name="Reset calendar link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to reset your calendar link?"
    )
    assert_accessible(page)
    page.get_by_role("link", name="Cancel").click()
    assert page.get_by_label("Calendar link").input_value() == old

    page.get_by_role("button", name="Reset calendar link").click()
    page.get_by_role("button", name="Reset calendar link").click()
    expect(banner(page)).to_contain_text("Your calendar link has been reset")
    assert_accessible(page)
    new = page.get_by_label("Calendar link").input_value()
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_lead_inspector_sees_the_plans_due_on_their_home_and_opens_one(
    page: Page, live_server, checks, lead_inspector
):
    sign_in(page, live_server.url, lead_inspector)
    expect(page.get_by_role("heading", name="Deadlines")).to_be_visible()
    expect(page.get_by_text("Due in the next 30 days")).to_be_visible()
    assert_accessible(page)
    table = page.locator(".app-table-scroll").first
    table.get_by_role("link", name="Action plan for Greater Manchester").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Action plan")
    assert_accessible(page)
