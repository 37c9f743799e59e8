"""Stand-in crawl children for the crawl step's process tests: they crash, hang or print misleading text."""

from __future__ import annotations

import os
import signal
import time

from models.runs import start_run
from models.session import make_engine


def _start(db_url: str) -> int:
    engine = make_engine(db_url)
    run_id, _ = start_run(engine, "bluesky", {"test": True})
    engine.dispose()
    return run_id


def killed_mid_crawl(send, plan: dict, db_url: str, log_path: str) -> None:
    """Open a CrawlRun, say so, print a summary-like line, then die by SIGKILL (as the OOM killer would)."""
    send.send(("started", _start(db_url)))
    with open(log_path, "a") as log:
        log.write("Run 1: completed. Stored: nothing. Errors: none.\nsegfault in a C extension\n")
    os.kill(os.getpid(), signal.SIGKILL)


def exits_silently(send, plan: dict, db_url: str, log_path: str) -> None:
    print("Run 7: completed. Stored: like 8. Errors: none.", flush=True)  # the old step parsed this as success
    os._exit(0)  # a clean exit, but no report: still a failure


def hangs(send, plan: dict, db_url: str, log_path: str) -> None:
    time.sleep(600)


def reports_with_other_words(send, plan: dict, db_url: str, log_path: str) -> None:
    """Print a summary that says one thing and report another: only the report counts."""
    print("Run 999: completed. Stored: like 1000.", flush=True)
    send.send(("started", 41))
    send.send(("result", {"run_id": 41, "status": "interrupted", "item_counts": {"like": 3}, "error_counts": {},
                          "finish_reason": "shutdown", "error_message": "stopped by SIGTERM"}))
