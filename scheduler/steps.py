"""Scheduling stage: the steps a job runs (crawl in a child process, classify, flag), found by name."""

from __future__ import annotations

import importlib
import inspect
import os
import re
import subprocess
import sys
from collections.abc import Callable

import click

# The pipeline a job runs, in order. Resolved lazily: the stages live in other packages.
STEPS: dict[str, str] = {
    "crawl": "scheduler.steps:crawl_step",  # `netral crawl` in a child process
    "classify": "nlp.jobs.classify:classify_pending",
    "flag": "nlp.jobs.flag:run_rules",
}

class StepNotAvailable(LookupError):
    """A pipeline step's code cannot be found (unknown name, or its package has not landed)."""



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



# The crawl step: a job's targets and options become a `netral crawl` command in its own process (Scrapy's
# reactor cannot restart inside a long-running scheduler, and a crashed crawl must not take it down).
_FLAGS = {"appview": "--appview", "plc": "--plc", "instance": "--instance", "concurrency": "--concurrency",
          "delay": "--delay", "recheck_days": "--recheck-days"}
_REPEATED = {"bluesky": ("actors", "--actor"), "mastodon": ("accounts", "--account")}
_ONLY = {"appview": "bluesky", "plc": "bluesky", "instance": "mastodon"}


def crawl_command(source: str, targets: dict, options: dict, profile: str | None) -> list[str]:
    """Build the `netral crawl SOURCE ...` arguments for a job (never a token: that stays in the environment)."""
    if source not in _REPEATED:
        raise click.ClickException(f"unknown crawl source {source!r}")
    args = ["crawl", source]
    key, flag = _REPEATED[source]
    for value in targets.get(key) or []:
        args += [flag, str(value)]
    if targets.get("profile", True) and profile:
        args += ["--profile", profile]
    if targets.get("registry"):
        args.append("--registry")
    for name, flag in _FLAGS.items():
        if options.get(name) is None:
            continue
        if _ONLY.get(name, source) != source:
            raise click.ClickException(f"option {name!r} is for {_ONLY[name]} jobs, not {source}")
        args += [flag, str(options[name])]
    return args


def crawl_step(engine, source: str, targets: dict, options: dict, profile: str | None) -> int | None:
    """Run the job's crawl in a child process on the scheduler's database; return its CrawlRun id."""

    env = dict(os.environ, NETRAL_DATABASE_URL=engine.url.render_as_string(hide_password=False))
    argv = [sys.executable, "-c", "from netral.cli import cli; cli(prog_name='netral')",
            *crawl_command(source, targets, options, profile)]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=float(options.get("timeout_s", 10800)))
    match = re.search(r"^Run (\d+): (\w+)", done.stdout, re.MULTILINE)
    if done.returncode != 0 or match is None:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"netral crawl {source} exited {done.returncode}: {' | '.join(tail)}")
    if match.group(2) != "completed":
        raise RuntimeError(f"crawl run {match.group(1)} ended {match.group(2)}")
    return int(match.group(1))
