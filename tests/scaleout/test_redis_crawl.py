"""Scale-out: two crawler processes share one scrapy-redis queue and duplicate filter and one database.

Two real `netral crawl bluesky` processes crawl a synthetic sample network (200 posts, 30,000 likes and
reposts) with REDIS_URL set, into the test database (PostgreSQL with NETRAL_TEST_DATABASE_URL, else one
SQLite file in WAL mode). Every like and repost must be stored exactly once and none lost; each process
must have taken a real share of the requests; the session's Redis keys must be gone afterwards.
Each answer takes 40 ms, as over a real network. On loopback the crawl took about 2 s, and a process
that finds the shared queue empty looks again only at Scrapy's 5 s engine heartbeat, so one process
could finish nearly everything before the other took its first request.
"""

from __future__ import annotations

import pytest
import redis

from samplenet import Faults, SampleNetwork
from samplenet.synthetic import build
from tests.faults.common import crawl_env, expected, netral_crawl, runs, stored

SCENARIO = build(30_000)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_two_crawler_processes_store_every_item_once(engine, db_url, redis_url):
    want = expected(SCENARIO)
    env = crawl_env(db_url, REDIS_URL=redis_url)
    with SampleNetwork(SCENARIO, rate_limits={}, faults=Faults(latency_s=0.04)) as net:
        procs = [netral_crawl(net.url, env) for _ in range(2)]
        outputs = [p.communicate(timeout=240) for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err[-3000:]
        assert ": completed." in out, out + err[-2000:]

    got = stored(db_url)
    assert {k: got[k] for k in want} == want  # none lost
    assert got["removed"] == 0 and got["distinct"] == got["like"] + got["repost"]

    crawl_runs = runs(engine)
    assert len(crawl_runs) == 2 and all(r.status.value == "completed" for r in crawl_runs)
    # Exactly once: each like and repost was fetched and stored by one process only (the shared duplicate
    # filter let no listing page be crawled twice), so the runs' counts add up to the scenario's.
    for kind in ("like", "repost"):
        assert sum((r.item_counts or {}).get(kind, 0) for r in crawl_runs) == want[kind], \
            [r.item_counts for r in crawl_runs]
    # Both processes did real work.
    total = want["like"] + want["repost"]
    shares = [(r.item_counts or {}).get("like", 0) + (r.item_counts or {}).get("repost", 0) for r in crawl_runs]
    assert min(shares) >= total * 0.1, shares
    # The last process out cleared the session: the next crawl starts afresh.
    client = redis.Redis.from_url(redis_url)
    assert not client.exists("netral:bluesky:workers", "netral:bluesky:started", "bluesky:dupefilter")
