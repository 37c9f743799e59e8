"""Crawl stage: start a crawl programmatically: a CrawlRun, the previous cursor state, a progress display.

Used through crawler.plan (by `netral crawl ...` and the scheduler's crawl step), by the fault tests and the
benchmark. One crawl per process: Twisted's reactor cannot be restarted, so callers that crawl repeatedly
start a process per crawl.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.result import CrawlResult
from crawler.spiders import spider_class
from crawler.stats import ERROR_PREFIX, STORED_PREFIX, counts
from models.base import RunStatus
from models.jobs import CrawlRun
from models.runs import finish_run, previous_cursor_state, start_run
from models.session import database_url, make_engine, session_scope


def crawl_settings(overrides: dict | None = None) -> Settings:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.update(overrides or {}, priority="cmdline")
    return settings


def run_crawl(spider_name: str, spider_args: dict, parameters: dict | None = None, db_url: str | None = None,
              settings: dict | None = None, progress: Callable[[dict, dict], None] | None = None,
              progress_every: float = 2.0, on_start: Callable[[int], None] | None = None) -> CrawlResult:
    """Run one spider to the end; return what it stored and why things failed, per reason.

    on_start is called with the CrawlRun's id once it exists (the scheduler's child reports it early).
    """
    settings = dict(settings or {})
    store = settings.get("NETRAL_STORE", True)
    run_id = None
    engine = None
    if store:
        db_url = db_url or database_url()
        engine = make_engine(db_url)
        spider_args.setdefault("cursor_state", previous_cursor_state(engine, spider_name))
    scrapy_settings = crawl_settings(settings)
    shared = None
    if scrapy_settings.get("REDIS_URL"):
        # Scale-out: join the source's crawl session; this run's removals count from the session's start.
        from crawler.scaleout import Session

        shared = Session(scrapy_settings, spider_name)
        shared_started = shared.join()
    if store:
        run_id, _ = start_run(engine, spider_name, parameters or {},
                              started_at=shared_started if shared is not None else None)
        scrapy_settings.set("NETRAL_RUN_ID", run_id, priority="cmdline")
        scrapy_settings.set("NETRAL_DATABASE_URL", db_url, priority="cmdline")
        if on_start is not None:
            on_start(run_id)
    process = CrawlerProcess(scrapy_settings)
    crawler = process.create_crawler(spider_class(spider_name))
    crawler.netral_session = shared
    if progress is not None:
        # Start the ticker once the engine runs: touching the reactor earlier would install the wrong one.
        crawler.signals.connect(lambda: _every(progress_every, lambda: progress(*_counts(crawler))),
                                signal=signals.engine_started, weak=False)
    process.crawl(crawler, **spider_args)
    try:
        with _fewer_collections():
            process.start()
    finally:
        lost = shared.leave() if shared is not None else False
    item_counts, error_counts = _counts(crawler)
    reason = crawler.stats.get_value("finish_reason")
    if not store:
        status = "completed" if reason == "finished" else str(reason)
        return CrawlResult(None, status, item_counts, error_counts, reason)
    with session_scope(engine) as session:
        status = session.get(CrawlRun, run_id).status
    if status == RunStatus.RUNNING:  # the spider never opened (bad arguments, unreachable database)
        finish_run(engine, run_id, RunStatus.FAILED, f"crawl ended early: {reason}")
    elif status == RunStatus.COMPLETED and lost:
        finish_run(engine, run_id, RunStatus.FAILED, "a crawler process of this session died holding requests; "
                   "rerun to complete")
    with session_scope(engine) as session:
        run = session.get(CrawlRun, run_id)
        result = CrawlResult(run_id, run.status.value, run.item_counts, run.error_counts, reason, run.error_message)
    engine.dispose()
    return result


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the crawl with the cyclic garbage collector mostly out of the way.

    Scrapy allocates and drops many small cyclic objects per item (deferreds, coroutines, futures): at the
    default thresholds the collector ran 5,000 times in a 100,000-item crawl and took a fifth of its time
    (bench/crawl_ingest.py). What exists before the crawl (modules, settings) is frozen out of every
    collection, and young objects are collected every 20,000 net allocations instead of 700; peak memory
    did not change.
    """
    threshold = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 50)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _counts(crawler) -> tuple[dict, dict]:
    stats = crawler.stats.get_stats() if crawler.stats else {}
    items = counts(stats, STORED_PREFIX)
    if not items:  # storage off: report what the spider yielded instead
        items = {"items": stats.get("item_scraped_count", 0)}
    return items, counts(stats, ERROR_PREFIX)


def _every(seconds: float, call: Callable[[], None]) -> None:
    from twisted.internet import task

    loop = task.LoopingCall(call)
    loop.start(seconds, now=False)
