"""End-to-end: crawl a real Bluesky network (@atproto/dev-env on 127.0.0.1) both ways, three times.

Needs scripts/install-bluesky-network.sh, PostgreSQL and Redis for the network (see net.py). Crawls run
as `netral crawl bluesky` subprocesses, exactly as an operator runs them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Account, CrawlRun, Interaction, Platform, Post
from models.evidence import sha256_text
from tests.e2e.bluesky_network import net as bsky_net
from tests.e2e.bluesky_network import scenario
from tests.factories import make_person

pytestmark = pytest.mark.slow
NETRAL = str(Path(sys.executable).with_name("netral"))


@pytest.fixture(scope="module")
def network():
    problem = bsky_net.installed()
    if problem:
        pytest.skip(problem)
    network = bsky_net.BlueskyNetwork.start()
    try:
        yield network
    finally:
        network.stop()


def crawl(db_url: str, network, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, NETRAL_DATABASE_URL=db_url)
    result = subprocess.run(
        [NETRAL, "crawl", "bluesky", "--appview", network.appview, "--plc", network.plc, "--delay", "0",
         "--concurrency", "8", *args], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def stored(session: Session, world: scenario.World) -> list[tuple]:
    """Every stored interaction as (kind, actor name, target name, own post name, removed?)."""
    names = {a.did: n for n, a in world.actors.items()}
    posts = {rec["uri"]: n for n, rec in world.records.items()}
    rows = session.execute(
        select(Interaction.kind, Account.platform_id, Post.platform_id, Interaction.own_post_id,
               Interaction.removed_at)
        .join(Account, Account.id == Interaction.actor_account_id).join(Post, Post.id == Interaction.target_post_id)
    ).all()
    out = []
    for kind, did, target, own_id, removed in rows:
        own = session.get(Post, own_id).platform_id if own_id else None
        out.append((kind.value, names.get(did, did), posts.get(target, target), posts.get(own, own),
                    removed is not None))
    return sorted(out, key=lambda r: tuple(str(x) for x in r))


def test_crawl_both_ways_exactly_once_then_removals(network, db_url, engine):
    world = scenario.build(network)
    # The registry knows the civil servants by handle only; the crawl must fill in their DIDs.
    with Session(engine) as session:
        for name in ("asnsatu", "asndua"):
            account = Account(platform=Platform.BLUESKY, platform_id=None, handle=f"{name}.test")
            session.add(account)
            session.flush()
            make_person(session, account, name=f"Pegawai {name}")
        session.commit()

    crawl(db_url, network, "--actor", "kandidatsatu.test", "--registry")
    expected = sorted(((k, a, t, o, False) for k, a, t, o in scenario.EXPECTED),
                      key=lambda r: tuple(str(x) for x in r))
    with Session(engine) as session:
        assert stored(session, world) == expected
        for name in ("asnsatu", "asndua"):  # reconciled, not duplicated
            rows = session.scalars(select(Account).where(Account.handle == f"{name}.test")).all()
            assert [(a.platform_id, len(a.links)) for a in rows] == [(world.actors[name].did, 1)]
        for item in session.scalars(select(Interaction)):
            assert item.raw_sha256 == sha256_text(item.raw_json) and item.fetched_at is not None
        like = session.scalars(select(Interaction).join(Account, Account.id == Interaction.actor_account_id)
                               .where(Account.handle == "asnsatu.test", Interaction.kind == "like")
                               .order_by(Interaction.id)).all()
        # The repository crawl supplies the like record's own URI (the AppView listing does not).
        assert {i.platform_id for i in like} == {world.records["like_asn"]["uri"], world.records["like_weather"]["uri"]}
        counts_before = (session.scalar(select(func.count()).select_from(Interaction)),
                         session.scalar(select(func.count()).select_from(Post)),
                         session.scalar(select(func.count()).select_from(Account)))

    crawl(db_url, network, "--actor", "kandidatsatu.test", "--registry")
    with Session(engine) as session:
        assert stored(session, world) == expected
        assert counts_before == (session.scalar(select(func.count()).select_from(Interaction)),
                                 session.scalar(select(func.count()).select_from(Post)),
                                 session.scalar(select(func.count()).select_from(Account)))

    asn, asndua = world.actors["asnsatu"], world.actors["asndua"]
    network.delete(asn, world.records["like_asn"]["uri"])
    network.delete(asndua, world.records["reply_asndua"]["uri"])
    network.process_all()
    crawl(db_url, network, "--actor", "kandidatsatu.test", "--registry")
    gone = {("like", "asnsatu", "campaign", None), ("reply", "asndua", "campaign", "reply_asndua")}
    with Session(engine) as session:
        now = sorted(((k, a, t, o, (k, a, t, o) in gone) for k, a, t, o in scenario.EXPECTED),
                     key=lambda r: tuple(str(x) for x in r))
        assert stored(session, world) == now
        reply_post = session.scalar(select(Post).where(Post.platform_id == world.records["reply_asndua"]["uri"]))
        assert reply_post.removed_at is not None and reply_post.raw_json  # kept as evidence, marked removed
        campaign = session.scalar(select(Post).where(Post.platform_id == world.records["campaign"]["uri"]))
        assert campaign.removed_at is None
        runs = session.scalars(select(CrawlRun).order_by(CrawlRun.id)).all()
        assert [r.status.value for r in runs] == ["completed"] * 3
        assert runs[-1].item_counts.get("removed", 0) >= 2 and runs[-1].cursor_state
