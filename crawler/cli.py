"""Crawl stage commands: `netral crawl`, `netral import` and `netral export interactions`."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import click
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import aliased

from crawler.plan import CrawlRequest, NothingToCrawl, PlanError, plan_crawl, run_plan
from models import Account, CrawlRun, Interaction, Post, session_scope
from models.cli import open_engine
from models.session import database_url


@click.group()
def crawl() -> None:
    """Crawl platforms for posts and who liked, replied, reposted and quoted them."""


def _progress(items: dict, errors: dict) -> None:
    shown = ", ".join(f"{k} {v}" for k, v in sorted(items.items())) or "-"
    failed = sum(errors.values())
    click.echo(f"  ... stored: {shown}; errors: {failed}", err=True)


def _crawl(no_targets: str, **request) -> None:
    """Plan the crawl as the scheduler's crawl step does (crawler.plan), then run it here, showing progress."""
    try:
        plan = plan_crawl(CrawlRequest(**request), open_engine)
    except NothingToCrawl:
        raise click.UsageError(no_targets) from None
    except PlanError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(plan.describe())
    try:
        open_engine()  # refuse an unmigrated database before starting anything
        result = run_plan(plan, database_url(), progress=_progress)
    except OperationalError as exc:
        raise click.ClickException(f"the database is unavailable ({str(exc.orig).splitlines()[0][:200]}); "
                                   "what was stored is kept: rerun the crawl to complete it") from None
    click.echo(result.summary())
    if result.status == "failed":
        raise click.ClickException(f"crawl run {result.run_id} failed ({result.finish_reason})")


def _politeness(func):
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
def bluesky(actors, profile_file, registry, appview, plc, recheck_days, concurrency, delay) -> None:
    """Crawl Bluesky: candidates' posts and who interacted; registry accounts' own activity."""
    _crawl("nothing to crawl: give --actor, --profile or --registry", source="bluesky", handles=actors,
           profile=profile_file, registry=registry,
           options={"appview": appview, "plc": plc, "recheck_days": recheck_days, "concurrency": concurrency,
                    "delay": delay})


@crawl.command("mastodon")
@click.option("--instance", required=True, help="Instance URL, e.g. https://mastodon.social")
@click.option("--account", "accts", multiple=True, help="Account (acct) to crawl post-centric (repeatable).")
@click.option("--profile", "profile_file", type=click.Path(dir_okay=False), help="Election profile: its candidates.")
@click.option("--registry", is_flag=True, help="Crawl registry accounts' statuses, boosts and replies.")
@click.option("--token", envvar="NETRAL_MASTODON_TOKEN", help="Access token (or NETRAL_MASTODON_TOKEN); never stored.")
@_politeness
def mastodon(instance, accts, profile_file, registry, token, recheck_days, concurrency, delay) -> None:
    """Crawl one Mastodon instance: candidates' statuses and who favourited, boosted, replied."""
    _crawl("nothing to crawl: give --account, --profile or --registry", source="mastodon", handles=accts,
           profile=profile_file, registry=registry, token=token,
           options={"instance": instance, "recheck_days": recheck_days, "concurrency": concurrency, "delay": delay})


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
    from crawler.importer import ImportFileError, import_file

    try:
        report = import_file(open_engine(), file, fmt)
    except ImportFileError as exc:
        raise click.ClickException(str(exc)) from None
    for line, reason in report.rejected:
        click.echo(f"{file}:{line}: rejected: {reason}", err=True)
    click.echo(report.summary())


# -- export interactions ------------------------------------------------------------------------------------

INTERACTION_COLUMNS = [
    "platform", "kind", "actor_handle", "actor_platform_id", "target_post_url", "target_post_platform_id",
    "target_author_handle", "occurred_at", "first_seen_at", "removed_at", "raw_sha256",
]
PAGE = 1000


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def interaction_rows(engine, page: int = PAGE) -> Iterator[dict]:
    """Yield every stored interaction, oldest id first, one keyset page at a time (never OFFSET)."""
    actor, author = aliased(Account), aliased(Account)
    query = (select(Interaction.id, Interaction.platform, Interaction.kind, actor.handle, actor.platform_id,
                    Post.url, Post.platform_id, author.handle, Interaction.occurred_at,
                    Interaction.first_seen_at, Interaction.removed_at, Interaction.raw_sha256)
             .join(actor, actor.id == Interaction.actor_account_id)
             .join(Post, Post.id == Interaction.target_post_id)
             .join(author, author.id == Post.author_account_id)
             .order_by(Interaction.id).limit(page))
    last = 0
    while True:
        with engine.connect() as conn:
            rows = conn.execute(query.where(Interaction.id > last)).all()
        for row in rows:
            yield dict(zip(INTERACTION_COLUMNS, [
                row[1].value, row[2].value, row[3], row[4], row[5], row[6], row[7],
                _iso(row[8]), _iso(row[9]), _iso(row[10]), row[11]], strict=True))
        if len(rows) < page:
            return
        last = rows[-1][0]


def _csv_safe(value):
    """Keep spreadsheet apps from running crawled text as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@click.command("interactions")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="File to write (default: stdout).")
def interactions(fmt: str, output: str | None) -> None:
    """Write every stored interaction: who did what to which post, when, when seen, removed-at, evidence hash."""
    engine = open_engine()
    handle = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
    count = 0
    try:
        if fmt == "csv":
            writer = csv.DictWriter(handle, fieldnames=INTERACTION_COLUMNS)
            writer.writeheader()
            for row in interaction_rows(engine):
                writer.writerow({k: _csv_safe(v) for k, v in row.items()})
                count += 1
        else:
            for row in interaction_rows(engine):
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
    finally:
        if output:
            handle.close()
    if output:
        click.echo(f"{count} interaction(s) written to {output}", err=True)


COMMANDS = [crawl, import_cmd]
EXPORT_COMMANDS = [interactions]
