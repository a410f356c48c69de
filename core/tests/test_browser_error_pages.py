"""The error pages, in Chromium: "there is a problem" (500) and "the service
is busy" (503, a query past the statement timeout) pass axe and name the
service, though drawn without the request."""

import pytest
from django.db import connection
from playwright.sync_api import Page, expect

from tests.browser import sign_in, visit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("core.tests.statement_timeout_urls"),
]


def test_the_problem_page_is_accessible_and_names_the_service(page: Page, live_server, inspector):
    sign_in(page, live_server.url, inspector)

    response = page.goto(f"{live_server.url}/test/connection-lost")

    assert response.status == 500
    visit(page, "Sorry, there is a problem with the service")
    expect(page.get_by_role("link", name="Child protection inspections")).to_be_visible()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's")
def test_the_busy_page_is_accessible_and_names_the_service(page: Page, live_server, inspector):
    sign_in(page, live_server.url, inspector)

    response = page.goto(f"{live_server.url}/test/slow-query")

    assert response.status == 503
    visit(page, "Sorry, the service is busy")
    expect(page.get_by_role("link", name="Child protection inspections")).to_be_visible()
