"""Scheduling stage: the crawl step: a job's crawl, planned here and run in a spawned child process.

Scrapy's Twisted reactor cannot restart inside a long-running scheduler, and a crashed crawl must not take
the scheduler down: each crawl runs in a fresh "spawn" process, given the plan as data. Over a pipe the
child sends ("started", run_id) once its CrawlRun exists, then ("result", CrawlResult as a dict) or
("error", text). Nothing it prints is parsed: its output goes to a log file, whose last lines only explain
a death. A child that dies or outlives options.timeout_s is stopped and yields a failed CrawlResult saying
so (its CrawlRun, if it had one, is closed failed); the scheduler never waits on it for longer.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, replace
from pathlib import Path

from sqlalchemy import Engine

from crawler.plan import CrawlPlan, CrawlRequest, PlanError, plan_crawl, request_for_job, run_plan
from crawler.result import CrawlResult
from models.base import RunStatus
from models.jobs import CrawlRun
from models.runs import finish_run
from models.session import session_scope

DEFAULT_TIMEOUT_S = 10800.0
SCHEDULER_OPTIONS = ("timeout_s",)  # a job's options for the scheduler itself, not for the crawler
GRACE_S = 30.0  # a stopped child's time to close its run before it is killed

__all__ = ["PlanError", "crawl_request", "crawl_step", "timeout_of"]


def timeout_of(options: dict) -> float:
    """Seconds a job's crawl may take (options.timeout_s, default three hours)."""
    value = options.get("timeout_s", DEFAULT_TIMEOUT_S)
    try:
        seconds = float(value) if not isinstance(value, bool) else 0.0
    except (TypeError, ValueError):
        seconds = 0.0
    if not seconds > 0 or seconds == float("inf"):
        raise PlanError(f"option 'timeout_s' must be a positive number of seconds, not {value!r}")
    return seconds


def crawl_request(source: str, targets: dict, options: dict, profile: str | None) -> CrawlRequest:
    """Validate a job's crawl as the crawl step will run it (the jobs screen calls this); PlanError if not."""
    options = dict(options or {})
    timeout_of(options)
    crawl_options = {k: v for k, v in options.items() if k not in SCHEDULER_OPTIONS}
    return request_for_job(source, targets if targets is not None else {}, crawl_options, profile)


def crawl_step(engine: Engine, source: str, targets: dict, options: dict, profile: str | None) -> CrawlResult:
    """Run the job's crawl in a child process on the scheduler's database; return its CrawlResult."""
    request = crawl_request(source, targets, options, profile)
    if source == "mastodon":  # the token stays in the environment, never in a job
        request = replace(request, token=os.environ.get("NETRAL_MASTODON_TOKEN"))
    plan = plan_crawl(request, lambda: engine)
    db_url = engine.url.render_as_string(hide_password=False)
    run_id, result, error = run_child(_crawl_child, (asdict(plan), db_url), timeout_of(options))
    if result is not None:
        return result
    if run_id is not None:
        _close(engine, run_id, error)
    return CrawlResult(run_id, RunStatus.FAILED.value, error_message=error)


def run_child(target, args: tuple, timeout: float) -> tuple[int | None, CrawlResult | None, str | None]:
    """Run target(send, *args, log_path) in a spawned process; return (run_id, result, error), one of the last two.

    Never waits longer than `timeout` for the result (then the child is stopped, killed if need be).
    """
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    handle, log_path = tempfile.mkstemp(prefix="netral-crawl-", suffix=".log")
    os.close(handle)
    child = context.Process(target=target, args=(send, *args, log_path), name="netral-crawl", daemon=True)
    run_id, result, error, patience = None, None, None, GRACE_S
    try:
        child.start()
        send.close()  # the child holds the only sending end now: its death reads as end of file
        deadline = time.monotonic() + timeout
        while result is None and error is None:
            left = deadline - time.monotonic()
            if left <= 0 or not receive.poll(left):
                error = f"the crawl timed out after {timeout:g}s (option timeout_s) and was stopped"
                patience = 0.0
                break
            try:
                kind, value = receive.recv()
            except EOFError:
                child.join(GRACE_S)
                error = f"the crawl process died ({_exit(child)}) before reporting a result{_tail(log_path)}"
                break
            if kind == "started":
                run_id = value
            elif kind == "result":
                result = CrawlResult.from_dict(value)
            else:
                error = str(value)
    finally:
        send.close()
        _stop(child, patience)
        receive.close()
        Path(log_path).unlink(missing_ok=True)
    return run_id, result, error


def _crawl_child(send, plan: dict, db_url: str, log_path: str) -> None:
    """In the child: run the plan, reporting its run's id, then its result (or what went wrong) as data."""
    _output_to(log_path)
    os.environ["NETRAL_DATABASE_URL"] = db_url
    try:
        result = run_plan(CrawlPlan(**plan), db_url, on_start=lambda run_id: send.send(("started", run_id)))
        message = ("result", result.to_dict())
    except BaseException as exc:  # reported to the scheduler, which records it as the job's error
        traceback.print_exc()
        message = ("error", f"{type(exc).__name__}: {exc}")
    send.send(message)
    send.close()


def _output_to(log_path: str) -> None:
    """Send this process's stdout and stderr (Scrapy's log) to the log file."""
    sys.stdout.flush()
    sys.stderr.flush()
    fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)


def _stop(child, patience: float) -> None:
    """Let the child exit by itself for `patience` seconds, then stop it (SIGTERM), then kill it."""
    if child.pid is None:  # never started
        return
    child.join(patience)
    if child.is_alive():
        child.terminate()
        child.join(GRACE_S)
    if child.is_alive():
        child.kill()
    child.join()
    child.close()


def _exit(child) -> str:
    code = child.exitcode
    if code is None:
        return "no exit status"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def _tail(log_path: str, lines: int = 3) -> str:
    try:
        text = Path(log_path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    last = [line.strip()[:300] for line in text.splitlines() if line.strip()][-lines:]
    return f"; its last output: {' | '.join(last)}" if last else ""


def _close(engine: Engine, run_id: int, error: str | None) -> None:
    """Close the run a dead or stopped child left running (it may have closed it itself, e.g. interrupted)."""
    with session_scope(engine) as session:
        run = session.get(CrawlRun, run_id)
        still_running = run is not None and run.status == RunStatus.RUNNING
    if still_running:
        finish_run(engine, run_id, RunStatus.FAILED, error)
