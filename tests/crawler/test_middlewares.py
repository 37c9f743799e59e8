"""Rate limits (429 + Retry-After, Bluesky RateLimit-* in Unix seconds, Mastodon ISO reset) and backoff."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from scrapy import Request
from scrapy.http import Headers, Response
from scrapy.utils.test import get_crawler

from crawler.middlewares.backoff import BackoffMiddleware
from crawler.middlewares.ratelimit import RateLimitMiddleware, reset_at
from tests.crawler.replay import project_settings

NOW = 1_732_000_000.0


def test_reset_time_from_each_platforms_headers():
    assert reset_at(Headers({"Retry-After": "30"}), NOW) == NOW + 30
    when = datetime.fromtimestamp(NOW + 120, UTC)
    assert reset_at(Headers({"Retry-After": format_datetime(when, usegmt=True)}), NOW) == NOW + 120
    assert reset_at(Headers({"RateLimit-Reset": str(int(NOW + 300))}), NOW) == NOW + 300  # Bluesky: Unix seconds
    assert reset_at(Headers({"RateLimit-Reset": "45"}), NOW) == NOW + 45  # IETF draft: seconds from now
    assert reset_at(Headers({"X-RateLimit-Reset": when.isoformat()}), NOW) == NOW + 120  # Mastodon: ISO time
    assert reset_at(Headers({"X-RateLimit-Reset": "soon"}), NOW) is None


def middleware(cls, **settings):
    return cls.from_crawler(get_crawler(settings_dict=project_settings(**settings)))


def test_429_blocks_the_host_and_retries_then_gives_up():
    mw = middleware(RateLimitMiddleware, NETRAL_RATE_LIMIT_RETRIES=1)
    request = Request("https://pds.example/xrpc/com.atproto.repo.listRecords")
    reset = str(int(time.time() + 60))
    answer = asyncio.run(mw.process_response(request, Response(request.url, status=429,
                                                                headers={"RateLimit-Reset": reset})))
    assert isinstance(answer, Request) and answer.dont_filter and answer.meta["netral_rate_retries"] == 1
    assert 55 < mw.blocked_until["pds.example"] - time.time() <= 60
    final = asyncio.run(mw.process_response(answer, Response(request.url, status=429)))
    assert isinstance(final, Response)
    assert mw.crawler.stats.get_value("netral/error/rate_limited_gave_up") == 1


def test_spent_budget_holds_requests_until_reset():
    mw = middleware(RateLimitMiddleware)
    request = Request("https://mastodon.example/api/v1/accounts/lookup?acct=x")
    reset = (datetime.now(UTC) + timedelta(seconds=0.3)).isoformat()
    ok = Response(request.url, status=200, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset})
    assert asyncio.run(mw.process_response(request, ok)) is ok
    started = time.monotonic()
    assert asyncio.run(mw.process_request(request)) is None
    assert time.monotonic() - started >= 0.2
    started = time.monotonic()
    asyncio.run(mw.process_request(Request("https://other.example/")))
    assert time.monotonic() - started < 0.1  # other hosts are not held


def test_5xx_backs_off_then_hands_over_to_the_errback():
    mw = middleware(BackoffMiddleware, NETRAL_RETRY_TIMES=2, NETRAL_BACKOFF_BASE=0.01)
    request = Request("https://appview.example/xrpc/app.bsky.feed.getLikes")
    first = asyncio.run(mw.process_response(request, Response(request.url, status=503)))
    second = asyncio.run(mw.process_response(first, Response(request.url, status=502)))
    assert [first.meta["netral_retries"], second.meta["netral_retries"]] == [1, 2]
    gave_up = Response(request.url, status=500)
    assert asyncio.run(mw.process_response(second, gave_up)) is gave_up
    assert asyncio.run(mw.process_response(request, Response(request.url, status=404))).status == 404
    retried = asyncio.run(mw.process_exception(request, TimeoutError()))
    assert isinstance(retried, Request)
