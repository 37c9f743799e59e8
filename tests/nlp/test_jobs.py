"""Database jobs: classify pending posts and run the rules, idempotently, with registry links winning."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from models import AccountLink, AttributionMethod, Classification, Flag, InteractionKind, LinkStatus, PersonRole
from nlp.jobs.classify import classify_pending
from nlp.jobs.flag import run_rules
from tests.factories import make_account, make_interaction, make_person, make_post

PARTISAN = "Ayo coblos Bang Budi nomor 1, pemimpin jujur dan merakyat! #Bersinar01"
NEUTRAL = "KPU Kota Sawahlunto mengingatkan: cek nama kamu di DPT sebelum 27 November"


def _world(session):
    candidate = make_account(session, handle="bersinar01.test")  # listed in the example profile
    citizen = make_account(session)
    asn = make_account(session, bio="ASN Dinas Pendidikan")
    partisan = make_post(session, citizen, PARTISAN)
    neutral = make_post(session, citizen, NEUTRAL)
    campaign_neutral = make_post(session, candidate, "Terima kasih warga Sawahlunto atas sambutannya hari ini")
    person = make_person(session, asn, role=PersonRole.PNS, name="Ani Lestari")
    return dict(candidate=candidate, citizen=citizen, asn=asn, partisan=partisan, neutral=neutral,
                campaign_neutral=campaign_neutral, person=person)


def test_classify_pending_is_idempotent(engine, db_session, profile):
    w = _world(db_session)
    db_session.commit()
    first = classify_pending(engine, profile)
    assert first["classified"] == 3
    assert classify_pending(engine, profile)["classified"] == 0
    with engine.connect() as conn:
        rows = dict(conn.execute(select(Classification.post_id, Classification.label)).all())
        versions = set(conn.scalars(select(Classification.model_version)))
    assert rows[w["partisan"].id].value == "partisan" and rows[w["neutral"].id].value == "election_info"
    assert versions == {first["model_version"]}


def test_rules_flag_partisan_interactions_not_neutral_ones(engine, db_session, profile):
    w = _world(db_session)
    make_interaction(db_session, w["asn"], w["partisan"], InteractionKind.LIKE)
    make_interaction(db_session, w["asn"], w["neutral"], InteractionKind.REPOST)  # sharing KPU info is fine
    make_interaction(db_session, w["asn"], w["campaign_neutral"], InteractionKind.REPLY)
    make_post(db_session, w["asn"], PARTISAN)
    db_session.commit()
    classify_pending(engine, profile)
    result = run_rules(engine, profile)
    assert result["new_flags"] == 3
    with engine.connect() as conn:
        flags = conn.execute(select(Flag.rule_code, Flag.severity, Flag.explanation, Flag.person_id)).all()
    codes = sorted(f.rule_code for f in flags)
    assert codes == ["INTERACT_CAMPAIGN_ACCOUNT", "LIKE_PARTISAN", "POST_PARTISAN"]
    assert all(f.person_id == w["person"].id and "SKB" in f.explanation for f in flags)
    again = run_rules(engine, profile)  # re-running never duplicates
    assert again["new_flags"] == 0 and again["already_flagged"] == 3
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Flag)) == 3


def test_quiet_period_raises_severity(engine, db_session, profile):
    w = _world(db_session)
    quiet = datetime(2024, 11, 25, 5, 0, tzinfo=UTC)
    make_interaction(db_session, w["asn"], w["partisan"], InteractionKind.LIKE, occurred_at=quiet)
    db_session.commit()
    classify_pending(engine, profile)
    run_rules(engine, profile)
    with engine.connect() as conn:
        severity = conn.scalar(select(Flag.severity))
    assert severity.value == "medium"  # a like is low in the campaign, one step up in the quiet period


def test_detected_roles_are_suggestions_and_registry_wins(engine, db_session, profile):
    w = _world(db_session)
    suggested = make_account(db_session, bio="PNS Dinas Kesehatan")
    person = make_person(db_session, None, role=PersonRole.PNS, name="Budi Suggested")
    db_session.add(AccountLink(person_id=person.id, account_id=suggested.id, method=AttributionMethod.DETECTION,
                               status=LinkStatus.SUGGESTED, confidence=0.9, evidence={}))
    # The registry says this account is a campaign volunteer; a confirmed detection says ASN.
    registry = make_account(db_session)
    make_person(db_session, registry, role=PersonRole.CAMPAIGN, name="Relawan")
    other = make_person(db_session, None, role=PersonRole.PNS, name="Detected ASN")
    db_session.add(AccountLink(person_id=other.id, account_id=registry.id, method=AttributionMethod.DETECTION,
                               status=LinkStatus.CONFIRMED, confidence=0.9, evidence={}))
    for actor in (suggested, registry):
        make_interaction(db_session, actor, w["partisan"], InteractionKind.LIKE)
    db_session.commit()
    classify_pending(engine, profile)
    assert run_rules(engine, profile)["new_flags"] == 0


def test_confirmed_detection_counts(engine, db_session, profile):
    w = _world(db_session)
    acct = make_account(db_session, bio="Anggota KPPS TPS 3")
    person = make_person(db_session, None, role=PersonRole.KPPS, name="Petugas")
    db_session.add(AccountLink(person_id=person.id, account_id=acct.id, method=AttributionMethod.DETECTION,
                               status=LinkStatus.CONFIRMED, confidence=0.9, evidence={}))
    make_interaction(db_session, acct, w["partisan"], InteractionKind.REPOST)
    db_session.commit()
    classify_pending(engine, profile)
    assert run_rules(engine, profile)["REPOST_PARTISAN"] == 1


def _quote_world(db_session):
    """An ASN quotes a partisan post with partisan words of their own: two rules fire for one act."""
    w = _world(db_session)
    own = make_post(db_session, w["asn"], "Setuju! " + PARTISAN)
    quote = make_interaction(db_session, w["asn"], w["partisan"], InteractionKind.QUOTE, own_post_id=own.id)
    db_session.commit()
    return w, own, quote


def test_a_quote_is_one_case_whatever_rules_fire(engine, db_session, profile):
    w, own, quote = _quote_world(db_session)
    classify_pending(engine, profile)
    result = run_rules(engine, profile)
    assert result["new_flags"] == 1 and result["merged_acts"] == 1
    with engine.connect() as conn:
        flags = conn.execute(select(Flag.rule_code, Flag.subject_key, Flag.severity, Flag.explanation,
                                    Flag.reasons, Flag.interaction_id)).all()
    assert len(flags) == 1
    flag = flags[0]
    assert flag.rule_code == "QUOTE_PARTISAN" and flag.subject_key == f"interaction:{quote.id}"
    assert flag.interaction_id == quote.id
    assert flag.severity.value == "high"  # the person's own partisan words weigh in
    assert "Aturan lain yang juga terpenuhi oleh perbuatan yang sama: POST_PARTISAN" in flag.explanation
    assert {"rule": "POST_PARTISAN", "subject": f"post:{own.id}"}.items() <= next(
        r for r in flag.reasons if isinstance(r, dict) and r.get("rule")).items()
    again = run_rules(engine, profile)
    assert again["new_flags"] == 0 and again["already_flagged"] == 1


def test_an_act_flagged_under_another_rule_is_not_flagged_again(engine, db_session, profile):
    """A database flagged before one act was one case (POST_PARTISAN on the quote's own post) gets no twin."""
    w, own, quote = _quote_world(db_session)
    classify_pending(engine, profile)
    from tests.factories import make_flag

    make_flag(db_session, quote, w["person"], rule_code="POST_PARTISAN", subject_key=f"post:{own.id}",
              interaction_id=None, post_id=own.id)
    db_session.commit()
    result = run_rules(engine, profile)
    assert result["new_flags"] == 0 and result["already_flagged"] == 1


def test_organizers_and_village_heads_are_told_their_own_law(engine, db_session, profile):
    w = _world(db_session)
    kpps = make_account(db_session)
    make_person(db_session, kpps, role=PersonRole.KPPS, name="Petugas KPPS")
    kades = make_account(db_session)
    make_person(db_session, kades, role=PersonRole.KEPALA_DESA, name="Pak Wali Nagari")
    for actor in (kpps, kades, w["asn"]):
        make_interaction(db_session, actor, w["partisan"], InteractionKind.LIKE)
    db_session.commit()
    classify_pending(engine, profile)
    assert run_rules(engine, profile)["new_flags"] == 3
    with engine.connect() as conn:
        texts = dict(conn.execute(select(Flag.account_id, Flag.explanation)).all())
    assert "Peraturan DKPP Nomor 2 Tahun 2017" in texts[kpps.id] and "SKB" not in texts[kpps.id]
    assert "Nomor 6 Tahun 2014 tentang Desa, Pasal 29" in texts[kades.id] and "SKB" not in texts[kades.id]
    assert "SKB Netralitas ASN 2022" in texts[w["asn"].id]


def _other_writer_waits(engine) -> float | None:
    """From another thread, take SQLite's write lock with a short wait; return how long it took, None if it failed."""
    import sqlite3
    import threading
    import time

    took: list = [None]

    def write():
        start = time.monotonic()
        try:
            conn = sqlite3.connect(engine.url.database, timeout=1, isolation_level=None)
            try:
                conn.execute("BEGIN IMMEDIATE")  # what a reviewer's claim or a login does first
                conn.execute("ROLLBACK")
            finally:
                conn.close()
            took[0] = time.monotonic() - start
        except sqlite3.OperationalError:  # database is locked
            took[0] = None

    thread = threading.Thread(target=write)
    thread.start()
    thread.join(timeout=10)
    return took[0]


def test_flag_job_lets_reviewers_write_between_batches(engine, db_session, profile):
    """On SQLite the job must not hold the write lock for the whole run (claims waited 30 s, then failed)."""
    if engine.dialect.name != "sqlite":
        pytest.skip("the write lock is SQLite's; PostgreSQL locks rows")
    w = _world(db_session)
    for _ in range(3):
        actor = make_account(db_session)
        make_person(db_session, actor, role=PersonRole.PNS)
        make_interaction(db_session, actor, w["partisan"], InteractionKind.LIKE)
    db_session.commit()
    classify_pending(engine, profile)
    waits: list = []
    result = run_rules(engine, profile, progress=lambda n: waits.append(_other_writer_waits(engine)), chunk_size=1)
    assert result["new_flags"] == 3 and len(waits) == 4
    assert all(t is not None and t < 0.9 for t in waits), waits


def test_classify_job_lets_reviewers_write_while_it_predicts(engine, db_session, profile, monkeypatch):
    if engine.dialect.name != "sqlite":
        pytest.skip("the write lock is SQLite's; PostgreSQL locks rows")
    _world(db_session)
    db_session.commit()
    from nlp import classifier as clf_mod

    real = clf_mod.load()
    waits: list = []

    class Probe:
        version = real.version

        def predict(self, *args, **kw):
            waits.append(_other_writer_waits(engine))  # the slow part of a batch: no lock may be held
            return real.predict(*args, **kw)

    monkeypatch.setattr(clf_mod, "load", lambda *a, **k: Probe())
    assert classify_pending(engine, profile, batch_size=2)["classified"] == 3
    assert len(waits) == 2 and all(t is not None and t < 0.9 for t in waits), waits


def _unknown_time_like(db_session, created: datetime, seen: datetime):
    """A Mastodon favourite: favourited_by lists accounts only, so the like has no time of its own."""
    w = _world(db_session)
    target = make_post(db_session, w["citizen"], PARTISAN, created_at=created)
    make_interaction(db_session, w["asn"], target, InteractionKind.LIKE, occurred_at=None, first_seen_at=seen)
    db_session.commit()
    return w


def test_unknown_time_is_never_dated_at_capture_time(engine, db_session, profile):
    quiet_post = datetime(2024, 11, 25, 3, 0, tzinfo=UTC)  # 10:00 WIB, in the quiet period
    crawled = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # two years later
    _unknown_time_like(db_session, quiet_post, crawled)
    classify_pending(engine, profile)
    run_rules(engine, profile)
    with engine.connect() as conn:
        flag = conn.execute(select(Flag.event_at, Flag.event_earliest, Flag.event_latest, Flag.severity,
                                   Flag.explanation)).one()
    assert flag.event_at is None  # not 2026
    assert (flag.event_earliest, flag.event_latest) == (quiet_post, crawled)
    # Not "after voting day" as a fact: the range is stated, and the lightest phase in it chosen and named.
    assert "partisan (skor" in flag.explanation and "setelah pemungutan suara." not in flag.explanation
    assert "waktu tidak diketahui: antara 2024-11-25 10:00 WIB dan 2026-12-01 09:00 WIB" in flag.explanation
    assert "masa tenang, hari pemungutan suara, setelah pemungutan suara" in flag.explanation
    assert "tingkat keparahan diambil dari fase yang paling ringan dalam rentang itu" in flag.explanation
    assert flag.severity.value == "low"  # a like's base severity: no bump is assumed


def test_unknown_time_inside_one_phase_takes_that_phase(engine, db_session, profile):
    _unknown_time_like(db_session, datetime(2024, 11, 24, 3, 0, tzinfo=UTC), datetime(2024, 11, 26, 3, 0, tzinfo=UTC))
    classify_pending(engine, profile)
    run_rules(engine, profile)
    with engine.connect() as conn:
        severity, explanation = conn.execute(select(Flag.severity, Flag.explanation)).one()
    assert severity.value == "medium"  # the whole range is in the quiet period
    assert "rentang yang mencakup masa tenang;" in explanation


def test_unknown_time_across_campaign_and_quiet_takes_the_campaign(engine, db_session, profile):
    _unknown_time_like(db_session, datetime(2024, 11, 20, 3, 0, tzinfo=UTC), datetime(2024, 11, 27, 3, 0, tzinfo=UTC))
    classify_pending(engine, profile)
    run_rules(engine, profile)
    with engine.connect() as conn:
        severity, explanation = conn.execute(select(Flag.severity, Flag.explanation)).one()
    assert severity.value == "low"  # it may have been in the campaign: the voting day is not assumed
    assert "(masa kampanye)" in explanation


def test_known_time_is_kept(engine, db_session, profile):
    w = _world(db_session)
    quiet = datetime(2024, 11, 25, 5, 0, tzinfo=UTC)
    make_interaction(db_session, w["asn"], w["partisan"], InteractionKind.LIKE, occurred_at=quiet,
                     first_seen_at=datetime(2026, 12, 1, tzinfo=UTC))
    db_session.commit()
    classify_pending(engine, profile)
    run_rules(engine, profile)
    with engine.connect() as conn:
        flag = conn.execute(select(Flag.event_at, Flag.event_earliest, Flag.event_latest, Flag.severity,
                                   Flag.explanation)).one()
    assert (flag.event_at, flag.event_earliest, flag.event_latest) == (quiet, None, None)
    assert flag.severity.value == "medium" and "pada masa tenang." in flag.explanation
    assert "tidak diketahui" not in flag.explanation
