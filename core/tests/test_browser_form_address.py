"""A form's address opened as a page, in Chromium: a GOV.UK page that passes
axe, where it was a blank 405 page."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser import sign_in, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_form_address_opened_as_a_page_explains_itself(page: Page, live_server, force_lead_a):
    sign_in(page, live_server.url, force_lead_a)
    response = page.goto(live_server.url + reverse("actionplans:notifications_read"))
    assert response.status == 405
    visit(page, "This address only takes a form")
    page.get_by_role("link", name="Go to your home page").click()
    expect(page).to_have_url(live_server.url + "/")
