"""A query PostgreSQL cancels for running past DATABASE_STATEMENT_TIMEOUT
gets "Sorry, the service is busy" (503), wherever in the request it ran,
logged, with nothing half-saved (core.views.error_500). Transactional, so
each request commits or rolls back on its own, as under gunicorn."""

import logging

import pytest
from django.db import connection
from pytest_django.asserts import assertTemplateNotUsed, assertTemplateUsed

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("core.tests.statement_timeout_urls"),
]
needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's"
)


@pytest.fixture
def client_of(client_for):
    """A signed-in client that answers an error with the service's error
    page, as production does, rather than raising it into the test."""

    def client_of(user):
        client = client_for(user)
        client.raise_request_exception = False
        return client

    return client_of


@needs_postgresql
def test_a_query_past_the_timeout_gets_the_busy_page(client_of, inspector):
    response = client_of(inspector).get("/test/slow-query")
    assert response.status_code == 503
    assertTemplateUsed(response, "503.html")
    page = response.content.decode()
    assert "Sorry, the service is busy" in page
    assert 'class="govuk-service-navigation__link">Child protection inspections</a>' in page


@needs_postgresql
def test_a_query_past_the_timeout_before_the_view_gets_the_busy_page(
    client_of, inspector, settings
):
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "core.tests.statement_timeout_urls.slow_before_the_view",
    ]
    response = client_of(inspector).get("/test/slow-middleware")
    assert response.status_code == 503
    assertTemplateUsed(response, "503.html")


@needs_postgresql
def test_a_query_past_the_timeout_is_logged_with_its_path_alone(client_of, inspector, caplog):
    with caplog.at_level(logging.ERROR, logger="django.request"):
        client_of(inspector).get("/test/slow-query?child=Jane+Doe")
    [logged] = [r for r in caplog.records if r.name == "django.request"]
    assert logged.levelno == logging.ERROR
    assert logged.getMessage() == "Service Unavailable: /test/slow-query"
    assert "statement timeout" in caplog.text  # the traceback, for on-call
    assert "Jane" not in caplog.text


@needs_postgresql
def test_a_write_before_the_timeout_is_not_saved_nor_its_form_logged(client_of, inspector, caplog):
    response = client_of(inspector).post(
        "/test/write-then-slow-query", {"notes": "Jane Doe, aged 9"}
    )
    assert response.status_code == 503
    inspector.refresh_from_db()
    assert inspector.full_name == "Ian Inspector"
    assert "/test/write-then-slow-query" in caplog.text
    assert "Jane Doe" not in caplog.text


def test_any_other_database_error_is_still_a_500(client_of, inspector):
    response = client_of(inspector).get("/test/connection-lost")
    assert response.status_code == 500
    assertTemplateUsed(response, "500.html")
    assertTemplateNotUsed(response, "503.html")
