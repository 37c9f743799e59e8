"""Crawl a Mastodon fixture instance on loopback with `netral crawl mastodon`: Link paging, 429 with
Retry-After, 401, 503 and a malformed status; then again after an un-favourite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Account, CrawlRun, Interaction, Platform, Post
from tests.crawler.mastodon_server import MastodonFixture
from tests.factories import make_person

NETRAL = str(Path(sys.executable).with_name("netral"))
H = "https://sawah.test"


def crawl(db_url: str, instance: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [NETRAL, "crawl", "mastodon", "--instance", instance, "--account", "bersinar01", "--account", "rahasia",
         "--registry", "--delay", "0", "--concurrency", "4"],
        env=dict(os.environ, NETRAL_DATABASE_URL=db_url), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def interactions(session: Session) -> set[tuple]:
    rows = session.execute(select(Interaction.kind, Account.handle, Post.platform_id, Interaction.removed_at)
                           .join(Account, Account.id == Interaction.actor_account_id)
                           .join(Post, Post.id == Interaction.target_post_id)).all()
    return {(k.value, h.split("@")[0], p.rsplit("/", 1)[-1], r is not None) for k, h, p, r in rows}


EXPECTED = {
    ("like", "asn_dinas", "101"), ("like", "warga", "101"), ("like", "guru_asn", "101"),
    ("repost", "asn_dinas", "101"), ("reply", "asn_dinas", "101"), ("reply", "guru_asn", "101"),
    ("repost", "bersinar01", "800"), ("reply", "bersinar01", "900"),
}


def test_mastodon_crawl_faults_paging_and_removal(netral_env, engine):
    with Session(engine) as session:  # the registry knows the civil servant by acct only
        account = Account(platform=Platform.MASTODON, platform_id=None, handle="asn_dinas")
        session.add(account)
        session.flush()
        make_person(session, account)
        session.commit()
        registry_id = account.id

    with MastodonFixture() as server:
        result = crawl(netral_env, server.url)
        assert "429 from 127.0.0.1" in result.stderr  # waited as told, then retried
        assert "/api/v1/accounts/1/statuses?limit=40&max_id=110763410716341234" in server.requests  # from Link
        assert server.hits["/api/v1/statuses/101/favourited_by"] == 3  # 429, page 1, page 2
        assert server.hits["/api/v1/statuses/101/reblogged_by"] == 2  # 503, then the answer
        with Session(engine) as session:
            assert interactions(session) == {(*e, False) for e in EXPECTED}
            # favourited_by lists accounts only: a favourite's time is unknown, never the capture time.
            times = session.execute(select(Interaction.kind, Interaction.occurred_at, Interaction.first_seen_at)).all()
            assert {t for k, t, _seen in times if k.value == "like"} == {None}
            assert all(t is not None for k, t, _seen in times if k.value == "reply")
            run = session.scalars(select(CrawlRun)).one()
            assert run.status.value == "completed"
            assert run.error_counts == {"http_401": 1, "malformed_status": 1}
            assert run.parameters["token"] is False
            campaign = session.scalar(select(Post).where(Post.platform_id == f"{H}/users/bersinar01/statuses/101"))
            assert campaign.text == "Ayo coblos nomor 1! #Bersinar01\nBersama Bang Budi"  # no markup, no script
            assert "<script>" in campaign.raw_json  # the evidence stays verbatim
            reply = session.scalar(select(Post).where(Post.platform_id == f"{H}/users/asn_dinas/statuses/201"))
            assert reply.text == "Siap dukung 01 evil" and reply.reply_to_platform_id == campaign.platform_id
            answer = session.scalar(select(Post).where(Post.platform_id == f"{H}/users/bersinar01/statuses/103"))
            assert answer.reply_to_platform_id == f"{H}/users/warga/statuses/900"
            asn = session.scalars(select(Account).where(Account.handle.like("asn_dinas%"))).all()
            assert [(a.id, a.platform_id, a.handle) for a in asn] == [
                (registry_id, f"{H}/users/asn_dinas", "asn_dinas@sawah.test")]

        server.unfavourite = {"warga"}
        server.flaky = False
        crawl(netral_env, server.url)
        with Session(engine) as session:
            expected = {(*e, e == ("like", "warga", "101")) for e in EXPECTED}
            assert interactions(session) == expected
            assert len(session.scalars(select(Interaction)).all()) == len(EXPECTED)
