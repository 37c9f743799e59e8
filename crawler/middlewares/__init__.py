"""Crawl stage: downloader middlewares for politeness and faults (rate limits, backoff on 5xx/timeouts).

Like all of crawler, they may import only `models` and crawler (they need only crawler's stats and times).
"""

from __future__ import annotations

from urllib.parse import urlsplit


def host_of(url: str) -> str:
    return urlsplit(url).netloc.lower()
