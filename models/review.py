"""Store stage: classifier output, flags raised by the rules, and reviewers' append-only decisions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import (
    Base,
    Decision,
    FlagStatus,
    JSONType,
    Label,
    Platform,
    Severity,
    UTCDateTime,
    created_timestamp,
    intpk,
    utcnow,
    value_enum,
)


class Classification(Base):
    """One model version's label for one post, with the reasons a reviewer can check."""

    __tablename__ = "classification"
    __table_args__ = (UniqueConstraint("post_id", "model_version"), Index("ix_classification_label", "label"))

    id: Mapped[intpk]
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"))
    label: Mapped[Label] = mapped_column(value_enum(Label, 16))
    score: Mapped[float] = mapped_column(Float, comment="Calibrated probability of the label")
    model_version: Mapped[str] = mapped_column(String(64))
    reasons: Mapped[list] = mapped_column(JSONType, default=list, comment="Matched entities with spans, top terms")
    created_at: Mapped[created_timestamp]


class Flag(Base):
    """A suspected neutrality violation: one rule fired on one interaction or authored post.

    Platform, institution, region and role are copied from the account and person at flag time so the
    review queue filters on one table with its own indexes.
    """

    __tablename__ = "flag"
    __table_args__ = (
        UniqueConstraint("rule_code", "subject_key", name="uq_flag_rule_subject"),
        Index("ix_flag_status_score", "status", "score", "id"),
        Index("ix_flag_status_event", "status", "event_at", "id"),
        Index("ix_flag_status_created", "status", "created_at", "id"),
        Index("ix_flag_person", "person_id", "created_at"),
        # Queue filters: equality columns first, then the sort key, so a filter that matches few rows
        # (an institution whose flags are mostly reviewed) never walks the whole status index.
        Index("ix_flag_queue_rule", "rule_code", "status", "score", "id"),
        Index("ix_flag_queue_institution", "institution", "status", "score", "id"),
        Index("ix_flag_queue_institution_time", "institution", "status", "event_at", "id"),
        Index("ix_flag_queue_regency", "region_regency", "status", "score", "id"),
        Index("ix_flag_queue_platform", "platform", "status", "score", "id"),
        Index("ix_flag_queue_province", "region_province", "status", "score", "id"),
        # "My claims": a reviewer holds few flags, but without this a claim-less tab walked every flag.
        Index("ix_flag_queue_assignee", "assignee_id", "status", "score", "id",
              sqlite_where=text("assignee_id IS NOT NULL"), postgresql_where=text("assignee_id IS NOT NULL")),
    )

    id: Mapped[intpk]
    rule_code: Mapped[str] = mapped_column(String(64), comment="Key in nlp.rules.RULES; names the prohibited act")
    subject_key: Mapped[str] = mapped_column(
        String(64), comment="'interaction:<id>' or 'post:<id>': one flag per rule and subject, however often rules run"
    )
    interaction_id: Mapped[int | None] = mapped_column(ForeignKey("interaction.id"))
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("post.id"), comment="The partisan post: the one interacted with, or the one authored"
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), comment="The monitored account that acted")
    severity: Mapped[Severity] = mapped_column(value_enum(Severity, 16))
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[str] = mapped_column(Text, comment="Why the rule fired, in Indonesian")
    reasons: Mapped[list] = mapped_column(JSONType, default=list)
    status: Mapped[FlagStatus] = mapped_column(value_enum(FlagStatus, 16), default=FlagStatus.NEW)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), comment="Reviewer holding the claim")
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    event_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), comment="When the act happened, as the platform gave it; NULL when unknown")
    event_earliest: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), comment="When event_at is unknown: the earliest it can be (the post's creation), if known")
    event_latest: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), comment="When event_at is unknown: the latest it can be (when the act was first seen)")
    platform: Mapped[Platform] = mapped_column(value_enum(Platform))
    institution: Mapped[str | None] = mapped_column(String(255))
    region_province: Mapped[str | None] = mapped_column(String(255))
    region_regency: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[created_timestamp]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    reviews: Mapped[list[Review]] = relationship(back_populates="flag", order_by="Review.id")


class Review(Base):
    """One reviewer action on a flag. Rows are only ever inserted (a database trigger refuses changes)."""

    __tablename__ = "review"
    __table_args__ = (Index("ix_review_flag", "flag_id", "id"),)

    id: Mapped[intpk]
    flag_id: Mapped[int] = mapped_column(ForeignKey("flag.id"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    decision: Mapped[Decision] = mapped_column(value_enum(Decision, 16))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[created_timestamp]

    flag: Mapped[Flag] = relationship(back_populates="reviews")
    reviewer: Mapped[User] = relationship()  # noqa: F821
