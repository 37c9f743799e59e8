"""Closing a crawl run survives a database that is briefly away (a restart refuses connections)."""

import pytest
from sqlalchemy.exc import OperationalError

from models import CrawlRun, RunStatus, runs, session_scope
from models.runs import finish_run, start_run
from models.session import make_engine


def test_finish_run_retries_refused_connections_then_gives_up(monkeypatch):
    waits = []
    monkeypatch.setattr(runs.time, "sleep", waits.append)
    refused = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/nowhere", connect_args={"connect_timeout": 2})
    with pytest.raises(OperationalError):
        finish_run(refused, 1, RunStatus.FAILED, "x", attempts=3, wait_s=0.5)
    assert waits == [0.5, 0.5]


def test_finish_run_records_status_when_the_database_answers(engine):
    run_id, _ = start_run(engine, "bluesky", {})
    finish_run(engine, run_id, RunStatus.COMPLETED, item_counts={"like": 3})
    with session_scope(engine) as session:
        run = session.get(CrawlRun, run_id)
        assert run.status == RunStatus.COMPLETED and run.item_counts == {"like": 3} and run.finished_at
