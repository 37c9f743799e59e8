"""Scheduler: phase-dependent intervals, one runner per job (threads and processes), failures back off."""

from __future__ import annotations

import functools
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import ValidationError
from sqlalchemy import select

from models.jobs import CrawlJob, CrawlRun
from models.session import session_scope
from netral.cli import cli
from scheduler.runner import Scheduler
from scheduler.specs import JobsConfig, ScheduleError, interval_for, load_config, parse_interval, sync_jobs
from scheduler.steps import STEPS, StepNotAvailable, resolve_step
from tests.conftest import ROOT

PROFILE = str(ROOT / "examples" / "profile.yaml")
SCHEDULE = {"campaign": "60m", "quiet": "15m", "voting_day": "15m", "default": "6h"}
FAKE = {"crawl": "tests.scheduler.fake_steps:crawl", "classify": "tests.scheduler.fake_steps:classify",
        "flag": "tests.scheduler.fake_steps:flag"}


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def add_job(engine, log: Path, **overrides) -> int:
    values = {"name": "bsky", "source": "bluesky", "targets": {"actors": ["bersinar01.test"]},
              "options": {"log": str(log)}, "schedule": SCHEDULE, "profile_path": PROFILE,
              "consecutive_failures": 0} | overrides
    with session_scope(engine, write=True) as session:
        job = CrawlJob(**values)
        session.add(job)
        session.flush()
        return job.id


def get_job(engine, job_id: int) -> CrawlJob:
    with session_scope(engine) as session:
        return session.get(CrawlJob, job_id)


def log_lines(log: Path) -> list[str]:
    return log.read_text().split("\n")[:-1] if log.exists() else []


@pytest.mark.parametrize("when, phase, minutes", [
    (utc(2024, 10, 10, 3), "campaign", 60),
    (utc(2024, 11, 23, 18), "quiet", 15),  # 01:00 WIB on 24 Nov: the quiet period has begun in Indonesia
    (utc(2024, 11, 27, 5), "voting_day", 15),
    (utc(2024, 12, 20, 5), "after", 360),
    (utc(2024, 8, 1, 5), "before", 360),
])
def test_interval_depends_on_the_election_phase(when, phase, minutes):
    assert interval_for(SCHEDULE, PROFILE, when) == (phase, timedelta(minutes=minutes))


def test_interval_parsing_and_missing_phase():
    assert parse_interval("90s") == timedelta(seconds=90) and parse_interval(3600) == timedelta(hours=1)
    for bad in ("0m", "soon", "5 weeks", -3):
        with pytest.raises(ScheduleError):
            parse_interval(bad)
    with pytest.raises(ScheduleError, match="no interval for phase 'campaign'"):
        interval_for({"quiet": "15m"}, PROFILE, utc(2024, 10, 10))


def test_a_job_runs_crawl_classify_flag_then_waits_its_phase_interval(engine, tmp_path):
    log = tmp_path / "log"
    job_id = add_job(engine, log)
    now = utc(2024, 10, 10, 3)
    outcomes = Scheduler(engine, steps=FAKE, clock=lambda: now).run_pending()
    assert [o.ok for o in outcomes] == [True]
    job = get_job(engine, job_id)
    assert job.next_run_at == now + timedelta(minutes=60) and job.locked_by is None and job.last_error is None
    assert job.last_run_id == outcomes[0].run_id is not None
    assert [line.split()[0] for line in log_lines(log)] == ["crawl", "classify", "flag"]
    assert log_lines(log)[1].split()[1] == str(job.last_run_id)
    # Not due again until the interval has passed.
    assert Scheduler(engine, steps=FAKE, clock=lambda: now + timedelta(minutes=59)).run_pending() == []
    later = now + timedelta(minutes=61)
    assert len(Scheduler(engine, steps=FAKE, clock=lambda: later).run_pending()) == 1


def test_a_failing_job_backs_off_and_records_its_error(engine, tmp_path):
    log = tmp_path / "log"
    job_id = add_job(engine, log)
    clock = [utc(2024, 11, 25, 3)]  # quiet period: normal interval 15 minutes
    failing = FAKE | {"crawl": "tests.scheduler.fake_steps:failing_crawl"}
    waits = []
    for _ in range(5):
        sched = Scheduler(engine, steps=failing, clock=lambda: clock[0], retry_base=timedelta(minutes=1))
        [outcome] = sched.run_pending()
        job = get_job(engine, job_id)
        assert not outcome.ok and "ConnectionError: AppView unreachable" in job.last_error
        assert job.last_error.startswith("crawl:") and job.locked_by is None
        waits.append(job.next_run_at - clock[0])
        clock[0] = job.next_run_at
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8, 15)]  # capped by the phase's interval
    assert get_job(engine, job_id).consecutive_failures == 5
    [outcome] = Scheduler(engine, steps=FAKE, clock=lambda: clock[0]).run_pending()
    job = get_job(engine, job_id)
    assert outcome.ok and job.consecutive_failures == 0 and job.last_error is None


def test_missing_steps_fail_clearly(engine, tmp_path):
    job_id = add_job(engine, tmp_path / "log")
    [outcome] = Scheduler(engine, steps={"crawl": "crawler.nothing_here:run"}).run_pending()
    assert not outcome.ok and "cannot import crawler.nothing_here" in get_job(engine, job_id).last_error
    with pytest.raises(StepNotAvailable, match="unknown step"):
        resolve_step("teleport")


def test_every_registered_step_resolves_or_says_why():
    for name in STEPS:
        try:
            assert callable(resolve_step(name))
        except StepNotAvailable as exc:
            assert name in str(exc)


def test_an_expired_lease_is_taken_over(engine, tmp_path):
    now = utc(2024, 10, 10, 3)
    job_id = add_job(engine, tmp_path / "log", locked_by="dead:1:x", locked_until=now + timedelta(minutes=5))
    assert Scheduler(engine, steps=FAKE, clock=lambda: now).run_pending() == []
    later = now + timedelta(minutes=6)
    assert [o.ok for o in Scheduler(engine, steps=FAKE, clock=lambda: later).run_pending()] == [True]
    assert get_job(engine, job_id).locked_by is None


def test_two_schedulers_in_threads_run_a_job_once(engine, tmp_path):
    log = tmp_path / "log"
    add_job(engine, log, options={"log": str(log), "sleep": 0.3})
    barrier = threading.Barrier(4)
    results = []

    def race():
        sched = Scheduler(engine, steps=FAKE)
        barrier.wait()
        results.append(sched.run_pending())

    threads = [threading.Thread(target=race) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sum(len(r) for r in results) == 1
    assert [line.split()[0] for line in log_lines(log)] == ["crawl", "classify", "flag"]


RACER = """
import sys, time
from models.session import make_engine
from scheduler.runner import Scheduler
engine = make_engine(sys.argv[1])
start = float(sys.argv[2])
while time.time() < start:
    time.sleep(0.005)
steps = {k: f"tests.scheduler.fake_steps:{k}" for k in ("crawl", "classify", "flag")}
print(len(Scheduler(engine, steps=steps).run_pending()))
"""


def test_two_scheduler_processes_run_a_job_once(engine, db_url, tmp_path):
    import time

    log = tmp_path / "log"
    add_job(engine, log, options={"log": str(log), "sleep": 0.3})
    start = time.time() + 2.0  # both processes import, then start together
    procs = [subprocess.Popen([sys.executable, "-c", RACER, db_url, str(start)], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True) for _ in range(2)]
    ran = [int(p.communicate(timeout=60)[0].strip()) for p in procs]
    assert sorted(ran) == [0, 1]
    crawls = [line for line in log_lines(log) if line.startswith("crawl")]
    assert len(crawls) == 1
    with session_scope(engine) as session:
        assert len(session.scalars(select(CrawlRun)).all()) == 1


def test_config_sync_creates_updates_and_disables(engine, tmp_path):
    def config(*jobs):
        return JobsConfig.model_validate({"jobs": [{"name": n, "source": "bluesky", "schedule": s} for n, s in jobs]})

    assert sync_jobs(engine, config(("a", {"default": "1h"}), ("b", {"default": "1h"}))) == \
        {"created": 2, "updated": 0, "disabled": 0}
    assert sync_jobs(engine, config(("a", {"default": "2h"}))) == {"created": 0, "updated": 1, "disabled": 1}
    assert sync_jobs(engine, config(("a", {"default": "2h"}))) == {"created": 0, "updated": 0, "disabled": 0}
    bad = tmp_path / "jobs.yaml"
    bad.write_text("jobs:\n  - {name: x, source: bluesky, schedule: {campaing: 1h}}\n")
    with pytest.raises(ScheduleError, match="unknown phase 'campaing'"):
        load_config(bad)


def test_cli_runs_config_jobs_once_and_lists_them(netral_env, tmp_path, monkeypatch):
    import scheduler.cli

    log = tmp_path / "log"
    jobs = tmp_path / "jobs.yaml"
    jobs.write_text(
        "jobs:\n"
        f"  - name: kandidat-bluesky\n    source: bluesky\n    profile: {PROFILE}\n"
        f"    options: {{log: '{log}'}}\n"
        "    schedule: {campaign: 60m, quiet: 15m, voting_day: 15m, default: 6h}\n"
    )
    # The steps are injected through the constructor: a jobs file cannot name them.
    monkeypatch.setattr(scheduler.cli, "Scheduler", functools.partial(Scheduler, steps=FAKE))
    runner = CliRunner()
    result = runner.invoke(cli, ["scheduler", "--once", "--config", str(jobs)])
    assert result.exit_code == 0, result.output
    assert "1 job(s) created" in result.output and "kandidat-bluesky: ok (run 1)" in result.output
    listed = runner.invoke(cli, ["scheduler", "list"])
    assert listed.exit_code == 0 and "kandidat-bluesky  [bluesky, enabled, config]" in listed.output
    assert "kandidat-bluesky" in log.read_text()


def test_a_jobs_file_naming_steps_is_refused(netral_env, tmp_path):
    log = tmp_path / "log"
    jobs = tmp_path / "jobs.yaml"
    jobs.write_text(f"steps: {{crawl: 'tests.scheduler.fake_steps:failing_crawl'}}\n"
                    f"jobs:\n  - {{name: x, source: bluesky, schedule: {{default: 1h}}, options: {{log: '{log}'}}}}\n")
    with pytest.raises(ScheduleError, match="'steps' is not allowed in a jobs file"):
        load_config(jobs)
    result = CliRunner().invoke(cli, ["scheduler", "--once", "--config", str(jobs)])
    assert result.exit_code == 1 and "'steps' is not allowed in a jobs file" in result.output
    assert "remove the 'steps' key" in result.output and not log.exists()
    with pytest.raises(ValidationError, match="steps"):
        JobsConfig.model_validate({"jobs": [], "steps": {"crawl": "os:system"}})
    other = tmp_path / "other.yaml"
    other.write_text("jobs: []\nstepz: {}\n")
    with pytest.raises(ScheduleError, match="stepz: Extra inputs are not permitted"):
        load_config(other)


def test_a_failed_run_is_a_failed_job_with_its_error(engine, tmp_path):
    log = tmp_path / "log"
    job_id = add_job(engine, log, options={"log": str(log), "status": "failed", "error": "incomplete: 2 gave up"})
    [outcome] = Scheduler(engine, steps=FAKE).run_pending()
    job = get_job(engine, job_id)
    assert not outcome.ok and outcome.run_id == job.last_run_id is not None  # the failed run stays linked
    assert job.last_error == f"crawl: CrawlFailed: run {job.last_run_id} ended failed: incomplete: 2 gave up"
    assert [line.split()[0] for line in log_lines(log)] == ["crawl"]  # neither classified nor flagged


def test_a_crawl_step_must_return_a_crawl_result(engine, tmp_path):
    log = tmp_path / "log"
    job_id = add_job(engine, log)
    steps = FAKE | {"crawl": "tests.scheduler.fake_steps:legacy_crawl"}
    [outcome] = Scheduler(engine, steps=steps).run_pending()
    assert not outcome.ok and outcome.run_id is None
    assert get_job(engine, job_id).last_error == "crawl: TypeError: the crawl step returned int, not a CrawlResult"


def test_a_long_step_keeps_its_lease(engine, tmp_path):
    log = tmp_path / "log"
    add_job(engine, log, options={"log": str(log), "sleep": 1.5}, schedule={"default": "1h"}, profile_path=None)
    short = Scheduler(engine, steps=FAKE, lease=timedelta(seconds=0.6))
    runner = threading.Thread(target=short.run_pending)
    runner.start()
    import time

    time.sleep(1.0)  # past the first lease: only the heartbeat keeps the job
    assert Scheduler(engine, steps=FAKE).run_pending() == []
    runner.join(10)
    assert [line.split()[0] for line in log_lines(log)] == ["crawl", "classify", "flag"]
