"""Review stage: who is logged in, and which role may do what (viewers read, reviewers decide, admins manage)."""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Callable

from flask import abort, current_app, g, has_app_context, redirect, request, session, url_for
from sqlalchemy import select

from models import AuditEvent, User, UserRole
from models.audit import USER_LOGOUT
from webui.database import db

# Endpoints reachable without a session.
PUBLIC_ENDPOINTS = {"auth.login", "static"}
DECIDERS = (UserRole.REVIEWER, UserRole.ADMIN)
# What the (signed, but readable) session cookie holds: the user's id, a keyed fingerprint of the password
# hash (never a piece of it) and the id of the session's login event in the audit trail.
USER_KEY, AUTH_KEY, SESSION_KEY = "user_id", "auth", "login"
SESSION_DETAIL = "session"  # the logout event's detail naming the login event of the session it ended


def load_user() -> None:
    """Before each request: put the logged-in, still-active user in g.user, or send the browser to log in."""
    g.user = None
    user_id = session.get(USER_KEY)
    if user_id is not None:
        user = db().get(User, user_id) if isinstance(user_id, int) else None
        if (user is not None and user.is_active and hmac.compare_digest(str(session.get(AUTH_KEY, "")), auth_hash(user))
                and not _ended(user, session.get(SESSION_KEY))):
            g.user = user
        else:
            session.clear()
    if g.user is None and request.endpoint not in PUBLIC_ENDPOINTS:
        if request.method == "GET":
            return redirect(url_for("auth.login", next=request.full_path))
        abort(401)
    return None


def start_session(user: User, login_event_id: int) -> None:
    """Tie the (fresh) session to the user, their password and the login event that began it."""
    session[USER_KEY] = user.id
    session[AUTH_KEY] = auth_hash(user)
    session[SESSION_KEY] = login_event_id


def _ended(user: User, login_event_id) -> bool:
    """True when the session was logged out (a copy of its cookie is refused too), or has no login event.

    The audit trail is the record of sessions: logout appends an event naming the login event. Only
    events after the login are read (a primary-key range), and only that user's logouts among them.
    """
    if not isinstance(login_event_id, int):
        return True
    ended = db().scalars(
        select(AuditEvent.details).where(AuditEvent.id > login_event_id, AuditEvent.action == USER_LOGOUT,
                                         AuditEvent.object_type == "user", AuditEvent.object_id == str(user.id)))
    return any((details or {}).get(SESSION_DETAIL) == login_event_id for details in ended)


def auth_hash(user: User, key: str | bytes | None = None) -> str:
    """A fingerprint of the password hash, keyed by SECRET_KEY: changing a password ends every other
    session of that user, and the readable cookie reveals nothing of the hash."""
    if key is None:
        key = current_app.config["SECRET_KEY"] if has_app_context() else ""
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, user.password_hash.encode(), hashlib.sha256).hexdigest()[:32]


def require_role(*roles: UserRole) -> Callable:
    """Refuse (403) users whose role is not listed."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if g.user is None or g.user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def can_decide() -> bool:
    return g.user is not None and g.user.role in DECIDERS


def is_admin() -> bool:
    return g.user is not None and g.user.role is UserRole.ADMIN
