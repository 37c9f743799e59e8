"""Store stage: run Alembic migrations (upgrade, check that models and migrations agree) on any database URL."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from models.session import database_url

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """Build the Alembic configuration in code, so no alembic.ini has to sit in the working directory."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would choke on '%' in URL-encoded passwords.
    config.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Upgrade the database to the given revision (default: the latest)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    """Downgrade the database to the given revision."""
    command.downgrade(alembic_config(url), revision)


def check(url: str | None = None) -> None:
    """Raise alembic.util.CommandError if the models hold changes no migration describes."""
    command.check(alembic_config(url))


def current(url: str | None = None) -> None:
    """Print the database's current revision."""
    command.current(alembic_config(url))


def revision(message: str, url: str | None = None) -> None:
    """Autogenerate a new migration from the difference between the models and the database."""
    command.revision(alembic_config(url), message=message, autogenerate=True)
