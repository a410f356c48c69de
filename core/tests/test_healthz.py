import socket
import time

import pytest
from django.urls import reverse


@pytest.fixture
def unreachable_broker(settings):
    """Point the broker at a port nothing listens on, as if Redis had stopped."""
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"


@pytest.fixture
def silent_port():
    """A port that takes connections and never answers, as a Redis or a
    PostgreSQL does when it hangs or packets are dropped on the way back."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield listener.getsockname()[1]


def test_healthz_is_200_when_database_and_broker_answer(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "cache": "ok",
        "late_jobs": [],
    }


def test_healthz_stays_200_but_degraded_when_the_broker_is_unreachable(
    client, db, unreachable_broker
):
    # Pages still work (below): a load balancer must not take every web
    # process out because Redis is down. Monitoring reads "degraded".
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "broker": "unavailable",
        "cache": "ok",
        "late_jobs": [],
    }


def test_healthz_answers_a_plain_http_probe_in_production(client, db, settings):
    # A load balancer's probe comes over plain HTTP, without X-Forwarded-Proto.
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/accessibility/").status_code == 301


def test_pages_still_work_when_the_broker_is_unreachable(
    client_for, admin_user, unreachable_broker
):
    response = client_for(admin_user).get(reverse("forces:list"))
    assert response.status_code == 200


def test_healthz_answers_a_probe_addressed_to_the_process_itself(client, db, settings):
    # A load balancer often probes by the target's IP: a Host that
    # ALLOWED_HOSTS refuses (400) for every other page.
    settings.ALLOWED_HOSTS = ["inspections.example.org"]
    assert client.get("/healthz", HTTP_HOST="10.0.0.5").status_code == 200
    assert client.get("/", HTTP_HOST="10.0.0.5").status_code == 400


def test_healthz_keeps_the_security_headers_it_needs(client, db):
    # Answered before the security middleware (found by a review).
    response = client.get("/healthz")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"
    assert "no-store" in response.headers["Cache-Control"]


def test_healthz_does_not_wait_on_a_broker_that_stops_answering(client, db, settings, silent_port):
    """Found by the on-call review: /healthz waited 10 seconds (the broker's
    socket timeout, not HEALTHZ_BROKER_TIMEOUT's 2) on a Redis that took the
    connection and said nothing, longer than a load balancer's probe waits:
    every web process would be marked down for a broker that pages do not need."""
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{silent_port}/0"
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < settings.HEALTHZ_BROKER_TIMEOUT + 2
    assert response.status_code == 200
    assert response.json()["broker"] == "unavailable"


@pytest.mark.parametrize("answers", ["refused", "silent"])
def test_healthz_says_when_the_cache_is_down_and_stays_200(
    client, db, settings, silent_port, answers
):
    """Found by the on-call review: /healthz said "ok" with the cache's Redis
    down. Pages still work (drawn afresh, each process leaving the cache
    alone for a while), but slower, and the limit on password link requests
    from one computer is not counted: monitoring must hear of it."""
    port = 9 if answers == "refused" else silent_port
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 4
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["cache"] == "unavailable"
