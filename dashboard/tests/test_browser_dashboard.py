"""Browser journeys for the dashboard and exports, with axe on every page."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dashboard.tests.factories import history
from forces.models import Force
from inspections.models import Inspection
from tests.browser import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_filters_the_dashboard_to_wales_and_sees_four_forces(
    page: Page, live_server, admin_user, lead_inspector, today, private_storage
):
    history(list(Force.objects.all()), lead=lead_inspector, today=today, years=10)
    sign_in(page, live_server.url, admin_user)
    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme dashboard")
    expect(page.locator(".app-matrix tbody tr")).to_have_count(43)
    assert_accessible(page)

    page.get_by_label("Country").select_option("wales")
    page.get_by_role("button", name="Apply filters").click()
    rows = page.locator(".app-matrix tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.locator("th")).to_contain_text(
        ["Dyfed-Powys", "Gwent", "North Wales", "South Wales"]
    )
    # The grade is written in every cell, never colour alone.
    expect(rows.first.locator(".govuk-tag")).to_have_count(5)
    assert_accessible(page)

    rows.first.get_by_role("link", name="Dyfed-Powys").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dyfed-Powys Police")
    expect(page.get_by_role("img", name="Dyfed-Powys: Leadership grades over time")).to_be_visible()
    assert_accessible(page)
    page.go_back()

    page.get_by_role("link", name="Download the data (CSV)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Download the data")
    expect(page.get_by_text("No copy has been prepared yet.")).to_have_count(4)
    assert_accessible(page)
    # The task runs as the request commits (eager in tests), so the page it
    # returns to already offers the copy.
    page.get_by_role("button", name="Prepare a new copy of grades by force and topic").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Download the data")
    link = page.get_by_role("link", name=re.compile(r"^Download grades by force and topic \(CSV"))
    expect(link).to_contain_text("rows")
    expect(page.get_by_text("No copy has been prepared yet.")).to_have_count(3)
    assert_accessible(page)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.startswith("grades-")
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Force,Force short name,Region,Country")
    published = Inspection.objects.filter(published_on__isnull=False).count()
    assert len(lines) - 1 == published * 5


def test_on_a_phone_wide_tables_scroll_in_their_box_not_the_whole_page(
    page: Page, live_server, admin_user, lead_inspector, today
):
    """Found by looking at every page 375 pixels wide: the dashboard was 883
    wide and the programme 749, past the header and footer. Each table now
    scrolls sideways in its own box, and axe still passes."""
    history(list(Force.objects.all()[:5]), lead=lead_inspector, today=today)
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, live_server.url, admin_user)
    for address in ("/dashboard/", "/inspections/", "/account/users/", "/audit/"):
        page.goto(f"{live_server.url}{address}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, address
        assert_accessible(page)
