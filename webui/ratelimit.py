"""Review stage: limit failed login attempts per username and per client address.

Each attempt is counted *before* the password is checked (`attempt` checks the limits and records the
attempt in one atomic step), so attempts that arrive together cannot all slip past the check while the
slow password hash runs; a successful one is taken back (`forgive`). Every key has its own limit: a
username is locked after NETRAL_LOGIN_MAX_ATTEMPTS failures from anywhere, while an address (an office
behind one NAT address) is allowed NETRAL_LOGIN_MAX_PER_ADDRESS failures in the window, so one
mistyped or attacked username does not lock out its colleagues.

With REDIS_URL set the attempts are counted in Redis (one Lua script per attempt: atomic across every
gunicorn worker and machine). Without it, or while Redis cannot be reached, they are counted in memory
per process: with N workers an attacker gets at most N times the limit.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Mapping

log = logging.getLogger(__name__)

# Keys kept in memory before expired ones are swept (an attacker trying random usernames adds one each).
SWEEP_AT = 10_000


class LoginLimiter:
    """A sliding window of attempts for each key (an address or a username), in this process's memory."""

    def __init__(self, window_seconds: int) -> None:
        self.window = window_seconds
        self._attempts: dict[str, deque[tuple[float, str]]] = {}
        self._lock = threading.Lock()

    def _prune(self, key: str, now: float) -> deque[tuple[float, str]]:
        attempts = self._attempts.setdefault(key, deque())
        while attempts and attempts[0][0] <= now - self.window:
            attempts.popleft()
        return attempts

    def _sweep(self, now: float) -> None:
        for key in list(self._attempts):
            if not self._prune(key, now):
                del self._attempts[key]

    def attempt(self, limits: Mapping[str, int]) -> str | None:
        """Record an attempt against every key and return its token, or None (nothing recorded) when any
        key has used up its limit in the window."""
        now = time.monotonic()
        token = uuid.uuid4().hex
        with self._lock:
            if len(self._attempts) > SWEEP_AT:
                self._sweep(now)
            if any(len(self._prune(key, now)) >= limit for key, limit in limits.items()):
                return None
            for key in limits:
                self._attempts[key].append((now, token))
        return token

    def forgive(self, token: str, *keys: str) -> None:
        """Take back one attempt (it succeeded, or failed for a reason that is no guess)."""
        with self._lock:
            for key in keys:
                attempts = self._attempts.get(key)
                if attempts:
                    self._attempts[key] = deque(a for a in attempts if a[1] != token)

    def reset(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._attempts.pop(key, None)


# KEYS: the sorted sets; ARGV: now, window, member, then one limit per key. 1 = recorded, 0 = blocked.
_ATTEMPT_SCRIPT = """
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) >= tonumber(ARGV[3 + i]) then return 0 end
end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[3])
  redis.call('EXPIRE', key, math.ceil(window))
end
return 1
"""


class RedisLoginLimiter:
    """The same sliding windows, kept in Redis (one sorted set of attempt times per key) and shared by every
    process that uses the same Redis; falls back to a process's own memory while Redis is unreachable."""

    PREFIX = "netral:login-failures:"

    def __init__(self, url: str, window_seconds: int) -> None:
        import redis

        self.window = window_seconds
        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.errors = redis.RedisError
        self.local = LoginLimiter(window_seconds)
        self._script = self.client.register_script(_ATTEMPT_SCRIPT)

    def _unavailable(self, exc: Exception) -> None:
        log.warning("login limits: Redis unavailable (%s); counting in this process only", exc)

    def attempt(self, limits: Mapping[str, int]) -> str | None:
        token = uuid.uuid4().hex
        keys = [self.PREFIX + key for key in limits]
        try:
            ok = self._script(keys=keys, args=[time.time(), self.window, token, *limits.values()])
        except self.errors as exc:
            self._unavailable(exc)
            return self.local.attempt(limits)
        return token if ok == 1 else None

    def forgive(self, token: str, *keys: str) -> None:
        self.local.forgive(token, *keys)
        try:
            pipe = self.client.pipeline()
            for key in keys:
                pipe.zrem(self.PREFIX + key, token)
            pipe.execute()
        except self.errors as exc:
            self._unavailable(exc)

    def reset(self, *keys: str) -> None:
        self.local.reset(*keys)
        try:
            self.client.delete(*(self.PREFIX + key for key in keys))
        except self.errors as exc:
            self._unavailable(exc)
