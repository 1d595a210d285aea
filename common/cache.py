"""Django's Redis cache with one client per server, made once; what a page reads often kept in the
cache until a change forgets it (`kept`, `forgotten`).

Django's RedisCacheClient makes a new `redis.Redis` for every operation (`get_client`), and redis-py
fills each new client's table of response callbacks: about 0.11 ms a client, and a signed-in page
asks the cache 1 to 5 times (its session, the queue's counts and choices). A `redis.Redis` takes a
connection from its pool for each command and is safe to share between threads, so one per pool
serves the whole process."""

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from django.db import transaction

# What cache.get answers for a key it does not hold, told apart from a kept None.
_MISSING = object()


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


def kept(key, timeout, read):
    """What `read()` gives (None included), kept in the cache under `key` until it is forgotten or
    `timeout` seconds pass: for what many pages read and few actions change, each change forgetting
    it (`forgotten`)."""
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = read()
        cache.set(key, value, timeout)
    return value


def forgotten(*keys):
    """What `keys` kept is read afresh, now and after the commit (a request that read the rows before
    the change may have cached them since)."""
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))
