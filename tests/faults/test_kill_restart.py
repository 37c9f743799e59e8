"""A crawler process killed (SIGKILL) mid-run and started again: nothing lost, nothing doubled."""

from __future__ import annotations

import signal
import time

import pytest

from samplenet import SampleNetwork
from samplenet.synthetic import build
from tests.faults.common import crawl_env, expected, netral_crawl, runs, stored

SCENARIO = build(30_000)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_killed_crawler_restarted_loses_and_doubles_nothing(engine, db_url):
    want = expected(SCENARIO)
    env = crawl_env(db_url)
    with SampleNetwork(SCENARIO, rate_limits={}) as net:
        victim = netral_crawl(net.url, env)
        deadline = time.time() + 120
        while stored(db_url)["like"] < 3000:  # killed once a few batches are in, well before the end
            assert victim.poll() is None, "the crawl ended before it could be killed"
            assert time.time() < deadline, "nothing stored in 120 s"
            time.sleep(0.1)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
        partial = stored(db_url)
        rerun = netral_crawl(net.url, env)
        out, err = rerun.communicate(timeout=200)
    assert victim.returncode == -signal.SIGKILL
    assert 0 < partial["like"] < want["like"], partial
    assert rerun.returncode == 0 and ": completed." in out, out + err[-3000:]
    got = stored(db_url)
    assert {k: got[k] for k in want} == want  # nothing lost
    assert got["distinct"] == got["like"] + got["repost"] and got["removed"] == 0  # nothing doubled or removed
    killed, completed = runs(engine)
    assert killed.status.value == "running" and completed.status.value == "completed"
