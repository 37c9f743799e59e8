"""Sample network: fault injection and rate limits, for the crawler's fault tests and benchmarks.

Server errors and random 429s are drawn from a seeded RNG; malformed items are *added* to list pages (a
copy of a real item with a required field broken), so a crawl that drops them still loses nothing real.
Counts of what was injected are kept in `stats` for tests to compare with the crawler's own counts.
"""

from __future__ import annotations

import copy
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

# Where each endpoint keeps its list of items, and the fields a malformed copy breaks.
LIST_FIELDS = ("feed", "likes", "repostedBy", "posts", "records")
_BREAKERS = (
    ("drop", "did"), ("drop", "uri"), ("drop", "actor"), ("drop", "post"), ("drop", "id"), ("drop", "account"),
    ("drop", "value"), ("set", "createdAt", "kemarin sore"), ("set", "created_at", "not a time"),
    ("set", "uri", "http://not-an-at-uri"), ("set", "did", 12345), ("set", "id", None),
)


@dataclass
class Faults:
    """What to inject. Rates are fractions of requests (0.3 = 30%)."""

    error_rate: float = 0.0
    rate_limit_rate: float = 0.0
    malformed: int = 0  # how many malformed items to add in total
    malformed_rate: float = 0.25  # chance a list page gets one, while the budget lasts
    truncated: int = 0  # how many bodies to cut off mid-JSON
    latency_s: float = 0.0
    retry_after_s: int = 1
    seed: int = 1


@dataclass
class RateLimit:
    limit: int
    window_s: int
    used: int = 0
    window_start: float = field(default_factory=time.time)

    def take(self) -> tuple[bool, int, float]:
        """Count one request; return (allowed, remaining, reset time as Unix seconds)."""
        now = time.time()
        if now - self.window_start >= self.window_s:
            self.window_start, self.used = now, 0
        self.used += 1
        return self.used <= self.limit, max(0, self.limit - self.used), self.window_start + self.window_s


def rate_headers(platform: str, limit: int, remaining: int, reset: float, window_s: int) -> dict[str, str]:
    """Each platform's own header names: Bluesky resets in Unix seconds, Mastodon in ISO-8601."""
    if platform == "bluesky":
        return {"RateLimit-Limit": str(limit), "RateLimit-Remaining": str(remaining),
                "RateLimit-Reset": str(int(reset)), "RateLimit-Policy": f"{limit};w={window_s}"}
    iso = datetime.fromtimestamp(reset, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(remaining), "X-RateLimit-Reset": iso}


class Injector:
    """Decides, per request, whether to fail it, and corrupts list pages while the budget lasts."""

    def __init__(self, faults: Faults):
        self.faults = faults
        self.rng = random.Random(faults.seed)
        self.lock = threading.Lock()
        self.stats = {"requests": 0, "server_errors": 0, "rate_limited": 0, "malformed_items": 0, "truncated": 0}

    def draw(self) -> str | None:
        """Return 'error', 'rate_limit' or None for this request."""
        with self.lock:
            self.stats["requests"] += 1
            roll = self.rng.random()
            if roll < self.faults.error_rate:
                self.stats["server_errors"] += 1
                return "error"
            if roll < self.faults.error_rate + self.faults.rate_limit_rate:
                self.stats["rate_limited"] += 1
                return "rate_limit"
            return None

    def error_status(self) -> int:
        with self.lock:
            return self.rng.choice((500, 502, 503, 504))

    def corrupt(self, body: object) -> object:
        """Maybe add one malformed copy of an item to a list page (Bluesky dict or Mastodon list)."""
        with self.lock:
            budget_left = self.stats["malformed_items"] < self.faults.malformed
            if not budget_left or self.rng.random() >= self.faults.malformed_rate:
                return body
            items = body if isinstance(body, list) else next(
                (body[k] for k in LIST_FIELDS if isinstance(body, dict) and isinstance(body.get(k), list)), None)
            if not items:
                return body
            bad = copy.deepcopy(self.rng.choice(items))
            if not _break(bad, self.rng):
                return body
            items.insert(self.rng.randrange(len(items) + 1), bad)
            self.stats["malformed_items"] += 1
            return body

    def truncate(self, data: bytes) -> bytes:
        with self.lock:
            if self.stats["truncated"] >= self.faults.truncated or len(data) < 4:
                return data
            self.stats["truncated"] += 1
            return data[: len(data) // 2]


def break_options(item: object) -> list[tuple[dict, tuple]]:
    """Every (object, breaker) that would make a copy of `item` malformed: identity and time fields only,
    in the item and its directly nested objects, and never a field the platform's format leaves optional."""
    targets = [item]
    for value in (item.values() if isinstance(item, dict) else []):
        if isinstance(value, dict):
            targets.append(value)
    return [(t, b) for t in targets for b in _BREAKERS if b[1] in t and not _optional(t, b)]


def _optional(target: dict, breaker: tuple) -> bool:
    # A Mastodon entity's `uri` is secondary to its `id`; a Bluesky repost reason's `uri` is optional in the
    # lexicon (older AppViews leave it out), so dropping it leaves a valid item, not a malformed one.
    if breaker[1] == "uri" and ("acct" in target or "content" in target):
        return True
    return breaker == ("drop", "uri") and target.get("$type") == "app.bsky.feed.defs#reasonRepost"


def apply_break(target: dict, breaker: tuple) -> None:
    if breaker[0] == "drop":
        del target[breaker[1]]
    else:
        target[breaker[1]] = breaker[2]


def _break(item: object, rng: random.Random) -> bool:
    """Break one required field of `item`, chosen at random; False if it has none."""
    options = break_options(item)
    if not options:
        return False
    apply_break(*rng.choice(options))
    return True
