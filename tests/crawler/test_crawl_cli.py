"""`netral crawl` argument handling and `netral crawl runs`."""

from __future__ import annotations

from click.testing import CliRunner

from models.base import RunStatus
from models.runs import finish_run, start_run
from netral.cli import cli


def test_crawl_needs_targets(netral_env):
    result = CliRunner().invoke(cli, ["crawl", "bluesky"])
    assert result.exit_code == 2 and "nothing to crawl" in result.output
    result = CliRunner().invoke(cli, ["crawl", "mastodon", "--instance", "https://sawah.test"])
    assert result.exit_code == 2 and "nothing to crawl" in result.output


def test_bad_profile_is_reported(netral_env, tmp_path):
    bad = tmp_path / "profile.yaml"
    bad.write_text("election: {}\n")
    result = CliRunner().invoke(cli, ["crawl", "bluesky", "--profile", str(bad)])
    assert result.exit_code == 1 and "election" in result.output


def test_runs_lists_counts_and_errors(netral_env, engine):
    run_id, _ = start_run(engine, "bluesky", {"actors": ["kandidat.test"]})
    finish_run(engine, run_id, RunStatus.COMPLETED, item_counts={"like": 3, "post": 1},
               error_counts={"http_404": 2})
    start_run(engine, "import", {"file": "x.jsonl"})
    result = CliRunner().invoke(cli, ["crawl", "runs"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "import" in lines[0] and "running" in lines[0]
    assert "bluesky" in lines[1] and "completed" in lines[1] and "like 3, post 1" in lines[1]
    assert "http_404 2" in lines[1]
    only = CliRunner().invoke(cli, ["crawl", "runs", "--source", "import"])
    assert len(only.output.splitlines()) == 1
