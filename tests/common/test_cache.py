"""The project's Redis cache (common.cache.RedisCache): Django's, with one client per server."""

import os
import threading

import pytest
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from common.cache import RedisCache

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL: .ci/run sets it"),
]


@pytest.fixture
def cache():
    from django.conf import settings

    cache = RedisCache(
        settings.CACHES["default"].get("LOCATION") or os.environ["REDIS_URL"], {"KEY_PREFIX": "cache-test"}
    )
    yield cache
    cache.delete_many([f"key-{n}" for n in range(40)])


def test_the_redis_cache_keeps_one_client_for_every_operation(cache):
    """Django's makes a redis.Redis for each operation; this one makes it once and reuses it."""
    client = cache._cache.get_client()
    cache.set("key-0", {"a": 1})
    assert cache.get("key-0") == {"a": 1}
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client("key-0") is client
    django_cache = DjangoRedisCache(cache._servers, {})
    assert django_cache._cache.get_client() is not django_cache._cache.get_client()


def test_the_shared_client_serves_threads_at_once(cache):
    """A gthread worker's threads share the client: each thread's values come back to it."""
    errors = []

    def work(n):
        try:
            for round_ in range(20):
                cache.set(f"key-{n}", (n, round_))
                assert cache.get(f"key-{n}") == (n, round_)
            assert cache.add(f"key-{n + 20}", 0)
            assert cache.incr(f"key-{n + 20}") == 1
        except Exception as error:  # reported below, with the thread's number
            errors.append((n, error))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [cache.get(f"key-{n + 20}") for n in range(8)] == [1] * 8
