"""Stand-in pipeline steps for scheduler tests: they log each call to a file named in the job's options."""

from __future__ import annotations

import os
import time
from pathlib import Path

from models.base import RunStatus, utcnow
from models.jobs import CrawlRun
from models.session import session_scope


def _log(options: dict, line: str) -> None:
    with Path(options["log"]).open("a") as handle:
        handle.write(f"{line} {os.getpid()}\n")


def crawl(engine, source: str, options: dict, job_name: str) -> CrawlRun:
    _log(options, f"crawl {job_name}")
    time.sleep(float(options.get("sleep", 0)))
    with session_scope(engine, write=True) as session:
        run = CrawlRun(source=source, parameters={"job": job_name}, status=RunStatus.COMPLETED, finished_at=utcnow())
        session.add(run)
    return run


def failing_crawl(options: dict) -> None:
    _log(options, "crawl-fail")
    raise ConnectionError("AppView unreachable")


def classify(options: dict, run_id: int) -> int:
    _log(options, f"classify {run_id}")
    return 0


def flag(options: dict, run_id: int, **_: object) -> int:
    _log(options, f"flag {run_id}")
    return 0
