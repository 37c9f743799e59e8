"""Crawl stage, downloader: honour rate limits. On 429 wait as told and retry; when a response says the
budget is spent, hold every request to that host until the window resets.

Where the wait comes from: `Retry-After` (seconds or an HTTP date); Bluesky's `RateLimit-Reset` (Unix
seconds; a small number is read as seconds from now, as the IETF draft has it); Mastodon's
`X-RateLimit-Reset` (an ISO 8601 time). Waits are capped by NETRAL_MAX_RATE_LIMIT_WAIT.
"""

from __future__ import annotations

import asyncio
import logging
import time
from email.utils import parsedate_to_datetime

from crawler.middlewares import host_of
from crawler.stats import count_error
from crawler.timeparse import parse_time

log = logging.getLogger(__name__)


def _header(headers, name: str) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1").strip() if value else None


def reset_at(headers, now: float) -> float | None:
    """Return the Unix time when the host may be asked again, from whichever header says so."""
    retry_after = _header(headers, "Retry-After")
    if retry_after:
        if retry_after.isdigit():
            return now + int(retry_after)
        try:
            return parsedate_to_datetime(retry_after).timestamp()
        except (TypeError, ValueError):
            pass
    reset = _header(headers, "RateLimit-Reset")
    if reset and reset.replace(".", "", 1).isdigit():
        value = float(reset)
        return value if value > 1_000_000_000 else now + value
    reset = _header(headers, "X-RateLimit-Reset")
    if reset:
        try:
            return parse_time(reset).timestamp()
        except (TypeError, ValueError):
            pass
    return None


def remaining(headers) -> int | None:
    for name in ("RateLimit-Remaining", "X-RateLimit-Remaining"):
        value = _header(headers, name)
        if value and value.isdigit():
            return int(value)
    return None


class RateLimitMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("NETRAL_MAX_RATE_LIMIT_WAIT", 900)
        self.default_wait = crawler.settings.getfloat("NETRAL_DEFAULT_RATE_LIMIT_WAIT", 60)
        self.max_retries = crawler.settings.getint("NETRAL_RATE_LIMIT_RETRIES", 5)
        self.blocked_until: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request):
        wait = self.blocked_until.get(host_of(request.url), 0) - time.time()
        if wait > 0:
            await asyncio.sleep(min(wait, self.max_wait))
        return None

    def _block(self, host: str, until: float) -> float:
        until = min(until, time.time() + self.max_wait)
        self.blocked_until[host] = max(self.blocked_until.get(host, 0), until)
        return self.blocked_until[host] - time.time()

    async def process_response(self, request, response):
        host = host_of(request.url)
        now = time.time()
        if response.status == 429:
            tries = request.meta.get("netral_rate_retries", 0)
            if tries >= self.max_retries:
                count_error(self.crawler, "rate_limited_gave_up")
                return response
            wait = self._block(host, reset_at(response.headers, now) or now + self.default_wait)
            self.crawler.stats.inc_value("netral/rate_limit_waits")
            log.info("429 from %s: waiting %.1f s before retrying", host, wait)
            retry = request.replace(dont_filter=True)
            retry.meta["netral_rate_retries"] = tries + 1
            return retry
        left = remaining(response.headers)
        if left is not None and left <= 0:
            until = reset_at(response.headers, now)
            if until:
                log.info("%s says the rate budget is spent: holding requests %.1f s", host, self._block(host, until))
        return response
