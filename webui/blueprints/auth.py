"""Review stage, login screen: log in and out, change one's password, choose the interface language; audited."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from models import User, record_event, session_scope, utcnow
from models.audit import USER_LOGIN, USER_LOGIN_FAILED, USER_LOGOUT, web_actor
from webui import users as accounts
from webui.access import auth_hash
from webui.database import db, engine
from webui.i18n import LOCALES
from webui.passwords import MIN_LENGTH, verify_password
from webui.ratelimit import LoginLimiter, RedisLoginLimiter

bp = Blueprint("auth", __name__)


def _limiter() -> LoginLimiter | RedisLoginLimiter:
    ext = current_app.extensions
    if "netral_login_limiter" not in ext:
        cfg = current_app.config
        limits = (cfg["NETRAL_LOGIN_MAX_ATTEMPTS"], cfg["NETRAL_LOGIN_WINDOW_SECONDS"])
        ext["netral_login_limiter"] = (RedisLoginLimiter(cfg["REDIS_URL"], *limits) if cfg.get("REDIS_URL")
                                       else LoginLimiter(*limits))
    return ext["netral_login_limiter"]


def _attempt_keys(username: str) -> tuple[str, str]:
    """What failed attempts are counted against: the client's address and the username."""
    return f"ip:{request.remote_addr}", f"user:{username.lower()}"


def _safe_next(target: str | None) -> str:
    # Only local paths: an attacker-supplied absolute URL must not turn login into an open redirect.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("queue.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("login.html", next=request.args.get("next", ""))
    username = request.form.get("username", "").strip()[:150]
    password = request.form.get("password", "")
    keys = _attempt_keys(username)
    limiter = _limiter()
    if limiter.blocked(*keys):
        flash(_("Too many failed attempts. Wait a few minutes and try again."), "error")
        return render_template("login.html", next=request.form.get("next", "")), 429
    user = db().scalar(select(User).where(User.username == username))
    ok = verify_password(user.password_hash if user else None, password) and user is not None and user.is_active
    with session_scope(engine(), write=True) as s:
        if ok:
            s.get(User, user.id).last_login_at = utcnow()
        record_event(s, web_actor(username), USER_LOGIN if ok else USER_LOGIN_FAILED, "user",
                     user.id if user else None, {"ip": request.remote_addr})
    if not ok:
        limiter.fail(*keys)
        flash(_("Wrong username or password."), "error")
        return render_template("login.html", next=request.form.get("next", "")), 401
    limiter.reset(*keys)
    session.clear()  # a fresh session on login: no fixation
    session.permanent = True
    session["user_id"] = user.id
    session["auth_hash"] = auth_hash(user)
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/logout", methods=["POST"])
def logout():
    with session_scope(engine(), write=True) as s:
        record_event(s, web_actor(g.user.username), USER_LOGOUT, "user", g.user.id)
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
    keys = _attempt_keys(g.user.username)
    limiter = _limiter()
    if limiter.blocked(*keys):
        flash(_("Too many failed attempts. Wait a few minutes and try again."), "error")
        return render_template("password.html", min_length=MIN_LENGTH), 429
    new = request.form.get("new_password", "")
    error = user = None
    if not verify_password(g.user.password_hash, request.form.get("current_password", "")):
        limiter.fail(*keys)
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
    limiter.reset(*keys)
    session["auth_hash"] = auth_hash(user)  # this session goes on
    flash(_("Password changed. Your other sessions are logged out."), "ok")
    return redirect(url_for("queue.index"))
