"""Reflow (WCAG 1.4.10): at 320 CSS pixels wide, the action plan's task list
keeps a long file name on the screen."""

import pytest
from playwright.sync_api import Page, expect

from actionplans import services
from actionplans.models import ActionPlan
from actionplans.tests.factories import pdf_upload
from tests.browser import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A name as people save files: no spaces, so no place to wrap.
FILE_NAME = "Greater_Manchester_Police_child_protection_action_plan_FINAL_v3.pdf"


def test_a_long_file_name_in_the_action_plan_wraps_on_a_phone(
    page: Page, live_server, checks, force_lead_a
):
    """Found by looking at every page 320 pixels wide with long words in what
    people enter: the plan page was 562 wide, its task list (a table) as wide
    as the uploaded file's name."""
    plan = services.action_plan_for(checks, ActionPlan.Kind.ACTION_PLAN)
    services.action_plan_attach_document(plan=plan, upload=pdf_upload(FILE_NAME), by=force_lead_a)

    page.set_viewport_size({"width": 320, "height": 800})
    sign_in(page, live_server.url, force_lead_a)
    page.goto(f"{live_server.url}{plan.get_absolute_url()}")
    expect(page.locator(".govuk-task-list")).to_contain_text(FILE_NAME)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page)
