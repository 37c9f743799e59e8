"""Scheduler with the real steps: the crawl in a child process against the sample network, then NLP."""

from __future__ import annotations

import multiprocessing

from sqlalchemy import func, select

from crawler.plan import CrawlRequest, plan_crawl
from crawler.result import CrawlResult
from models.jobs import CrawlJob, CrawlRun
from models.review import Classification
from models.session import session_scope
from models.social import Interaction
from samplenet import SampleNetwork, parse_scenario
from scheduler.crawl import crawl_request, crawl_step
from scheduler.runner import Scheduler
from tests.conftest import ROOT
from tests.samplenet.test_samplenet import SMALL

PROFILE = str(ROOT / "examples" / "profile.yaml")


def test_a_job_plans_the_crawl_the_cli_would(engine):
    job = crawl_request("bluesky", {"actors": ["@A.test"], "registry": True},
                        {"appview": "http://x", "delay": 0, "concurrency": "8", "timeout_s": 60}, PROFILE)
    # What `netral crawl bluesky --actor @A.test --profile ... --registry --appview http://x --delay 0
    # --concurrency 8` asks for (Click's types; unset options None).
    cli = CrawlRequest("bluesky", ("@A.test",), PROFILE, True, {"appview": "http://x", "plc": None,
                       "recheck_days": None, "concurrency": 8, "delay": 0.0})
    assert job == cli
    plan = plan_crawl(job, lambda: engine)
    assert plan == plan_crawl(cli, lambda: engine)
    assert "a.test" in plan.targets and plan.accounts == [] and len(plan.targets) > 1  # the profile's too
    assert plan.spider_args == {"actors": plan.targets, "accounts": [], "appview": "http://x", "plc": None,
                                "recheck_days": None}
    assert plan.settings == {"CONCURRENT_REQUESTS_PER_DOMAIN": 8, "DOWNLOAD_DELAY": 0.0}
    mastodon = plan_crawl(crawl_request("mastodon", {"profile": False, "accounts": ["x@m"]}, {"instance": "http://m"},
                                        PROFILE), lambda: engine)
    assert mastodon.targets == ["x@m"] and mastodon.parameters["token"] is False
    assert mastodon.describe() == "Crawling http://m: 1 target(s) post-centric, 0 account(s)"


def test_the_crawl_step_returns_the_result_of_a_real_child_process(engine):
    with SampleNetwork(parse_scenario(SMALL), rate_limits={}) as net:
        result = crawl_step(engine, "bluesky", {"actors": ["cand01.test"], "profile": False},
                            {"appview": net.url, "plc": net.url, "delay": 0}, None)
    assert isinstance(result, CrawlResult) and result.status == "completed", result
    assert result.item_counts.get("like") == 8 and result.finish_reason == "finished"
    with session_scope(engine) as session:
        run = session.get(CrawlRun, result.run_id)
        assert run.status.value == "completed" and run.item_counts == result.item_counts
        assert run.parameters["actors"] == ["cand01.test"]
    assert multiprocessing.active_children() == []


def test_a_real_crawl_past_its_timeout_is_a_failed_job(engine):
    with session_scope(engine, write=True) as session:
        session.add(CrawlJob(name="slow", source="bluesky", targets={"actors": ["cand01.test"], "profile": False},
                             options={"appview": "http://127.0.0.1:9", "timeout_s": 0.5},
                             schedule={"default": "1h"}, consecutive_failures=0))
    [outcome] = Scheduler(engine).run_pending()  # a child cannot even load Scrapy in half a second
    assert not outcome.ok and "timed out after 0.5s" in outcome.error
    with session_scope(engine) as session:
        assert all(run.status.value != "running" for run in session.scalars(select(CrawlRun)))


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
        assert session.get(CrawlJob, 1).last_run_id == run.id
        assert session.scalar(select(func.count()).select_from(Interaction)) >= 10
        assert session.scalar(select(func.count()).select_from(Classification)) > 0
