"""Broker and cache behind a password and TLS, as production runs them
(README: rediss:// with a password). The server is real (.ci/run starts it);
the first tests show it refuses what it should, so that the others, which
pass through it, prove the service speaks TLS and sends the password. The real
worker and beat run through it too (actionplans/tests/test_worker.py)."""

import pytest
import redis
from django.core.cache import cache
from django.test import override_settings

from core import fragments
from tests import secure_redis


def _ping(url: str) -> bool:
    return redis.Redis.from_url(url, socket_timeout=5).ping()


def test_it_answers_with_the_password_over_verified_tls():
    assert _ping(secure_redis.url()) is True


@pytest.mark.parametrize("password", ["", "not-the-password"])
def test_it_refuses_a_client_without_the_password(password):
    with pytest.raises(redis.exceptions.AuthenticationError):
        _ping(secure_redis.url(password=password))


def test_it_refuses_a_client_that_cannot_verify_its_certificate():
    with pytest.raises(redis.exceptions.ConnectionError, match="certificate verify failed"):
        _ping(secure_redis.url(ca=False))


def test_it_refuses_a_client_without_tls():
    with pytest.raises(redis.exceptions.ConnectionError):
        _ping(secure_redis.plain_url())


@pytest.mark.django_db
def test_healthz_reaches_the_broker_through_tls_and_the_password(client):
    with override_settings(CELERY_BROKER_URL=secure_redis.url(db=4)):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "ok"

    wrong = secure_redis.url(db=4, password="wrong")  # noqa: S106 - refused on purpose
    with override_settings(CELERY_BROKER_URL=wrong):
        response = client.get("/healthz")
    assert response.json()["status"] == "degraded"
    assert response.json()["broker"] == "unavailable"


def test_the_fragment_cache_works_through_tls_and_the_password():
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": secure_redis.url(db=5),
        }
    }
    with override_settings(CACHES=caches, FRAGMENT_CACHE=True):
        cache.clear()
        first = fragments.read_version()
        fragments.data_changed()
        second = fragments.read_version()
        assert first and second and first != second
        assert redis.Redis.from_url(secure_redis.url(db=5)).get(
            cache.make_and_validate_key(fragments.VERSION_KEY)
        )
