"""Browser journey: a plan document lost from the disk says so, on a page
that passes axe, instead of "Page not found" (found by the uploads review)."""

import pytest
from django.core.files.storage import default_storage
from playwright.sync_api import Page

from actionplans.tests.factories import submitted_plan
from tests.browser import sign_in, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_lead_inspector_is_told_a_plan_document_is_no_longer_kept(
    page: Page, live_server, checks, force_lead_a, lead_inspector
):
    _, version = submitted_plan(checks, by=force_lead_a)
    default_storage.delete(version.document.storage_name)

    sign_in(page, live_server.url, lead_inspector)
    page.goto(f"{live_server.url}{version.get_absolute_url()}")
    link = page.get_by_role("link", name=f"Download {version.document.original_name}")
    with page.expect_response(lambda r: r.status == 410):
        link.click()
    visit(page, "This file is no longer available")
    assert page.get_by_text("It could not be found in the service's storage.").is_visible()
