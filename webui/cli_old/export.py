"""CLI for exports: `netral export ...`. Each subcommand streams rows in constant memory (keyset pages)."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator

import click
from sqlalchemy import select
from sqlalchemy.orm import aliased

from models import Account, Interaction, Post
from webui.cli.common import open_engine


@click.group()
def export() -> None:
    """Export stored data as JSONL or CSV."""


# -- export interactions ------------------------------------------------------------------------------------

INTERACTION_COLUMNS = [
    "platform", "kind", "actor_handle", "actor_platform_id", "target_post_url", "target_post_platform_id",
    "target_author_handle", "occurred_at", "first_seen_at", "removed_at", "raw_sha256",
]
PAGE = 1000


def _iso(value) -> str | None:  # noqa: ANN001
    return value.isoformat() if value is not None else None


def interaction_rows(engine, page: int = PAGE) -> Iterator[dict]:  # noqa: ANN001
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


def _csv_safe(value):  # noqa: ANN001
    """Keep spreadsheet apps from running crawled text as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@export.command("interactions")
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


def register(cli: click.Group) -> None:
    cli.add_command(export)


# The review stage's exports (compliance summary, per-case evidence PDF) live in webui/cli/compliance.py.
from webui.cli.compliance import add_commands as _add_review_exports  # noqa: E402

_add_review_exports(export)
