"""Scale-out test fixtures: a Redis database of the test's own."""

from __future__ import annotations

import uuid

import pytest
import redis

REDIS = "redis://127.0.0.1:6379"


@pytest.fixture
def redis_url():
    """A Redis database of our own (empty, cleared afterwards), so parallel runs cannot share a queue."""
    try:
        redis.Redis.from_url(REDIS).ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis on 127.0.0.1:6379: {exc}")
    for db in range(15, 0, -1):
        client = redis.Redis.from_url(f"{REDIS}/{db}")
        # Claim the database atomically: only an empty one, marked with our token.
        token = uuid.uuid4().hex
        if client.dbsize() == 0 and client.set("netral-test:claim", token, nx=True):
            if client.dbsize() == 1:
                yield f"{REDIS}/{db}"
                client.flushdb()
                return
            client.delete("netral-test:claim")
    pytest.skip("no empty Redis database to use")
