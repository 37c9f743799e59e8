"""Database jobs: classify pending posts and run the rules, idempotently, with registry links winning."""

from datetime import UTC, datetime

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
