"""Crawl stage: what every Netral spider shares: targets and cursor state from arguments, counted errors,
tolerant JSON reading, and the incremental window.

Requests carry only JSON-able meta and spider-method callbacks, so scrapy-redis can serialise them.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import scrapy
from scrapy.spidermiddlewares.httperror import HttpError

from crawler import verbatim
from crawler.stats import count_error
from crawler.timeparse import parse_time

log = logging.getLogger(__name__)


def as_list(value: Any) -> list[str]:
    """Accept a list or a comma-separated string (what `scrapy crawl -a` passes)."""
    if not value:
        return []
    if isinstance(value, str):
        value = value.split(",")
    return [v.strip() for v in value if v and v.strip()]


class NetralSpider(scrapy.Spider):
    platform = ""

    def __init__(self, *args, cursor_state: Any = None, recheck_days: Any = None, **kwargs):
        super().__init__(*args, **kwargs)
        if isinstance(cursor_state, str):
            cursor_state = json.loads(cursor_state)
        self.cursor_state: dict[str, Any] = dict(cursor_state or {})
        self._recheck_days = recheck_days

    @property
    def shared(self) -> bool:
        """Scale-out: requests go to a queue other processes take from (REDIS_URL)."""
        return bool(self.settings.get("REDIS_URL"))

    def with_post(self, meta: dict, view: dict) -> dict:
        """Scale-out: a listing request carries its post, since the process that took the listing stored it
        in a batch another process may not have written yet (its likes would find no post to attach to)."""
        return {**meta, "post": view} if self.shared else meta

    @property
    def recheck(self) -> timedelta:
        days = self._recheck_days
        if days is None:
            days = self.settings.getfloat("NETRAL_RECHECK_DAYS", 7)
        return timedelta(days=float(days))

    def since_for(self, cursor_key: str) -> str | None:
        """Return how far back this run reads the target (ISO time), or None for everything."""
        newest = (self.cursor_state.get(cursor_key) or {}).get("newest")
        if not newest:
            return None
        try:
            return (parse_time(newest) - self.recheck).isoformat()
        except (TypeError, ValueError):
            return None

    def count(self, reason: str, n: int = 1) -> None:
        count_error(self.crawler, reason, n)

    def on_error(self, failure) -> None:
        """Count a failed request by its reason; 401/403/404 and exhausted retries never stop the crawl."""
        if failure.check(HttpError):
            response = failure.value.response
            self.count(f"http_{response.status}")
            log.info("HTTP %s for %s: skipped", response.status, response.url)
        else:
            self.count(f"request_{type(failure.value).__name__}")
            log.info("%s for %s: skipped", type(failure.value).__name__, failure.request.url)

    def load_json(self, response, expect: str | None = None, lists: tuple[str, ...] = ()
                  ) -> dict | None:
        """Return the JSON object of the response, or None after counting why it is unusable.

        The objects of the `expect` array, and of the arrays at the dotted paths in `lists`, keep their
        source text (crawler.verbatim): the evidence stored for them."""
        try:
            data = verbatim.loads(response.text, ((expect,) if expect else ()) + lists)
        except (ValueError, AttributeError):
            self.count("malformed_json")
            return None
        if not isinstance(data, dict) or (expect and not isinstance(data.get(expect), list)):
            self.count("unexpected_payload")
            return None
        return data

    def load_list(self, response) -> list | None:
        """Return the JSON array of the response (Mastodon listings), or None after counting why not."""
        try:
            data = verbatim.loads(response.text)
        except (ValueError, AttributeError):
            self.count("malformed_json")
            return None
        if not isinstance(data, list):
            self.count("unexpected_payload")
            return None
        return data

    def request(self, url: str, callback, meta: dict | None = None, **kwargs) -> scrapy.Request:
        kwargs.setdefault("errback", self.on_error)
        return scrapy.Request(url, callback=callback, meta=meta or {}, **kwargs)

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)

    @staticmethod
    def newer(a: str | None, b: str | None) -> str | None:
        """Return the later of two ISO times (either may be None); ValueError if one is unreadable.

        The lone value is checked too: kept unchecked as a listing's `newest`, one bad time made every
        later comparison fail, and the rest of the listing was counted malformed and lost.
        """
        if not a or not b:
            if a or b:
                parse_time(a or b)
            return a or b
        return a if parse_time(a) >= parse_time(b) else b

    @staticmethod
    def older_than(when: str | None, since: str | None) -> bool:
        if not when or not since:
            return False
        try:
            return parse_time(when) < parse_time(since)
        except (TypeError, ValueError):
            return False
