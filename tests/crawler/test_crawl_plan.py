"""Crawl planning (crawler.plan): a request is validated when made, then planned into spider arguments."""

from __future__ import annotations

import pytest

from crawler.plan import CrawlRequest, NothingToCrawl, PlanError, plan_crawl, request_for_job


@pytest.mark.parametrize(("source", "options", "message"), [
    ("twitter", {}, "unknown crawl source 'twitter' \\(known: bluesky, mastodon\\)"),
    ("bluesky", {"instance": "https://m.example"}, "option 'instance' is for mastodon jobs, not bluesky"),
    ("mastodon", {"instance": "https://m", "appview": "https://a"}, "option 'appview' is for bluesky jobs"),
    ("bluesky", {"colour": "red"}, "unknown option 'colour' for bluesky crawls \\(known: appview, plc, concurrency"),
    ("bluesky", {"concurrency": 2.5}, "option 'concurrency' must be a whole number"),
    ("bluesky", {"delay": True}, "option 'delay' must be a number, not True"),
    ("bluesky", {"appview": 5}, "option 'appview' must be a URL"),
    ("mastodon", {}, "mastodon crawls need the option 'instance'"),
])
def test_a_request_names_what_is_wrong(source, options, message):
    with pytest.raises(PlanError, match=message):
        CrawlRequest(source, ("a.test",), options=options)
    assert issubclass(PlanError, ValueError)


def test_job_targets_are_checked():
    for targets, message in (({"actors": ["a"], "registery": True}, "unknown target 'registery'"),
                             ({"registry": "yes"}, "target 'registry' must be true or false"),
                             ({"actors": [""]}, "target 'actors' must be a list of handles"),
                             ([], "targets must be an object")):
        with pytest.raises(PlanError, match=message):
            request_for_job("bluesky", targets, {}, None)
    with pytest.raises(NothingToCrawl):
        request_for_job("bluesky", {"profile": True}, {}, None)  # no profile to take candidates from
    request = request_for_job("mastodon", {"accounts": ["x@m"], "profile": False}, {"instance": "https://m"}, "/p")
    assert request == CrawlRequest("mastodon", ("x@m",), None, False, {"instance": "https://m"})


def test_planning_reads_the_registry_only_when_asked(tmp_path):
    asked = []
    plan = plan_crawl(CrawlRequest("bluesky", ("A.test", "@a.test")), lambda: asked.append(1))
    assert plan.targets == ["a.test"] and asked == [] and plan.settings == {}
    bad = tmp_path / "profile.yaml"
    bad.write_text("election: {}\n")
    with pytest.raises(PlanError, match="election"):
        plan_crawl(CrawlRequest("bluesky", profile=str(bad)), lambda: None)
    with pytest.raises(NothingToCrawl, match="nothing to crawl"):
        plan_crawl(CrawlRequest("bluesky"), lambda: None)
