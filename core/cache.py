"""Django's Redis cache, with one client per connection pool instead of one
per operation.

Django's RedisCacheClient makes a new redis.Redis for every get and set, and
redis-py 8 fills each new client's table of about 500 response callbacks: a
quarter of a millisecond an operation, and every page reads the data version
and its fragments (core/fragments.py). A redis.Redis holds no connection of
its own (the pool does, and is safe across threads and, by its pid check,
across a fork), so one per pool is reused.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusedClients(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = super().get_client(key, write=write)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClients
