"""Browser journey: a force lead opens a cancelled inspection's follow-up and
report pages, which say nothing is coming (found by the force lead review:
both promised plans and a report), and an admin reads a long reason in full
on the audit trail (found by the audit review: it was cut at 120 characters).
Each page passes axe."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts import services as account_services
from inspections import services as inspection_services
from inspections.tests.factories import inspection_at
from tests.browser import sign_in, sign_out, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = (
    "Left the inspectorate on 30 November after the secondment ended; their laptop was not "
    "returned and the police have been told, reference 4471-A, so sign-in must stop today."
)


def test_a_cancelled_inspection_promises_nothing_and_a_long_reason_is_read_in_full(
    page: Page, live_server, force_lead_a, lead_inspector, inspector, admin_user
):
    inspection = inspection_at(
        "planned", force=force_lead_a.force, lead=lead_inspector, team=[inspector], admin=admin_user
    )
    inspection_services.inspection_cancel(
        inspection=inspection, reason="Force restructure", by=admin_user
    )
    account_services.user_deactivate(user=inspector, by=admin_user, reason=REASON)

    sign_in(page, live_server.url, force_lead_a)
    page.goto(f"{live_server.url}{reverse('actionplans:followup', args=[inspection.pk])}")
    visit(page, "Follow-up")
    expect(page.get_by_text("None: the inspection was cancelled")).to_have_count(2)
    page.goto(f"{live_server.url}{reverse('inspections:report', args=[inspection.pk])}")
    expect(page.get_by_text("There is no report: the inspection was cancelled.")).to_be_visible()
    visit(page, page.get_by_role("heading", level=1).inner_text())
    sign_out(page)

    sign_in(page, live_server.url, admin_user)
    page.goto(f"{live_server.url}{reverse('core:audit')}")
    visit(page, "Audit trail")
    page.get_by_text("Comment: Left the inspectorate").click()
    expect(page.get_by_text("so sign-in must stop today.")).to_be_visible()
