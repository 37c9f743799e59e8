"""The crawl step's child process: its result crosses as data; a crash, a hang or an error is a failed job."""

from __future__ import annotations

import multiprocessing
import time

import pytest

import scheduler.crawl
from crawler.result import CrawlResult
from models.base import RunStatus
from models.jobs import CrawlJob, CrawlRun
from models.session import session_scope
from scheduler.crawl import PlanError, crawl_request, crawl_step, run_child
from scheduler.runner import CrawlFailed, Scheduler, check_crawl
from tests.scheduler import children

JOB = {"source": "bluesky", "targets": {"actors": ["cand01.test"], "profile": False},
       "options": {"appview": "http://127.0.0.1:9", "plc": "http://127.0.0.1:9", "delay": 0}, "profile": None}


def add_job(engine, **options) -> int:
    with session_scope(engine, write=True) as session:
        job = CrawlJob(name="j", source=JOB["source"], targets=JOB["targets"], options=JOB["options"] | options,
                       schedule={"default": "1h"}, consecutive_failures=0)
        session.add(job)
        session.flush()
        return job.id


def job_and_runs(engine, job_id: int) -> tuple[CrawlJob, list[CrawlRun]]:
    with session_scope(engine) as session:
        return session.get(CrawlJob, job_id), session.query(CrawlRun).order_by(CrawlRun.id).all()


def test_a_child_killed_mid_crawl_is_a_failed_job_and_its_run_is_closed(engine, monkeypatch):
    monkeypatch.setattr(scheduler.crawl, "_crawl_child", children.killed_mid_crawl)
    job_id = add_job(engine)
    [outcome] = Scheduler(engine).run_pending()
    job, [run] = job_and_runs(engine, job_id)
    assert not outcome.ok and outcome.run_id == run.id == job.last_run_id
    assert job.last_error.startswith(f"crawl: CrawlFailed: run {run.id} ended failed: the crawl process died "
                                     "(killed by SIGKILL) before reporting a result"), job.last_error
    assert "segfault in a C extension" in job.last_error  # the log's last lines explain the death
    assert run.status == RunStatus.FAILED and "killed by SIGKILL" in run.error_message
    assert multiprocessing.active_children() == []


def test_a_child_printing_a_summary_then_dying_is_not_taken_for_a_success(engine, monkeypatch):
    monkeypatch.setattr(scheduler.crawl, "_crawl_child", children.exits_silently)
    result = crawl_step(engine, **JOB)
    assert result.run_id is None and result.status == "failed"
    assert result.error_message.startswith("the crawl process died (exit code 0) before reporting a result")
    with pytest.raises(CrawlFailed, match="the crawl process died"):
        check_crawl(result)


def test_a_child_outliving_its_timeout_is_stopped(engine, monkeypatch):
    monkeypatch.setattr(scheduler.crawl, "_crawl_child", children.hangs)
    job_id = add_job(engine, timeout_s=1.5)
    started = time.monotonic()
    [outcome] = Scheduler(engine).run_pending()
    assert time.monotonic() - started < 10  # not the child's 600 s
    job, runs = job_and_runs(engine, job_id)
    assert not outcome.ok and runs == []
    assert job.last_error == "crawl: CrawlFailed: the crawl timed out after 1.5s (option timeout_s) and was stopped"
    assert multiprocessing.active_children() == []


def test_the_result_is_the_childs_report_not_its_output(engine, monkeypatch):
    """Whatever the child prints (a reworded summary, or a misleading one), only its report counts."""
    monkeypatch.setattr(scheduler.crawl, "_crawl_child", children.reports_with_other_words)
    result = crawl_step(engine, **JOB)
    assert result == CrawlResult(41, "interrupted", {"like": 3}, {}, "shutdown", "stopped by SIGTERM")
    with pytest.raises(CrawlFailed, match="run 41 ended interrupted: stopped by SIGTERM"):
        check_crawl(result)


def test_an_error_in_the_real_child_comes_back_as_text(db_url):
    run_id, result, error = run_child(scheduler.crawl._crawl_child, ({"bogus": 1}, db_url), 120)
    assert run_id is None and result is None
    assert error.startswith("TypeError: ") and "bogus" in error


@pytest.mark.parametrize(("change", "message"), [
    ({"source": "twitter"}, "unknown crawl source 'twitter'"),
    ({"options": {"instance": "http://m"}}, "option 'instance' is for mastodon jobs, not bluesky"),
    ({"options": {"dealy": 1}}, "unknown option 'dealy' for bluesky crawls"),
    ({"options": {"delay": "soon"}}, "option 'delay' must be a number"),
    ({"options": {"timeout_s": 0}}, "option 'timeout_s' must be a positive number"),
    ({"options": {"token": "secret"}}, "never stored"),
    ({"targets": {"accounts": ["a@m"]}}, "target 'accounts' is for mastodon jobs, not bluesky"),
    ({"targets": {"actors": "cand01.test"}}, "target 'actors' must be a list of handles"),
    ({"targets": {"profile": False}}, "nothing to crawl"),
    ({"source": "mastodon", "targets": {"registry": True}, "options": {}}, "need the option 'instance'"),
])
def test_a_job_is_validated_before_any_process_starts(engine, change, message):
    job = JOB | change
    with pytest.raises(PlanError, match=message):
        crawl_request(job["source"], job["targets"], job["options"], job["profile"])
    with pytest.raises(PlanError, match=message):
        crawl_step(engine, **job)
    assert multiprocessing.active_children() == []
