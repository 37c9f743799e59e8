"""Review stage: one engine per application and a read session per request.

Reads use the request session (g.db); read-then-write actions (claims, decisions, registry edits) open
their own `session_scope(engine, write=True)` so they serialise against other writers.
"""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from models.session import make_engine


def init_app(app: Flask) -> None:
    engine_ = make_engine(app.config["DATABASE_URL"])
    app.extensions["netral_engine"] = engine_
    # Page reads need no transaction on PostgreSQL: autocommit saves the BEGIN and ROLLBACK round trips
    # on every request. (SQLite keeps its explicit BEGIN; see models.session.)
    app.extensions["netral_read_engine"] = (
        engine_.execution_options(isolation_level="AUTOCOMMIT") if engine_.dialect.name == "postgresql" else engine_
    )
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    """Return this application's engine."""
    return current_app.extensions["netral_engine"]


def db() -> Session:
    """Return the request's read session, opening it on first use."""
    if "db" not in g:
        g.db = Session(current_app.extensions["netral_read_engine"], expire_on_commit=False)
    return g.db


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()
