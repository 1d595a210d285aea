"""Django's Redis cache with one client per server, made once.

Django's RedisCacheClient makes a new `redis.Redis` for every operation (`get_client`), and redis-py
fills each new client's table of response callbacks: about 0.11 ms a client, and a signed-in page
asks the cache 1 to 5 times (its session, the queue's counts and choices). A `redis.Redis` takes a
connection from its pool for each command and is safe to share between threads, so one per pool
serves the whole process."""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        # Django's own choice of server and pool (the stubs do not declare its private methods).
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(pool)
        if client is None:
            # Two threads may both make one at first: either serves.
            client = self._clients[pool] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
