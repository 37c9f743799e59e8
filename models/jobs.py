"""Store stage: crawl runs, with counts, errors by reason and the cursor state a rerun resumes from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JSONType, RunStatus, UTCDateTime, created_timestamp, intpk, value_enum


class CrawlRun(Base):
    """One run of one spider (or import) over one set of targets."""

    __tablename__ = "crawl_run"
    __table_args__ = (Index("ix_crawl_run_source_started", "source", "started_at"),)

    id: Mapped[intpk]
    source: Mapped[str] = mapped_column(String(64), comment="Spider or importer name, e.g. bluesky, mastodon, import")
    parameters: Mapped[dict] = mapped_column(JSONType, default=dict, comment="Targets and options; never secrets")
    status: Mapped[RunStatus] = mapped_column(value_enum(RunStatus, 16), default=RunStatus.RUNNING)
    started_at: Mapped[created_timestamp]
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    item_counts: Mapped[dict] = mapped_column(JSONType, default=dict, comment="Stored items per kind")
    error_counts: Mapped[dict] = mapped_column(JSONType, default=dict, comment="Dropped items and failed requests per reason")
    cursor_state: Mapped[dict] = mapped_column(
        JSONType, default=dict, comment="Where the run got to, per target: what the next run resumes from"
    )
    error_message: Mapped[str | None] = mapped_column(Text)
