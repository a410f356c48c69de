"""A test-only URLconf: the service's own pages and error handler, and views
whose query PostgreSQL cancels (test_statement_timeout_page.py), or that
Django refuses as suspicious (test_browser_error_pages.py). Never in
config.urls."""

import psycopg2
from django.core.exceptions import SuspiciousOperation
from django.db import OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from accounts.models import User
from config.urls import handler500  # noqa: F401  # the service's, as in production


def query_past_the_timeout() -> None:
    with connection.cursor() as cursor:
        # SET LOCAL ends with the transaction: no other request keeps it.
        cursor.execute("SET LOCAL statement_timeout = '50ms'")
        cursor.execute("SELECT pg_sleep(1)")


@transaction.atomic  # SET LOCAL does nothing outside a transaction
def slow_query(request: HttpRequest) -> HttpResponse:
    query_past_the_timeout()
    return HttpResponse("finished")


@transaction.atomic  # as every service that writes is
def write_then_slow_query(request: HttpRequest) -> HttpResponse:
    User.objects.filter(pk=request.user.pk).update(full_name="Half Saved")
    query_past_the_timeout()
    return HttpResponse("finished")


def connection_lost(request: HttpRequest) -> HttpResponse:
    # What Django raises when the server closes the connection mid-query.
    cause = psycopg2.OperationalError("server closed the connection unexpectedly")
    raise OperationalError(*cause.args) from cause


def suspicious(request: HttpRequest) -> HttpResponse:
    # What Django raises for a request it will not read (a tampered form, say).
    raise SuspiciousOperation("a request the service will not read")


urlpatterns = [
    path("test/slow-query", slow_query),
    path("test/write-then-slow-query", write_then_slow_query),
    path("test/connection-lost", connection_lost),
    path("test/suspicious", suspicious),
    path("", include("config.urls")),
]


def slow_before_the_view(get_response):
    """Middleware: the cancelled query comes before any view runs (loading
    the session or the person, say)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path == "/test/slow-middleware":
            with transaction.atomic():
                query_past_the_timeout()
        return get_response(request)

    return middleware
