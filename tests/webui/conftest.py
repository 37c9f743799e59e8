"""Fixtures for the review UI: an app on the test database, users of each role, and logged-in clients."""

from __future__ import annotations

import re

import pytest

from models import UserRole
from tests.factories import make_user
from webui import create_app
from webui.passwords import hash_password
from webui.review import queue as q

PASSWORD = "correct horse battery"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>"\'&'
_HASH = hash_password(PASSWORD)


@pytest.fixture
def app(netral_env, tmp_path):
    q.clear_counts()
    application = create_app({"TESTING": True, "DATABASE_URL": netral_env, "SECRET_KEY": "test-secret",
                              "NETRAL_COUNTS_CACHE_SECONDS": 0})
    yield application
    application.extensions["netral_engine"].dispose()


@pytest.fixture
def users(db_session):
    made = {role.value: make_user(db_session, username=role.value, role=role, password_hash=_HASH) for role in UserRole}
    made["reviewer2"] = make_user(db_session, username="reviewer2", role=UserRole.REVIEWER, password_hash=_HASH)
    db_session.commit()
    return made


def fresh(session) -> None:
    """End the session's read snapshot (SQLite WAL keeps it) and forget loaded rows, to see others' commits."""
    session.rollback()
    session.expire_all()


def csrf_token(client, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def login(client, username: str, password: str = PASSWORD):
    token = csrf_token(client)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


class Browser:
    """A test client that logs in and adds the CSRF token to every POST, like a real form would."""

    def __init__(self, client, username: str):
        self.client = client
        response = login(client, username)
        assert response.status_code == 302, response.get_data(as_text=True)
        self.token = csrf_token(client, "/queue/")

    def get(self, *args, **kw):
        return self.client.get(*args, **kw)

    def post(self, path: str, data: dict | None = None, **kw):
        return self.client.post(path, data={"csrf_token": self.token, **(data or {})}, **kw)


@pytest.fixture
def as_role(app, users):
    """as_role('reviewer') returns a logged-in Browser for that user."""
    return lambda username: Browser(app.test_client(), username)
