"""Review UI commands: `netral serve`, `netral user`, and `netral export summary` / `export case`.

Production runs the same app under gunicorn: gunicorn -w 4 -b 0.0.0.0:8000 'webui:create_app()'"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click
from sqlalchemy import select

from models import User, UserRole, audit, record_event, session_scope
from models.audit import cli_actor
from models.cli import open_engine


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--debug", is_flag=True, help="Reload on code changes and show tracebacks (never in production).")
def serve(host: str, port: int, debug: bool) -> None:
    """Run the review UI locally (for production use gunicorn 'webui:create_app()')."""
    open_engine()  # refuse an unmigrated database before serving anything
    from webui import create_app

    create_app().run(host=host, port=port, debug=debug)


PASSWORD_ENV = "NETRAL_USER_PASSWORD"


def _password(from_stdin: bool) -> str:
    """The password from stdin, NETRAL_USER_PASSWORD, or a hidden prompt (never a command-line argument)."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


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
    from webui.users import UsernameTaken, create_user

    secret = _password(password_stdin)
    try:
        create_user(open_engine(), _actor(), name, secret, UserRole(role), locale)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    except UsernameTaken:
        raise click.ClickException(f"user {name!r} exists already" if name else "the user name is empty") from None
    click.echo(f"added {role} {name}")


@user.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def password(name: str, password_stdin: bool) -> None:
    """Set user NAME's password (this ends their open sessions)."""
    from webui.users import set_password

    secret = _password(password_stdin)
    try:
        found = set_password(open_engine(), _actor(), secret, username=name)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if found is None:
        raise click.ClickException(f"no user {name!r}")
    click.echo(f"password set for {name}")


@user.command("list")
def list_users() -> None:
    """List users with their role and whether they are active."""
    with session_scope(open_engine()) as s:
        for u in s.scalars(select(User).order_by(User.username)):
            click.echo(f"{u.username}\t{u.role.value}\t{'active' if u.is_active else 'inactive'}\t{u.locale}")


def _actor() -> str:
    """Who runs the command, for the audit trail: cli:<OS user> (models.audit.cli_actor)."""
    return cli_actor()


@click.command("summary")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "pdf"]), default="csv", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (CSV default: stdout).")
@click.option("--institution", default="", help="Only this institution (exact name).")
@click.option("--province", default="")
@click.option("--regency", default="", help="Kabupaten or kota.")
@click.option("--platform", default="")
@click.option("--from", "date_from", default="", help="First day, YYYY-MM-DD (WIB).")
@click.option("--to", "date_to", default="", help="Last day, YYYY-MM-DD (WIB).")
@click.option("--with-nip", is_flag=True, help="Include civil-servant numbers (sensitive; left out by default).")
def summary(fmt, output, institution, province, regency, platform, date_from, date_to, with_nip) -> None:
    """Write the compliance summary: flagged/confirmed/dismissed counts by rule, and the confirmed cases."""
    from webui.exports import writer
    from webui.exports.query import SummaryFilter
    from webui.exports.tabular import write_file_atomically

    try:
        f = SummaryFilter.from_mapping(dict(institution=institution, province=province, regency=regency,
                                            platform=platform, date_from=date_from, date_to=date_to))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if fmt != "csv" and output is None:
        raise click.UsageError(f"--output is required for {fmt}")
    engine = open_engine()
    with session_scope(engine, write=True) as s:
        record_event(s, _actor(), audit.EXPORT_SUMMARY, None, None, {"format": fmt, "nip": with_nip, **f.describe()})
    write, _mimetype = writer(fmt)
    if fmt == "pdf":
        write = functools.partial(write, max_cases=int(os.environ.get("NETRAL_PDF_MAX_CASES") or 2000))
    with session_scope(engine) as s:
        if output is None:
            write(s, f, with_nip, sys.stdout.buffer)
        else:
            write_file_atomically(output, lambda fh: write(s, f, with_nip, fh))
            click.echo(f"summary written to {output}", err=True)


@click.command("case")
@click.argument("flag_id", type=int)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="PDF file to write.")
@click.option("--with-nip", is_flag=True, help="Include the person's NIP (sensitive; left out by default).")
def case(flag_id: int, output: Path, with_nip: bool) -> None:
    """Write the evidence report (PDF) for one flagged case."""
    from webui.exports.evidence import write_case_pdf
    from webui.exports.tabular import write_file_atomically
    from webui.review.case_data import load_case

    engine = open_engine()
    with session_scope(engine) as s:
        found = load_case(s, flag_id)
        if found is None:
            raise click.ClickException(f"no flag with id {flag_id}")
        write_file_atomically(output, lambda fh: write_case_pdf(found, fh, include_nip=with_nip,
                                                                generated_by=_actor()))
    with session_scope(engine, write=True) as s:
        record_event(s, _actor(), audit.EXPORT_CASE, "flag", flag_id, {"nip": with_nip})
    click.echo(f"evidence report written to {output}", err=True)


COMMANDS = [serve, user]
EXPORT_COMMANDS = [summary, case]


