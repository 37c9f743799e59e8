"""Review UI: sessions required, CSRF enforced, roles enforced, login rate limit, audit of logins, headers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import AuditEvent, verify_chain
from tests.webui.conftest import PASSWORD, csrf_token, login

PAGES = ["/", "/queue/", "/dashboard/", "/registry/", "/export/", "/users/", "/case/1", "/registry/person/1",
         "/registry/person/new", "/export/case/1.pdf", "/export/case/1/raw.json", "/jobs/", "/jobs/new", "/jobs/1/edit",
         "/jobs/runs/1",
         "/password"]
POSTS = ["/queue/1/claim", "/case/1/claim", "/case/1/release", "/case/1/decide", "/case/1/correct", "/logout",
         "/language",
         "/users/", "/users/1", "/registry/person/new", "/registry/person/1", "/registry/link/1", "/export/summary",
         "/jobs/new", "/jobs/1/edit", "/jobs/1/enabled", "/jobs/1/run", "/password", "/users/1/password"]


def test_every_route_is_covered_by_these_lists(app):
    """A new route must be added to PAGES or POSTS, so the session test above covers it."""
    import re

    listed = {re.sub(r"\d+", "<int>", p) for p in PAGES + POSTS}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "auth.login"):
            continue
        path = re.sub(r"<int:\w+>", "<int>", rule.rule)
        assert path in listed, f"{rule.rule} ({rule.endpoint}) is not in PAGES/POSTS"


@pytest.mark.parametrize("path", PAGES)
def test_pages_need_a_session(app, path):
    response = app.test_client().get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("path", POSTS)
def test_posts_need_a_session(app, path):
    client = app.test_client()
    token = csrf_token(client)
    assert client.post(path, data={"csrf_token": token}).status_code == 401


def test_login_page_is_public_and_has_security_headers(app):
    response = app.test_client().get("/login")
    assert response.status_code == 200
    headers = response.headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"


def test_login_sets_a_hardened_cookie_and_is_audited(app, users, db_session):
    client = app.test_client()
    response = login(client, "reviewer")
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert client.get("/queue/").status_code == 200
    events = db_session.scalars(select(AuditEvent.action)).all()
    assert events == ["user.login"]
    assert verify_chain(db_session).ok


def test_secure_cookie_when_configured(netral_env, users):
    from webui import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": netral_env, "SESSION_COOKIE_SECURE": True})
    response = login(app.test_client(), "reviewer")
    assert "Secure" in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" in response.headers


def test_wrong_password_is_refused_and_audited(app, users, db_session):
    client = app.test_client()
    assert login(client, "reviewer", "wrong password!").status_code == 401
    assert login(client, "nobody", "wrong password!").status_code == 401
    assert client.get("/queue/").status_code == 302
    assert db_session.scalars(select(AuditEvent.action)).all() == ["user.login_failed", "user.login_failed"]


def test_login_attempts_are_rate_limited(app, users):
    client = app.test_client()
    for _ in range(5):
        assert login(client, "reviewer", "wrong password!").status_code == 401
    # Even the right password is refused until the window passes.
    assert login(client, "reviewer", PASSWORD).status_code == 429


def test_csrf_is_enforced(app, users):
    client = app.test_client()
    response = client.post("/login", data={"username": "reviewer", "password": PASSWORD})
    assert response.status_code == 400
    login(client, "reviewer")
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 400


def test_open_redirect_is_refused(app, users):
    client = app.test_client()
    token = csrf_token(client)
    response = client.post("/login", data={"username": "reviewer", "password": PASSWORD, "csrf_token": token,
                                           "next": "//evil.example/x"})
    assert response.headers["Location"].endswith("/queue/")


def test_inactive_user_cannot_log_in(app, users, db_session):
    users["reviewer"].is_active = False
    db_session.commit()
    assert login(app.test_client(), "reviewer").status_code == 401


def test_logout_ends_the_session(as_role):
    browser = as_role("viewer")
    assert browser.post("/logout").status_code == 302
    assert browser.get("/queue/").status_code == 302


def test_users_screen_is_admin_only(as_role):
    assert as_role("viewer").get("/users/").status_code == 403
    assert as_role("reviewer").get("/users/").status_code == 403
    assert as_role("admin").get("/users/").status_code == 200


def test_admin_adds_a_user_and_it_is_audited(as_role, db_session):
    admin = as_role("admin")
    form = {"username": "newbie", "role": "viewer", "password": "a long password"}
    assert admin.post("/users/", form).status_code == 302
    assert as_role("reviewer").post("/users/", {**form, "username": "x", "role": "admin"}).status_code == 403
    actions = db_session.scalars(select(AuditEvent.action)).all()
    assert "user.add" in actions and actions.count("user.add") == 1


def test_language_is_chosen_per_user(as_role):
    browser = as_role("viewer")
    assert "Antrean" in browser.get("/queue/").get_data(as_text=True)
    browser.post("/language", {"locale": "en"})
    assert "Review queue" in browser.get("/queue/").get_data(as_text=True)


def test_fallback_secret_key_is_shared_by_workers(monkeypatch, tmp_path):
    from webui.config import load_config

    monkeypatch.delenv("NETRAL_SECRET_KEY", raising=False)
    monkeypatch.setenv("NETRAL_INSTANCE_DIR", str(tmp_path))
    first, second = load_config()["SECRET_KEY"], load_config()["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("NETRAL_SECRET_KEY", "from-env")
    assert load_config()["SECRET_KEY"] == "from-env"


def test_admin_deactivates_a_user_and_their_session_ends(as_role, users, db_session):
    reviewer, admin = as_role("reviewer"), as_role("admin")
    assert reviewer.get("/queue/").status_code == 200
    admin.post(f"/users/{users['reviewer'].id}", {"role": "viewer", "active": "0"})
    assert reviewer.get("/queue/").status_code == 302  # logged out on the next request
    admin.post(f"/users/{users['admin'].id}", {"role": "admin", "active": "0"})  # cannot lock themselves out
    assert admin.get("/users/").status_code == 200
    actions = db_session.scalars(select(AuditEvent.action).where(AuditEvent.action == "user.update")).all()
    assert actions == ["user.update"]


NEW_PASSWORD = "a new passphrase 2"


def test_changing_ones_password_checks_the_old_one_and_ends_other_sessions(app, users, as_role, db_session):
    other = as_role("reviewer")  # a second session of the same user, e.g. another browser
    me = as_role("reviewer")
    form = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "repeat_password": NEW_PASSWORD}
    assert me.post("/password", {**form, "current_password": "wrong password!"}).status_code == 400
    assert me.post("/password", {**form, "repeat_password": NEW_PASSWORD + "x"}).status_code == 400
    assert me.post("/password", {**form, "new_password": "short", "repeat_password": "short"}).status_code == 400
    assert me.post("/password", form).status_code == 302
    assert me.get("/queue/").status_code == 200  # this session goes on
    assert other.get("/queue/").status_code == 302  # the other one ended
    client = app.test_client()
    assert login(client, "reviewer").status_code == 401
    assert login(client, "reviewer", NEW_PASSWORD).status_code == 302
    actions = db_session.scalars(select(AuditEvent.action)).all()
    assert actions.count("user.change_password") == 1 and verify_chain(db_session).ok
    assert all(NEW_PASSWORD not in str(e.details) for e in db_session.scalars(select(AuditEvent)))


def test_only_admins_set_someone_elses_password(app, users, as_role, db_session):
    target = users["viewer"].id
    assert as_role("reviewer").post(f"/users/{target}/password", {"password": NEW_PASSWORD}).status_code == 403
    admin = as_role("admin")
    assert admin.post(f"/users/{target}/password", {"password": "short"}).status_code == 302  # refused, flashed
    assert login(app.test_client(), "viewer", NEW_PASSWORD).status_code == 401
    assert admin.post(f"/users/{target}/password", {"password": NEW_PASSWORD}).status_code == 302
    assert login(app.test_client(), "viewer", NEW_PASSWORD).status_code == 302
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "user.set_password")).one()
    assert event.actor == "admin" and event.details == {"username": "viewer"}


def test_with_redis_every_worker_shares_the_login_limit(netral_env, users, redis_url):
    """Two app instances stand for two gunicorn workers: failures counted by one block logins on the other."""
    from webui import create_app

    workers = [create_app({"TESTING": True, "DATABASE_URL": netral_env, "SECRET_KEY": "s", "REDIS_URL": redis_url})
               for _ in range(2)]
    first, second = (w.test_client() for w in workers)
    for n in range(5):
        assert login(first if n % 2 else second, "reviewer", "wrong password!").status_code == 401
    assert login(first, "reviewer", PASSWORD).status_code == 429
    assert login(second, "reviewer", PASSWORD).status_code == 429
    assert login(second, "viewer", PASSWORD).status_code == 302  # a colleague behind the address is not locked out


def test_login_limit_holds_in_memory_while_redis_is_down(netral_env, users):
    from webui import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": netral_env, "SECRET_KEY": "s",
                      "REDIS_URL": "redis://127.0.0.1:1/0"})
    client = app.test_client()
    for _ in range(5):
        assert login(client, "reviewer", "wrong password!").status_code == 401
    assert login(client, "reviewer", PASSWORD).status_code == 429
