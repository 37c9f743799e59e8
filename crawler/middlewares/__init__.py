"""Crawl stage: downloader middlewares for politeness and faults (rate limits, backoff on 5xx/timeouts)."""

from __future__ import annotations

from urllib.parse import urlsplit


def host_of(url: str) -> str:
    return urlsplit(url).netloc.lower()
