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


def test_incr_adds_to_a_kept_count_and_makes_no_key_where_there_is_none(cache):
    """Django's incr asks whether the key is there, then adds: a key that expired in between came
    back as the step alone, without expiry. Here one script does both: a missing key stays missing,
    a kept one keeps its timeout."""
    with pytest.raises(ValueError, match="not found"):
        cache.incr("key-1", 5)
    assert cache.get("key-1") is None
    assert cache._cache.get_client().exists(cache.make_key("key-1")) == 0
    cache.set("key-2", 40, timeout=300)
    assert cache.incr("key-2", 2) == 42
    assert cache.incr("key-2", -1) == 41
    assert cache.get("key-2") == 41
    assert 0 < cache._cache.get_client().ttl(cache.make_key("key-2")) <= 300
