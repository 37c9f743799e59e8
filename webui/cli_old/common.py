"""CLI plumbing shared by every command: opening the database, printing errors the same way."""

from __future__ import annotations

import functools

import click
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from models.migrate import alembic_config
from models.session import database_url, make_engine


def schema_problem(engine: Engine) -> str | None:
    """Return why the database cannot be used by this code (not migrated, or behind), or None."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current == head:
        return None
    if current is None:
        return "the database has no schema yet: run `netral db upgrade`"
    return f"the database is at revision {current}, this code expects {head}: run `netral db upgrade`"


@functools.cache
def _engine(url: str) -> Engine:
    return make_engine(url)


def open_engine(check_schema: bool = True) -> Engine:
    """Return the engine for NETRAL_DATABASE_URL, refusing a database that is not migrated to head."""
    engine = _engine(database_url())
    if check_schema:
        problem = schema_problem(engine)
        if problem:
            raise click.ClickException(problem)
    return engine


def safe_url(url: str) -> str:
    """Return the URL with any password masked, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
