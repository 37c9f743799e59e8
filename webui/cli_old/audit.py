"""CLI for the audit trail: verify the hash chain."""

from __future__ import annotations

import click

from models import session_scope, verify_chain
from webui.cli.common import open_engine


@click.group()
def audit() -> None:
    """Inspect the append-only audit trail."""


@audit.command()
def verify() -> None:
    """Check the whole hash chain; name the first broken link and exit non-zero if there is one."""
    with session_scope(open_engine()) as session:
        report = verify_chain(session)
    if not report.ok:
        raise click.ClickException(
            f"audit chain broken at event {report.broken_id}: {report.problem} "
            f"({report.checked} event(s) before it verified)"
        )
    click.echo(f"Audit chain intact: {report.checked} event(s), head {report.head_hash}")


def register(cli: click.Group) -> None:
    cli.add_command(audit)
