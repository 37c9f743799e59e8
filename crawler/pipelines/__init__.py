"""Crawl stage: the item pipelines, in numbered steps: 10 validate -> 20 normalize -> 30 store.

Stats keys shared by every step: `netral/error/<reason>` (dropped items, failed requests, malformed
payloads) and `netral/stored/<kind>`; the store step copies them into the CrawlRun.
"""

ERROR_PREFIX = "netral/error/"
STORED_PREFIX = "netral/stored/"


def count_error(crawler, reason: str, n: int = 1) -> None:  # noqa: ANN001
    """Count a dropped item or failed request under its reason, in the crawl's stats."""
    crawler.stats.inc_value(ERROR_PREFIX + reason, n)


def counts(stats: dict, prefix: str) -> dict[str, int]:
    return {key[len(prefix):]: value for key, value in stats.items() if key.startswith(prefix)}
