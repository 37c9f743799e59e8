"""Crawl stage: map each platform's JSON to Netral items (pure functions, no I/O), keeping the raw payload."""
