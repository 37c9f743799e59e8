"""Two writers doing read-then-write at once: the write session serialises them on SQLite and PostgreSQL.

The contract for callers (claims, decisions): `session_scope(engine, write=True)` and read the row with
`.with_for_update()`. On SQLite the first gives BEGIN IMMEDIATE (the second compiles away); on
PostgreSQL the row lock does the work.
"""

import threading

from sqlalchemy import select

from models import Flag, session_scope
from tests.factories import make_flag

ROUNDS = 40


def _increment_many(engine, flag_id, write, errors):
    try:
        for _ in range(ROUNDS):
            with session_scope(engine, write=write) as session:
                query = select(Flag).where(Flag.id == flag_id)
                flag = session.scalars(query.with_for_update() if write else query).one()
                score = flag.score
                # Widen the race window: the other writer runs between our read and our write.
                threading.Event().wait(0.001)
                flag.score = score + 1
    except Exception as exc:  # surfaced by the assertion below
        errors.append(exc)


def _race(engine, write):
    with session_scope(engine) as session:
        flag_id = make_flag(session, score=0).id
    errors = []
    threads = [threading.Thread(target=_increment_many, args=(engine, flag_id, write, errors)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with session_scope(engine) as session:
        return session.get(Flag, flag_id).score, errors


def test_write_sessions_lose_no_update(engine):
    score, errors = _race(engine, write=True)
    assert not errors
    assert score == 2 * ROUNDS


def test_plain_sessions_do_lose_updates(engine):
    """The control: without the write session the same race loses updates (or fails), proving the test bites."""
    score, errors = _race(engine, write=False)
    assert errors or score < 2 * ROUNDS
