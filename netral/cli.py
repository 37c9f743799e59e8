"""The `netral` command line: one Click group, one subcommand per stage, each a thin call into its package."""

from __future__ import annotations

import click

from netral import demo
from scheduler import cli as scheduler
from webui.cli import audit, crawl, db, export, nlp, profile, registry, serve, users


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="netral")
def cli() -> None:
    """Netral: social-media neutrality monitoring for Indonesian election supervision.

    The database is NETRAL_DATABASE_URL (default: an SQLite file in ./instance).
    """


# Each stage's module adds its commands here; keep one line per module.
for _module in (db, registry, profile, audit, crawl, nlp, export, scheduler, serve, users, demo):
    _module.register(cli)
