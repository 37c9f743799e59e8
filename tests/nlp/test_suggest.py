"""Detected roles become suggested links, never flags, and are not suggested twice."""

from sqlalchemy import select

from models import AccountLink, InteractionKind, LinkStatus, Person, PersonRole
from nlp.jobs.classify import classify_pending
from nlp.jobs.flag import run_rules
from nlp.jobs.suggest import suggest_roles
from tests.factories import make_account, make_interaction, make_person, make_post


def test_suggestions_are_links_that_do_not_flag(engine, db_session, profile):
    asn = make_account(db_session, bio="ASN Dinas Pendidikan Kota Sawahlunto", display_name="Ani")
    kpps = make_account(db_session, bio="Ketua KPPS TPS 04 Lubang Panjang")
    make_account(db_session, bio="Pedagang sate, bukan PNS")
    registered = make_account(db_session, bio="PNS Dinkes")
    make_person(db_session, registered, role=PersonRole.PNS)
    make_interaction(db_session, asn, make_post(db_session, text="Ayo coblos Bang Budi nomor 1!"), InteractionKind.LIKE)
    db_session.commit()
    assert suggest_roles(engine) == {"suggested": 2, "asn": 1, "organizer": 1}
    assert suggest_roles(engine) == {"suggested": 0}
    with engine.connect() as conn:
        rows = conn.execute(select(AccountLink.account_id, AccountLink.status, Person.role)
                            .join(Person, Person.id == AccountLink.person_id)
                            .where(AccountLink.account_id.in_([asn.id, kpps.id]))).all()
    assert {(r.account_id, r.status, r.role) for r in rows} == {
        (asn.id, LinkStatus.SUGGESTED, PersonRole.PNS), (kpps.id, LinkStatus.SUGGESTED, PersonRole.KPPS)}
    classify_pending(engine, profile)
    assert run_rules(engine, profile)["new_flags"] == 0
