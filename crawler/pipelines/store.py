"""Crawl stage, pipeline step 3: store items in batches through models.ingest, and keep the CrawlRun up to date.

Each batch is one transaction that also saves the run's counts, errors and cursor state, so what the
run says it reached is exactly what is stored. A full batch is written by one writer thread while the
spider parses the next (at most one write in flight, in order), so the database's work overlaps the
crawl's; a crash loses at most the batch being written and the open one, which a rerun fetches again.
Set NETRAL_STORE=False to crawl without storing (bench).
"""

from __future__ import annotations

import logging
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro

from crawler.items import AccountItem, InteractionItem, PostItem, ScopeDone
from crawler.stats import ERROR_PREFIX, STORED_PREFIX, count_error, counts
from models.base import RunStatus
from models.ingest import Ingestor
from models.jobs import CrawlRun
from models.runs import finish_run, start_run
from models.session import make_engine, session_scope

log = logging.getLogger(__name__)
# Requests given up after every retry (5xx, timeouts, rate limits): the run has a gap.
LOST_HTTP = {f"http_{status}" for status in (408, 429, 500, 502, 503, 504, 522, 524)}


def lost_requests(errors: dict[str, int]) -> int:
    return sum(n for reason, n in errors.items()
               if reason in LOST_HTTP or reason.startswith("request_") or reason == "rate_limited_gave_up")


FINISH_STATUS = {"finished": RunStatus.COMPLETED, "shutdown": RunStatus.INTERRUPTED,
                 "cancelled": RunStatus.INTERRUPTED}


class StorePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.settings = crawler.settings
        self.cursor_state: dict = {}
        self.ingestor: Ingestor | None = None
        self.run_id: int | None = None
        self.failure: str | None = None
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="netral-store")
        self.writing: Future | None = None
        self.switch_interval = sys.getswitchinterval()
        self.batch_seconds = self.settings.getfloat("NETRAL_BATCH_SECONDS", 10.0)
        self.batch_opened: float | None = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("NETRAL_STORE", True):
            raise NotConfigured("storage switched off (NETRAL_STORE=False)")
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        spider = self.crawler.spider
        # The writer thread takes the GIL back after each database call; at the default 5 ms switch interval
        # it waits behind the parser that long every time (measured: writes took twice as long).
        sys.setswitchinterval(0.001)
        engine = make_engine(self.settings.get("NETRAL_DATABASE_URL") or None)
        run_id = self.settings.getint("NETRAL_RUN_ID") or None
        if run_id is None:
            run_id, started = start_run(engine, spider.name, getattr(spider, "run_parameters", {}))
        else:
            with session_scope(engine) as session:
                started = session.get(CrawlRun, run_id).started_at
        self.run_id = run_id
        self.crawler.stats.set_value("netral/run_id", run_id)
        self.ingestor = Ingestor(engine, run_id, started, self.settings.getint("NETRAL_BATCH_SIZE", 2000))
        # Targets the run does not reach keep the previous run's cursor: it is carried forward.
        self.cursor_state = dict(getattr(spider, "cursor_state", {}) or {})

    def process_item(self, item):
        ing = self.ingestor
        if isinstance(item, InteractionItem):
            ing.add_interaction(item)
        elif isinstance(item, PostItem):
            ing.add_post(item)
        elif isinstance(item, ScopeDone):
            ing.add_scope(item)
            if item.cursor_key:
                self.cursor_state[item.cursor_key] = item.cursor
        elif isinstance(item, AccountItem):
            ing.add_account(item)
        now = time.monotonic()
        if self.batch_opened is None:
            self.batch_opened = now
        if (ing.full or now - self.batch_opened >= self.batch_seconds) and not self.failure:
            self.flush(final=False)
        return item

    def flush(self, final: bool = True) -> None:
        """Hand the open batch to the writer thread, after the previous write has finished.

        The thread mostly waits on the database (the driver releases the GIL), so it does not fight the
        parser for the interpreter; final=True also waits for this write.
        """
        all_stats = self.crawler.stats.get_stats()
        # Saved in the batch's transaction: the cursor it reached and the counts (which trail by a batch
        # or two here; the closing update writes the exact totals).
        progress = {"cursor_state": dict(self.cursor_state), "item_counts": counts(all_stats, STORED_PREFIX),
                    "error_counts": counts(all_stats, ERROR_PREFIX)}
        batch = self.ingestor.take()
        self.batch_opened = None
        self.wait_for_write()
        if self.failure:
            return
        self.writing = self.writer.submit(self.ingestor.write, batch, progress, final)
        if final:
            self.wait_for_write()

    def wait_for_write(self) -> None:
        """Collect the write in flight: count what it stored, or stop the crawl if it failed."""
        writing, self.writing = self.writing, None
        if writing is None:
            return
        try:
            stored, dropped = writing.result()
        except Exception as exc:
            # The batch rolled back; stop crawling rather than fetch what cannot be stored. A rerun redoes it.
            self.failure = f"store failed: {type(exc).__name__}: {str(exc)[:300]}"
            log.error("%s; closing the spider", self.failure)
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="store_failed"))
            return
        for kind, n in stored.items():
            self.crawler.stats.inc_value(STORED_PREFIX + kind, n)
        for reason, n in dropped.items():
            count_error(self.crawler, reason, n)

    def close_spider(self) -> None:
        if self.ingestor is not None and not self.failure:
            self.flush()
        self.wait_for_write()
        self.writer.shutdown(wait=True)
        sys.setswitchinterval(self.switch_interval)

    def spider_closed(self, spider, reason):
        if self.ingestor is None:
            return
        all_stats = self.crawler.stats.get_stats()
        status = FINISH_STATUS.get(reason, RunStatus.FAILED)
        message = None if status != RunStatus.FAILED else reason
        if self.failure:
            status, message = RunStatus.FAILED, self.failure
        lost = lost_requests(counts(all_stats, ERROR_PREFIX))
        if status == RunStatus.COMPLETED and lost:
            # What those requests would have listed is missing: not a completed run (its cursor is not
            # carried forward, and the scheduler retries it). Idempotent upserts make the rerun safe.
            status, message = RunStatus.FAILED, f"incomplete: {lost} request(s) failed after every retry; rerun"
        try:
            finish_run(self.ingestor.engine, self.run_id, status, message,
                       item_counts=counts(all_stats, STORED_PREFIX), error_counts=counts(all_stats, ERROR_PREFIX),
                       cursor_state=self.cursor_state)
        except Exception as exc:
            # The database stayed away: say so plainly; the CLI reports the crawl failed, a rerun completes it.
            log.error("could not record the end of crawl run %s: %s: %s", self.run_id, type(exc).__name__,
                      str(exc).splitlines()[0][:300])
            return
        log.info("Crawl run %s %s: stored %s, errors %s", self.run_id, status.value,
                 counts(all_stats, STORED_PREFIX), counts(all_stats, ERROR_PREFIX))
