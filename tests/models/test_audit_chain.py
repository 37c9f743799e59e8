"""The audit trail is append-only and its hash chain exposes an altered or deleted row."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from models import AuditEvent, record_event, session_scope, verify_chain


def _append(engine, n):
    for i in range(n):
        with session_scope(engine, write=True) as session:
            record_event(session, "tester", "review.confirm", "flag", i, {"note": f"catatan {i}"})


@pytest.fixture
def unguarded(engine):
    """Simulate someone with raw database access: remove the append-only triggers (restored afterwards)."""
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        if postgres:
            conn.execute(text("DROP TRIGGER audit_event_append_only ON audit_event"))
        else:
            conn.execute(text("DROP TRIGGER audit_event_no_update"))
            conn.execute(text("DROP TRIGGER audit_event_no_delete"))
    yield engine
    if postgres:  # the PostgreSQL test database outlives this test
        with engine.begin() as conn:
            conn.execute(text("CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
                              "FOR EACH ROW EXECUTE FUNCTION netral_append_only()"))


def test_intact_chain_verifies(engine):
    _append(engine, 5)
    with session_scope(engine) as session:
        report = verify_chain(session)
    assert report.ok and report.checked == 5


def test_database_refuses_update_and_delete(engine):
    _append(engine, 1)
    for statement in ("UPDATE audit_event SET actor = 'x'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError, match="append-only"):
            with engine.begin() as conn:
                conn.execute(text(statement))


def test_altered_row_is_named(engine, unguarded):
    _append(engine, 5)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET actor = 'mallory' WHERE id = 3"))
    with session_scope(engine) as session:
        report = verify_chain(session)
    assert report.broken_id == 3 and "altered" in report.problem and report.checked == 2


def test_deleted_row_breaks_the_next_link(engine, unguarded):
    _append(engine, 5)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE id = 2"))
    with session_scope(engine) as session:
        report = verify_chain(session)
    assert report.broken_id == 3 and "missing" in report.problem


def test_fork_is_refused(engine):
    """Two events claiming the same predecessor cannot both be stored."""
    _append(engine, 1)
    with session_scope(engine) as session:
        head = session.query(AuditEvent).one()
        fork = AuditEvent(created_at=head.created_at, actor="x", action="y", details={},
                          prev_hash=head.prev_hash, hash="f" * 64)
        session.add(fork)
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()


def test_actor_and_action_naming_convention(monkeypatch):
    """Actions are <object>.<verb> in lower_snake; command actors are cli:<OS user>, web actors the username."""
    import re

    from models import audit

    actions = {name: value for name, value in vars(audit).items() if name.isupper() and "." in str(value)}
    assert "USER_LOGIN" in actions and "REGISTRY_IMPORT" in actions
    assert all(re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", v) for v in actions.values()), actions
    assert audit.review_action("confirm") == "review.confirm"
    monkeypatch.setattr(audit.getpass, "getuser", lambda: "ops")
    assert audit.cli_actor() == "cli:ops" and audit.cli_actor("demo") == "cli:demo"

    def no_user():
        raise KeyError("no passwd entry")

    monkeypatch.setattr(audit.getpass, "getuser", no_user)
    assert audit.cli_actor() == "cli:unknown"
    assert audit.web_actor("ani") == "ani" and audit.web_actor("") == "(empty)"
