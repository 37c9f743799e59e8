"""Review stage: who is logged in, and which role may do what (viewers read, reviewers decide, admins manage)."""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import abort, g, redirect, request, session, url_for

from models import User, UserRole
from webui.database import db

# Endpoints reachable without a session.
PUBLIC_ENDPOINTS = {"auth.login", "static"}
DECIDERS = (UserRole.REVIEWER, UserRole.ADMIN)


def load_user() -> None:
    """Before each request: put the logged-in, still-active user in g.user, or send the browser to log in."""
    g.user = None
    user_id = session.get("user_id")
    if user_id is not None:
        user = db().get(User, user_id)
        if user is not None and user.is_active and session.get("auth_hash") == auth_hash(user):
            g.user = user
        else:
            session.clear()
    if g.user is None and request.endpoint not in PUBLIC_ENDPOINTS:
        if request.method == "GET":
            return redirect(url_for("auth.login", next=request.full_path))
        abort(401)
    return None


def auth_hash(user: User) -> str:
    """A fingerprint of the password hash: changing a password ends every other session of that user."""
    return user.password_hash[-16:]


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
