"""Store stage: crawl runs (counts, errors by reason, resume state) and the periodic crawl jobs that start them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import (
    Base,
    BigIntPK,
    JSONType,
    RunStatus,
    UTCDateTime,
    created_timestamp,
    intpk,
    utcnow,
    value_enum,
)


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
    error_counts: Mapped[dict] = mapped_column(JSONType, default=dict,
                                               comment="Dropped items and failed requests per reason")
    cursor_state: Mapped[dict] = mapped_column(
        JSONType, default=dict, comment="Where the run got to, per target: what the next run resumes from"
    )
    error_message: Mapped[str | None] = mapped_column(Text)


class CrawlJob(Base):
    """A periodic crawl: source, targets and a schedule that may depend on the election phase.

    Run by `netral scheduler`: each due job becomes a CrawlRun, then classification and flagging. The
    lock columns are taken with one conditional UPDATE, so two schedulers never run a job at once.
    """

    __tablename__ = "crawl_job"
    __table_args__ = (Index("ix_crawl_job_due", "enabled", "next_run_at"),)

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(128), unique=True)
    source: Mapped[str] = mapped_column(String(64), comment="Crawl source: bluesky, mastodon")
    targets: Mapped[dict] = mapped_column(
        JSONType, default=dict, comment="Whom to crawl, e.g. {actors: [...], registry: true, instance: URL}"
    )
    options: Mapped[dict] = mapped_column(JSONType, default=dict, comment="Crawl options; never secrets")
    schedule: Mapped[dict] = mapped_column(
        JSONType, default=dict, comment="Interval per election phase, e.g. {campaign: 60m, quiet: 15m, default: 6h}"
    )
    profile_path: Mapped[str | None] = mapped_column(
        String(1024), comment="Election profile whose calendar picks the schedule's phase"
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    origin: Mapped[str] = mapped_column(String(16), default="db", comment="config (synced from a file) or db")
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), comment="NULL: run as soon as possible")
    locked_by: Mapped[str | None] = mapped_column(String(255), comment="Scheduler holding the job: host:pid:token")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), comment="Lock expiry; a dead holder's lapses")
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_run_id: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("crawl_run.id", ondelete="SET NULL"), comment="The CrawlRun of the latest attempt"
    )
    created_at: Mapped[created_timestamp]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
