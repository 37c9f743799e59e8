"""Shared test fixtures: a migrated database per test, on SQLite by default or PostgreSQL when asked.

Set NETRAL_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test to run the suite on
PostgreSQL: the session creates its own throwaway database next to that one and drops it at the end.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from models import Base
from models.migrate import upgrade
from models.session import make_engine

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TEST_DB_ENV = "NETRAL_TEST_DATABASE_URL"


def _is_postgres() -> bool:
    return os.environ.get(TEST_DB_ENV, "").startswith("postgresql")


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Migrate one database for the whole session: an SQLite file to copy, or a PostgreSQL database."""
    if not _is_postgres():
        path = tmp_path_factory.mktemp("template") / "netral.db"
        upgrade(f"sqlite:///{path}")
        yield path
        return
    admin_url = make_url(os.environ[TEST_DB_ENV])
    name = f"netral_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name})
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture
def db_url(database_template, tmp_path) -> str:
    """A migrated, empty database for one test."""
    if isinstance(database_template, Path):
        path = tmp_path / "netral.db"
        shutil.copy(database_template, path)
        return f"sqlite:///{path}"
    engine = create_engine(database_template)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        # TRUNCATE does not fire the append-only row triggers, so the audit tables empty too.
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return database_template


@pytest.fixture
def engine(db_url):
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def db_session(engine):
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def netral_env(db_url, monkeypatch, tmp_path):
    """Point the CLI and app at the test database and a private instance folder."""
    monkeypatch.setenv("NETRAL_DATABASE_URL", db_url)
    monkeypatch.setenv("NETRAL_INSTANCE_DIR", str(tmp_path / "instance"))
    return db_url


REDIS_TEST = "redis://127.0.0.1:6379"


@pytest.fixture
def redis_url():
    """A Redis database of our own (empty, cleared afterwards), so parallel runs cannot share a queue."""
    try:
        redis.Redis.from_url(REDIS_TEST).ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis on 127.0.0.1:6379: {exc}")
    for db in range(15, 0, -1):
        client = redis.Redis.from_url(f"{REDIS_TEST}/{db}")
        # Claim the database atomically: only an empty one, marked with our token.
        token = uuid.uuid4().hex
        if client.dbsize() == 0 and client.set("netral-test:claim", token, nx=True):
            if client.dbsize() == 1:
                yield f"{REDIS_TEST}/{db}"
                client.flushdb()
                return
            client.delete("netral-test:claim")
    pytest.skip("no empty Redis database to use")
