"""webui.ttlcache: values expire after their ttl, the cache keeps at most maxsize keys, ttl 0 turns it off."""

from __future__ import annotations

import threading

import pytest

from webui.ttlcache import TTLCache


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def counter():
    calls = []

    def compute(value="v"):
        calls.append(value)
        return f"{value}{len(calls)}"

    return calls, compute


def test_a_value_is_reused_until_its_ttl_passes():
    clock, (calls, compute) = Clock(), counter()
    cache = TTLCache(clock=clock)
    assert cache.get_or_compute("k", 15, compute) == "v1"
    clock.now += 14.9
    assert cache.get_or_compute("k", 15, compute) == "v1"
    clock.now += 0.1  # exactly ttl old: expired
    assert cache.get_or_compute("k", 15, compute) == "v2"
    assert cache.get_or_compute("other", 15, compute) == "v3"  # keys are separate
    assert len(calls) == 3


def test_ttl_zero_always_computes():
    calls, compute = counter()
    cache = TTLCache(clock=Clock())
    assert [cache.get_or_compute("k", 0, compute) for _ in range(3)] == ["v1", "v2", "v3"]


def test_the_oldest_key_goes_beyond_maxsize():
    clock = Clock()
    cache = TTLCache(maxsize=2, clock=clock)
    for key in ("a", "b", "c"):
        clock.now += 1
        cache.get_or_compute(key, 60, lambda key=key: key.upper())
    assert len(cache) == 2
    assert cache.get_or_compute("b", 60, lambda: "recomputed") == "B"  # kept
    assert cache.get_or_compute("a", 60, lambda: "recomputed") == "recomputed"  # evicted
    cache.clear()
    assert len(cache) == 0
    with pytest.raises(ValueError):
        TTLCache(maxsize=0)


def test_threads_share_one_cache():
    cache = TTLCache()
    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.get_or_compute("k", 60, lambda: 42)))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [42] * 8 and len(cache) == 1
