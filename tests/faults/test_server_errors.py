"""A server answering 30% 5xx and random 429s: the crawl completes with every item of a known scenario.

tests/samplenet/test_faults.py runs the same faults on the demo scenario with the default retry budget (a run
that gives a request up ends failed and its rerun completes) and compares with a clean recrawl; here the
crawl gets a larger retry budget with short backoff and is compared with the scenario's own counts.
"""

from __future__ import annotations

import pytest

from samplenet import Faults, SampleNetwork
from samplenet.synthetic import build
from tests.faults.common import expected, run_crawl_child, stored

SCENARIO = build(10_000)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_thirty_percent_server_errors_and_random_429s_lose_nothing(db_url):
    faults = Faults(error_rate=0.3, rate_limit_rate=0.05, retry_after_s=1, seed=11)
    with SampleNetwork(SCENARIO, rate_limits={}, faults=faults) as net:
        result = run_crawl_child(net.url, db_url, {"NETRAL_RETRY_TIMES": 10, "NETRAL_BACKOFF_BASE": 0.05,
                                                   "NETRAL_BACKOFF_MAX": 0.5, "NETRAL_RATE_LIMIT_RETRIES": 10},
                                 timeout=240)
        injected = net.stats
    assert injected["server_errors"] >= 100 and injected["rate_limited"] >= 10, injected
    assert result["status"] == "completed", result
    assert result["errors"] == {}, result  # every failed answer was retried to success
    want = expected(SCENARIO)
    got = stored(db_url)
    assert {k: got[k] for k in want} == want
    assert got["distinct"] == got["like"] + got["repost"] and got["removed"] == 0
