"""Crawl stage, pipeline step 1: drop items that cannot be stored, counting the reason; the crawl goes on."""

from __future__ import annotations

from scrapy.exceptions import DropItem

from crawler.stats import count_error
from crawler.validate import Invalid, check_item


class ValidatePipeline:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        try:
            check_item(item)
        except Invalid as exc:
            count_error(self.crawler, exc.reason)
            # DEBUG: a hostile payload should not flood the log with its own text.
            raise DropItem(exc.reason, log_level="DEBUG") from None
        return item
