"""Scheduling stage: the steps a job runs (crawl in a child process, classify, flag), found by name.

The table is fixed here: a jobs file cannot name steps (it would let a config file run any function).
Tests inject their own steps through Scheduler(steps=...).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable

# The pipeline a job runs, in order. Resolved lazily: the stages live in other packages.
STEPS: dict[str, str] = {
    "crawl": "scheduler.crawl:crawl_step",  # crawler.plan in a child process; returns a CrawlResult
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
