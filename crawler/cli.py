"""CLI for the crawl stage: crawl Bluesky and Mastodon, list past runs, import items collected elsewhere."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from models import Account, AccountLink, CrawlRun, Platform, session_scope
from models.profile import ProfileError, load_profile
from models.session import database_url
from webui.cli.common import open_engine


@click.group()
def crawl() -> None:
    """Crawl platforms for posts and who liked, replied, reposted and quoted them."""


def _profile_handles(profile_file: str | None, platform: str) -> list[str]:
    if not profile_file:
        return []
    try:
        profile = load_profile(profile_file)
    except ProfileError as exc:
        raise click.ClickException(str(exc)) from None
    return [ref.handle for ref in profile.candidate_accounts(platform)]


def _registry_accounts(platform: Platform) -> list[str]:
    """Accounts linked to a registered person: by platform id when a crawl resolved it, else by handle."""
    with session_scope(open_engine()) as session:
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


def _progress(items: dict, errors: dict) -> None:
    shown = ", ".join(f"{k} {v}" for k, v in sorted(items.items())) or "-"
    failed = sum(errors.values())
    click.echo(f"  ... stored: {shown}; errors: {failed}", err=True)


def _run(spider: str, args: dict, parameters: dict, concurrency: int | None, delay: float | None) -> None:
    from crawler.run import run_crawl

    settings = {}
    if concurrency:
        settings["CONCURRENT_REQUESTS_PER_DOMAIN"] = concurrency
    if delay is not None:
        settings["DOWNLOAD_DELAY"] = delay
    try:
        open_engine()  # refuse an unmigrated database before starting anything
        result = run_crawl(spider, args, parameters=parameters, db_url=database_url(), settings=settings,
                           progress=_progress)
    except OperationalError as exc:
        raise click.ClickException(f"the database is unavailable ({str(exc.orig).splitlines()[0][:200]}); "
                                   "what was stored is kept: rerun the crawl to complete it") from None
    click.echo(result.summary())
    if result.status == "failed":
        raise click.ClickException(f"crawl run {result.run_id} failed ({result.finish_reason})")


def _politeness(func):  # noqa: ANN001
    func = click.option("--concurrency", type=int, help="Requests in flight per host (default: settings, 2).")(func)
    func = click.option("--delay", type=float, help="Seconds between requests to one host (default 0.5).")(func)
    return click.option("--recheck-days", type=float, help="Re-read this many days back for removals (default 7).")(
        func)


@crawl.command("bluesky")
@click.option("--actor", "actors", multiple=True, help="Handle or DID to crawl post-centric (repeatable).")
@click.option("--profile", "profile_file", type=click.Path(dir_okay=False), help="Election profile: its candidates.")
@click.option("--registry", is_flag=True, help="Crawl registry accounts account-centric (posts, likes, reposts).")
@click.option("--appview", help="AppView URL (default: NETRAL_BLUESKY_APPVIEW or https://public.api.bsky.app).")
@click.option("--plc", help="DID directory URL (default: NETRAL_BLUESKY_PLC or https://plc.directory).")
@_politeness
def bluesky(actors, profile_file, registry, appview, plc, recheck_days, concurrency, delay) -> None:  # noqa: ANN001
    """Crawl Bluesky: candidates' posts and who interacted; registry accounts' own activity."""
    targets = sorted({a.lstrip("@").lower() for a in actors} | set(_profile_handles(profile_file, "bluesky")))
    accounts = _registry_accounts(Platform.BLUESKY) if registry else []
    if not targets and not accounts:
        raise click.UsageError("nothing to crawl: give --actor, --profile or --registry")
    click.echo(f"Crawling Bluesky: {len(targets)} target(s) post-centric, {len(accounts)} account(s) account-centric")
    args = {"actors": targets, "accounts": accounts, "appview": appview, "plc": plc, "recheck_days": recheck_days}
    _run("bluesky", args, {"actors": targets, "accounts": accounts, "appview": appview, "plc": plc},
         concurrency, delay)


@crawl.command("mastodon")
@click.option("--instance", required=True, help="Instance URL, e.g. https://mastodon.social")
@click.option("--account", "accts", multiple=True, help="Account (acct) to crawl post-centric (repeatable).")
@click.option("--profile", "profile_file", type=click.Path(dir_okay=False), help="Election profile: its candidates.")
@click.option("--registry", is_flag=True, help="Crawl registry accounts' statuses, boosts and replies.")
@click.option("--token", envvar="NETRAL_MASTODON_TOKEN", help="Access token (or NETRAL_MASTODON_TOKEN); never stored.")
@_politeness
def mastodon(instance, accts, profile_file, registry, token, recheck_days, concurrency, delay) -> None:  # noqa: ANN001
    """Crawl one Mastodon instance: candidates' statuses and who favourited, boosted, replied."""
    targets = sorted({a.lstrip("@").lower() for a in accts} | set(_profile_handles(profile_file, "mastodon")))
    accounts = _registry_accounts(Platform.MASTODON) if registry else []
    if not targets and not accounts:
        raise click.UsageError("nothing to crawl: give --account, --profile or --registry")
    click.echo(f"Crawling {instance}: {len(targets)} target(s) post-centric, {len(accounts)} account(s)")
    args = {"instance": instance, "targets": targets, "accounts": accounts, "token": token,
            "recheck_days": recheck_days}
    _run("mastodon", args, {"instance": instance, "targets": targets, "accounts": accounts, "token": bool(token)},
         concurrency, delay)


@crawl.command("runs")
@click.option("--source", help="Only runs of this source (bluesky, mastodon, import).")
@click.option("--limit", default=20, show_default=True)
def runs(source: str | None, limit: int) -> None:
    """List past crawl and import runs, newest first, with counts and errors."""
    with session_scope(open_engine()) as session:
        query = select(CrawlRun).order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc()).limit(limit)
        if source:
            query = query.where(CrawlRun.source == source)
        for run in session.scalars(query):
            items = ", ".join(f"{k} {v}" for k, v in sorted((run.item_counts or {}).items())) or "-"
            errors = ", ".join(f"{k} {v}" for k, v in sorted((run.error_counts or {}).items())) or "-"
            finished = run.finished_at.strftime("%Y-%m-%d %H:%M:%S") if run.finished_at else "-"
            click.echo(f"{run.id:>5}  {run.source:<9} {run.status.value:<11} "
                       f"{run.started_at:%Y-%m-%d %H:%M:%S} -> {finished}  items: {items}  errors: {errors}")


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["auto", "jsonl", "csv"]), default="auto", show_default=True)
def import_cmd(file: Path, fmt: str) -> None:
    """Import accounts, posts and interactions collected elsewhere (JSONL or CSV; see crawler/importer.py).

    Each row is validated exactly like a crawled item; bad rows are reported with their line numbers and
    skipped. Re-importing a file changes nothing.
    """
    from crawler.importer import import_file

    report = import_file(open_engine(), file, fmt)
    for line, reason in report.rejected:
        click.echo(f"{file}:{line}: rejected: {reason}", err=True)
    click.echo(report.summary())


def register(cli: click.Group) -> None:
    cli.add_command(crawl)
    cli.add_command(import_cmd)
