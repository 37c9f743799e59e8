"""CLI for election profiles: validate one."""

from __future__ import annotations

import click

from models.profile import ProfileError, load_profile


@click.group()
def profile() -> None:
    """Work with election profiles (YAML: calendar, candidates, parties, official accounts)."""


@profile.command()
@click.argument("profile_file", type=click.Path(dir_okay=False))
def check(profile_file: str) -> None:
    """Validate PROFILE_FILE and print a summary; exit non-zero naming the bad field."""
    try:
        loaded = load_profile(profile_file)
    except ProfileError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(loaded.summary())
    click.echo("Profile is valid.")


def register(cli: click.Group) -> None:
    cli.add_command(profile)
