"""Django's Redis cache with one client per server, made once; what a page reads often kept in the
cache until a change forgets it (`kept`, `forgotten`) or, for a count, adds to it (`added`).

Django's RedisCacheClient makes a new `redis.Redis` for every operation (`get_client`), and redis-py
fills each new client's table of response callbacks: about 0.11 ms a client, and a signed-in page
asks the cache 1 to 5 times (its session, the queue's counts and choices). A `redis.Redis` takes a
connection from its pool for each command and is safe to share between threads, so one per pool
serves the whole process."""

import contextlib

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from django.db import transaction

# What cache.get answers for a key it does not hold, told apart from a kept None.
_MISSING = object()


# INCRBY of a key that is there; nothing, and no key, where it is not.
_INCR_KEPT = "if redis.call('exists', KEYS[1]) == 1 then return redis.call('incrby', KEYS[1], ARGV[1]) end"


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

    def incr(self, key, delta):
        """Django's asks whether the key is there, then adds: a key that expires between the two is
        made again by INCRBY, as `delta`, kept for ever. One script does both at once."""
        value = self.get_client(key, write=True).eval(_INCR_KEPT, 1, key, delta)
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value


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


def added(key, delta):
    """`delta` added to the count `key` keeps, after the commit; nothing while it keeps none (the
    next read counts). For a count that a change moves by a known step: forgetting it would have the
    next page count every row again."""

    def add():
        with contextlib.suppress(ValueError):
            cache.incr(key, delta)

    transaction.on_commit(add)
