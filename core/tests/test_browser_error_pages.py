"""The error pages, in Chromium: "there is a problem" (500) and "the service
is busy" (503, a query past the statement timeout) pass axe and name the
service, though drawn without the request; so does "could not read that
request" (400, a request Django refuses as suspicious)."""

import pytest
from django.db import connection
from playwright.sync_api import Page, expect

from tests.browser import sign_in, visit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("core.tests.statement_timeout_urls"),
]
needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's"
)


@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [
        ("/test/connection-lost", 500, "Sorry, there is a problem with the service"),
        ("/test/suspicious", 400, "Sorry, the service could not read that request"),
        pytest.param("/test/slow-query", 503, "Sorry, the service is busy", marks=needs_postgresql),
    ],
)
def test_the_error_pages_are_accessible_and_name_the_service(
    page: Page, live_server, inspector, path, status, heading
):
    sign_in(page, live_server.url, inspector)

    response = page.goto(f"{live_server.url}{path}")

    assert response.status == status
    visit(page, heading)
    expect(page.get_by_role("link", name="Child protection inspections")).to_be_visible()
