"""1,000 malformed payload items mixed into the listings: all counted in the run's errors, none stored."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from samplenet import Faults, SampleNetwork
from samplenet.synthetic import build
from tests.faults.common import expected, run_crawl_child, stored

# 1,200 posts with a few likes and reposts each: about 2,500 listing pages, so 1,000 of them get a bad item.
SCENARIO = build(20_000, posts_per_candidate=600)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_thousand_malformed_items_are_counted_and_never_stored(db_url):
    faults = Faults(malformed=1000, malformed_rate=1.0, seed=7)
    with SampleNetwork(SCENARIO, rate_limits={}, faults=faults) as net:
        result = run_crawl_child(net.url, db_url, {}, timeout=240)
        injected = net.stats["malformed_items"]
    assert injected == 1000
    assert result["status"] == "completed", result
    assert sum(result["errors"].values()) >= injected, (injected, result["errors"])
    want = expected(SCENARIO)
    got = stored(db_url)
    assert {k: got[k] for k in want} == want  # every real item, no extra row
    assert got["distinct"] == got["like"] + got["repost"] and got["removed"] == 0
    engine = create_engine(db_url)
    with engine.connect() as conn:  # no broken copy became (or overwrote) the evidence of a real row
        for broken in ("kemarin sore", "not-an-at-uri", "not a time"):
            for table in ("post", "interaction", "account"):
                column = "raw_json" if table != "account" else "handle"
                assert conn.execute(text(f"SELECT count(*) FROM {table} WHERE {column} LIKE :p"),
                                    {"p": f"%{broken}%"}).scalar() == 0, (table, broken)
    engine.dispose()
