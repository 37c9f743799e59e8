"""Review stage: claim, release and decide on flags, serialised so two reviewers never overwrite each other.

Each action is one read-then-write transaction: BEGIN IMMEDIATE on SQLite (session_scope(write=True))
and SELECT ... FOR UPDATE on the flag row on PostgreSQL. The loser of a race waits, then sees the
winner's change and gets a ReviewConflict instead of silently overwriting it. Review rows are only
inserted; the flag's status is derived from them by the state rules below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from models import Decision, Flag, FlagStatus, Review, User, UserRole, record_event, session_scope, utcnow
from models.audit import review_action, web_actor

OPEN = (FlagStatus.NEW, FlagStatus.IN_REVIEW)
VOTES = (Decision.CONFIRM, Decision.DISMISS)


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


def votes(session: Session, flag_id: int) -> dict[int, Decision]:
    """Each reviewer's latest confirm/dismiss vote on the flag."""
    rows = session.execute(
        select(Review.reviewer_id, Review.decision)
        .where(Review.flag_id == flag_id, Review.decision.in_(VOTES))
        .order_by(Review.id)
    )
    return {reviewer: decision for reviewer, decision in rows}


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
        if policy.two_person and user.id in votes(session, flag.id):
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
    """The state rules: one vote decides, unless the two-person rule asks a second reviewer to confirm."""
    if decision is Decision.ESCALATE:
        return FlagStatus.ESCALATED
    if flag.status is FlagStatus.ESCALATED:  # an admin settles a disagreement; that decision is final
        return FlagStatus.CONFIRMED if decision is Decision.CONFIRM else FlagStatus.DISMISSED
    others = {d for reviewer, d in prior.items() if reviewer != user.id}
    if not policy.two_person:
        return FlagStatus.CONFIRMED if decision is Decision.CONFIRM else FlagStatus.DISMISSED
    if others and decision not in others or len(others) > 1:
        return FlagStatus.ESCALATED  # the reviewers disagree: an admin decides
    if decision is Decision.CONFIRM:
        return FlagStatus.CONFIRMED if Decision.CONFIRM in others else FlagStatus.IN_REVIEW
    return FlagStatus.DISMISSED


def decide(engine: Engine, flag_id: int, user: User, decision: Decision, note: str, policy: Policy,
           seen: int | None = None) -> FlagStatus:
    """Confirm (note required), dismiss (reason required) or escalate a flag; return its new status."""
    note = (note or "").strip()
    if decision not in (Decision.CONFIRM, Decision.DISMISS, Decision.ESCALATE):
        raise ReviewConflict("bad_decision")
    if user.role not in (UserRole.REVIEWER, UserRole.ADMIN):
        raise ReviewConflict("forbidden")
    if decision in VOTES and not note:
        raise ReviewConflict("note_required")
    with _write_scope(engine) as session:
        flag = _load(session, flag_id)
        _check_fresh(session, flag, seen)
        if flag.status is FlagStatus.ESCALATED:
            if user.role is not UserRole.ADMIN or decision not in VOTES:
                raise ReviewConflict("admin_only")
        elif flag.status not in OPEN:
            raise ReviewConflict("closed")
        else:
            _check_not_held_by_other(flag, user, policy)
        prior = votes(session, flag.id)
        if policy.two_person and user.id in prior and flag.status is not FlagStatus.ESCALATED:
            raise ReviewConflict("already_voted")
        flag.status = _next_status(flag, user, decision, prior, policy)
        flag.assignee_id, flag.claimed_at = None, None
        _append(session, flag, user, decision, note, {"two_person": policy.two_person})
        return flag.status
