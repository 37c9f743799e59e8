"""Crawl stage: the item pipelines, in the order crawler/settings.py gives them: validate -> normalize -> store.

Each step counts what it drops in the crawl's stats (crawler/stats.py). Like all of crawler, they may import
only `models` (through which `store` writes) and crawler.
"""
