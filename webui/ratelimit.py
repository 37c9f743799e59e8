"""Review stage: limit failed login attempts per client address and per username.

With REDIS_URL set the failures are counted in Redis, so every gunicorn worker (and every machine) shares
one limit. Without it, or while Redis cannot be reached, they are counted in memory per process: with N
workers an attacker gets at most N times the limit, which still turns password guessing from thousands
a second into a handful a minute.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import defaultdict, deque

log = logging.getLogger(__name__)


class LoginLimiter:
    """A sliding window of failures for each key (an address or a username)."""

    def __init__(self, max_attempts: int, window_seconds: int) -> None:
        self.max_attempts = max_attempts
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _prune(self, key: str, now: float) -> deque[float]:
        failures = self._failures[key]
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def blocked(self, *keys: str) -> bool:
        """True when any key has used up its attempts in the window."""
        now = time.monotonic()
        with self._lock:
            return any(len(self._prune(k, now)) >= self.max_attempts for k in keys)

    def fail(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._prune(key, now).append(now)

    def reset(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


class RedisLoginLimiter:
    """The same sliding windows, kept in Redis (one sorted set of failure times per key) and shared by every
    process that uses the same Redis; falls back to a process's own memory while Redis is unreachable."""

    PREFIX = "netral:login-failures:"

    def __init__(self, url: str, max_attempts: int, window_seconds: int) -> None:
        import redis

        self.max_attempts = max_attempts
        self.window = window_seconds
        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.errors = redis.RedisError
        self.local = LoginLimiter(max_attempts, window_seconds)

    def _unavailable(self, exc: Exception) -> None:
        log.warning("login limits: Redis unavailable (%s); counting in this process only", exc)

    def blocked(self, *keys: str) -> bool:
        now = time.time()
        try:
            pipe = self.client.pipeline()
            for key in keys:
                pipe.zremrangebyscore(self.PREFIX + key, "-inf", now - self.window)
                pipe.zcard(self.PREFIX + key)
            counts = pipe.execute()[1::2]
        except self.errors as exc:
            self._unavailable(exc)
            return self.local.blocked(*keys)
        return any(n >= self.max_attempts for n in counts) or self.local.blocked(*keys)

    def fail(self, *keys: str) -> None:
        now = time.time()
        try:
            pipe = self.client.pipeline()
            for key in keys:
                pipe.zadd(self.PREFIX + key, {f"{now}:{uuid.uuid4().hex[:8]}": now})
                pipe.expire(self.PREFIX + key, self.window)
            pipe.execute()
        except self.errors as exc:
            self._unavailable(exc)
            self.local.fail(*keys)

    def reset(self, *keys: str) -> None:
        self.local.reset(*keys)
        try:
            self.client.delete(*(self.PREFIX + key for key in keys))
        except self.errors as exc:
            self._unavailable(exc)
