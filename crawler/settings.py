"""Crawl stage: Scrapy settings. Polite defaults for production APIs; every knob overridable by env or -s.

Settings are overridable with `-s NAME=VALUE` or run_crawl's `settings`; those read from the environment:
NETRAL_CONCURRENT_REQUESTS, NETRAL_CONCURRENT_REQUESTS_PER_DOMAIN, NETRAL_DOWNLOAD_DELAY, NETRAL_LOG_LEVEL,
NETRAL_BLUESKY_APPVIEW, NETRAL_BLUESKY_PLC, NETRAL_RECHECK_DAYS, NETRAL_USER_AGENT, REDIS_URL (scale-out:
scheduler and duplicate filter shared through Redis by scrapy-redis).
"""

from __future__ import annotations

import os

BOT_NAME = "netral"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = os.environ.get("NETRAL_USER_AGENT", "Netral/0.1 (election neutrality monitoring; Bawaslu)")
# Documented JSON APIs with published rate limits, not web pages: robots.txt does not govern them.
ROBOTSTXT_OBEY = False
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # no control port listening next to a crawler holding evidence
LOG_LEVEL = os.environ.get("NETRAL_LOG_LEVEL", "INFO")

# Politeness. The production defaults stay well under Bluesky's 3000/5 min and Mastodon's 300/5 min;
# benchmarks against loopback raise them (see measurements: per-domain 1 + delay 1 s caps at 1 req/s).
CONCURRENT_REQUESTS = int(os.environ.get("NETRAL_CONCURRENT_REQUESTS", "8"))
CONCURRENT_REQUESTS_PER_DOMAIN = int(os.environ.get("NETRAL_CONCURRENT_REQUESTS_PER_DOMAIN", "2"))
DOWNLOAD_DELAY = float(os.environ.get("NETRAL_DOWNLOAD_DELAY", "0.5"))
DOWNLOAD_DELAY_JITTER = 0.5  # +-50%: requests do not arrive in lockstep
DOWNLOAD_TIMEOUT = 30
DEFAULT_REQUEST_HEADERS = {"Accept": "application/json"}
# getPosts takes up to 25 at:// URIs in one GET (~2,250 characters): Scrapy's default 2083-character
# URLLENGTH_LIMIT silently dropped those requests, and with them an account's liked posts.
URLLENGTH_LIMIT = 8192

# Faults: our backoff replaces Scrapy's immediate retry; 429 and the rate-limit headers are honoured.
RETRY_ENABLED = False
NETRAL_RETRY_TIMES = 4
NETRAL_BACKOFF_BASE = 1.0
NETRAL_BACKOFF_MAX = 60.0
NETRAL_MAX_RATE_LIMIT_WAIT = 900
NETRAL_RATE_LIMIT_RETRIES = 5
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.backoff.BackoffMiddleware": 550,
    "crawler.middlewares.ratelimit.RateLimitMiddleware": 560,
}

ITEM_PIPELINES = {
    "crawler.pipelines.validate.ValidatePipeline": 100,
    "crawler.pipelines.normalize.NormalizePipeline": 200,
    "crawler.pipelines.store.StorePipeline": 300,
}
NETRAL_STORE = True
NETRAL_BATCH_SIZE = 2000  # measured: 500 cost PostgreSQL 0.72 x the no-storage rate, 2,000 0.78-0.82 x
NETRAL_BATCH_SECONDS = 10.0  # a slow crawl still commits what it has this often
NETRAL_DATABASE_URL = None  # None: models.session.database_url() (NETRAL_DATABASE_URL or instance/)

# Where the platforms are (tests and the e2e network point these at loopback).
NETRAL_BLUESKY_APPVIEW = os.environ.get("NETRAL_BLUESKY_APPVIEW", "https://public.api.bsky.app")
NETRAL_BLUESKY_PLC = os.environ.get("NETRAL_BLUESKY_PLC", "https://plc.directory")
# Incremental runs re-read this many days back from the newest item seen, to catch removals.
NETRAL_RECHECK_DAYS = float(os.environ.get("NETRAL_RECHECK_DAYS", "7"))

# Scale-out: with REDIS_URL, several crawler processes share one queue and one duplicate filter.
# Requests carry only JSON-able meta and callbacks that are spider methods, so they serialise.
if os.environ.get("REDIS_URL"):
    REDIS_URL = os.environ["REDIS_URL"]
    SCHEDULER = "scrapy_redis.scheduler.Scheduler"
    DUPEFILTER_CLASS = "scrapy_redis.dupefilter.RFPDupeFilter"
    SCHEDULER_PERSIST = True  # workers come and go; crawler.scaleout clears the queue between sessions
    EXTENSIONS = {"crawler.scaleout.SharedCrawlExtension": 500}  # idle workers wait for busy ones
