"""Store stage: where the database is, and engines and sessions configured alike for SQLite and PostgreSQL."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

DATABASE_URL_ENV = "NETRAL_DATABASE_URL"
INSTANCE_DIR_ENV = "NETRAL_INSTANCE_DIR"
SQLITE_BUSY_TIMEOUT_S = 30
# SQLite file connections are cheap (a file handle) and its own lock, not the pool, serialises writers;
# a request holds its read session and a write scope at once, so a burst of logins needs two connections
# each. A bounded pool (the default is 5 + 10) made the 16th concurrent request wait 30 s and then fail.
SQLITE_POOL_SIZE = 10
SQLITE_MAX_OVERFLOW = -1  # no limit


def instance_dir() -> Path:
    """Return the folder for local state (the SQLite file, secret key, exports), creating it on first use.

    It is owner-only (0700; made so if we own it), whatever the umask: what is inside stays private.
    """
    path = Path(os.environ.get(INSTANCE_DIR_ENV) or "instance").resolve()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    _owner_only(path, 0o700)
    return path


def instance_secret(name: str) -> str:
    """Return the random secret kept in the instance folder's file `name`, creating it (mode 0600) once."""
    path = instance_dir() / name
    if not path.exists():
        # Written aside, then linked into place: processes starting together all end up reading one secret.
        tmp = path.with_name(f".{name}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


def _owner_only(path: Path, mode: int) -> None:
    try:
        info = path.stat()
        if info.st_uid == os.getuid() and info.st_mode & 0o777 != mode:
            path.chmod(mode)
    except OSError:
        pass  # not ours to change


def _create_sqlite_file(database: str) -> None:
    """Create the SQLite file owner-only (0600) before SQLite does (it would follow the umask); its -wal and
    -shm files take the same mode. A new parent folder is 0700."""
    path = Path(database)
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def database_url() -> str:
    """Return NETRAL_DATABASE_URL, or an SQLite file in the instance folder."""
    url = os.environ.get(DATABASE_URL_ENV)
    if url:
        return url
    return f"sqlite:///{instance_dir() / 'netral.db'}"


def _configure_sqlite(engine: Engine) -> None:
    """Give SQLite real transactions: WAL, a busy timeout, foreign keys, and BEGIN emitted by us.

    pysqlite does not begin a transaction before a SELECT, so read-then-write transactions silently lose
    updates under concurrent writers. We turn its own handling off and issue BEGIN ourselves; a session
    bound to `immediate(engine)` issues BEGIN IMMEDIATE, taking the write lock before it reads.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = conn.get_execution_options().get("netral_begin", "")
        try:
            conn.exec_driver_sql(f"BEGIN {mode}".strip())
        except Exception:
            # A connection whose BEGIN failed would run without a transaction: never reuse it.
            conn.invalidate()
            raise


def make_engine(url: str | None = None, **kwargs) -> Engine:
    """Create an engine for the given URL (default: database_url()) with Netral's settings."""
    url = url or database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            _create_sqlite_file(parsed.database)
        kwargs.setdefault("connect_args", {}).setdefault("timeout", SQLITE_BUSY_TIMEOUT_S)
        if parsed.database and parsed.database != ":memory:" and "poolclass" not in kwargs:
            kwargs.setdefault("pool_size", SQLITE_POOL_SIZE)
            kwargs.setdefault("max_overflow", SQLITE_MAX_OVERFLOW)
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def immediate(engine: Engine) -> Engine:
    """Return the engine in write-first mode: BEGIN IMMEDIATE on SQLite (PostgreSQL is unchanged).

    Use it for read-then-write transactions (claims, decisions, audit appends) so concurrent writers
    wait for each other instead of overwriting each other.
    """
    if engine.dialect.name == "sqlite":
        return engine.execution_options(netral_begin="IMMEDIATE")
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return a sessionmaker whose objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine, write: bool = False) -> Iterator[Session]:
    """Yield a session that commits on success and rolls back on error.

    write=True serialises the transaction against other writers (see `immediate`).
    """
    bind = immediate(engine) if write else engine
    with Session(bind=bind, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
