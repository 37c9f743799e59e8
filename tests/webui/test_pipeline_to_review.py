"""From the NLP stage to a decision: real classifier and rules produce the flag a reviewer then confirms.

Skipped when the NLP stage cannot load (its model is an artifact of that stage).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from models import Flag, FlagStatus, PersonRole
from tests.factories import make_account, make_interaction, make_person, make_post
from tests.webui.conftest import XSS, fresh


@pytest.fixture
def nlp_jobs():
    from nlp.jobs import classify, flag

    return SimpleNamespace(classify_pending=classify.classify_pending, run_rules=flag.run_rules)


def test_rules_flag_then_reviewer_confirms(nlp_jobs, engine, db_session, as_role):
    civil_servant = make_account(db_session, handle="guru.budi")
    make_person(db_session, civil_servant, role=PersonRole.PNS, name="Budi Guru")
    campaign = make_account(db_session, handle="tim.hendra")
    make_person(db_session, campaign, role=PersonRole.CAMPAIGN, name="Tim Hendra", institution="Tim kampanye")
    post = make_post(db_session, author=campaign,
                     text=f"Ayo coblos Hendra-Sari nomor urut 2, pilih pemimpin yang peduli! #Coblos02 {XSS}")
    make_interaction(db_session, civil_servant, post)
    db_session.commit()

    nlp_jobs.classify_pending(engine)
    result = nlp_jobs.run_rules(engine)
    assert result["new_flags"] >= 1, result
    fresh(db_session)
    flag = db_session.scalars(select(Flag).where(Flag.account_id == civil_servant.id)).first()

    reviewer = as_role("reviewer")
    queue = reviewer.get("/queue/").get_data(as_text=True)
    assert f"/case/{flag.id}" in queue and "Budi Guru" in queue
    page = reviewer.get(f"/case/{flag.id}").get_data(as_text=True)
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    assert "<mark title=" in page  # the classifier's reasons are highlighted in the escaped text
    reviewer.post(f"/case/{flag.id}/decide", {"decision": "confirm", "note": "Menyukai ajakan mencoblos"})
    fresh(db_session)
    assert db_session.get(Flag, flag.id).status is FlagStatus.CONFIRMED
    export = reviewer.post("/export/summary", {"format": "csv"}).get_data(as_text=True)
    assert "Budi Guru" in export and flag.rule_code in export
