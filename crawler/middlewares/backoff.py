"""Crawl stage, downloader: retry 5xx answers and timeouts/connection failures with exponential backoff.

Replaces Scrapy's RetryMiddleware, which retries at once (a struggling server gets hit again at full
speed). After NETRAL_RETRY_TIMES the failure reaches the spider's errback, which counts it and moves on.
"""

from __future__ import annotations

import asyncio
import logging
import random

from scrapy.utils.misc import load_object

log = logging.getLogger(__name__)
RETRY_STATUS = {500, 502, 503, 504, 408, 522, 524}


class BackoffMiddleware:
    def __init__(self, crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.times = settings.getint("NETRAL_RETRY_TIMES", 4)
        self.base = settings.getfloat("NETRAL_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("NETRAL_BACKOFF_MAX", 60.0)
        self.exceptions = tuple(load_object(x) if isinstance(x, str) else x
                                for x in settings.getlist("RETRY_EXCEPTIONS"))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def _retry(self, request, reason: str):
        tries = request.meta.get("netral_retries", 0)
        if tries >= self.times or request.meta.get("dont_retry"):
            return None
        delay = min(self.cap, self.base * 2 ** tries) * (0.5 + random.random() / 2)  # jitter spreads retries
        self.crawler.stats.inc_value("netral/retries")
        log.info("%s for %s: retry %d in %.1f s", reason, request.url, tries + 1, delay)
        await asyncio.sleep(delay)
        retry = request.replace(dont_filter=True)
        retry.meta["netral_retries"] = tries + 1
        return retry

    async def process_response(self, request, response):
        if response.status in RETRY_STATUS:
            return await self._retry(request, f"HTTP {response.status}") or response
        return response

    async def process_exception(self, request, exception):
        if isinstance(exception, self.exceptions):
            return await self._retry(request, type(exception).__name__)
        return None
