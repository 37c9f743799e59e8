"""Two reviewers act on one flag at the same instant: one wins, the other is told, nothing is overwritten.

Both threads are parked right after the service has read the flag (a wrapper around service._load, the
function every action reads its flag with). With the locking, the second thread cannot even read until
the first commits, so it sees the claim and gets a ReviewConflict. The last test takes the locking away
(an unlocked read and a plain transaction instead of service._load and service._write_scope) and shows
the same race then breaks the invariant, so the harness really does exercise the race. Runs on SQLite
and on PostgreSQL (NETRAL_TEST_DATABASE_URL).
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from models import Decision, Flag, Review, UserRole, session_scope, verify_chain
from tests.factories import make_flag, make_user
from webui.review import service
from webui.review.service import Policy, ReviewConflict

POLICY = Policy()


def _unlocked_load(session, flag_id):
    """service._load without SELECT ... FOR UPDATE."""
    flag = session.scalars(select(Flag).where(Flag.id == flag_id)).one_or_none()
    if flag is None:
        raise ReviewConflict("not_found")
    return flag


def _race(engine, monkeypatch, action_a, action_b) -> list:
    barrier = threading.Barrier(2, timeout=1.5)
    load = service._load  # the real one, or the unlocked one the caller put in its place

    def load_then_park(session, flag_id):
        flag = load(session, flag_id)
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass  # the other thread is blocked on our lock: that is the point
        return flag

    monkeypatch.setattr(service, "_load", load_then_park)
    outcomes: list = [None, None]

    def run(i, action):
        try:
            action()
            outcomes[i] = "ok"
        except ReviewConflict as exc:
            outcomes[i] = f"conflict:{exc}"
        except Exception as exc:
            outcomes[i] = f"error:{type(exc).__name__}"

    threads = [threading.Thread(target=run, args=(0, action_a)), threading.Thread(target=run, args=(1, action_b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@pytest.fixture
def setup(engine, db_session):
    a = make_user(db_session, "alice", UserRole.REVIEWER)
    b = make_user(db_session, "budi", UserRole.REVIEWER)
    flag = make_flag(db_session)
    db_session.commit()
    return engine, a, b, flag.id


def _reviews(engine, flag_id):
    with session_scope(engine) as s:
        return s.scalars(select(Review.decision).where(Review.flag_id == flag_id)).all()


def test_two_simultaneous_claims_one_wins(setup, monkeypatch):
    engine, a, b, fid = setup
    outcomes = _race(engine, monkeypatch, lambda: service.claim(engine, fid, a, POLICY),
                     lambda: service.claim(engine, fid, b, POLICY))
    assert sorted(outcomes) == ["conflict:claimed_by_other", "ok"], outcomes
    assert _reviews(engine, fid) == [Decision.CLAIM]
    with session_scope(engine) as s:
        winner = a if outcomes[0] == "ok" else b
        assert s.get(Flag, fid).assignee_id == winner.id
        assert verify_chain(s).ok


def test_two_simultaneous_decisions_one_wins(setup, monkeypatch):
    engine, a, b, fid = setup
    outcomes = _race(engine, monkeypatch,
                     lambda: service.decide(engine, fid, a, Decision.CONFIRM, "melanggar", POLICY),
                     lambda: service.decide(engine, fid, b, Decision.DISMISS, "netral", POLICY))
    assert sorted(outcomes) == ["conflict:closed", "ok"], outcomes
    assert len(_reviews(engine, fid)) == 1


def test_without_locking_the_race_is_lost(setup, monkeypatch):
    """The control: take the locking away and the same race overwrites a claim or fails with a DB error."""
    engine, a, b, fid = setup
    monkeypatch.setattr(service, "_write_scope", lambda eng: session_scope(eng, write=False))
    monkeypatch.setattr(service, "_load", _unlocked_load)
    outcomes = _race(engine, monkeypatch, lambda: service.claim(engine, fid, a, POLICY),
                     lambda: service.claim(engine, fid, b, POLICY))
    print("without locking:", outcomes)
    assert sorted(outcomes) != ["conflict:claimed_by_other", "ok"], outcomes


def test_state_rules_table():
    """The status a decision leads to, with and without the two-person rule."""
    from types import SimpleNamespace

    from models import FlagStatus as S
    from webui.review.service import _next_status

    me, other = SimpleNamespace(id=1), SimpleNamespace(id=2)
    from models import Severity

    open_flag = SimpleNamespace(status=S.IN_REVIEW, severity=Severity.MEDIUM)
    escalated = SimpleNamespace(status=S.ESCALATED, severity=Severity.MEDIUM)
    grave = SimpleNamespace(status=S.IN_REVIEW, severity=Severity.HIGH)
    one, two = Policy(two_person=False), Policy(two_person=True)
    C, D, E = Decision.CONFIRM, Decision.DISMISS, Decision.ESCALATE
    assert _next_status(open_flag, me, C, {}, one) is S.CONFIRMED
    assert _next_status(open_flag, me, D, {}, one) is S.DISMISSED
    assert _next_status(open_flag, me, E, {}, two) is S.ESCALATED
    assert _next_status(open_flag, me, C, {}, two) is S.IN_REVIEW  # waits for a second reviewer
    assert _next_status(open_flag, me, C, {other.id: C}, two) is S.CONFIRMED
    assert _next_status(open_flag, me, D, {other.id: C}, two) is S.ESCALATED  # disagreement
    assert _next_status(escalated, me, D, {other.id: C, 3: D}, two) is S.DISMISSED  # the admin settles it
    assert _next_status(escalated, me, C, {other.id: C, 3: D}, two) is S.CONFIRMED  # two different confirmers
    assert _next_status(escalated, me, C, {}, two) is S.IN_REVIEW  # escalated with no vote: one is not enough
    assert _next_status(escalated, me, C, {}, one) is S.CONFIRMED
    assert _next_status(grave, me, D, {}, two) is S.IN_REVIEW  # a grave case: a second opinion
    assert _next_status(grave, me, D, {other.id: D}, two) is S.DISMISSED
    assert _next_status(grave, me, D, {}, one) is S.DISMISSED


def test_a_burst_of_connections_does_not_exhaust_the_pool(engine):
    """40 requests at once, each holding a connection: none may wait for the pool (it used to stop at 15)."""
    from models.session import make_engine

    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's pool is sized by the deployment (max_connections)")
    burst = make_engine(str(engine.url), pool_timeout=2)
    barrier = threading.Barrier(40, timeout=10)
    errors: list = []

    def hold():
        try:
            with burst.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
                barrier.wait()  # all 40 hold a connection at the same time
        except Exception as exc:
            errors.append(type(exc).__name__)
            barrier.abort()

    threads = [threading.Thread(target=hold) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    burst.dispose()
    assert errors == [], errors


def test_a_burst_of_40_logins_all_succeed(app, db_session, engine):
    """In one process (netral serve is threaded): each login holds its read session and a write scope."""
    from tests.webui.conftest import _HASH, login

    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL keeps the bounded default pool: its connections count against max_connections")

    for i in range(40):
        make_user(db_session, f"petugas{i}", UserRole.REVIEWER, password_hash=_HASH)
    db_session.commit()
    results: list = []

    def one(i):
        client = app.test_client()
        try:
            results.append(login(client, f"petugas{i}").status_code)
        except Exception as exc:  # pool timeout, database is locked
            results.append(type(exc).__name__)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert results.count(302) == 40, results
