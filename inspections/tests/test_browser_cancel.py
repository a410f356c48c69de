"""An admin cancels a planned inspection, in the browser, with axe on every page."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from inspections.models import Inspection
from inspections.tests.factories import schedule
from tests.browser import keep, sign_in, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_cancels_a_planned_inspection(
    page: Page, live_server, admin_user, lead_inspector, inspector, force_a
):
    start = timezone.localdate() + timedelta(days=21)
    inspection = schedule(
        force=force_a, lead=lead_inspector, team=[inspector], start=start, by=admin_user
    )
    sign_in(page, live_server.url, admin_user)
    page.goto(f"{live_server.url}{inspection.get_absolute_url()}")
    visit(page, "Inspection overview")
    page.get_by_role("button", name="Cancel this inspection").click()
    visit(page, "Cancel this inspection")

    page.get_by_role("button", name="Cancel inspection").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter why the inspection is being cancelled")
    visit(page, "Cancel this inspection")
    summary.get_by_role("link").click()
    reason = page.get_by_label("Why is this inspection being cancelled?")
    expect(reason).to_be_focused()

    reason.fill("Scheduled by mistake")
    page.get_by_role("button", name="Cancel inspection").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Inspection cancelled")
    expect(page.locator("#cancelled")).to_contain_text("Scheduled by mistake")
    visit(page, "Inspection overview")
    keep(page, "cancelled inspection")
    expect(page.get_by_role("button", name="Cancel this inspection")).to_have_count(0)
    assert Inspection.objects.get(pk=inspection.pk).stage == Inspection.Stage.CANCELLED
