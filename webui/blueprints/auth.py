"""Review stage, login screen: log in and out, change one's password, choose the interface language; audited."""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from models import User, record_event, session_scope, utcnow
from models.audit import USER_LOGIN, USER_LOGIN_FAILED, USER_LOGOUT, web_actor
from webui import users as accounts
from webui.access import AUTH_KEY, SESSION_DETAIL, SESSION_KEY, auth_hash, start_session
from webui.database import db, engine
from webui.i18n import LOCALES
from webui.limits import MAX_NEXT_LENGTH, MAX_USERNAME_LENGTH
from webui.passwords import MIN_LENGTH, verify_password
from webui.ratelimit import LoginLimiter, RedisLoginLimiter

bp = Blueprint("auth", __name__)


def _limiter() -> LoginLimiter | RedisLoginLimiter:
    ext = current_app.extensions
    if "netral_login_limiter" not in ext:
        cfg = current_app.config
        window = cfg["NETRAL_LOGIN_WINDOW_SECONDS"]
        ext["netral_login_limiter"] = (RedisLoginLimiter(cfg["REDIS_URL"], window) if cfg.get("REDIS_URL")
                                       else LoginLimiter(window))
    return ext["netral_login_limiter"]


def _attempt_limits(username: str) -> dict[str, int]:
    """What attempts are counted against, with each one's limit: the username (locked after
    NETRAL_LOGIN_MAX_ATTEMPTS, from any address) and the client's address (a larger allowance, so the
    colleagues behind one office address are not locked out with one username)."""
    cfg = current_app.config
    return {f"user:{username.lower()}": cfg["NETRAL_LOGIN_MAX_ATTEMPTS"],
            f"ip:{request.remote_addr}": cfg["NETRAL_LOGIN_MAX_PER_ADDRESS"]}


def _too_many(template: str, **context):
    flash(_("Too many failed attempts. Wait a few minutes and try again."), "error")
    return render_template(template, **context), 429


def _safe_next(target: str | None) -> str:
    """A local path to go on to, else the queue: an attacker-supplied URL must not turn login or the language
    switch into an open redirect. Browsers drop tabs and newlines from URLs (`/\t/evil.example` is
    `//evil.example` to them) and read a backslash as a slash, so any control character, space or
    backslash, also percent-encoded, refuses the target; a newline would also break the Location header."""
    fallback = url_for("queue.index")
    if not target or len(target) > MAX_NEXT_LENGTH or not target.startswith("/"):
        return fallback
    for text in (target, unquote(target)):
        if any(ch == "\\" or ch.isspace() or unicodedata.category(ch)[0] in "CZ" for ch in text):
            return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//") or unquote(target).startswith("//"):
        return fallback
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("login.html", next=_safe_next(request.args.get("next")))
    username = request.form.get("username", "").strip()[:MAX_USERNAME_LENGTH]
    password = request.form.get("password", "")
    next_page = _safe_next(request.form.get("next"))
    limits = _attempt_limits(username)
    limiter = _limiter()
    token = limiter.attempt(limits)
    if token is None:
        return _too_many("login.html", next=next_page)
    user = db().scalar(select(User).where(User.username == username))
    ok = verify_password(user.password_hash if user else None, password) and user is not None and user.is_active
    with session_scope(engine(), write=True) as s:
        if ok:
            s.get(User, user.id).last_login_at = utcnow()
        event = record_event(s, web_actor(username), USER_LOGIN if ok else USER_LOGIN_FAILED, "user",
                             user.id if user else None, {"ip": request.remote_addr})
        event_id = event.id
    if not ok:
        flash(_("Wrong username or password."), "error")
        return render_template("login.html", next=next_page), 401
    limiter.forgive(token, *limits)
    limiter.reset(next(iter(limits)))  # the username's failures; the address keeps its count
    session.clear()  # a fresh session on login: no fixation
    session.permanent = True
    start_session(user, event_id)
    return redirect(next_page)


@bp.route("/logout", methods=["POST"])
def logout():
    """End the session here and on the server: the logout event names the session's login event, and a
    cookie of an ended session is refused (webui.access.load_user), even a copy of it."""
    with session_scope(engine(), write=True) as s:
        record_event(s, web_actor(g.user.username), USER_LOGOUT, "user", g.user.id,
                     {SESSION_DETAIL: session.get(SESSION_KEY)})
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
def language():
    locale = request.form.get("locale", "id")
    if locale in LOCALES:
        with session_scope(engine(), write=True) as s:
            s.get(User, g.user.id).locale = locale
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/password", methods=["GET", "POST"])
def password():
    """Change one's own password: the current one is asked for (and rate-limited like a login); every other
    session of the user ends, this one goes on."""
    if request.method == "GET":
        return render_template("password.html", min_length=MIN_LENGTH)
    limits = _attempt_limits(g.user.username)
    limiter = _limiter()
    token = limiter.attempt(limits)
    if token is None:
        return _too_many("password.html", min_length=MIN_LENGTH)
    new = request.form.get("new_password", "")
    error = user = None
    current_ok = verify_password(g.user.password_hash, request.form.get("current_password", ""))
    if current_ok:
        limiter.forgive(token, *limits)  # the current password was right: no guess to count
    if not current_ok:
        error = _("The current password is wrong.")
    elif new != request.form.get("repeat_password", ""):
        error = _("The two new passwords differ.")
    else:
        try:
            user = accounts.change_own_password(engine(), g.user.id, new)  # which refuses a short one
        except ValueError:
            error = _("The new password must be at least %(n)s characters.", n=MIN_LENGTH)
    if error:
        flash(error, "error")
        return render_template("password.html", min_length=MIN_LENGTH), 400
    session[AUTH_KEY] = auth_hash(user)  # this session goes on
    flash(_("Password changed. Your other sessions are logged out."), "ok")
    return redirect(url_for("queue.index"))
