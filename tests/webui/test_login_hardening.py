"""Review UI, issue 12 point 11: logout ends the session on the server, the login limit under concurrency and per
username, the client address behind a proxy, and `next=` redirects that cannot leave the site."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from models import AuditEvent
from tests.webui.conftest import PASSWORD, csrf_token, fresh, login
from webui import create_app


def _cookie(client) -> str:
    return client.get_cookie("netral_session").value


def test_a_copied_session_cookie_stops_working_after_logout(app, users, as_role):
    browser = as_role("viewer")
    copied = _cookie(browser.client)
    assert browser.post("/logout").status_code == 302
    thief = app.test_client()
    thief.set_cookie("netral_session", copied)
    response = thief.get("/queue/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_logout_ends_only_that_session(app, users, as_role):
    first, second = as_role("viewer"), as_role("viewer")
    assert first.post("/logout").status_code == 302
    assert second.get("/queue/").status_code == 200


def test_the_login_limit_holds_under_concurrent_attempts(app, users, monkeypatch):
    """Attempts that arrive together are all checked against the limit before any of them has failed."""
    import webui.blueprints.auth as auth

    app.config["WTF_CSRF_ENABLED"] = False
    slow_calls = []

    def slow_verify(stored, password):
        slow_calls.append(1)
        time.sleep(0.3)
        return False

    monkeypatch.setattr(auth, "verify_password", slow_verify)
    codes: list[int] = []
    barrier = threading.Barrier(12)

    def attempt():
        client = app.test_client()
        barrier.wait()
        codes.append(client.post("/login", data={"username": "reviewer", "password": "guess"}).status_code)

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(slow_calls) <= 5, codes  # never more password checks than the limit allows
    assert codes.count(401) <= 5 and codes.count(429) >= 7


def _login_from(client, username: str, address: str, password: str = PASSWORD):
    token = csrf_token(client)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def test_a_locked_username_does_not_lock_everyone_behind_the_address(app, users):
    office = app.test_client()
    for _ in range(5):
        assert _login_from(office, "reviewer", "10.0.0.1", "wrong password!").status_code == 401
    # The username is locked, from any address...
    assert _login_from(app.test_client(), "reviewer", "10.9.9.9").status_code == 429
    # ...but a colleague behind the same address logs in.
    assert _login_from(app.test_client(), "viewer", "10.0.0.1").status_code == 302


def test_one_address_guessing_many_usernames_is_still_limited(app, users):
    app.config["NETRAL_LOGIN_MAX_PER_ADDRESS"] = 8
    client = app.test_client()
    codes = [_login_from(client, f"someone{n}", "10.0.0.2", "wrong password!").status_code for n in range(8)]
    assert codes == [401] * 8
    assert _login_from(client, "viewer", "10.0.0.2").status_code == 429
    assert _login_from(app.test_client(), "viewer", "10.0.0.3").status_code == 302


def _login_ip(db_session) -> str:
    fresh(db_session)
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "user.login_failed")
                               .order_by(AuditEvent.id.desc())).first()
    return event.details["ip"]


@pytest.mark.parametrize("hops, expected", [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_client_address_behind_the_proxy(netral_env, users, db_session, hops, expected):
    app = create_app({"TESTING": True, "DATABASE_URL": netral_env, "SECRET_KEY": "s", "NETRAL_PROXY_HOPS": hops})
    client = app.test_client()
    token = csrf_token(client)
    client.post("/login", data={"username": "reviewer", "password": "wrong", "csrf_token": token},
                headers={"X-Forwarded-For": "203.0.113.9"})
    assert _login_ip(db_session) == expected
    app.extensions["netral_engine"].dispose()


def test_proxy_hops_come_from_the_environment(netral_env, monkeypatch):
    from webui.config import load_config

    assert load_config()["NETRAL_PROXY_HOPS"] == 0
    monkeypatch.setenv("NETRAL_PROXY_HOPS", "2")
    assert load_config()["NETRAL_PROXY_HOPS"] == 2


OFF_SITE = ["//evil.example/x", "/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "/\\evil.example",
            "\t//evil.example", " //evil.example", "https://evil.example/", "/%09/evil.example", "/\x00/evil.example",
            "javascript:alert(1)", "/\u3000/evil.example", "///evil.example"]


def _is_local(location: str) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(location)
    return parts.netloc in ("", "localhost") and not location.startswith("//") and "\t" not in location


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_next_cannot_leave_the_site(app, users, target):
    client = app.test_client()
    assert client.get("/login", query_string={"next": target}).status_code == 200
    token = csrf_token(client)
    response = client.post("/login", data={"username": "reviewer", "password": PASSWORD, "csrf_token": token,
                                           "next": target})
    assert response.status_code == 302
    assert _is_local(response.headers["Location"]), response.headers["Location"]
    assert "evil.example" not in response.headers["Location"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_language_switch_cannot_leave_the_site(as_role, target):
    response = as_role("viewer").post("/language", {"locale": "en", "next": target})
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


def test_a_local_next_is_kept(app, users):
    client = app.test_client()
    token = csrf_token(client)
    response = client.post("/login", data={"username": "reviewer", "password": PASSWORD, "csrf_token": token,
                                           "next": "/dashboard/?x=1"})
    assert response.headers["Location"].endswith("/dashboard/?x=1")


def test_a_next_with_a_newline_is_no_server_error(app, users):
    client = app.test_client()
    assert login(client, "reviewer").status_code == 302
    response = client.get("/queue/?x=%0d%0aSet-Cookie:%20a=b")
    assert response.status_code == 200
    token = csrf_token(client, "/queue/")
    response = client.post("/language", data={"locale": "id", "next": "/queue/\r\nSet-Cookie: a=b",
                                              "csrf_token": token})
    assert response.status_code == 302 and "\n" not in response.headers["Location"]


@pytest.mark.parametrize("shared", ["memory", "redis"])
def test_limiter_attempts_are_atomic_and_per_key(request, shared):
    """Many threads attempting at once: exactly the limit gets through; a forgiven attempt frees its place."""
    from webui.ratelimit import LoginLimiter, RedisLoginLimiter

    if shared == "redis":
        limiter = RedisLoginLimiter(request.getfixturevalue("redis_url"), 60)
    else:
        limiter = LoginLimiter(60)
    limits = {"user:ani": 5, "ip:10.0.0.1": 50}
    tokens: list[str | None] = []
    barrier = threading.Barrier(20)

    def attempt():
        barrier.wait()
        tokens.append(limiter.attempt(limits))

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    granted = [t for t in tokens if t]
    assert len(granted) == 5
    assert limiter.attempt({"user:budi": 5, "ip:10.0.0.1": 50}) is not None  # the address is not locked
    limiter.forgive(granted[0], *limits)
    assert limiter.attempt(limits) is not None and limiter.attempt(limits) is None
    limiter.reset("user:ani")
    assert limiter.attempt(limits) is not None
