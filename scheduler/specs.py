"""Scheduling stage: crawl jobs as specs (a jobs file or the jobs screen), validated and synced to the database.

A job's interval depends on the election phase of today (in the profile's time zone), e.g. hourly in the
campaign and every 15 minutes in the quiet period and on voting day.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import Engine, select

from models.base import Phase
from models.jobs import CrawlJob
from models.profile import load_profile
from models.session import session_scope

# The keys a job's schedule may use: every election phase's value, plus "default" (not a phase: the interval
# for phases the schedule leaves out, and the only one without a profile).
PHASES = (*(p.value for p in Phase), "default")
_INTERVAL = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class ScheduleError(ValueError):
    """A job's schedule or config is invalid; the message names the job and field."""


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
    return profile.phase_on(day).value


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
        raise ScheduleError(_problems(exc, "job")) from None


def _problems(exc: ValidationError, whole: str) -> str:
    """One 'field: reason' per problem, e.g. 'jobs.0.schedule: interval '5x' must look like ...'."""
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or whole}: {e['msg'].removeprefix('Value error, ')}"
                     for e in exc.errors())


class JobsConfig(BaseModel):
    """A jobs file: its jobs only. The steps a job runs are the scheduler's (scheduler.steps), never the file's."""

    model_config = ConfigDict(extra="forbid")

    jobs: list[JobSpec] = []


def load_config(path: str | Path) -> JobsConfig:
    """Read a jobs YAML file; profile paths are taken relative to the file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ScheduleError(f"{path}: {exc}") from None
    if isinstance(data, dict) and "steps" in data:
        raise ScheduleError(f"{path}: 'steps' is not allowed in a jobs file: a job always runs crawl, classify "
                            "and flag, and a file may not name code to run; remove the 'steps' key")
    try:
        config = JobsConfig.model_validate(data)
    except ValidationError as exc:
        raise ScheduleError(f"{path}: {_problems(exc, 'file')}") from None
    except ScheduleError as exc:
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


