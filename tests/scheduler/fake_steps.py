"""Stand-in pipeline steps for scheduler tests: they log each call to a file named in the job's options."""

from __future__ import annotations

import os
import time
from pathlib import Path

from crawler.result import CrawlResult
from models.base import RunStatus, utcnow
from models.jobs import CrawlRun
from models.session import session_scope


def _log(options: dict, line: str) -> None:
    with Path(options["log"]).open("a") as handle:
        handle.write(f"{line} {os.getpid()}\n")


def crawl(engine, source: str, options: dict, job_name: str) -> CrawlResult:
    _log(options, f"crawl {job_name}")
    time.sleep(float(options.get("sleep", 0)))
    status = RunStatus(options.get("status", "completed"))
    with session_scope(engine, write=True) as session:
        run = CrawlRun(source=source, parameters={"job": job_name}, status=status, finished_at=utcnow(),
                       error_message=options.get("error"))
        session.add(run)
        session.flush()
        return CrawlResult(run.id, status.value, {"post": 1}, {}, "finished", run.error_message)


def legacy_crawl(engine, source: str, options: dict, job_name: str) -> int:
    """A step of the old contract (a bare run id): refused, not guessed at."""
    return crawl(engine, source, options, job_name).run_id


def failing_crawl(options: dict) -> None:
    _log(options, "crawl-fail")
    raise ConnectionError("AppView unreachable")


def classify(options: dict, run_id: int) -> int:
    _log(options, f"classify {run_id}")
    return 0


def flag(options: dict, run_id: int, **_: object) -> int:
    _log(options, f"flag {run_id}")
    return 0
