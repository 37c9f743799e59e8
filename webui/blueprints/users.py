"""Review stage, users screen (admins): list users, add one, change a role, deactivate, set a password; audited."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from models import User, UserRole, record_event, session_scope
from models.audit import USER_UPDATE, web_actor
from webui import users as accounts
from webui.access import require_role
from webui.database import db, engine
from webui.limits import check_username

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.get("/")
@require_role(UserRole.ADMIN)
def index():
    users = db().scalars(select(User).order_by(User.username)).all()
    return render_template("users.html", users=users, roles=list(UserRole))


@bp.post("/")
@require_role(UserRole.ADMIN)
def add():
    try:
        username = check_username(request.form.get("username"))
        role = UserRole(request.form.get("role", ""))
        accounts.create_user(engine(), web_actor(g.user.username), username, request.form.get("password", ""), role)
    except ValueError as exc:
        flash(str(exc), "error")
        return redirect(url_for("users.index"))
    except accounts.UsernameTaken:
        flash(_("That username is empty or taken."), "error")
        return redirect(url_for("users.index"))
    flash(_("User added."), "ok")
    return redirect(url_for("users.index"))


@bp.post("/<int:user_id>")
@require_role(UserRole.ADMIN)
def update(user_id: int):
    with session_scope(engine(), write=True) as s:
        user = s.get(User, user_id)
        if user is None:
            return redirect(url_for("users.index"))
        changes = {}
        role = request.form.get("role")
        if role in {r.value for r in UserRole} and role != user.role.value:
            changes["role"] = [user.role.value, role]
            user.role = UserRole(role)
        active = request.form.get("active") == "1"
        if active != user.is_active and user.id != g.user.id:  # an admin cannot lock themselves out
            changes["active"] = [user.is_active, active]
            user.is_active = active
        if changes:
            record_event(s, web_actor(g.user.username), USER_UPDATE, "user", user.id, changes)
    return redirect(url_for("users.index"))


@bp.post("/<int:user_id>/password")
@require_role(UserRole.ADMIN)
def set_password(user_id: int):
    """An admin sets a new password for a user who lost theirs; that user's sessions end."""
    try:
        user = accounts.set_password(engine(), web_actor(g.user.username), request.form.get("password", ""),
                                     user_id=user_id)
    except ValueError as exc:
        flash(str(exc), "error")
        return redirect(url_for("users.index"))
    if user is None:
        return redirect(url_for("users.index"))
    flash(_("New password set for %(name)s.", name=user.username), "ok")
    return redirect(url_for("users.index"))
