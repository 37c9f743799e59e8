"""Store stage: the append-only, hash-chained audit trail of logins, decisions, registry changes and exports.

Naming convention, defined here once; callers use these helpers and constants rather than literals:

Actors, who did it:
- a web user: their username (`web_actor`); a login attempt names the username typed, "(empty)" when blank;
- a command: "cli:<OS user>" (`cli_actor()`), "cli:unknown" where the OS user cannot be found;
- the demo: "cli:demo" (`cli_actor("demo")`).

Actions, what was done: "<object>.<verb>", lower_snake words, where the object may be dotted for a part of
a larger thing ("registry.person.add"). The constants below are the actions in use; review decisions are
"review.<decision>" (`review_action`), registry links "registry.link.<status>", downloads
"export.<what>" (export.summary, export.case; kept as they were).

Stored events are never rewritten (their hashes chain them). Events recorded before this convention
carry older names: "login", "login.failed" and "logout" (now user.login, user.login_failed,
user.logout), "user.password" (a password set from the command line or changed by its owner, now
user.set_password or user.change_password) and "user.password_reset" (now user.set_password);
actors "cli" (now cli:<OS user>).
"""

from __future__ import annotations

import getpass
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, JSONType, UTCDateTime, intpk, utcnow
from models.evidence import canonical_json

GENESIS_HASH = "0" * 64

# Actors.
CLI_PREFIX = "cli:"
EMPTY_USERNAME = "(empty)"

# Actions: "<object>.<verb>".
USER_ADD = "user.add"
USER_UPDATE = "user.update"  # role or active flag
USER_SET_PASSWORD = "user.set_password"  # by an admin, a command or the demo: the user's sessions end
USER_CHANGE_PASSWORD = "user.change_password"  # by its owner, who gave the current one
USER_LOGIN = "user.login"
USER_LOGIN_FAILED = "user.login_failed"
USER_LOGOUT = "user.logout"
REGISTRY_IMPORT = "registry.import"
REGISTRY_PERSON_ADD = "registry.person.add"
REGISTRY_PERSON_EDIT = "registry.person.edit"
JOB_ADD = "job.add"
JOB_EDIT = "job.edit"
JOB_ENABLE = "job.enable"
JOB_DISABLE = "job.disable"
JOB_RUN_NOW = "job.run_now"
EXPORT_SUMMARY = "export.summary"
EXPORT_CASE = "export.case"

# Any constant works; it names the PostgreSQL advisory lock that serialises appends to the chain.
_CHAIN_LOCK_KEY = 7_400_201


def cli_actor(name: str | None = None) -> str:
    """The actor of a command: "cli:<name>", by default the OS user running it."""
    if name is None:
        try:
            name = getpass.getuser()
        except Exception:  # no passwd entry in some containers
            name = "unknown"
    return f"{CLI_PREFIX}{name}"


def web_actor(username: str | None) -> str:
    """The actor of a web request: the username (as typed, for a login attempt), "(empty)" when blank."""
    return username or EMPTY_USERNAME


def review_action(decision: str) -> str:
    """The action of a review decision, e.g. "review.confirm"."""
    return f"review.{decision}"


class AuditEvent(Base):
    """One audited action. Each row carries the previous row's hash, so an edit or deletion breaks the chain.

    prev_hash is unique: two writers that read the same head cannot both append (one gets an error
    instead of forking the chain).
    """

    __tablename__ = "audit_event"

    id: Mapped[intpk]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(150), comment="Username, or 'system' / 'cli:<user>'")
    action: Mapped[str] = mapped_column(String(64), comment="e.g. login, review.confirm, registry.import, export")
    object_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict] = mapped_column(JSONType, default=dict, comment="Never secrets or passwords")
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


def event_hash(
    prev_hash: str,
    created_at: datetime,
    actor: str,
    action: str,
    object_type: str | None,
    object_id: str | None,
    details: dict,
) -> str:
    """Return the SHA-256 that links an event to the one before it."""
    body = canonical_json(
        {
            "prev": prev_hash,
            "at": created_at.isoformat(),
            "actor": actor,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "details": details,
        }
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def record_event(
    session: Session,
    actor: str,
    action: str,
    object_type: str | None = None,
    object_id: Any = None,
    details: dict | None = None,
) -> AuditEvent:
    """Append an event to the chain inside the caller's transaction (the caller commits)."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK_KEY})
    head = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    prev_hash = head or GENESIS_HASH
    created_at = utcnow()
    object_id = None if object_id is None else str(object_id)
    details = details or {}
    event = AuditEvent(
        created_at=created_at,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=details,
        prev_hash=prev_hash,
        hash=event_hash(prev_hash, created_at, actor, action, object_type, object_id, details),
    )
    session.add(event)
    session.flush()
    return event


@dataclass
class ChainReport:
    """The outcome of verifying the chain: how many events were checked and the first broken link."""

    checked: int
    head_hash: str
    broken_id: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def verify_chain(session: Session, batch_size: int = 5000) -> ChainReport:
    """Walk the whole chain in id order and report the first event whose link or content is wrong."""
    expected_prev = GENESIS_HASH
    checked = 0
    last_id = 0
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch_size)
        ).all()
        if not rows:
            return ChainReport(checked=checked, head_hash=expected_prev)
        for event in rows:
            if event.prev_hash != expected_prev:
                return ChainReport(checked, expected_prev, event.id,
                                   "previous event missing or altered (prev_hash mismatch)")
            recomputed = event_hash(
                event.prev_hash, event.created_at, event.actor, event.action,
                event.object_type, event.object_id, event.details or {},
            )
            if recomputed != event.hash:
                return ChainReport(checked, expected_prev, event.id, "event content altered (hash mismatch)")
            expected_prev = event.hash
            checked += 1
            last_id = event.id
        session.expunge_all()
