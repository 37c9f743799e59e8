"""CLI for users of the review UI: add one, list them, set a password."""

from __future__ import annotations

import os
import sys

import click
from sqlalchemy import select

from models import User, UserRole, record_event, session_scope
from webui.cli.common import open_engine

PASSWORD_ENV = "NETRAL_USER_PASSWORD"


def _password(from_stdin: bool) -> str:
    """The password from stdin, NETRAL_USER_PASSWORD, or a hidden prompt (never a command-line argument)."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _hash(password: str) -> str:
    from webui.passwords import hash_password

    try:
        return hash_password(password)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
def user() -> None:
    """Manage who can log in to the review UI (admin, reviewer, viewer)."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in UserRole]), required=True)
@click.option("--locale", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def add(name: str, role: str, locale: str, password_stdin: bool) -> None:
    """Add user NAME. The password comes from --password-stdin, NETRAL_USER_PASSWORD, or a prompt."""
    password_hash = _hash(_password(password_stdin))
    with session_scope(open_engine(), write=True) as s:
        if s.scalar(select(User.id).where(User.username == name)):
            raise click.ClickException(f"user {name!r} exists already")
        new = User(username=name, password_hash=password_hash, role=UserRole(role), locale=locale)
        s.add(new)
        s.flush()
        record_event(s, "cli", "user.add", "user", new.id, {"username": name, "role": role})
    click.echo(f"added {role} {name}")


@user.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def password(name: str, password_stdin: bool) -> None:
    """Set user NAME's password (this ends their open sessions)."""
    password_hash = _hash(_password(password_stdin))
    with session_scope(open_engine(), write=True) as s:
        found = s.scalar(select(User).where(User.username == name))
        if found is None:
            raise click.ClickException(f"no user {name!r}")
        found.password_hash = password_hash
        record_event(s, "cli", "user.password", "user", found.id, {"username": name})
    click.echo(f"password set for {name}")


@user.command("list")
def list_users() -> None:
    """List users with their role and whether they are active."""
    with session_scope(open_engine()) as s:
        for u in s.scalars(select(User).order_by(User.username)):
            click.echo(f"{u.username}\t{u.role.value}\t{'active' if u.is_active else 'inactive'}\t{u.locale}")


def register(cli: click.Group) -> None:
    cli.add_command(user)
