"""Store stage: what the crawlers capture: accounts, posts and interactions, each with raw evidence."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import (
    Base,
    InteractionKind,
    Platform,
    UTCDateTime,
    created_timestamp,
    intpk,
    sha256_hex,
    utcnow,
    value_enum,
)


class Account(Base):
    """A social-media account on one platform, whoever owns it."""

    __tablename__ = "account"
    __table_args__ = (
        UniqueConstraint("platform", "platform_id"),
        Index("ix_account_platform_handle", "platform", "handle"),
        # Registry accounts known only by handle, which a crawl resolves: probed once per stored batch.
        Index("ix_account_unresolved", "platform", "handle", sqlite_where=text("platform_id IS NULL"),
              postgresql_where=text("platform_id IS NULL")),
    )

    id: Mapped[intpk]
    platform: Mapped[Platform] = mapped_column(value_enum(Platform))
    platform_id: Mapped[str | None] = mapped_column(
        String(512),
        comment="Stable id on the platform (Bluesky DID, Mastodon account URI). "
        "NULL until a crawl resolves an account known only by handle from the registry.",
    )
    handle: Mapped[str | None] = mapped_column(String(255), comment="Lower-cased handle or acct, without '@'")
    display_name: Mapped[str | None] = mapped_column(String(512))
    bio: Mapped[str | None] = mapped_column(Text)
    profile_url: Mapped[str | None] = mapped_column(String(1024))
    first_seen_at: Mapped[created_timestamp]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    links: Mapped[list[AccountLink]] = relationship(back_populates="account")  # noqa: F821

    def __repr__(self) -> str:
        return f"<Account {self.platform.value}:{self.handle or self.platform_id}>"


class Post(Base):
    """A post as captured, with its raw payload kept verbatim."""

    __tablename__ = "post"
    __table_args__ = (
        UniqueConstraint("platform", "platform_id"),
        Index("ix_post_author_created", "author_account_id", "created_at"),
    )

    id: Mapped[intpk]
    platform: Mapped[Platform] = mapped_column(value_enum(Platform))
    platform_id: Mapped[str] = mapped_column(String(512), comment="Bluesky at:// URI, Mastodon status URI")
    platform_cid: Mapped[str | None] = mapped_column(String(255), comment="Content id (Bluesky CID)")
    author_account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(1024), comment="Public web address of the post")
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), comment="The platform's creation time")
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    language: Mapped[str | None] = mapped_column(String(16))
    reply_to_platform_id: Mapped[str | None] = mapped_column(String(512))
    raw_json: Mapped[str] = mapped_column(Text, comment="The payload exactly as the platform sent it")
    raw_sha256: Mapped[sha256_hex]
    fetched_at: Mapped[created_timestamp] = mapped_column(comment="Capture time of raw_json")
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), comment="When a crawl first found the post gone; the row is never deleted"
    )

    author: Mapped[Account] = relationship(foreign_keys=[author_account_id])


class Interaction(Base):
    """One account's like, reply, repost or quote of one post."""

    __tablename__ = "interaction"
    __table_args__ = (
        UniqueConstraint("kind", "actor_account_id", "target_post_id", "instance_key", name="uq_interaction_natural"),
        Index("ix_interaction_actor", "actor_account_id", "occurred_at"),
        Index("ix_interaction_target", "target_post_id", "kind"),
    )

    id: Mapped[intpk]
    platform: Mapped[Platform] = mapped_column(value_enum(Platform))
    kind: Mapped[InteractionKind] = mapped_column(value_enum(InteractionKind, 16))
    actor_account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    target_post_id: Mapped[int] = mapped_column(ForeignKey("post.id"))
    own_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("post.id"), comment="The reply or quote post itself; NULL for likes and reposts"
    )
    instance_key: Mapped[str] = mapped_column(
        String(512),
        default="",
        comment="Tells apart several replies/quotes by one actor to one post (the reply's platform id); "
        "empty for likes and reposts, which an actor makes once per post",
    )
    platform_id: Mapped[str | None] = mapped_column(String(512), comment="The like/repost record's own id, if any")
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), comment="The platform's time, when given")
    first_seen_at: Mapped[created_timestamp]
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), comment="When a crawl found it gone")
    raw_json: Mapped[str] = mapped_column(Text, comment="The payload exactly as the platform sent it")
    raw_sha256: Mapped[sha256_hex]
    fetched_at: Mapped[created_timestamp] = mapped_column(comment="Capture time of raw_json")

    actor: Mapped[Account] = relationship(foreign_keys=[actor_account_id])
    target_post: Mapped[Post] = relationship(foreign_keys=[target_post_id])
    own_post: Mapped[Post | None] = relationship(foreign_keys=[own_post_id])
