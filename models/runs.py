"""Store stage: the bookkeeping of crawl runs: open a CrawlRun, close it, and what earlier runs reached.

Shared by the crawler (crawler/run.py, the store pipeline) and `netral import`.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import OperationalError

from models.base import RunStatus, utcnow
from models.jobs import CrawlRun
from models.session import immediate


def start_run(engine: Engine, source: str, parameters: dict, started_at: datetime | None = None
              ) -> tuple[int, datetime]:
    """Record a new running CrawlRun; return its id and start time.

    started_at: a scale-out worker's run starts with its session (removals are measured from there).
    """
    started = started_at or utcnow()
    with immediate(engine).begin() as conn:
        run_id = conn.execute(CrawlRun.__table__.insert().values(
            source=source, parameters=parameters, status=RunStatus.RUNNING, started_at=started,
            item_counts={}, error_counts={}, cursor_state={})).inserted_primary_key[0]
    return run_id, started


def finish_run(engine: Engine, run_id: int, status: RunStatus, error_message: str | None = None,
               attempts: int = 15, wait_s: float = 2.0, **progress: dict) -> None:
    """Close a CrawlRun with its final status (and counts, when given).

    A database that is restarting refuses connections for a few seconds: retry rather than leave the run
    marked running. After the last attempt the OperationalError propagates.
    """
    for attempt in range(1, attempts + 1):
        try:
            with immediate(engine).begin() as conn:
                conn.execute(update(CrawlRun.__table__).where(CrawlRun.__table__.c.id == run_id).values(
                    status=status, finished_at=utcnow(), error_message=error_message, **progress))
            return
        except OperationalError:
            if attempt == attempts:
                raise
            time.sleep(wait_s)


def previous_cursor_state(engine: Engine, source: str, limit: int = 50) -> dict[str, Any]:
    """Merge the cursor states of the source's recent completed runs, newest winning per target.

    Only completed runs: a killed, failed or interrupted run may have saved a listing's cursor while requests
    for what that listing led to (likes of its posts) were still queued, so resuming from it loses them.
    """
    table = CrawlRun.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(table.c.cursor_state)
                            .where(table.c.source == source, table.c.status == RunStatus.COMPLETED)
                            .order_by(table.c.started_at.desc(), table.c.id.desc()).limit(limit)).scalars().all()
    merged: dict[str, Any] = {}
    for state in reversed(rows):
        merged.update(state or {})
    return merged
