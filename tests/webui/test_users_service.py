"""The users service (webui.users): one place that creates users and sets passwords, each audited once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import AuditEvent, User, UserRole, verify_chain
from models.audit import USER_ADD, USER_CHANGE_PASSWORD, USER_SET_PASSWORD, cli_actor
from tests.webui.conftest import fresh
from webui import users as accounts
from webui.access import auth_hash
from webui.limits import LimitError
from webui.passwords import verify_password

SECRET = "a long passphrase"


def _events(session) -> list[tuple[str, str, dict]]:
    fresh(session)
    return [(e.actor, e.action, e.details) for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_create_user_hashes_and_audits(engine, db_session):
    user = accounts.create_user(engine, "admin", "ani", SECRET, UserRole.REVIEWER, locale="en")
    stored = db_session.get(User, user.id)
    assert stored.role is UserRole.REVIEWER and stored.locale == "en"
    assert verify_password(stored.password_hash, SECRET) and SECRET not in stored.password_hash
    assert _events(db_session) == [("admin", USER_ADD, {"username": "ani", "role": "reviewer"})]


def test_taken_or_empty_names_and_short_passwords_write_nothing(engine, db_session):
    accounts.create_user(engine, "admin", "ani", SECRET, UserRole.VIEWER)
    with pytest.raises(accounts.UsernameTaken):
        accounts.create_user(engine, "admin", "ani", SECRET, UserRole.VIEWER)
    # Every caller (CLI, web, demo) gets the same username rules from the service.
    for name, reason in (("", "empty"), ("ani budi", "no spaces"), ("ani\u202e", "invisible")):
        with pytest.raises(LimitError, match=reason):
            accounts.create_user(engine, "admin", name, SECRET, UserRole.VIEWER)
    with pytest.raises(ValueError, match="at least"):
        accounts.create_user(engine, "admin", "budi", "short", UserRole.VIEWER)
    with pytest.raises(ValueError, match="at least"):
        accounts.set_password(engine, "admin", "short", username="ani")
    assert [a for _, a, _ in _events(db_session)] == [USER_ADD]
    assert db_session.scalars(select(User.username)).all() == ["ani"]


def test_setting_a_password_ends_sessions_and_is_audited(engine, db_session):
    user = accounts.create_user(engine, cli_actor("demo"), "ani", SECRET, UserRole.REVIEWER)
    before = auth_hash(user)
    by_name = accounts.set_password(engine, cli_actor("demo"), "second passphrase", username="ani")
    by_id = accounts.change_own_password(engine, user.id, "third passphrase")
    assert auth_hash(by_name) != before and auth_hash(by_id) != auth_hash(by_name)
    assert accounts.set_password(engine, "admin", SECRET, username="nobody") is None
    assert accounts.set_password(engine, "admin", SECRET, user_id=10_000) is None
    assert verify_password(db_session.get(User, user.id).password_hash, "third passphrase")
    assert _events(db_session) == [
        ("cli:demo", USER_ADD, {"username": "ani", "role": "reviewer"}),
        ("cli:demo", USER_SET_PASSWORD, {"username": "ani"}),
        ("ani", USER_CHANGE_PASSWORD, {"username": "ani"}),
    ]
    assert verify_chain(db_session).ok
    with pytest.raises(TypeError):
        accounts.set_password(engine, "admin", SECRET)
