"""Crawl stage: map Mastodon REST entities (Account, Status) to items. Pure; raises KeyError/TypeError on
a payload that lacks what is needed, which the spider counts as malformed."""

from __future__ import annotations

import re
from datetime import datetime
from html import escape
from urllib.parse import urlsplit

from crawler.items import AccountItem, InteractionItem, PostItem
from crawler.timeparse import parse_time
from models.evidence import raw_json_text

PLATFORM = "mastodon"
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


def next_link(header: bytes | str | None) -> str | None:
    """The rel="next" URL of a Link header (the only paging Mastodon offers; never build ids yourself)."""
    if not header:
        return None
    if isinstance(header, bytes):
        header = header.decode("latin-1")
    for part in header.split(","):
        match = _NEXT.search(part)
        if match:
            return match.group(1).strip()
    return None


def account(entity: dict, lookup_handle: str | None = None) -> AccountItem:
    url = entity.get("url")
    uri = entity.get("uri") or url
    if not isinstance(uri, str):
        raise TypeError("account without uri/url")
    if entity.get("id") in (None, ""):  # every Mastodon entity has one: a copy without it is malformed
        raise KeyError("id")
    try:  # nor an account with an unreadable join time
        if entity.get("created_at") is not None:
            parse_time(entity["created_at"])
    except ValueError:
        raise TypeError("account created_at unreadable") from None
    acct = entity["acct"]
    if "@" not in acct and isinstance(url, str):
        acct = f"{acct}@{urlsplit(url).netloc}"  # local accounts: make the handle global
    return AccountItem(platform=PLATFORM, platform_id=uri, handle=acct, display_name=entity.get("display_name"),
                       bio=entity.get("note"), profile_url=url, lookup_handle=lookup_handle)


def post(status: dict, fetched_at: datetime, reply_to_uri: str | None = None, raw: dict | None = None) -> PostItem:
    """A Status; raw: the listed status it came inside (a boost, a quote), so the evidence is the text as sent."""
    if status.get("id") in (None, ""):
        raise KeyError("id")
    content = status.get("content") or ""
    if status.get("spoiler_text"):
        content = f"<p>{escape(status['spoiler_text'])}</p>{content}"
    return PostItem(platform=PLATFORM, platform_id=status["uri"], author=account(status["account"]),
                    raw_json=raw_json_text(status if raw is None else raw), fetched_at=fetched_at, text=content,
                    url=status.get("url"),
                    created_at=status.get("created_at"), edited_at=status.get("edited_at"),
                    language=status.get("language"), reply_to_platform_id=reply_to_uri)


def interaction(kind: str, actor: AccountItem, target_uri: str, raw: dict, fetched_at: datetime,
                own_uri: str | None = None, record_uri: str | None = None, when: str | None = None) -> InteractionItem:
    return InteractionItem(platform=PLATFORM, kind=kind, actor=actor, target_platform_id=target_uri,
                           raw_json=raw_json_text(raw), fetched_at=fetched_at, own_post_platform_id=own_uri,
                           platform_id=record_uri, occurred_at=when)


def quoted_status(status: dict) -> dict | None:
    """The status a post quotes (Mastodon 4.5 `quote.quoted_status`), when it is shown."""
    quote = status.get("quote")
    if isinstance(quote, dict) and isinstance(quote.get("quoted_status"), dict):
        return quote["quoted_status"]
    return None
