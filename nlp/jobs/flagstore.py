"""NLP stage: write flag rows idempotently (unique rule_code + subject_key), on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Flag


def insert_flags(session: Session, rows: list[dict]) -> int:
    """Insert rows, skipping any (rule_code, subject_key) already stored; return how many are new.

    The caller already filtered known keys; ON CONFLICT DO NOTHING covers a concurrent runner.
    """
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - other databases: plain inserts, the pre-filter still holds
        session.add_all(Flag(**r) for r in rows)
        session.flush()
        return len(rows)
    before = session.scalar(select(func.count()).select_from(Flag))
    for i in range(0, len(rows), 500):
        session.execute(insert(Flag).values(rows[i : i + 500]).on_conflict_do_nothing())
    return session.scalar(select(func.count()).select_from(Flag)) - before
