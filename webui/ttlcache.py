"""Review stage: a small per-process cache whose entries expire, for slow aggregates that change slowly.

Used for the queue's status counts and the dashboard's aggregates (NETRAL_COUNTS_CACHE_SECONDS).
Bounded: beyond `maxsize` keys the oldest entry goes. Thread-safe; two threads that miss together may
both compute (the last one's value is kept), which is harmless for counts.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class TTLCache(Generic[V]):
    """get_or_compute(key, ttl, compute): the cached value if younger than ttl seconds, else compute()'s."""

    def __init__(self, maxsize: int = 64, clock: Callable[[], float] = time.monotonic):
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._clock = clock
        self._entries: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_compute(self, key: Hashable, ttl: float, compute: Callable[[], V]) -> V:
        """A ttl of 0 (or less) turns caching off: compute() every time."""
        if ttl <= 0:
            return compute()
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and self._clock() - hit[0] < ttl:
                return hit[1]
        value = compute()  # outside the lock: a slow query must not hold up other keys
        with self._lock:
            self._entries[key] = (self._clock(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
