"""Scheduler with the real steps: `netral crawl` in a child process against the sample network, then NLP."""

from __future__ import annotations

import click
import pytest
from sqlalchemy import func, select

from models.jobs import CrawlJob, CrawlRun
from models.review import Classification
from models.session import session_scope
from models.social import Interaction
from samplenet import SampleNetwork, parse_scenario
from scheduler.runner import Scheduler
from scheduler.steps import crawl_command
from tests.conftest import ROOT
from tests.samplenet.test_samplenet import SMALL

PROFILE = str(ROOT / "examples" / "profile.yaml")


def test_crawl_command_maps_a_job():
    args = crawl_command("bluesky", {"actors": ["a.test"], "registry": True}, {"appview": "http://x", "delay": 0},
                         PROFILE)
    assert args == ["crawl", "bluesky", "--actor", "a.test", "--profile", PROFILE, "--registry",
                    "--appview", "http://x", "--delay", "0"]
    assert crawl_command("mastodon", {"profile": False}, {"instance": "http://m"}, PROFILE) == \
        ["crawl", "mastodon", "--instance", "http://m"]
    with pytest.raises(click.ClickException, match="'instance' is for mastodon jobs"):
        crawl_command("bluesky", {}, {"instance": "http://m"}, None)


def test_a_job_crawls_the_sample_network_then_classifies_and_flags(engine):
    with SampleNetwork(parse_scenario(SMALL), rate_limits={}) as net:
        with session_scope(engine, write=True) as session:
            session.add(CrawlJob(name="tiny", source="bluesky", targets={"actors": ["cand01.test"], "profile": False},
                                 options={"appview": net.url, "plc": net.url, "delay": 0},
                                 schedule={"default": "1h"}, consecutive_failures=0))
        [outcome] = Scheduler(engine).run_pending()
    assert outcome.ok, outcome.error
    with session_scope(engine) as session:
        run = session.get(CrawlRun, outcome.run_id)
        assert run.status.value == "completed" and run.item_counts.get("like") == 8
        assert session.scalar(select(func.count()).select_from(Interaction)) >= 10
        assert session.scalar(select(func.count()).select_from(Classification)) > 0
