"""Crawl stage, pipeline step 2: clean handles, text, links and timestamps (see crawler.normalize)."""

from __future__ import annotations

from crawler.normalize import normalize_item


class NormalizePipeline:
    def process_item(self, item):
        return normalize_item(item)
