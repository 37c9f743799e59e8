"""Crawl stage: map Bluesky (AT Protocol) views and records to items. Pure: raises KeyError/TypeError on a
payload that lacks what is needed; the spider counts that as malformed and goes on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crawler.items import AccountItem, InteractionItem, PostItem
from crawler.timeparse import parse_time
from models.evidence import raw_json_text

PLATFORM = "bluesky"
REPOST_REASON = "app.bsky.feed.defs#reasonRepost"


def web_url(uri: str, handle: str | None) -> str:
    """at://did/app.bsky.feed.post/rkey -> https://bsky.app/profile/<handle or did>/post/rkey"""
    did, _collection, rkey = uri[len("at://"):].split("/", 2)
    return f"https://bsky.app/profile/{handle or did}/post/{rkey}"


def account(profile: dict, lookup_handle: str | None = None) -> AccountItem:
    did = profile["did"]
    handle = profile.get("handle")
    try:  # a profile with an unreadable join time is a malformed copy, counted rather than stored
        if profile.get("createdAt") is not None:
            parse_time(profile["createdAt"])
    except ValueError:
        raise TypeError("profile createdAt unreadable") from None
    return AccountItem(platform=PLATFORM, platform_id=did, handle=handle if handle != "handle.invalid" else None,
                       display_name=profile.get("displayName"), bio=profile.get("description"),
                       profile_url=f"https://bsky.app/profile/{did}", lookup_handle=lookup_handle)


def _post(uri: str, cid: str | None, author: dict, record: dict, raw: dict, fetched_at: datetime) -> PostItem:
    if not isinstance(record, dict):
        raise TypeError("record is not an object")
    reply = record.get("reply") or {}
    langs = record.get("langs") or []
    return PostItem(
        platform=PLATFORM, platform_id=uri, author=account(author), raw_json=raw_json_text(raw),
        fetched_at=fetched_at, text=record.get("text") or "", url=web_url(uri, author.get("handle")),
        platform_cid=cid, created_at=record.get("createdAt"),
        language=langs[0] if langs and isinstance(langs[0], str) else None,
        reply_to_platform_id=(reply.get("parent") or {}).get("uri"),
    )


def post(view: dict, fetched_at: datetime, raw: dict | None = None) -> PostItem:
    """A PostView (feeds, threads, getPosts, getQuotes); raw: the listed object it came in, when that is
    not the view itself (a feed entry), so the evidence is the text as sent."""
    return _post(view["uri"], view.get("cid"), view["author"], view["record"], view if raw is None else raw,
                 fetched_at)


def embedded_post(view: dict, fetched_at: datetime) -> PostItem | None:
    """The quoted post inside a PostView's embed (a viewRecord), when it is visible."""
    embed = view.get("embed") or {}
    inner = embed.get("record") or {}
    if embed.get("$type") == "app.bsky.embed.recordWithMedia#view":
        inner = inner.get("record") or {}
    if inner.get("$type") != "app.bsky.embed.record#viewRecord":
        return None
    value = inner.get("value") or {}
    if value.get("$type") != "app.bsky.feed.post":
        return None  # a quoted feed generator, list or starter pack is not a post
    return _post(inner["uri"], inner.get("cid"), inner["author"], value, inner, fetched_at)


def quoted_uri(record: dict) -> str | None:
    """The URI a post's record quotes (app.bsky.embed.record or recordWithMedia), else None."""
    embed = record.get("embed") or {}
    kind = embed.get("$type")
    if kind == "app.bsky.embed.record":
        uri = (embed.get("record") or {}).get("uri")
    elif kind == "app.bsky.embed.recordWithMedia":
        uri = ((embed.get("record") or {}).get("record") or {}).get("uri")
    else:
        return None
    return uri if isinstance(uri, str) and "/app.bsky.feed.post/" in uri else None


def interaction(kind: str, actor: AccountItem, target_uri: str, raw: Any, fetched_at: datetime,
                own_uri: str | None = None, record_uri: str | None = None, when: str | None = None) -> InteractionItem:
    return InteractionItem(platform=PLATFORM, kind=kind, actor=actor, target_platform_id=target_uri,
                           raw_json=raw_json_text(raw), fetched_at=fetched_at, own_post_platform_id=own_uri,
                           platform_id=record_uri, occurred_at=when)


def feed_entry(entry: dict, fetched_at: datetime) -> tuple[list, str | None, bool]:
    """Map one getAuthorFeed entry. Return (items, sort time, is the author's own post)."""
    view = entry["post"]
    target = post(view, fetched_at, raw=entry)
    reason = entry.get("reason") or {}
    if reason.get("$type") == REPOST_REASON:
        by = account(reason["by"])
        if "uri" in reason and not str(reason["uri"]).startswith("at://"):
            raise TypeError("repost reason uri")
        when = reason.get("indexedAt")
        return [target, interaction("repost", by, target.platform_id, entry, fetched_at, when=when)], when, False
    items: list = [target]
    record = view["record"]
    parent_uri = target.reply_to_platform_id
    parent = (entry.get("reply") or {}).get("parent") or {}
    if parent_uri and parent.get("uri") == parent_uri and "record" in parent:
        items.append(post(parent, fetched_at))
    if parent_uri:
        items.append(interaction("reply", target.author, parent_uri, entry, fetched_at, own_uri=target.platform_id,
                                 when=record.get("createdAt")))
    quoted = quoted_uri(record)
    if quoted:
        shown = embedded_post(view, fetched_at)
        if shown is not None and shown.platform_id == quoted:
            items.append(shown)
        items.append(interaction("quote", target.author, quoted, entry, fetched_at, own_uri=target.platform_id,
                                 when=record.get("createdAt")))
    return items, view.get("indexedAt") or record.get("createdAt"), True
