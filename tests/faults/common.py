"""Shared by the fault and scale-out tests: a synthetic sample network's known counts, crawler processes
run as the operator runs them (`netral crawl bluesky` or crawler.run.run_crawl in a child process), and a
count of what the store holds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

from sqlalchemy import create_engine, func, select

from models.jobs import CrawlRun
from models.session import session_scope
from models.social import Interaction, Post
from samplenet.scenario import Scenario
from tests.conftest import ROOT

CANDIDATES = ["paslon01.test", "paslon02.test"]


def expected(scenario: Scenario) -> dict[str, int]:
    """What a complete post-centric crawl of the candidates stores: every like and repost, every post."""
    kinds = Counter(i.kind for i in scenario.interactions)
    return {"like": kinds["like"], "repost": kinds["repost"], "post": len(scenario.posts)}


def stored(db_url: str) -> dict[str, int]:
    """Rows in the store: interactions per kind (live, removed, distinct natural keys) and posts."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            kinds = dict(conn.execute(select(Interaction.kind, func.count()).group_by(Interaction.kind)).all())
            removed = conn.execute(select(func.count()).select_from(Interaction)
                                   .where(Interaction.removed_at.is_not(None))).scalar()
            distinct = conn.execute(select(func.count()).select_from(
                select(Interaction.kind, Interaction.actor_account_id, Interaction.target_post_id).distinct()
                .subquery())).scalar()
            posts = conn.execute(select(func.count()).select_from(Post)).scalar()
    finally:
        engine.dispose()
    return {"like": kinds.get(_kind("like"), 0), "repost": kinds.get(_kind("repost"), 0), "post": posts,
            "removed": removed, "distinct": distinct}


def _kind(name: str):
    from models.base import InteractionKind

    return InteractionKind(name)


def crawl_env(db_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL",)}
    return env | {"NETRAL_DATABASE_URL": db_url, "NETRAL_LOG_LEVEL": "WARNING",
                  "NETRAL_CONCURRENT_REQUESTS": "8"} | extra


def netral_crawl(net_url: str, env: dict[str, str]) -> subprocess.Popen:
    """Start `netral crawl bluesky` (post-centric, both candidates) against the sample network."""
    argv = [sys.executable, "-c", "from netral.cli import cli; cli(prog_name='netral')", "crawl", "bluesky",
            *[a for c in CANDIDATES for a in ("--actor", c)], "--appview", net_url, "--plc", net_url,
            "--delay", "0", "--concurrency", "8"]
    return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


RUN_CRAWL = """
import json, sys
from crawler.run import run_crawl
args = json.loads(sys.argv[1])
result = run_crawl("bluesky", args["spider"], parameters={"test": True}, db_url=args["db"], settings=args["settings"])
print(json.dumps({"run_id": result.run_id, "status": result.status, "items": result.item_counts,
                  "errors": result.error_counts}))
"""


def run_crawl_child(net_url: str, db_url: str, settings: dict, timeout: float = 150) -> dict:
    """crawler.run.run_crawl in a child process (one reactor per process), with Scrapy settings."""
    args = {"spider": {"actors": CANDIDATES, "appview": net_url, "plc": net_url}, "db": db_url,
            "settings": {"DOWNLOAD_DELAY": 0, "CONCURRENT_REQUESTS_PER_DOMAIN": 8, **settings}}
    done = subprocess.run([sys.executable, "-c", RUN_CRAWL, json.dumps(args)], cwd=ROOT, env=crawl_env(db_url),
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def runs(engine) -> list[CrawlRun]:
    with session_scope(engine) as session:
        return list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))
