"""Crawl stage: scale-out bookkeeping for crawler processes sharing one scrapy-redis queue (REDIS_URL set).

Processes crawling the same source form a *session*. The first to join when no live worker is left starts
it afresh (it empties the queue and duplicate filter an earlier crawl left: SCHEDULER_PERSIST keeps them
while workers come and go); later ones join and take requests from the shared queue, their own start
requests being dropped by the shared duplicate filter. Each process keeps its own CrawlRun, but every run
of a session marks removals against the session's start, since one process's listing may end after
another process stored its first pages.

A process whose queue runs dry waits while another is still busy (that one may queue more) and leaves
when all are idle. Workers heartbeat; a worker silent for HEARTBEAT_TTL seconds is taken as dead, and
since the requests it held are lost for this session, every run of the session then ends failed (the
rerun starts a fresh session and completes the gap).
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured

HEARTBEAT_S = 5.0
HEARTBEAT_TTL = 30.0


class Session:
    """One process's membership of a source's crawl session in Redis."""

    def __init__(self, settings, spider_name: str):
        import redis

        self.server = redis.Redis.from_url(settings.get("REDIS_URL"), decode_responses=True)
        self.spider = spider_name
        self.queue_key = settings.get("SCHEDULER_QUEUE_KEY", "%(spider)s:requests") % {"spider": spider_name}
        self.dupefilter_key = (settings.get("SCHEDULER_DUPEFILTER_KEY", "%(spider)s:dupefilter")
                               % {"spider": spider_name})
        base = f"netral:{spider_name}"
        self.workers_key, self.busy_key = f"{base}:workers", f"{base}:busy"
        self.started_key, self.lost_key, self.lock_key = f"{base}:started", f"{base}:lost", f"{base}:lock"
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.started_at: datetime | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @contextmanager
    def _lock(self):
        token = uuid.uuid4().hex
        deadline = time.time() + 30
        while not self.server.set(self.lock_key, token, nx=True, px=10_000):
            if time.time() > deadline:
                raise TimeoutError(f"Redis lock {self.lock_key} held for 30 s")
            time.sleep(0.05)
        try:
            yield
        finally:
            if self.server.get(self.lock_key) == token:
                self.server.delete(self.lock_key)

    def _live(self) -> set[str]:
        """Return the live workers; forget dead ones, noting that the session lost their requests."""
        now = time.time()
        live = set()
        for worker, beat in self.server.hgetall(self.workers_key).items():
            if now - float(beat) <= HEARTBEAT_TTL:
                live.add(worker)
                continue
            self.server.hdel(self.workers_key, worker)
            if self.server.srem(self.busy_key, worker):
                self.server.set(self.lost_key, worker)  # it died holding requests
        return live

    def join(self) -> datetime:
        """Join (or start) the session; return the session's start time. Starts the heartbeat."""
        with self._lock():
            if not self._live():
                self.server.delete(self.queue_key, self.dupefilter_key, self.busy_key, self.lost_key)
                self.server.set(self.started_key, datetime.now(UTC).isoformat())
            self.server.hset(self.workers_key, self.worker_id, time.time())
            self.server.sadd(self.busy_key, self.worker_id)
            self.started_at = datetime.fromisoformat(self.server.get(self.started_key))
        self._thread = threading.Thread(target=self._beat, name="netral-heartbeat", daemon=True)
        self._thread.start()
        return self.started_at

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_S):
            try:
                self.server.hset(self.workers_key, self.worker_id, time.time())
            except Exception:
                pass

    def set_busy(self, busy: bool) -> None:
        (self.server.sadd if busy else self.server.srem)(self.busy_key, self.worker_id)

    def others_busy(self) -> bool:
        live = self._live() - {self.worker_id}
        return bool(live & {w for w in self.server.smembers(self.busy_key)})

    @property
    def lost(self) -> bool:
        return bool(self.server.exists(self.lost_key))

    def leave(self) -> bool:
        """Leave the session; the last one out clears it. Return whether the session lost requests."""
        self._stop.set()
        with self._lock():
            lost = self.lost
            self.server.hdel(self.workers_key, self.worker_id)
            self.server.srem(self.busy_key, self.worker_id)
            if not self._live():
                self.server.delete(self.dupefilter_key, self.started_key, self.busy_key)
        return lost


class SharedCrawlExtension:
    """Keep this worker's busy/idle state in Redis; stay open while another worker may queue more."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.session: Session | None = getattr(crawler, "netral_session", None)
        if self.session is None:
            raise NotConfigured("no scale-out session (crawler.run.run_crawl joins one when REDIS_URL is set)")
        self.busy = True

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.request_reached, signal=signals.request_reached_downloader)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        return ext

    def request_reached(self, request, spider) -> None:
        if not self.busy:
            self.busy = True
            self.session.set_busy(True)

    def spider_idle(self, spider) -> None:
        if self.busy:
            self.busy = False
            self.session.set_busy(False)
        if self.session.others_busy():
            raise DontCloseSpider("another crawler process is still busy and may queue more requests")
