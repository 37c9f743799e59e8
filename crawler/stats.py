"""Crawl stage: the crawl's counters, shared by spiders, middlewares and pipelines.

`netral/error/<reason>` counts dropped items, failed requests and malformed payloads, `netral/stored/<kind>`
what was stored; the store pipeline copies both into the CrawlRun.
"""

from __future__ import annotations

ERROR_PREFIX = "netral/error/"
STORED_PREFIX = "netral/stored/"


def count_error(crawler, reason: str, n: int = 1) -> None:
    """Count a dropped item or failed request under its reason, in the crawl's stats."""
    crawler.stats.inc_value(ERROR_PREFIX + reason, n)


def counts(stats: dict, prefix: str) -> dict[str, int]:
    return {key[len(prefix):]: value for key, value in stats.items() if key.startswith(prefix)}
