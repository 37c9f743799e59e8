"""Crawl stage, step 1 (validate): decide whether an item is well formed enough to store, and why not.

Shared by the pipeline and `netral import`, so a crawled item and an imported row pass the same checks.
Every refusal has a short reason code; the CrawlRun counts them.
"""

from __future__ import annotations

import json
import re

from crawler.items import AccountItem, InteractionItem, PostItem, ScopeDone
from crawler.timeparse import parse_time
from models.base import InteractionKind, Platform

# The store's vocabularies, by their stored values (items carry plain strings until they are stored).
PLATFORMS = frozenset(p.value for p in Platform)
KINDS = frozenset(k.value for k in InteractionKind)
MAX_ID = 512
MAX_RAW = 2_000_000  # bytes of one payload; anything larger is not a post, it is an attack or a bug
DID = re.compile(r"^did:(plc|web):[A-Za-z0-9._:%-]{1,480}$")
AT_URI = re.compile(r"^at://did:(plc|web):[A-Za-z0-9._:%-]+/[a-z0-9.]+/[A-Za-z0-9._~:-]{1,512}$")
HTTP_URI = re.compile(r"^https?://[^\s]+$")


class Invalid(ValueError):
    """The item cannot be stored; `reason` is a short code counted per run."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def check_account(a: AccountItem) -> None:
    if not isinstance(a, AccountItem):
        raise Invalid("bad_account")
    if a.platform not in PLATFORMS:
        raise Invalid("unknown_platform", str(a.platform)[:40])
    if not isinstance(a.platform_id, str) or not a.platform_id or len(a.platform_id) > MAX_ID:
        raise Invalid("bad_account_id")
    if a.platform == "bluesky" and not DID.match(a.platform_id):
        raise Invalid("bad_did", a.platform_id[:80])
    if a.platform == "mastodon" and not HTTP_URI.match(a.platform_id):
        raise Invalid("bad_account_uri", a.platform_id[:80])
    for value in (a.handle, a.display_name, a.bio, a.profile_url, a.lookup_handle):
        if value is not None and not isinstance(value, str):
            raise Invalid("bad_account_field")
    if a.handle is not None and len(a.handle) > 255:
        raise Invalid("bad_handle")


def check_post_id(platform: str, platform_id: object, reason: str = "bad_post_id") -> None:
    if not isinstance(platform_id, str) or not platform_id or len(platform_id) > MAX_ID:
        raise Invalid(reason)
    if platform == "bluesky" and not AT_URI.match(platform_id):
        raise Invalid(reason, platform_id[:80])
    if platform == "mastodon" and not HTTP_URI.match(platform_id):
        raise Invalid(reason, platform_id[:80])


def check_raw(raw: object) -> None:
    if not isinstance(raw, str) or not raw:
        raise Invalid("missing_raw_json")
    if len(raw) > MAX_RAW:
        raise Invalid("raw_json_too_large")
    try:
        json.loads(raw)
    except ValueError:
        raise Invalid("raw_json_not_json") from None


def check_time(value: object, reason: str, required: bool = False) -> None:
    if value is None:
        if required:
            raise Invalid(reason, "missing")
        return
    try:
        parse_time(value)
    except (TypeError, ValueError):
        raise Invalid(reason, str(value)[:40]) from None


def check_post(p: PostItem) -> None:
    if p.platform not in PLATFORMS:
        raise Invalid("unknown_platform", str(p.platform)[:40])
    check_account(p.author)
    if p.author.platform != p.platform:
        raise Invalid("platform_mismatch")
    check_post_id(p.platform, p.platform_id)
    if p.reply_to_platform_id is not None:
        check_post_id(p.platform, p.reply_to_platform_id, "bad_reply_to_id")
    if not isinstance(p.text, str):
        raise Invalid("bad_text")
    check_raw(p.raw_json)
    check_time(p.fetched_at, "bad_fetched_at", required=True)
    check_time(p.created_at, "bad_created_at")
    check_time(p.edited_at, "bad_edited_at")


def check_interaction(i: InteractionItem) -> None:
    if i.platform not in PLATFORMS:
        raise Invalid("unknown_platform", str(i.platform)[:40])
    if i.kind not in KINDS:
        raise Invalid("unknown_kind", str(i.kind)[:40])
    check_account(i.actor)
    if i.actor.platform != i.platform:
        raise Invalid("platform_mismatch")
    check_post_id(i.platform, i.target_platform_id, "bad_target_id")
    if i.kind in ("reply", "quote"):
        check_post_id(i.platform, i.own_post_platform_id, "missing_own_post")
    if i.platform_id is not None and (not isinstance(i.platform_id, str) or len(i.platform_id) > MAX_ID):
        raise Invalid("bad_record_id")
    check_raw(i.raw_json)
    check_time(i.fetched_at, "bad_fetched_at", required=True)
    check_time(i.occurred_at, "bad_occurred_at")


def check_item(item: object) -> None:
    """Raise Invalid unless the item can be stored."""
    if isinstance(item, PostItem):
        check_post(item)
    elif isinstance(item, InteractionItem):
        check_interaction(item)
    elif isinstance(item, AccountItem):
        check_account(item)
    elif not isinstance(item, ScopeDone):
        raise Invalid("unknown_item_type", type(item).__name__)
