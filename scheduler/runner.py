"""Scheduling stage: run due crawl jobs (crawl, then classify, then flag), each job by one scheduler at a time.

A job's interval depends on the election phase of today (in the profile's time zone), e.g. hourly in the
campaign and every 15 minutes in the quiet period and on voting day. The lock is a lease taken with one
conditional UPDATE (atomic on SQLite and PostgreSQL alike), renewed between steps, released with the
outcome. A failure is recorded and retried with exponential backoff.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import os
import re
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import Engine, or_, select, update
from sqlalchemy.orm import Session

from models.base import RunStatus, utcnow
from models.jobs import CrawlJob
from models.profile import load_profile
from models.session import immediate, session_scope

log = logging.getLogger(__name__)

# The pipeline a job runs, in order. Resolved lazily: the stages live in other packages.
STEPS: dict[str, str] = {
    "crawl": "webui.cli.scheduler:crawl_step",  # `netral crawl` in a child process
    "classify": "nlp.jobs:classify_pending",
    "flag": "nlp.jobs:run_rules",
}
PHASES = ("before", "campaign", "quiet", "voting_day", "after", "default")
_INTERVAL = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class StepNotAvailable(LookupError):
    """A pipeline step's code cannot be found (unknown name, or its package has not landed)."""


class ScheduleError(ValueError):
    """A job's schedule or config is invalid; the message names the job and field."""


def resolve_step(name: str, steps: dict[str, str] | None = None) -> Callable:
    """Return the callable for a step name ('crawl', ...) or a dotted path 'package.module:function'."""
    table = STEPS | (steps or {})
    target = table.get(name, name)
    if ":" not in target:
        raise StepNotAvailable(f"unknown step {name!r} (known: {', '.join(table)})")
    module_name, attr = target.split(":", 1)
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise StepNotAvailable(f"step {name!r}: cannot import {module_name} ({exc})") from None
    fn = getattr(module, attr, None)
    if not callable(fn):
        raise StepNotAvailable(f"step {name!r}: {module_name} has no function {attr!r}")
    return fn


def call_step(fn: Callable, **available) -> object:
    """Call a step with the keyword arguments it declares, so steps can take only what they need."""
    params = inspect.signature(fn).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return fn(**available)
    return fn(**{k: v for k, v in available.items() if k in params})


def parse_interval(value: object) -> timedelta:
    """Read '15m', '1h', '6h', '90s', '1d' or a number of seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return timedelta(seconds=value)
    match = _INTERVAL.match(str(value))
    if not match or int(match.group(1)) == 0:
        raise ScheduleError(f"interval {value!r} must look like 90s, 15m, 1h or 1d")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


def phase_now(profile_path: str | None, now: datetime) -> str:
    """Return the election phase of `now` (the day in the profile's time zone), or 'default' without a profile."""
    if not profile_path:
        return "default"
    profile = load_profile(profile_path)
    day = now.astimezone(ZoneInfo(profile.election.timezone)).date()
    return profile.phase_on(day)


def interval_for(schedule: dict, profile_path: str | None, now: datetime) -> tuple[str, timedelta]:
    """Return (phase, interval): the phase's own interval, else the schedule's default."""
    phase = phase_now(profile_path, now)
    raw = schedule.get(phase, schedule.get("default"))
    if raw is None:
        raise ScheduleError(f"schedule has no interval for phase {phase!r} and no default")
    return phase, parse_interval(raw)


def backoff(failures: int, interval: timedelta, base: timedelta, cap: timedelta) -> timedelta:
    """Return the wait before retry n: base, 2x, 4x, ... never beyond the normal interval or the cap."""
    return min(base * (2 ** max(0, failures - 1)), interval, cap)


# --- jobs from a config file ---------------------------------------------------------------------------

class JobSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=128)
    source: str = Field(pattern=r"^(bluesky|mastodon)$")
    targets: dict = {}
    options: dict = {}
    schedule: dict = Field(min_length=1)
    profile: str | None = None
    enabled: bool = True

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, schedule: dict) -> dict:
        for phase, value in schedule.items():
            if phase not in PHASES:
                raise ValueError(f"unknown phase {phase!r} (expected one of: {', '.join(PHASES)})")
            parse_interval(value)
        return schedule


def validate_job(values: dict) -> JobSpec:
    """Validate one job as a jobs file's entry is validated (the UI's job form calls this too).

    Raises ScheduleError with one 'field: reason' per problem, e.g. 'schedule: interval '5x' must look like ...'.
    """
    try:
        return JobSpec.model_validate(values)
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in e['loc']) or 'job'}: {e['msg'].removeprefix('Value error, ')}"
                    for e in exc.errors()]
        raise ScheduleError("; ".join(problems)) from None


class JobsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    jobs: list[JobSpec] = []
    steps: dict[str, str] = {}


def load_config(path: str | Path) -> JobsConfig:
    """Read a jobs YAML file; profile paths are taken relative to the file."""
    path = Path(path)
    try:
        config = JobsConfig.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except (OSError, yaml.YAMLError) as exc:
        raise ScheduleError(f"{path}: {exc}") from None
    except (ValidationError, ScheduleError) as exc:
        raise ScheduleError(f"{path}: {exc}") from None
    for spec in config.jobs:
        if spec.profile and not Path(spec.profile).is_absolute():
            spec.profile = str((path.parent / spec.profile).resolve())
    names = [s.name for s in config.jobs]
    if len(names) != len(set(names)):
        raise ScheduleError(f"{path}: job names must be unique")
    return config


def sync_jobs(engine: Engine, config: JobsConfig) -> dict[str, int]:
    """Upsert the file's jobs by name; disable config jobs the file no longer lists (history is kept)."""
    counts = {"created": 0, "updated": 0, "disabled": 0}
    with session_scope(engine, write=True) as session:
        existing = {j.name: j for j in session.scalars(select(CrawlJob))}
        for spec in config.jobs:
            values = {"source": spec.source, "targets": spec.targets, "options": spec.options,
                      "schedule": spec.schedule, "profile_path": spec.profile, "enabled": spec.enabled,
                      "origin": "config"}
            job = existing.get(spec.name)
            if job is None:
                session.add(CrawlJob(name=spec.name, consecutive_failures=0, **values))
                counts["created"] += 1
            elif any(getattr(job, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(job, k, v)
                counts["updated"] += 1
        listed = {s.name for s in config.jobs}
        for job in existing.values():
            if job.origin == "config" and job.name not in listed and job.enabled:
                job.enabled = False
                counts["disabled"] += 1
    return counts


# --- running --------------------------------------------------------------------------------------------

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
    """Runs due jobs. `clock` and `steps` are injectable for tests; `lease` bounds a dead holder's lock."""

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
            run_id = getattr(result, "id", result if isinstance(result, int) else None)
            if getattr(result, "status", None) == RunStatus.FAILED:
                raise RuntimeError(getattr(result, "error_message", None) or "crawl run failed")
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
