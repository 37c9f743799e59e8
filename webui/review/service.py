"""Review stage: claim, release and decide on flags, serialised so two reviewers never overwrite each other.

Each action is one read-then-write transaction: BEGIN IMMEDIATE on SQLite (session_scope(write=True))
and SELECT ... FOR UPDATE on the flag row on PostgreSQL. The loser of a race waits, then sees the
winner's change and gets a ReviewConflict instead of silently overwriting it. Review rows are only
inserted; the flag's status is derived from them by the state rules below.

A decision can be corrected, never erased: an admin reopens a decided case (votes before the reopening no
longer count) or retracts it (WITHDRAWN), each with a required note, as new rows. Rejecting the account
link a flag rests on withdraws the flag the same way (withdraw_for_link).

Under the two-person rule (Policy.two_person): a violation is confirmed only by two different people;
whoever voted on or escalated a case cannot settle it; a single dismissal of a high or critical case
waits for a second opinion instead of closing it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from models import (
    AccountLink,
    Decision,
    Flag,
    FlagStatus,
    LinkStatus,
    Review,
    Severity,
    User,
    UserRole,
    record_event,
    session_scope,
    utcnow,
)
from models.audit import review_action, web_actor

OPEN = (FlagStatus.NEW, FlagStatus.IN_REVIEW)
DECIDED = (FlagStatus.CONFIRMED, FlagStatus.DISMISSED)
VOTES = (Decision.CONFIRM, Decision.DISMISS)
CORRECTIONS = (Decision.REOPEN, Decision.RETRACT)
SECOND_OPINION = (Severity.HIGH, Severity.CRITICAL)  # one dismissal does not close these under the rule


class ReviewConflict(Exception):
    """The action is not allowed in the flag's current state (someone else got there first, or a rule says no)."""


@dataclass(frozen=True)
class Policy:
    two_person: bool = False
    claim_minutes: int = 60


def _write_scope(engine: Engine):
    """The transaction of one action; on SQLite it takes the write lock first (BEGIN IMMEDIATE)."""
    return session_scope(engine, write=True)


def _load(session: Session, flag_id: int) -> Flag:
    """Read the flag an action is about; on PostgreSQL its row stays locked until the transaction ends."""
    flag = session.scalars(select(Flag).where(Flag.id == flag_id).with_for_update()).one_or_none()
    if flag is None:
        raise ReviewConflict("not_found")
    return flag


def claim_active(flag: Flag, policy: Policy) -> bool:
    """True while a claim holds: claims lapse after claim_minutes so an abandoned case returns to the queue."""
    if flag.assignee_id is None or flag.claimed_at is None:
        return False
    return utcnow() - flag.claimed_at < timedelta(minutes=policy.claim_minutes)


def last_review_id(session: Session, flag_id: int) -> int:
    return session.scalar(select(func.coalesce(func.max(Review.id), 0)).where(Review.flag_id == flag_id)) or 0


def current_votes(history: Iterable[tuple[int, Decision]]) -> dict[int, Decision]:
    """Each reviewer's latest confirm/dismiss vote since the case was last reopened, from (reviewer, decision)."""
    out: dict[int, Decision] = {}
    for reviewer, decision in history:
        if decision is Decision.REOPEN:
            out = {}
        elif decision in VOTES:
            out[reviewer] = decision
    return out


def participants(history: Iterable[tuple[int, Decision]]) -> set[int]:
    """Who voted on or escalated the case since it was last reopened: under the rule they cannot settle it."""
    out: set[int] = set()
    for reviewer, decision in history:
        if decision is Decision.REOPEN:
            out = set()
        elif decision in VOTES or decision is Decision.ESCALATE:
            out.add(reviewer)
    return out


def _history(session: Session, flag_id: int) -> list[tuple[int, Decision]]:
    rows = session.execute(
        select(Review.reviewer_id, Review.decision)
        .where(Review.flag_id == flag_id, Review.decision.in_((*VOTES, Decision.ESCALATE, Decision.REOPEN)))
        .order_by(Review.id)
    )
    return [(reviewer, decision) for reviewer, decision in rows]


def votes(session: Session, flag_id: int) -> dict[int, Decision]:
    """Each reviewer's latest confirm/dismiss vote on the flag (since it was last reopened)."""
    return current_votes(_history(session, flag_id))


def _check_fresh(session: Session, flag: Flag, seen: int | None) -> None:
    # A form rendered before someone else acted must not be applied on top of that action.
    if seen is not None and last_review_id(session, flag.id) != seen:
        raise ReviewConflict("stale")


def _check_not_held_by_other(flag: Flag, user: User, policy: Policy) -> None:
    if claim_active(flag, policy) and flag.assignee_id != user.id:
        raise ReviewConflict("claimed_by_other")


def _append(session: Session, flag: Flag, user: User, decision: Decision, note: str, details: dict) -> Review:
    review = Review(flag_id=flag.id, reviewer_id=user.id, decision=decision, note=note)
    session.add(review)
    session.flush()
    record_event(session, web_actor(user.username), review_action(decision.value), "flag", flag.id,
                 {"review_id": review.id, "status": flag.status.value, **details})
    return review


def claim(engine: Engine, flag_id: int, user: User, policy: Policy, seen: int | None = None) -> None:
    """Take a flag for review so nobody else works on it meanwhile."""
    if user.role not in (UserRole.REVIEWER, UserRole.ADMIN):
        raise ReviewConflict("forbidden")
    with _write_scope(engine) as session:
        flag = _load(session, flag_id)
        _check_fresh(session, flag, seen)
        if flag.status not in OPEN:
            raise ReviewConflict("closed")
        _check_not_held_by_other(flag, user, policy)
        if policy.two_person and user.id in participants(_history(session, flag.id)):
            raise ReviewConflict("already_voted")
        flag.assignee_id, flag.claimed_at, flag.status = user.id, utcnow(), FlagStatus.IN_REVIEW
        _append(session, flag, user, Decision.CLAIM, "", {})


def release(engine: Engine, flag_id: int, user: User, policy: Policy) -> None:
    """Give a claimed flag back to the queue."""
    with _write_scope(engine) as session:
        flag = _load(session, flag_id)
        if flag.assignee_id != user.id and user.role is not UserRole.ADMIN:
            raise ReviewConflict("not_yours")
        flag.assignee_id, flag.claimed_at = None, None
        if flag.status is FlagStatus.IN_REVIEW and not votes(session, flag.id):
            flag.status = FlagStatus.NEW
        _append(session, flag, user, Decision.RELEASE, "", {})


def _next_status(flag: Flag, user: User, decision: Decision, prior: dict[int, Decision], policy: Policy) -> FlagStatus:
    """The state rules: one vote decides, unless the two-person rule asks for a second reviewer."""
    if decision is Decision.ESCALATE:
        return FlagStatus.ESCALATED
    others = {d for reviewer, d in prior.items() if reviewer != user.id}
    if not policy.two_person:
        return FlagStatus.CONFIRMED if decision is Decision.CONFIRM else FlagStatus.DISMISSED
    if flag.status is FlagStatus.ESCALATED:
        # An admin who took no part settles it. A confirmation still needs a second, different confirmer:
        # with none yet, the admin's vote counts and the case waits for another reviewer.
        if decision is Decision.DISMISS:
            return FlagStatus.DISMISSED
        return FlagStatus.CONFIRMED if Decision.CONFIRM in others else FlagStatus.IN_REVIEW
    if others and decision not in others or len(others) > 1:
        return FlagStatus.ESCALATED  # the reviewers disagree: an admin decides
    if decision is Decision.CONFIRM:
        return FlagStatus.CONFIRMED if Decision.CONFIRM in others else FlagStatus.IN_REVIEW
    if Decision.DISMISS not in others and flag.severity in SECOND_OPINION:
        return FlagStatus.IN_REVIEW  # a single dismissal of a grave case asks for a second opinion
    return FlagStatus.DISMISSED


def decide(engine: Engine, flag_id: int, user: User, decision: Decision, note: str, policy: Policy,
           seen: int | None = None) -> FlagStatus:
    """Confirm (note required), dismiss (reason required) or escalate (note required); return the new status."""
    note = (note or "").strip()
    if decision not in (*VOTES, Decision.ESCALATE):
        raise ReviewConflict("bad_decision")
    if user.role not in (UserRole.REVIEWER, UserRole.ADMIN):
        raise ReviewConflict("forbidden")
    if not note:
        raise ReviewConflict("note_required")
    with _write_scope(engine) as session:
        flag = _load(session, flag_id)
        _check_fresh(session, flag, seen)
        history = _history(session, flag.id)
        if flag.status is FlagStatus.ESCALATED:
            if user.role is not UserRole.ADMIN or decision not in VOTES:
                raise ReviewConflict("admin_only")
            if policy.two_person and user.id in participants(history):
                raise ReviewConflict("took_part")  # whoever voted or escalated cannot settle
        elif flag.status not in OPEN:
            raise ReviewConflict("closed")
        else:
            _check_not_held_by_other(flag, user, policy)
            if policy.two_person and user.id in participants(history):
                raise ReviewConflict("already_voted")
        prior = current_votes(history)
        flag.status = _next_status(flag, user, decision, prior, policy)
        flag.assignee_id, flag.claimed_at = None, None
        _append(session, flag, user, decision, note, {"two_person": policy.two_person})
        return flag.status


def correct(engine: Engine, flag_id: int, user: User, decision: Decision, note: str,
            seen: int | None = None) -> FlagStatus:
    """An admin reopens (back to the queue) or retracts (withdraws) a decided case, with a required note.

    Nothing is rewritten: the correction is one more review row and audit event; the history shows both.
    """
    note = (note or "").strip()
    if decision not in CORRECTIONS:
        raise ReviewConflict("bad_decision")
    if user.role is not UserRole.ADMIN:
        raise ReviewConflict("admin_only_correct")
    if not note:
        raise ReviewConflict("note_required")
    with _write_scope(engine) as session:
        flag = _load(session, flag_id)
        _check_fresh(session, flag, seen)
        before = flag.status
        if decision is Decision.RETRACT:
            if before not in DECIDED:
                raise ReviewConflict("not_decided")
            flag.status = FlagStatus.WITHDRAWN
        else:
            if before not in (*DECIDED, FlagStatus.WITHDRAWN):
                raise ReviewConflict("not_decided")
            if before is FlagStatus.WITHDRAWN and _link_rejected(session, flag.person_id, flag.account_id):
                raise ReviewConflict("link_rejected")  # the account is no longer attributed to the person
            flag.status = FlagStatus.NEW
        flag.assignee_id, flag.claimed_at = None, None
        _append(session, flag, user, decision, note, {"before": before.value})
        return flag.status


def _link_rejected(session: Session, person_id: int | None, account_id: int) -> bool:
    """True when every link between a person and an account is rejected (or there is none)."""
    statuses = set(session.scalars(select(AccountLink.status).where(
        AccountLink.person_id == person_id, AccountLink.account_id == account_id)))
    return not statuses - {LinkStatus.REJECTED}


def withdraw_for_link(session: Session, link: AccountLink, user: User, note: str = "") -> list[int]:
    """Withdraw the flags that rested on a link just rejected; return their ids. Runs in the caller's transaction.

    A flag rests on the link when it accuses the link's person for the link's account and no other link
    between them still stands. Each withdrawal is a RETRACT review row and an audit event; nothing is deleted.
    """
    if not _link_rejected(session, link.person_id, link.account_id):
        return []
    flags = session.scalars(
        select(Flag).where(Flag.person_id == link.person_id, Flag.account_id == link.account_id,
                           Flag.status != FlagStatus.WITHDRAWN).order_by(Flag.id).with_for_update()
    ).all()
    text = f"Tautan akun #{link.id} ditolak" + (f": {note}" if note else ".")
    for flag in flags:
        before = flag.status
        flag.status, flag.assignee_id, flag.claimed_at = FlagStatus.WITHDRAWN, None, None
        _append(session, flag, user, Decision.RETRACT, text,
                {"before": before.value, "reason": "link_rejected", "link_id": link.id})
    return [f.id for f in flags]
