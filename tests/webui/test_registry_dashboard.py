"""Review UI: registry screens (people, attribution evidence, admin edits, link decisions) and the dashboard."""

from __future__ import annotations

from sqlalchemy import select

from models import AccountLink, AttributionMethod, AuditEvent, FlagStatus, LinkStatus, Person
from tests.factories import make_account, make_flag, make_person
from tests.webui.conftest import fresh

NIP = "198001012005011001"


def _suggested(db_session):
    person = make_person(db_session, name="Siti Aminah", nip=NIP)
    account = make_account(db_session, handle="siti.test")
    link = AccountLink(person_id=person.id, account_id=account.id, method=AttributionMethod.DETECTION,
                       status=LinkStatus.SUGGESTED, confidence=0.72, evidence={"bio": "Guru SDN 3 Sawahlunto"})
    db_session.add(link)
    db_session.commit()
    return person, link


def test_registry_lists_people_and_suggestions(as_role, db_session):
    person, _link = _suggested(db_session)
    html = as_role("viewer").get("/registry/").get_data(as_text=True)
    assert "Siti Aminah" in html and "Guru SDN 3 Sawahlunto" in html
    assert "Confirm</button>" not in html  # viewers see no decision buttons
    person_html = as_role("viewer").get(f"/registry/person/{person.id}").get_data(as_text=True)
    assert "siti.test" in person_html and NIP not in person_html  # NIP for admins only
    assert NIP in as_role("admin").get(f"/registry/person/{person.id}").get_data(as_text=True)
    assert as_role("viewer").get("/registry/person/99999").status_code == 404


def test_admin_confirms_a_detected_link(as_role, db_session):
    _person, link = _suggested(db_session)
    assert as_role("reviewer").post(f"/registry/link/{link.id}", {"status": "confirmed"}).status_code == 403
    assert as_role("admin").post(f"/registry/link/{link.id}", {"status": "confirmed"}).status_code == 302
    fresh(db_session)
    stored = db_session.get(AccountLink, link.id)
    assert stored.status is LinkStatus.CONFIRMED and stored.decided_by == "admin"
    assert db_session.scalars(select(AuditEvent.action)).all()[-1] == "registry.link.confirmed"


def test_admin_adds_and_edits_a_person(as_role, db_session, users):
    admin = as_role("admin")
    form = {"name": "Rina", "role": "pns", "institution": "Dinas Kesehatan", "region_province": "Sumatera Barat"}
    response = admin.post("/registry/person/new", form)
    assert response.status_code == 302
    person = db_session.scalar(select(Person).where(Person.name == "Rina"))
    assert admin.post("/registry/person/new", form).status_code == 400  # duplicate natural key
    admin.post(f"/registry/person/{person.id}", {**form, "position": "Kepala Seksi", "nip": "123"})  # bad NIP
    admin.post(f"/registry/person/{person.id}", {**form, "position": "Kepala Seksi"})
    fresh(db_session)
    assert db_session.get(Person, person.id).position == "Kepala Seksi"
    actions = db_session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("registry.%"))).all()
    assert actions == ["registry.person.add", "registry.person.edit"]
    assert as_role("reviewer").post("/registry/person/new", form).status_code == 403
    assert as_role("viewer").get("/registry/person/new").status_code == 403


def test_dashboard_counts_and_chart(as_role, db_session, users):
    make_flag(db_session, status=FlagStatus.CONFIRMED)
    make_flag(db_session, rule_code="reply_partisan")
    db_session.commit()
    html = as_role("viewer").get("/dashboard/").get_data(as_text=True)
    assert "reply_partisan" in html and "<polyline" in html and "Dinas Pendidikan" in html
