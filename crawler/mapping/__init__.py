"""Crawl stage: map each platform's JSON to Netral items (pure functions, no I/O), keeping the raw payload.

Like all of crawler, they may import only `models` (here `models.evidence`, the payload hash) and crawler.
"""
