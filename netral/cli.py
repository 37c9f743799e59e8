"""The `netral` command line: one Click group gathering every stage's commands (each stage owns its cli.py)."""

from __future__ import annotations

import click

from crawler import cli as crawler_cli
from models import cli as models_cli
from netral import demo
from nlp import cli as nlp_cli
from scheduler import cli as scheduler_cli
from webui import cli as webui_cli


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="netral")
def cli() -> None:
    """Netral: social-media neutrality monitoring for Indonesian election supervision.

    The database is NETRAL_DATABASE_URL (default: an SQLite file in ./instance).
    """


@cli.group()
def export() -> None:
    """Export stored data as JSONL or CSV."""


# The stages in data-flow order; each lists its top-level commands and its `export` subcommands.
for _stage in (models_cli, crawler_cli, nlp_cli, scheduler_cli, webui_cli, demo):
    for _command in _stage.COMMANDS:
        cli.add_command(_command)
    for _command in getattr(_stage, "EXPORT_COMMANDS", ()):
        export.add_command(_command)
