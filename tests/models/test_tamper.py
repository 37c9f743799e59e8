"""Tampering shows: `netral audit verify` (models.audit.verify_all) catches an attacker with write access to
the database who edits evidence, a link's person, a flag's status, forges or edits a review, or rewrites
and re-chains the audit log without the audit key. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import stat

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from models import AccountLink, AuditEvent, Decision, Flag, FlagStatus, Review, record_event, session_scope
from models.audit import (
    AUDIT_KEYED,
    audit_key,
    chain_head,
    event_hash,
    seal_chain,
    verify_all,
    verify_chain,
)
from netral.cli import cli
from tests.factories import make_flag, make_person, make_user
from webui.review.service import Policy, claim, decide

GUARDED = ("audit_event", "review")


@pytest.fixture
def key_env(monkeypatch, tmp_path):
    """A private instance folder (its audit_key file is created on first use)."""
    monkeypatch.delenv("NETRAL_AUDIT_KEY", raising=False)
    monkeypatch.setenv("NETRAL_INSTANCE_DIR", str(tmp_path / "instance"))
    return tmp_path / "instance"


@pytest.fixture
def attacker(engine):
    """Raw database access: the append-only triggers are dropped (and restored on PostgreSQL afterwards)."""
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        for table in GUARDED:
            if postgres:
                conn.execute(text(f"DROP TRIGGER {table}_append_only ON {table}"))
            else:
                conn.execute(text(f"DROP TRIGGER {table}_no_update"))
                conn.execute(text(f"DROP TRIGGER {table}_no_delete"))
    yield engine
    if postgres:
        with engine.begin() as conn:
            for table in GUARDED:
                conn.execute(text(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                                  "FOR EACH ROW EXECUTE FUNCTION netral_append_only()"))


@pytest.fixture
def world(engine, key_env):
    """Two flags (one confirmed through the service, one new), a decided account link, a review trail."""
    with session_scope(engine) as s:
        reviewer = make_user(s, "rina")
        decided = make_flag(s)
        untouched = make_flag(s)
        other = make_person(s)
        link = s.scalars(select(AccountLink).where(AccountLink.person_id == decided.person_id)).one()
        s.commit()
        ids = dict(reviewer=reviewer.id, decided=decided.id, untouched=untouched.id, other=other.id,
                   post=decided.post_id, interaction=decided.interaction_id, link=link.id,
                   link_person=link.person_id, link_account=link.account_id)
        s.expunge(reviewer)
    claim(engine, ids["decided"], reviewer, Policy())
    decide(engine, ids["decided"], reviewer, Decision.CONFIRM, "Jelas partisan", Policy())
    with session_scope(engine, write=True) as s:  # as webui/blueprints/registry.py records a link decision
        record_event(s, "admin", "registry.link.confirmed", "account_link", ids["link"],
                     {"person_id": ids["link_person"], "account_id": ids["link_account"], "before": "suggested"})
    return ids


def _verify(engine):
    with session_scope(engine) as s:
        return verify_all(s)


def _kinds(report):
    return {(p.kind, p.id) for p in report.problems}


def test_untouched_database_verifies(engine, world):
    report = _verify(engine)
    assert report.ok, report.problems
    assert report.counts["reviews"] == 2 and report.counts["flags"] == 2 and report.counts["links"] == 1
    assert report.counts["posts"] >= 2 and report.counts["interactions"] == 2
    with session_scope(engine) as s:
        assert s.get(Flag, world["decided"]).status is FlagStatus.CONFIRMED
        head = chain_head(s)
    assert report.chain.head_id == head.id and report.chain.head_hash == head.hash


@pytest.mark.parametrize("table", ["post", "interaction"])
def test_edited_raw_payload_is_named(engine, world, table):
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE {table} SET raw_json = raw_json || ' ' WHERE id = :i"), {"i": world[table]})
    report = _verify(engine)
    assert not report.ok and (table, world[table]) in _kinds(report)
    assert report.chain.ok  # the chain itself is intact: the evidence check is what catches it


def test_edited_flag_status_is_named(engine, world):
    with engine.begin() as conn:
        conn.execute(text("UPDATE flag SET status = 'dismissed' WHERE id = :i"), {"i": world["decided"]})
        conn.execute(text("UPDATE flag SET status = 'dismissed' WHERE id = :i"), {"i": world["untouched"]})
    report = _verify(engine)
    assert ("flag", world["decided"]) in _kinds(report) and ("flag", world["untouched"]) in _kinds(report)
    assert any("audit trail says confirmed" in p.message for p in report.problems)


def test_forged_review_is_named(engine, world):
    """A review row inserted directly (the triggers allow INSERT), with the flag set to match it."""
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO review (flag_id, reviewer_id, decision, note, created_at) "
                          "VALUES (:f, :r, 'dismiss', 'palsu', CURRENT_TIMESTAMP)"),
                     {"f": world["untouched"], "r": world["reviewer"]})
        forged = conn.execute(text("SELECT max(id) FROM review")).scalar_one()
    report = _verify(engine)
    assert ("review", forged) in _kinds(report)


def test_edited_review_note_is_named(engine, world, attacker):
    with engine.begin() as conn:
        conn.execute(text("UPDATE review SET note = 'Tidak partisan' WHERE decision = 'confirm'"))
        rid = conn.execute(text("SELECT id FROM review WHERE decision = 'confirm'")).scalar_one()
    report = _verify(engine)
    assert ("review", rid) in _kinds(report)


def test_link_moved_to_another_person_is_named(engine, world):
    with engine.begin() as conn:
        conn.execute(text("UPDATE account_link SET person_id = :p WHERE id = :i"),
                     {"p": world["other"], "i": world["link"]})
    report = _verify(engine)
    assert ("account_link", world["link"]) in _kinds(report)


def _rechain(engine, key: bytes | None, edit: str | None = None) -> None:
    """Rewrite the log (optionally edited) and recompute every link, with plain SHA-256 or another key."""
    with engine.begin() as conn:
        if edit:
            conn.execute(text(edit))
    with session_scope(engine) as s:
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        prev = "0" * 64
        for e in events:
            new = event_hash(prev, e.created_at, e.actor, e.action, e.object_type, e.object_id, e.details or {}, key)
            e.prev_hash, e.hash = "tmp" + str(e.id), "tmp-h" + str(e.id)  # avoid unique clashes mid-way
            s.flush()
            e.prev_hash, e.hash = prev, new
            s.flush()
            prev = new
        s.commit()


@pytest.mark.parametrize("key", [None, b"the attacker's own key"], ids=["plain-sha256", "other-key"])
def test_rewritten_and_rechained_log_fails(engine, world, attacker, key):
    _rechain(engine, key, "UPDATE audit_event SET actor = 'mallory' WHERE actor = 'rina'")
    with session_scope(engine) as s:
        report = verify_chain(s)
    assert not report.ok  # plain: "no event is keyed"; another key: the first event's hash mismatches
    assert ("no event is keyed" in report.problem) if key is None else report.broken_id == 1


def test_key_file_is_owner_only_and_not_in_the_database(engine, world, key_env):
    path = key_env / "audit_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    secret = path.read_text().strip()
    with engine.connect() as conn:
        dump = " ".join(str(r) for t in ("audit_event", "review", "flag")
                        for r in conn.execute(text(f"SELECT * FROM {t}")))
    assert secret not in dump and audit_key() == secret.encode()


def test_env_key_wins_and_a_wrong_key_fails(engine, world, monkeypatch):
    monkeypatch.setenv("NETRAL_AUDIT_KEY", "another key")
    with session_scope(engine) as s:
        assert not verify_chain(s).ok


def test_older_unkeyed_chain_still_verifies_and_is_sealed(engine, key_env, attacker):
    """Events stored before the key (plain SHA-256) verify; the first keyed event is preceded by a marker."""
    with session_scope(engine, write=True) as s:
        record_event(s, "tester", "user.login", "user", 1)
        record_event(s, "tester", "user.logout", "user", 1)
    _rechain(engine, None)  # as stored by the version before the key
    with session_scope(engine) as s:
        report = verify_chain(s)
    assert not report.ok and "seal" in report.problem  # unkeyed only: could be a re-chained log
    with session_scope(engine, write=True) as s:
        marker = seal_chain(s)
        assert marker.action == AUDIT_KEYED and marker.details["unkeyed_events"] == 2
    with session_scope(engine, write=True) as s:
        assert seal_chain(s) is None  # once
        record_event(s, "tester", "user.login", "user", 1)
    with session_scope(engine) as s:
        report = verify_chain(s)
    assert report.ok and report.checked == 4 and report.keyed_since == 3


def test_record_event_seals_an_unkeyed_chain_itself(engine, key_env, attacker):
    with session_scope(engine, write=True) as s:
        record_event(s, "tester", "user.login", "user", 1)
    _rechain(engine, None)
    with session_scope(engine, write=True) as s:
        record_event(s, "tester", "user.logout", "user", 1)
    with session_scope(engine) as s:
        actions = list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
        assert actions == ["user.login", AUDIT_KEYED, "user.logout"] and verify_chain(s).ok


def test_cli_verify_lists_problems_and_head_prints_the_head(engine, world, netral_env, monkeypatch):
    runner = CliRunner()
    ok = runner.invoke(cli, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    head = runner.invoke(cli, ["audit", "head"])
    head_id, head_hash = head.output.split()
    assert f"Head: event {head_id} {head_hash}" in ok.output
    with engine.begin() as conn:
        conn.execute(text("UPDATE post SET raw_json = '{}' WHERE id = :i"), {"i": world["post"]})
        conn.execute(text("UPDATE flag SET status = 'new' WHERE id = :i"), {"i": world["decided"]})
    bad = runner.invoke(cli, ["audit", "verify"])
    assert bad.exit_code == 1
    assert f"post {world['post']}: raw_json does not match" in bad.output
    assert f"flag {world['decided']}: status is new" in bad.output
    with session_scope(engine) as s:
        assert s.scalar(select(Review.id).where(Review.decision == Decision.CONFIRM))
