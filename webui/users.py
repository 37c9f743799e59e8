"""Review stage: the one place review-UI users are created and passwords set, each with its audit event.

Used by the `netral user` commands, the Users and password screens and the demo. Passwords are hashed
before the write transaction opens (argon2 is slow on purpose; SQLite's write lock is not held meanwhile);
a password that is too short raises ValueError before anything is written. Setting a password ends the
user's other sessions: a session is tied to a fingerprint of the password hash (webui.access.auth_hash).
"""

from __future__ import annotations

from sqlalchemy import Engine, select

from models import User, UserRole, record_event, session_scope
from models.audit import USER_ADD, USER_CHANGE_PASSWORD, USER_SET_PASSWORD
from webui.limits import check_username
from webui.passwords import hash_password


class UsernameTaken(Exception):
    """The username is empty or belongs to someone already."""


def create_user(engine: Engine, actor: str, username: str, password: str, role: UserRole,
                locale: str = "id") -> User:
    """Add a user and record who added them; raise ValueError (password) or UsernameTaken."""
    username = check_username(username)  # raises LimitError (a ValueError) with the reason
    password_hash = hash_password(password)
    with session_scope(engine, write=True) as s:
        if not username or s.scalar(select(User.id).where(User.username == username)):
            raise UsernameTaken(username)
        user = User(username=username, password_hash=password_hash, role=role, locale=locale)
        s.add(user)
        s.flush()
        record_event(s, actor, USER_ADD, "user", user.id, {"username": username, "role": role.value})
    return user


def set_password(engine: Engine, actor: str, password: str, *, user_id: int | None = None,
                 username: str | None = None) -> User | None:
    """Someone else (an admin, a command, the demo) sets a user's password, found by id or username.

    Return the user, or None when there is no such user; raise ValueError for a too short password.
    """
    return _set(engine, actor, USER_SET_PASSWORD, password, user_id, username)


def change_own_password(engine: Engine, user_id: int, password: str) -> User | None:
    """A user changes their own password (the caller has checked the current one)."""
    return _set(engine, None, USER_CHANGE_PASSWORD, password, user_id, None)


def _set(engine: Engine, actor: str | None, action: str, password: str, user_id: int | None,
         username: str | None) -> User | None:
    if (user_id is None) == (username is None):
        raise TypeError("give user_id or username")
    password_hash = hash_password(password)
    with session_scope(engine, write=True) as s:
        if user_id is not None:
            user = s.get(User, user_id)
        else:
            user = s.scalar(select(User).where(User.username == username))
        if user is None:
            return None
        user.password_hash = password_hash
        record_event(s, actor or user.username, action, "user", user.id, {"username": user.username})
    return user
