"""Reviewers' decisions become labelled training examples."""

import json

from models import FlagStatus
from nlp.jobs.feedback import export_reviews
from nlp.training.train import load_corpus
from tests.factories import make_account, make_flag, make_interaction, make_post


def test_confirmed_and_dismissed_flags_are_exported(engine, db_session, profile, tmp_path):
    actor = make_account(db_session)
    partisan = make_post(db_session, text="Ayo coblos Bang Budi!")
    neutral = make_post(db_session, text="KPU umumkan jadwal debat publik")
    chat = make_post(db_session, text="Enak banget bakso di sini")
    for post, status in ((partisan, FlagStatus.CONFIRMED), (neutral, FlagStatus.DISMISSED),
                         (chat, FlagStatus.DISMISSED)):
        make_flag(db_session, make_interaction(db_session, actor, post), rule_code="LIKE_PARTISAN", status=status)
    other = make_post(db_session, text="Terima kasih warga")
    make_flag(db_session, make_interaction(db_session, actor, other), rule_code="INTERACT_CAMPAIGN_ACCOUNT",
              status=FlagStatus.CONFIRMED)  # says nothing about the text: not exported
    db_session.commit()
    path = tmp_path / "reviews.jsonl"
    counts = export_reviews(engine, profile, path)
    assert counts == {"partisan": 1, "election_info": 1, "other": 1}
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert {r["text"]: r["label"] for r in rows}["Ayo coblos Bang Budi!"] == "partisan"
    assert all(r["profile"]["candidates"] for r in rows)

    corpus, profiles, files = load_corpus(with_reviews=True, reviews=path)
    assert files[-1] == path and corpus[-1]["profile"] in profiles


def test_reviews_are_exported_to_the_instance_folder_not_the_package(engine, db_session, profile, tmp_path,
                                                                     monkeypatch):
    from nlp.jobs.feedback import reviews_path
    from nlp.text import DATA

    monkeypatch.setenv("NETRAL_INSTANCE_DIR", str(tmp_path / "instance"))
    actor = make_account(db_session)
    post = make_post(db_session, text="Ayo coblos Bang Budi!")
    make_flag(db_session, make_interaction(db_session, actor, post), rule_code="LIKE_PARTISAN",
              status=FlagStatus.CONFIRMED)
    db_session.commit()
    shipped = (DATA / "reviews.jsonl").stat().st_mtime_ns if (DATA / "reviews.jsonl").exists() else None
    assert export_reviews(engine, profile) == {"partisan": 1}
    assert reviews_path() == tmp_path / "instance" / "reviews.jsonl"
    assert json.loads(reviews_path().read_text())["label"] == "partisan"
    now = (DATA / "reviews.jsonl").stat().st_mtime_ns if (DATA / "reviews.jsonl").exists() else None
    assert now == shipped
