"""Scheduling stage: run due crawl jobs (crawl, then classify, then flag), each job by one scheduler at a time.

The lock is a lease taken with one conditional UPDATE (atomic on SQLite and PostgreSQL alike), renewed
between steps, released with the outcome. A failure is recorded and retried with exponential backoff.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, or_, select, update
from sqlalchemy.orm import Session

from crawler.result import CrawlResult
from models.base import utcnow
from models.jobs import CrawlJob
from models.session import immediate
from scheduler.specs import backoff, interval_for
from scheduler.steps import call_step, resolve_step

log = logging.getLogger(__name__)


class CrawlFailed(RuntimeError):
    """The job's crawl did not complete: its run failed or was interrupted, or its process died or timed out."""


def check_crawl(result: object) -> None:
    """Accept the crawl step's CrawlResult if its run completed; raise CrawlFailed with its error if not."""
    if not isinstance(result, CrawlResult):
        raise TypeError(f"the crawl step returned {type(result).__name__}, not a CrawlResult")
    if result.status == "completed":
        return
    if result.run_id is None:
        raise CrawlFailed(result.error_message or f"the crawl ended {result.status}")
    ended = f"run {result.run_id} ended {result.status}"
    raise CrawlFailed(f"{ended}: {result.error_message}" if result.error_message else ended)


@dataclass
class Outcome:
    job: str
    ok: bool
    run_id: int | None = None
    error: str | None = None
    next_run_at: datetime | None = None


def scheduler_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Scheduler:
    """Runs due jobs. `clock` and `steps` are injectable for tests; `lease` bounds a dead holder's lock.

    steps: {name: callable or 'module:function'} replacing STEPS entries (tests only: jobs files cannot).
    """

    def __init__(self, engine: Engine, steps: dict[str, str | Callable] | None = None,
                 clock: Callable[[], datetime] = utcnow, lease: timedelta = timedelta(hours=1),
                 retry_base: timedelta = timedelta(minutes=1), retry_cap: timedelta = timedelta(hours=1),
                 me: str | None = None):
        self.engine, self.clock, self.lease = engine, clock, lease
        self.retry_base, self.retry_cap = retry_base, retry_cap
        self.steps = steps or {}
        self.me = me or scheduler_id()

    def _step(self, name: str) -> Callable:
        given = self.steps.get(name)
        if callable(given):
            return given
        return resolve_step(name, {k: v for k, v in self.steps.items() if isinstance(v, str)})

    def due_jobs(self) -> list[int]:
        now = self.clock()
        with self.engine.connect() as conn:
            return list(conn.scalars(
                select(CrawlJob.id)
                .where(CrawlJob.enabled.is_(True), or_(CrawlJob.next_run_at.is_(None), CrawlJob.next_run_at <= now),
                       or_(CrawlJob.locked_until.is_(None), CrawlJob.locked_until < now))
                .order_by(CrawlJob.next_run_at.is_(None).desc(), CrawlJob.next_run_at, CrawlJob.id)
            ))

    def acquire(self, job_id: int) -> bool:
        """Take the job's lease if it is still due and unlocked: one UPDATE, so only one scheduler wins."""
        now = self.clock()
        stmt = (
            update(CrawlJob)
            .where(CrawlJob.id == job_id, CrawlJob.enabled.is_(True),
                   or_(CrawlJob.next_run_at.is_(None), CrawlJob.next_run_at <= now),
                   or_(CrawlJob.locked_until.is_(None), CrawlJob.locked_until < now))
            .values(locked_by=self.me, locked_until=now + self.lease, last_started_at=now)
            .execution_options(synchronize_session=False)
        )
        with immediate(self.engine).begin() as conn:
            return conn.execute(stmt).rowcount == 1

    def _mine(self, job_id: int, **values) -> bool:
        """Update the job only while we still hold its lease; False if another scheduler took it over."""
        stmt = (update(CrawlJob).where(CrawlJob.id == job_id, CrawlJob.locked_by == self.me)
                .values(**values).execution_options(synchronize_session=False))
        with immediate(self.engine).begin() as conn:
            return conn.execute(stmt).rowcount == 1

    def run_job(self, job_id: int) -> Outcome:
        """Run an acquired job's steps, then record the outcome and release the lease in one UPDATE."""
        with Session(self.engine, expire_on_commit=False) as session:
            job = session.get(CrawlJob, job_id)
        context = {"engine": self.engine, "source": job.source, "targets": dict(job.targets or {}),
                   "options": dict(job.options or {}), "profile": job.profile_path, "job_name": job.name}
        run_id, step = None, "crawl"
        # Keep the lease while a long step runs, so no other scheduler takes the job over meanwhile.
        stop = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(job_id, stop), daemon=True)
        beat.start()
        try:
            result = call_step(self._step("crawl"), **context)
            if isinstance(result, CrawlResult):
                run_id = result.run_id  # kept when the run failed too: the job links its last run
            check_crawl(result)
            self._mine(job_id, last_run_id=run_id, locked_until=self.clock() + self.lease)
            for step in ("classify", "flag"):
                call_step(self._step(step), **context, run_id=run_id)
                self._mine(job_id, locked_until=self.clock() + self.lease)
        except Exception as exc:  # any step's failure is the job's failure: record it, retry later
            log.warning("job %s failed in %s: %s", job.name, step, exc)
            error = f"{step}: {type(exc).__name__}: {exc}"[:4000]
        else:
            error = None
        finally:
            stop.set()
            beat.join()
        return self._finish(job, run_id, error)

    def _heartbeat(self, job_id: int, stop: threading.Event) -> None:
        while not stop.wait(self.lease.total_seconds() / 3):
            try:
                self._mine(job_id, locked_until=self.clock() + self.lease)
            except Exception as exc:  # a missed beat is retried; the lease still has two thirds to run
                log.warning("job %s: could not renew its lease: %s", job_id, exc)

    def _finish(self, job, run_id: int | None, error: str | None = None) -> Outcome:
        now = self.clock()
        failures = job.consecutive_failures + 1 if error else 0
        try:
            _, interval = interval_for(job.schedule or {}, job.profile_path, now)
        except Exception as exc:  # a bad schedule must not wedge the job: retry at the cap and say why
            interval, error = self.retry_cap, error or f"schedule: {exc}"
            failures = max(failures, 1)
        wait = backoff(failures, interval, self.retry_base, self.retry_cap) if error else interval
        values = {"locked_by": None, "locked_until": None, "last_finished_at": now, "next_run_at": now + wait,
                  "consecutive_failures": failures, "last_error": error}
        if run_id is not None:
            values["last_run_id"] = run_id
        if not self._mine(job.id, **values):
            log.warning("job %s: lease lost to another scheduler; outcome not recorded", job.name)
        return Outcome(job.name, error is None, run_id, error, now + wait)

    def run_pending(self, stop: threading.Event | None = None) -> list[Outcome]:
        """Run every job that is due now and not held by another scheduler (until `stop` is set)."""
        outcomes = []
        for job_id in self.due_jobs():
            if stop is not None and stop.is_set():
                break
            if self.acquire(job_id):
                outcomes.append(self.run_job(job_id))
        return outcomes
