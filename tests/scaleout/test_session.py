"""The scale-out session in Redis (crawler/scaleout.py): join, shared start, dead workers, clean-up."""

from __future__ import annotations

import time

import redis
from scrapy.settings import Settings

from crawler.scaleout import HEARTBEAT_TTL, Session


def test_session_join_dead_worker_and_fresh_start(redis_url):
    settings = Settings({"REDIS_URL": redis_url})
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    client.set("bluesky:dupefilter", "left by an earlier crawl")
    first = Session(settings, "bluesky")
    started = first.join()
    assert not client.exists("bluesky:dupefilter")  # a fresh session clears what the last crawl left
    second = Session(settings, "bluesky")
    assert second.join() == started  # joins: removals of both runs count from the same start
    assert second.others_busy()
    # The first worker dies holding requests: its heartbeat stops and goes stale.
    first._stop.set()
    client.hset(first.workers_key, first.worker_id, time.time() - HEARTBEAT_TTL - 1)
    assert not second.others_busy() and second.lost
    assert second.leave() is True  # the survivor's run must not report completed
    assert not client.exists(second.workers_key, second.started_key, "bluesky:dupefilter")
    third = Session(settings, "bluesky")
    third.join()
    assert not third.lost  # a new session starts clean
    assert third.leave() is False
