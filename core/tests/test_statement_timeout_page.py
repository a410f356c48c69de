"""A query PostgreSQL cancels for running past DATABASE_STATEMENT_TIMEOUT
gets "Sorry, the service is busy" (503), logged, with nothing half-saved
(core.middleware.StatementTimeoutMiddleware). Transactional, so each request
commits or rolls back on its own, as under gunicorn."""

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


@needs_postgresql
def test_a_query_past_the_timeout_gets_the_busy_page(client_for, inspector):
    response = client_for(inspector).get("/test/slow-query")
    assert response.status_code == 503
    assertTemplateUsed(response, "503.html")
    assert "Sorry, the service is busy" in response.content.decode()


@needs_postgresql
def test_a_query_past_the_timeout_is_logged_with_the_path_and_user(client_for, inspector, caplog):
    with caplog.at_level(logging.ERROR, logger="core.middleware"):
        client_for(inspector).get("/test/slow-query?child=Jane+Doe")
    [logged] = [r for r in caplog.records if r.name == "core.middleware"]
    assert logged.levelno == logging.ERROR
    assert logged.getMessage() == (
        f"Statement timeout: a query was cancelled on /test/slow-query (user {inspector.pk})"
    )


@needs_postgresql
def test_a_write_before_the_timeout_is_not_saved_nor_its_form_logged(client_for, inspector, caplog):
    client = client_for(inspector)
    response = client.post("/test/write-then-slow-query", {"notes": "Jane Doe, aged 9"})
    assert response.status_code == 503
    inspector.refresh_from_db()
    assert inspector.full_name == "Ian Inspector"
    assert "/test/write-then-slow-query" in caplog.text
    assert "Jane Doe" not in caplog.text


def test_any_other_database_error_is_still_a_500(client_for, inspector, caplog):
    client = client_for(inspector)
    client.raise_request_exception = False
    response = client.get("/test/connection-lost")
    assert response.status_code == 500
    assertTemplateNotUsed(response, "503.html")
    assert not [r for r in caplog.records if r.name == "core.middleware"]
