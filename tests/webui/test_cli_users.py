"""CLI: `netral user add/list/password` and `netral serve --help`."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select

from models import AuditEvent, User, UserRole
from models.audit import cli_actor
from netral.cli import cli
from tests.webui.conftest import fresh
from webui.passwords import verify_password


def test_user_add_from_stdin_and_env(netral_env, db_session, monkeypatch):
    runner = CliRunner()
    result = runner.invoke(cli, ["user", "add", "ani", "--role", "reviewer", "--password-stdin"],
                           input="a long passphrase\n")
    assert result.exit_code == 0, result.output
    monkeypatch.setenv("NETRAL_USER_PASSWORD", "another long one")
    assert runner.invoke(cli, ["user", "add", "root", "--role", "admin"]).exit_code == 0
    assert runner.invoke(cli, ["user", "add", "ani", "--role", "viewer"]).exit_code != 0  # exists
    monkeypatch.setenv("NETRAL_USER_PASSWORD", "short")
    assert runner.invoke(cli, ["user", "add", "x", "--role", "viewer"]).exit_code != 0
    ani = db_session.scalar(select(User).where(User.username == "ani"))
    assert ani.role is UserRole.REVIEWER and verify_password(ani.password_hash, "a long passphrase")
    assert "a long passphrase" not in ani.password_hash
    listing = runner.invoke(cli, ["user", "list"]).output
    assert "ani\treviewer" in listing and "root\tadmin" in listing
    result = runner.invoke(cli, ["user", "password", "ani", "--password-stdin"], input="brand new secret\n")
    assert result.exit_code == 0
    fresh(db_session)
    assert verify_password(db_session.get(User, ani.id).password_hash, "brand new secret")
    events = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["user.add", "user.add", "user.set_password"]
    assert {e.actor for e in events} == {cli_actor()} and cli_actor().startswith("cli:")


def test_serve_help():
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0 and "--port" in result.output and "gunicorn" in result.output
