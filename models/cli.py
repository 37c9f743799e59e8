"""CLI for the store stage: create and migrate the database."""

from __future__ import annotations

import click
from alembic.util import CommandError

from models import migrate
from models.session import database_url
from webui.cli.common import safe_url


@click.group()
def db() -> None:
    """Create, migrate and check the database (NETRAL_DATABASE_URL, default: instance/netral.db)."""


@db.command()
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def upgrade(revision: str) -> None:
    """Create the schema or migrate it to the latest revision."""
    url = database_url()
    click.echo(f"Upgrading {safe_url(url)} to {revision}")
    migrate.upgrade(url, revision)
    click.echo("Done.")


@db.command()
def check() -> None:
    """Fail if the models hold changes that no migration describes."""
    try:
        migrate.check(database_url())
    except CommandError as exc:
        raise click.ClickException(f"models and migrations disagree: {exc}") from None
    click.echo("Models and migrations agree.")


@db.command()
def current() -> None:
    """Show the database's current revision."""
    migrate.current(database_url())


def register(cli: click.Group) -> None:
    cli.add_command(db)
