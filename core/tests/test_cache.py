"""The Redis cache backend (core.cache): Django's, with its clients reused."""

import os

from core.cache import RedisCache


def _cache(**params) -> RedisCache:
    url = os.environ.get("CACHE_URL", "")
    location = url if url.startswith("redis://") else "redis://127.0.0.1:6379/1"
    return RedisCache(location, {"KEY_PREFIX": "test-core-cache", **params})


def test_one_client_serves_every_operation_and_they_all_work():
    cache = _cache()
    client = cache._cache.get_client(write=True)
    cache.set("fragment", "<p>Drawn</p>", 30)
    assert cache.get("fragment") == "<p>Drawn</p>"
    assert cache.get_many(["fragment", "missing"]) == {"fragment": "<p>Drawn</p>"}
    assert cache.add("fragment", "other") is False
    cache.delete("fragment")
    assert cache.get("fragment") is None
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client() is cache._cache.get_client()


def test_a_cache_that_is_down_raises_as_djangos_does_and_recovers_nothing_stale():
    cache = _cache(OPTIONS={"socket_connect_timeout": 1, "socket_timeout": 1})
    cache._cache._servers = ["redis://127.0.0.1:1/0"]  # nothing listens on port 1
    try:
        cache.get("fragment")
    except Exception as error:  # redis.ConnectionError, as fragments.cached expects
        assert type(error).__name__ == "ConnectionError"
    else:
        raise AssertionError("a cache that is down must raise")
