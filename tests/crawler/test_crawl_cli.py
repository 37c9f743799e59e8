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


def test_the_commands_plan_through_crawler_plan_and_print_the_summary(netral_env, monkeypatch):
    import crawler.cli
    from crawler.result import CrawlResult

    planned = []

    def run_plan(plan, db_url, progress=None):
        planned.append(plan)
        return CrawlResult(5, "completed", {"like": 2}, {}, "finished")

    monkeypatch.setattr(crawler.cli, "run_plan", run_plan)
    result = CliRunner().invoke(cli, ["crawl", "bluesky", "--actor", "@Kandidat.test", "--delay", "0"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["Crawling Bluesky: 1 target(s) post-centric, 0 account(s) account-centric",
                                          "Run 5: completed. Stored: like 2. Errors: none."]
    [plan] = planned
    assert plan.spider_args["actors"] == ["kandidat.test"] and plan.settings == {"DOWNLOAD_DELAY": 0.0}
    result = CliRunner().invoke(cli, ["crawl", "mastodon", "--instance", "https://sawah.test", "--account", "a@b",
                                      "--token", "s3cret"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Crawling https://sawah.test: 1 target(s) post-centric, 0 account(s)\n")
    assert planned[1].spider_args["token"] == "s3cret" and planned[1].parameters["token"] is True
    assert "s3cret" not in repr(planned[1])
    monkeypatch.setattr(crawler.cli, "run_plan", lambda *a, **k: CrawlResult(6, "failed", finish_reason="shutdown"))
    result = CliRunner().invoke(cli, ["crawl", "bluesky", "--actor", "a.test"])
    assert result.exit_code == 1 and "crawl run 6 failed (shutdown)" in result.output
