"""Crawl stage: plan a crawl (source, targets, options -> spider arguments), validated, and run it.

`netral crawl bluesky|mastodon` and the scheduler's crawl step both go through here. A CrawlRequest is
checked when made (unknown source, an option of another source or of a wrong type: a PlanError naming it),
planned (the profile's candidates and the registry's accounts resolved into a CrawlPlan, plain data that
can cross to another process) and run (one crawl per process: crawler.run).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine, select

from crawler.result import CrawlResult
from models import Account, AccountLink, Platform, session_scope
from models.profile import ProfileError, load_profile

SOURCES = {"bluesky": Platform.BLUESKY, "mastodon": Platform.MASTODON}
HANDLES = {"bluesky": "actors", "mastodon": "accounts"}  # a job's targets key naming handles post-centric
# Option name: (the source it is for, None for every source; its type).
OPTIONS: dict[str, tuple[str | None, type]] = {
    "appview": ("bluesky", str), "plc": ("bluesky", str), "instance": ("mastodon", str),
    "concurrency": (None, int), "delay": (None, float), "recheck_days": (None, float)}
REQUIRED = {"mastodon": ("instance",)}


class PlanError(ValueError):
    """A crawl cannot be planned; the message names the source, target or option at fault."""


class NothingToCrawl(PlanError):
    """No handle given, no candidate in the profile and no registry account: nothing to crawl."""


def _typed(source: str, name: str, value: object) -> object:
    if name == "token":
        raise PlanError("the Mastodon token is never stored with a crawl: set NETRAL_MASTODON_TOKEN instead")
    if name not in OPTIONS:
        known = ", ".join(n for n, (only, _) in OPTIONS.items() if only in (None, source))
        raise PlanError(f"unknown option {name!r} for {source} crawls (known: {known})")
    only, kind = OPTIONS[name]
    if only not in (None, source):
        raise PlanError(f"option {name!r} is for {only} jobs, not {source}")
    if kind is str:
        if not isinstance(value, str) or not value.strip():
            raise PlanError(f"option {name!r} must be a URL")
        return value
    try:
        if isinstance(value, bool) or (kind is int and isinstance(value, float)):
            raise ValueError
        return kind(value)
    except (TypeError, ValueError):
        raise PlanError(f"option {name!r} must be {'a whole' if kind is int else 'a'} number, not {value!r}") from None


@dataclass
class CrawlRequest:
    """What to crawl: handles by name, the candidates of a profile, the registry's accounts; with options."""

    source: str
    handles: tuple[str, ...] = ()
    profile: str | None = None
    registry: bool = False
    options: dict = field(default_factory=dict)
    token: str | None = field(default=None, repr=False)  # Mastodon's, from the CLI or the environment only

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise PlanError(f"unknown crawl source {self.source!r} (known: {', '.join(SOURCES)})")
        if not isinstance(self.options, dict):
            raise PlanError("options must be an object, e.g. {\"delay\": 1}")
        self.options = {k: _typed(self.source, k, v) for k, v in self.options.items() if v is not None}
        for name in REQUIRED.get(self.source, ()):
            if name not in self.options:
                raise PlanError(f"{self.source} crawls need the option {name!r}")
        self.handles = tuple(self.handles)


def request_for_job(source: str, targets: dict, options: dict, profile: str | None) -> CrawlRequest:
    """Validate a crawl job's source, targets and options as stored; raise PlanError naming the problem.

    targets: {"actors" (bluesky) or "accounts" (mastodon): [handles], "profile": use the job's profile's
    candidates (default true), "registry": crawl the registry's accounts account-centric (default false)}.
    """
    if source not in SOURCES:
        raise PlanError(f"unknown crawl source {source!r} (known: {', '.join(SOURCES)})")
    if not isinstance(targets, dict):
        raise PlanError("targets must be an object, e.g. {\"registry\": true}")
    key = HANDLES[source]
    for name, value in targets.items():
        other = next((s for s, k in HANDLES.items() if k == name and s != source), None)
        if other:
            raise PlanError(f"target {name!r} is for {other} jobs, not {source}")
        if name not in (key, "profile", "registry"):
            raise PlanError(f"unknown target {name!r} (known: {key}, profile, registry)")
        if name != key and not isinstance(value, bool):
            raise PlanError(f"target {name!r} must be true or false")
    handles = targets.get(key) or []
    if not isinstance(handles, list) or not all(isinstance(h, str) and h.strip() for h in handles):
        raise PlanError(f"target {key!r} must be a list of handles")
    request = CrawlRequest(source, tuple(handles), profile if targets.get("profile", True) else None,
                           bool(targets.get("registry")), options)
    if not request.handles and not request.profile and not request.registry:
        raise NothingToCrawl(f"nothing to crawl: give targets {key!r}, a profile or \"registry\": true")
    return request


@dataclass
class CrawlPlan:
    """A planned crawl: the spider, its arguments, the parameters its CrawlRun records, Scrapy settings."""

    spider: str
    targets: list[str]
    accounts: list[str]
    spider_args: dict = field(repr=False)  # may hold a token
    parameters: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)

    def describe(self) -> str:
        if self.spider == "bluesky":
            return (f"Crawling Bluesky: {len(self.targets)} target(s) post-centric, {len(self.accounts)} account(s) "
                    "account-centric")
        return (f"Crawling {self.spider_args['instance']}: {len(self.targets)} target(s) post-centric, "
                f"{len(self.accounts)} account(s)")


def profile_handles(profile_file: str | None, source: str) -> list[str]:
    """The handles of the profile's candidates on the source's platform (none without a profile)."""
    if not profile_file:
        return []
    try:
        profile = load_profile(profile_file)
    except ProfileError as exc:
        raise PlanError(str(exc)) from None
    return [ref.handle for ref in profile.candidate_accounts(source)]


def registry_accounts(engine: Engine, platform: Platform) -> list[str]:
    """Accounts linked to a registered person: by platform id when a crawl resolved it, else by handle."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(Account.platform_id, Account.handle).join(AccountLink, AccountLink.account_id == Account.id)
            .where(Account.platform == platform).distinct()).all()
    out = []
    for platform_id, handle in rows:
        if platform == Platform.BLUESKY and platform_id:
            out.append(platform_id)
        elif handle:
            out.append(handle)
    return sorted(set(out))


def plan_crawl(request: CrawlRequest, connect: Callable[[], Engine]) -> CrawlPlan:
    """Resolve a request's targets (connect() is called only to read the registry); NothingToCrawl if none."""
    targets = sorted({h.lstrip("@").lower() for h in request.handles}
                     | set(profile_handles(request.profile, request.source)))
    accounts = registry_accounts(connect(), SOURCES[request.source]) if request.registry else []
    if not targets and not accounts:
        raise NothingToCrawl(f"nothing to crawl: no {HANDLES[request.source]}, no candidates in the profile "
                             "and no registry accounts")
    opts = request.options
    settings = {}
    if opts.get("concurrency"):
        settings["CONCURRENT_REQUESTS_PER_DOMAIN"] = opts["concurrency"]
    if opts.get("delay") is not None:
        settings["DOWNLOAD_DELAY"] = opts["delay"]
    if request.source == "bluesky":
        args = {"actors": targets, "accounts": accounts, "appview": opts.get("appview"), "plc": opts.get("plc"),
                "recheck_days": opts.get("recheck_days")}
        parameters = {"actors": targets, "accounts": accounts, "appview": opts.get("appview"), "plc": opts.get("plc")}
    else:
        args = {"instance": opts["instance"], "targets": targets, "accounts": accounts, "token": request.token,
                "recheck_days": opts.get("recheck_days")}
        parameters = {"instance": opts["instance"], "targets": targets, "accounts": accounts,
                      "token": bool(request.token)}
    return CrawlPlan(request.source, targets, accounts, args, parameters, settings)


def run_plan(plan: CrawlPlan, db_url: str, progress: Callable[[dict, dict], None] | None = None,
             on_start: Callable[[int], None] | None = None) -> CrawlResult:
    """Run a planned crawl in this process (once per process: Twisted's reactor cannot restart)."""
    from crawler.run import run_crawl  # Scrapy loads only in the process that crawls

    return run_crawl(plan.spider, dict(plan.spider_args), parameters=dict(plan.parameters), db_url=db_url,
                     settings=dict(plan.settings), progress=progress, on_start=on_start)
