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

Keyed chain (tamper evidence against someone with write access to the database). An event's hash is
HMAC-SHA256(key, canonical fields) (`event_hash` with a key), the key coming from NETRAL_AUDIT_KEY or,
when that is unset, from the file "audit_key" in the instance folder, created owner-only (0600) on first
use like the web secret key. The key is never stored in the database; keep a copy of it outside the
server as well: without it the chain cannot be verified. Events stored before the key existed are plain
SHA-256 and still verify: an event is unkeyed only while no keyed event precedes it. The first keyed
event appended to an unkeyed chain is an "audit.keyed" marker naming the unkeyed head and counts.
Verification fails when any event after the first keyed one is not keyed, and when a non-empty chain has
no keyed event at all (a log rewritten and re-chained with plain SHA-256 fails; so does one re-chained
with another key). The head (id and hash of the latest event: `chain_head`, `netral audit head`) is
printed by `netral audit verify` and on every case PDF; filing it outside the system is what exposes
a log truncated after that point or rewritten by someone holding the key.

`verify_all` (`netral audit verify`) checks, besides the chain:
- evidence: sha256(raw_json) recomputed for every post and interaction, streamed in id pages;
- reviews: every review row must be named by a chained review event ("review_id"); events written since
  the keyed chain carry "review_sha256" over the row's flag id, reviewer id, decision, note and time
  (`review_digest`), which must match; older events match on flag id and decision;
- flag states: each flag's status must equal the "status" of the latest chained event about it, or be
  "new" when no event names it (flags are created "new" by `netral flag`);
- account links: a link named by a chained "registry.link.<status>" decision must still have the person
  and account that event recorded.
Not covered: a post's or interaction's other columns (text is normalised from raw_json by the crawler
and not re-derived here), flag content other than status, links no decision event names (imported or
suggested and not yet decided), registry people, users.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, func, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, JSONType, UTCDateTime, intpk, utcnow
from models.evidence import canonical_json

GENESIS_HASH = "0" * 64
log = logging.getLogger(__name__)

AUDIT_KEY_ENV = "NETRAL_AUDIT_KEY"
AUDIT_KEY_FILE = "audit_key"
AUDIT_KEYED = "audit.keyed"  # the marker that ends a chain's unkeyed (older) part

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


def audit_key() -> bytes:
    """The chain's secret: NETRAL_AUDIT_KEY, else the instance folder's "audit_key" file (made 0600 once)."""
    key = os.environ.get(AUDIT_KEY_ENV)
    if key:
        return key.encode("utf-8")
    from models.session import instance_secret

    return instance_secret(AUDIT_KEY_FILE).encode("utf-8")


def event_hash(
    prev_hash: str,
    created_at: datetime,
    actor: str,
    action: str,
    object_type: str | None,
    object_id: str | None,
    details: dict,
    key: bytes | None = None,
) -> str:
    """Return the hash that links an event to the one before it: HMAC-SHA256 with key, plain SHA-256 without."""
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
    ).encode("utf-8")
    if key is None:
        return hashlib.sha256(body).hexdigest()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def _stored_hash(event: AuditEvent, key: bytes | None) -> str:
    return event_hash(event.prev_hash, event.created_at, event.actor, event.action,
                      event.object_type, event.object_id, event.details or {}, key)


def review_digest(flag_id: int, reviewer_id: int, decision: str, note: str, created_at: datetime) -> str:
    """SHA-256 over a review row's content, kept in its audit event ("review_sha256")."""
    return hashlib.sha256(canonical_json({
        "flag_id": flag_id, "reviewer_id": reviewer_id, "decision": decision, "note": note or "",
        "at": created_at.isoformat(),
    }).encode("utf-8")).hexdigest()


def _append_event(session: Session, key: bytes, prev_hash: str, actor: str, action: str,
                  object_type: str | None, object_id: str | None, details: dict) -> AuditEvent:
    created_at = utcnow()
    event = AuditEvent(
        created_at=created_at, actor=actor, action=action, object_type=object_type, object_id=object_id,
        details=details, prev_hash=prev_hash,
        hash=event_hash(prev_hash, created_at, actor, action, object_type, object_id, details, key),
    )
    session.add(event)
    session.flush()
    return event


def record_event(
    session: Session,
    actor: str,
    action: str,
    object_type: str | None = None,
    object_id: Any = None,
    details: dict | None = None,
) -> AuditEvent:
    """Append a keyed event to the chain inside the caller's transaction (the caller commits).

    On a chain whose head is still unkeyed, an "audit.keyed" marker goes first (once).
    """
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK_KEY})
    key = audit_key()
    head = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).first()
    prev_hash = GENESIS_HASH if head is None else head.hash
    if head is not None and _stored_hash(head, key) != head.hash:
        if _stored_hash(head, None) == head.hash:
            prev_hash = _seal(session, key, head).hash
        else:  # recorded all the same (refusing would stop logins); `netral audit verify` names the event
            log.warning("audit chain head %s does not verify with this audit key: the head was altered, "
                        "or NETRAL_AUDIT_KEY differs from the one the chain was written with", head.id)
    object_id = None if object_id is None else str(object_id)
    return _append_event(session, key, prev_hash, actor, action, object_type, object_id, details or {})


def _seal(session: Session, key: bytes, head: AuditEvent) -> AuditEvent:
    from models.review import Review

    details = {
        "unkeyed_head_id": head.id, "unkeyed_head_hash": head.hash,
        "unkeyed_events": session.scalar(select(func.count()).select_from(AuditEvent)),
        "review_max_id": session.scalar(select(func.coalesce(func.max(Review.id), 0))),
    }
    return _append_event(session, key, head.hash, "system", AUDIT_KEYED, "audit_event", str(head.id), details)


def seal_chain(session: Session) -> AuditEvent | None:
    """Append the "audit.keyed" marker to a chain whose head is unkeyed; None when there is nothing to do."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK_KEY})
    key = audit_key()
    head = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).first()
    if head is None or _stored_hash(head, key) == head.hash or _stored_hash(head, None) != head.hash:
        return None
    return _seal(session, key, head)


@dataclass(frozen=True)
class ChainHead:
    """The latest event: file it (or print it on a report) to detect a later rewrite or truncation."""

    id: int
    hash: str

    def __str__(self) -> str:
        return f"#{self.id} {self.hash}"


def chain_head(session: Session) -> ChainHead | None:
    row = session.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    return None if row is None else ChainHead(row.id, row.hash)


@dataclass
class ChainReport:
    """The outcome of verifying the chain: how many events were checked and the first broken link."""

    checked: int
    head_hash: str
    broken_id: int | None = None
    problem: str | None = None
    head_id: int | None = None
    keyed_since: int | None = None  # id of the first keyed event

    @property
    def ok(self) -> bool:
        return self.problem is None


def _walk(session: Session, batch_size: int, visit=None) -> ChainReport:
    key = audit_key()
    expected_prev = GENESIS_HASH
    checked = 0
    last_id = 0
    head_id = None
    keyed_since = None
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch_size)
        ).all()
        if not rows:
            break
        for event in rows:
            if event.prev_hash != expected_prev:
                return ChainReport(checked, expected_prev, event.id,
                                   "previous event missing or altered (prev_hash mismatch)", head_id, keyed_since)
            keyed = _stored_hash(event, key) == event.hash
            if not keyed:
                if keyed_since is not None:
                    return ChainReport(checked, expected_prev, event.id,
                                       "event content altered or not keyed (HMAC mismatch)", head_id, keyed_since)
                if _stored_hash(event, None) != event.hash:
                    return ChainReport(checked, expected_prev, event.id,
                                       "event content altered, or the audit key is not the one the chain was "
                                       "written with (hash mismatch)", head_id, keyed_since)
            elif keyed_since is None:
                keyed_since = event.id
            if visit is not None:
                visit(event, keyed)
            expected_prev = event.hash
            head_id = event.id
            checked += 1
            last_id = event.id
        session.expunge_all()
    if checked and keyed_since is None:
        return ChainReport(checked, expected_prev, head_id,
                           "no event is keyed with this audit key (the log was re-chained, or the key is "
                           "wrong; an older unkeyed chain is sealed by `netral audit seal`)", head_id)
    return ChainReport(checked, expected_prev, head_id=head_id, keyed_since=keyed_since)


def verify_chain(session: Session, batch_size: int = 5000) -> ChainReport:
    """Walk the whole chain in id order and report the first event whose link, content or key is wrong."""
    return _walk(session, batch_size)


@dataclass
class Problem:
    kind: str  # chain, post, interaction, review, flag, account_link
    id: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.kind} {self.id}: {self.message}" if self.id is not None else f"{self.kind}: {self.message}"


@dataclass
class VerifyReport:
    """Everything `netral audit verify` checked and every problem found (at most `limit` listed per kind)."""

    chain: ChainReport
    counts: dict[str, int]
    problems: list[Problem]
    omitted: int = 0

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.problems and not self.omitted


def evidence_mismatches(session: Session, model, batch_size: int = 1000):
    """Yield (id, stored, recomputed) for every row of Post or Interaction whose raw_sha256 is not
    sha256(raw_json); keyset pages of ids, so memory stays constant."""
    from models.evidence import sha256_text

    last_id = 0
    while True:
        rows = session.execute(
            select(model.id, model.raw_json, model.raw_sha256).where(model.id > last_id)
            .order_by(model.id).limit(batch_size)
        ).all()
        if not rows:
            return
        for row_id, raw, stored in rows:
            actual = sha256_text(raw or "")
            if actual != stored:
                yield row_id, stored, actual
        last_id = rows[-1][0]


def verify_all(session: Session, batch_size: int = 1000, limit: int = 100) -> VerifyReport:
    """Verify the chain, the evidence hashes, the reviews, the flag states and the decided links."""
    from models.registry import AccountLink
    from models.review import Flag, Review
    from models.social import Interaction, Post

    reviews: dict[int, tuple[str | None, str, str | None]] = {}  # review id -> (flag id, decision, digest)
    flag_status: dict[int, str] = {}
    links: dict[int, tuple[Any, Any]] = {}
    review_floor = [0]  # reviews up to this id predate the keyed chain and may have no event

    def visit(event: AuditEvent, keyed: bool) -> None:
        d = event.details or {}
        if event.action == AUDIT_KEYED and keyed:
            review_floor[0] = max(review_floor[0], int(d.get("review_max_id") or 0))
        if event.object_type == "flag" and event.object_id is not None:
            if "review_id" in d:
                reviews[int(d["review_id"])] = (event.object_id, event.action.removeprefix("review."),
                                               d.get("review_sha256"))
            if "status" in d and event.action.startswith("review."):
                flag_status[int(event.object_id)] = d["status"]
        elif event.object_type == "account_link" and event.action.startswith("registry.link.") \
                and "person_id" in d and event.object_id is not None:
            links[int(event.object_id)] = (d.get("person_id"), d.get("account_id"))
        for flag_id in d.get("withdrawn_flags") or []:
            flag_status.setdefault(int(flag_id), "withdrawn")

    chain = _walk(session, 5000, visit)
    problems: list[Problem] = []
    counts = {"events": chain.checked, "posts": 0, "interactions": 0, "reviews": 0, "flags": 0, "links": 0}
    omitted = 0

    def add(kind: str, row_id: int | None, message: str) -> None:
        nonlocal omitted
        if sum(p.kind == kind for p in problems) >= limit:
            omitted += 1
        else:
            problems.append(Problem(kind, row_id, message))

    if not chain.ok:
        add("chain", chain.broken_id, chain.problem or "")
    for model, kind in ((Post, "post"), (Interaction, "interaction")):
        for row_id, stored, actual in evidence_mismatches(session, model, batch_size):
            add(kind, row_id, f"raw_json does not match its stored SHA-256 (stored {stored}, recomputed {actual})")
        counts[kind + "s"] = session.scalar(select(func.count()).select_from(model))

    last_id = 0
    while True:
        rows = session.execute(
            select(Review.id, Review.flag_id, Review.reviewer_id, Review.decision, Review.note, Review.created_at)
            .where(Review.id > last_id).order_by(Review.id).limit(batch_size)
        ).all()
        if not rows:
            break
        for rid, flag_id, reviewer_id, decision, note, created_at in rows:
            counts["reviews"] += 1
            entry = reviews.get(rid)
            if entry is None:
                if rid > review_floor[0]:
                    add("review", rid, "no audit event records this review (inserted outside the application)")
                continue
            ev_flag, ev_decision, digest = entry
            if ev_flag != str(flag_id) or ev_decision != decision.value:
                add("review", rid, "differs from its audit event (flag or decision)")
            elif digest is not None and digest != review_digest(flag_id, reviewer_id, decision.value, note,
                                                                created_at):
                add("review", rid, "content differs from the hash in its audit event")
        last_id = rows[-1][0]

    last_id = 0
    while True:
        rows = session.execute(select(Flag.id, Flag.status).where(Flag.id > last_id).order_by(Flag.id)
                               .limit(batch_size)).all()
        if not rows:
            break
        for fid, status in rows:
            counts["flags"] += 1
            expected = flag_status.get(fid, "new")
            if status.value != expected:
                add("flag", fid, f"status is {status.value} but the audit trail says {expected}")
        last_id = rows[-1][0]

    link_ids = sorted(links)
    for chunk_start in range(0, len(link_ids), batch_size):
        ids = link_ids[chunk_start:chunk_start + batch_size]
        for lid, person_id, account_id in session.execute(
                select(AccountLink.id, AccountLink.person_id, AccountLink.account_id).where(AccountLink.id.in_(ids))):
            counts["links"] += 1
            if (person_id, account_id) != links[lid]:
                add("account_link", lid, f"person/account is {person_id}/{account_id} but its audit event "
                    f"recorded {links[lid][0]}/{links[lid][1]}")
    return VerifyReport(chain=chain, counts=counts, problems=problems, omitted=omitted)
