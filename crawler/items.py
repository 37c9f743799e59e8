"""Crawl stage: the items every spider yields (one shape for every platform), and the importer builds too.

Spiders parse and map; pipelines validate, normalize and store. Raw payloads travel verbatim in `raw_json`
with their capture time, so the stored evidence is exactly what the platform sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class AccountItem:
    """An account as seen on the platform (the author of a post or the actor of an interaction)."""

    platform: str
    platform_id: str  # Bluesky DID; Mastodon account URI
    handle: str | None = None
    display_name: str | None = None
    bio: str | None = None
    profile_url: str | None = None
    lookup_handle: str | None = None  # the handle we asked for (registry/profile), to reconcile handle-only rows


@dataclass(slots=True)
class PostItem:
    """A post with its author and its raw payload."""

    platform: str
    platform_id: str  # Bluesky at:// URI; Mastodon status URI
    author: AccountItem
    raw_json: str
    fetched_at: datetime
    text: str = ""
    url: str | None = None
    platform_cid: str | None = None
    created_at: datetime | str | None = None
    edited_at: datetime | str | None = None
    language: str | None = None
    reply_to_platform_id: str | None = None


@dataclass(slots=True)
class InteractionItem:
    """One account's like, reply, repost or quote of one post (the target must be stored first)."""

    platform: str
    kind: str  # like | reply | repost | quote
    actor: AccountItem
    target_platform_id: str
    raw_json: str
    fetched_at: datetime
    own_post_platform_id: str | None = None  # the reply/quote post itself
    platform_id: str | None = None  # the like/repost record's own id, when the platform gives one
    occurred_at: datetime | str | None = None

    @property
    def instance_key(self) -> str:
        """Replies and quotes are told apart by their own post; likes and reposts happen once per post."""
        return (self.own_post_platform_id or "") if self.kind in ("reply", "quote") else ""


@dataclass(slots=True)
class ScopeDone:
    """A listing was read to its end: whatever it used to hold and no longer does has been removed.

    scope is "target" (interactions of `kinds` on post `key`) or "actor" (posts and interactions of
    `kinds` by account `key`). Only things dated on/after `since` are re-checked (None = all).
    `cursor` is what the next run of this target resumes from, recorded with the same batch.
    """

    platform: str
    scope: str
    key: str
    kinds: tuple[str, ...]
    since: datetime | None = None
    cursor: dict[str, Any] = field(default_factory=dict)
    cursor_key: str | None = None
