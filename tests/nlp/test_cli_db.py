"""`netral classify` (database form), `netral flag` and `netral nlp evaluate` through the CLI."""

import json

from click.testing import CliRunner

from models import InteractionKind, PersonRole
from tests.conftest import ROOT
from tests.factories import make_account, make_interaction, make_person, make_post

PROFILE = str(ROOT / "examples" / "profile.yaml")


def test_classify_then_flag(nlp_cli, db_url, db_session, monkeypatch):
    monkeypatch.setenv("NETRAL_DATABASE_URL", db_url)
    asn = make_account(db_session)
    make_person(db_session, asn, role=PersonRole.PNS)
    post = make_post(db_session, make_account(db_session), "Jangan pilih Hendra, dia pembohong! Coblos Bang Budi")
    make_interaction(db_session, asn, post, InteractionKind.LIKE)
    db_session.commit()
    runner = CliRunner()
    first = runner.invoke(nlp_cli, ["classify", "--profile", PROFILE])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout.splitlines()[-1])["partisan"] == 1
    flagged = runner.invoke(nlp_cli, ["flag", "--profile", PROFILE])
    assert flagged.exit_code == 0, flagged.output
    assert json.loads(flagged.stdout.splitlines()[-1])["new_flags"] == 1
    again = runner.invoke(nlp_cli, ["flag", "--profile", PROFILE])
    assert json.loads(again.stdout.splitlines()[-1])["new_flags"] == 0


def test_evaluate_prints_metrics(nlp_cli):
    result = CliRunner().invoke(nlp_cli, ["nlp", "evaluate"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)
    assert metrics["split"] == "holdout" and metrics["classifier"]["macro_f1"] >= 0.9


def test_evaluate_takes_the_final_split(nlp_cli):
    result = CliRunner().invoke(nlp_cli, ["nlp", "evaluate", "--split", "final"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)
    assert metrics["split"] == "final" and metrics["classifier"]["n"] > 0 and metrics["roles"]
