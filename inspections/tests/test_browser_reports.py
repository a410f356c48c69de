"""Browser journey: a force lead takes their report as a PDF, and only theirs."""

from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from inspections.models import Inspection
from inspections.tests.report_factories import report_inspection
from tests.browser import assert_accessible, sign_in
from tests.builders import live_builder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_force_lead_downloads_their_report_but_not_another_forces(
    page: Page,
    live_server,
    admin_user,
    lead_inspector,
    inspector,
    force_a,
    force_b,
    force_lead_a,
    private_storage,
):
    people = {"lead": lead_inspector, "inspector": inspector, "admin": admin_user}
    own = report_inspection(force=force_a, **people)
    other = report_inspection(force=force_b, start=date(2026, 5, 4), **people)
    assert own.stage == other.stage == Inspection.Stage.PUBLISHED

    sign_in(page, live_server.url, force_lead_a)
    page.goto(f"{live_server.url}{own.get_absolute_url()}")
    assert_accessible(page)
    page.get_by_role("link", name="Report as a PDF, and the action plan tracker").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report PDF")
    assert_accessible(page)
    page.get_by_role("button", name="Build the report PDF").click()
    expect(page.get_by_role("heading", name="The report PDF is ready")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the report (PDF").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    assert download.value.suggested_filename == "greater-manchester-report-2026-03.pdf"

    for path in (f"/inspections/{other.pk}/report/pdf/", f"/inspections/{other.pk}/report/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 404
        assert_accessible(page)


@pytest.fixture
def building(admin_user, lead_inspector, inspector, force_a):
    """A whole report's inspection, and a PDF of it a live worker is building."""
    from inspections.models import ReportFile

    people = {"lead": lead_inspector, "inspector": inspector, "admin": admin_user}
    inspection = report_inspection(force=force_a, **people)
    build = ReportFile.objects.create(inspection=inspection, status=ReportFile.Status.BUILDING)
    with live_builder(build):
        yield inspection, build


def _open_a_building_report(page: Page, live_server, user, building) -> None:
    sign_in(page, live_server.url, user)
    page.goto(f"{live_server.url}/inspections/{building[0].pk}/report/pdf/")


def test_a_building_report_refreshes_until_the_person_stops_it(
    page: Page, live_server, inspector, building
):
    _open_a_building_report(page, live_server, inspector, building)
    expect(page.get_by_role("status")).to_contain_text("Building the report…")
    expect(page.locator("[data-app-refresh-seconds]")).to_have_count(1)
    assert_accessible(page)  # checked by script, not by a timed meta refresh
    # WCAG 2.2.1: the person can stop the checking.
    page.get_by_role("link", name="Stop checking").click()
    expect(page.locator("[data-app-refresh-seconds]")).to_have_count(0)
    expect(page.get_by_role("status")).to_contain_text("Building the report…")
    assert_accessible(page)


def test_a_building_report_keeps_a_keyboard_users_place_until_it_is_done(
    page: Page, live_server, inspector, building
):
    """Found by the keyboard review: the page reloaded itself every 3 seconds,
    throwing focus back to the top, so the link to stop it could not be
    reached in time. It checks in the background, keeps focus where it is,
    and says in its status region when the build is over."""
    from inspections.models import ReportFile

    _, build = building
    _open_a_building_report(page, live_server, inspector, building)
    back = page.get_by_role("link", name="Back to the report")
    back.focus()
    page.wait_for_timeout(4_000)  # past a check, every 3 seconds
    expect(back).to_be_focused()
    ReportFile.objects.filter(pk=build.pk).update(status=ReportFile.Status.FAILED)
    status = page.get_by_role("status")
    expect(status).to_contain_text("The report PDF is no longer being built.", timeout=8_000)
    expect(back).to_be_focused()
    expect(page.get_by_role("link", name="Stop checking")).to_have_count(0)
    assert_accessible(page)
    status.get_by_role("link", name="See the result").click()
    expect(page.get_by_text("The report could not be built")).to_be_visible()
    assert_accessible(page)


def test_the_printed_report_leaves_out_the_services_navigation(
    page: Page, live_server, admin_user, lead_inspector, inspector, force_a, force_lead_a
):
    """Found by printing the report page: the paper began with Home, Your force,
    Your account, Sign out, Back and the inspection's tabs. It keeps the report,
    and the official-sensitive marking."""
    people = {"lead": lead_inspector, "inspector": inspector, "admin": admin_user}
    inspection = report_inspection(force=force_a, **people)
    sign_in(page, live_server.url, force_lead_a)
    page.goto(f"{live_server.url}/inspections/{inspection.pk}/report/")
    page.emulate_media(media="print")
    expect(page.get_by_role("heading", level=1)).to_have_text("Report")
    expect(page.get_by_role("table", name="Graded judgments")).to_be_visible()
    expect(page.get_by_text("Official-sensitive: do not share").first).to_be_visible()
    for hidden in (
        page.get_by_role("navigation", name="Menu"),
        page.get_by_role("button", name="Sign out"),
        page.get_by_role("link", name="Back", exact=True),
        page.get_by_role("navigation", name="Inspection sections"),
    ):
        expect(hidden).to_be_hidden()
    page.emulate_media(media="screen")
    expect(page.get_by_role("navigation", name="Inspection sections")).to_be_visible()
    assert_accessible(page)


def test_a_building_report_page_signed_out_meanwhile_goes_to_sign_in(
    page: Page, live_server, inspector, building
):
    """Checking in the background, the page is sent to sign in once the
    session has ended, as a reload would: not told the work is over."""
    _open_a_building_report(page, live_server, inspector, building)
    expect(page.get_by_role("status")).to_contain_text("Building the report…")
    page.context.clear_cookies()
    page.wait_for_url("**/account/sign-in/**", timeout=10_000)
    expect(page.get_by_text("no longer being built")).to_have_count(0)
