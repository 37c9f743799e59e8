"""Crawl stage, step 1 (validate): decide whether an item is well formed enough to store, and why not.

Shared by the pipeline and `netral import`, so a crawled item and an imported row pass the same checks.
Every refusal has a short reason code; the CrawlRun counts them. Nothing that passes can make the
database refuse the batch: ids and free-form fields fit their columns (lengths read from the models),
hold no control characters, and no text holds a lone surrogate (UTF-8 cannot encode one).
"""

from __future__ import annotations

import json
import re

from crawler.items import AccountItem, InteractionItem, PostItem, ScopeDone
from crawler.timeparse import parse_time
from models.base import InteractionKind, Platform
from models.social import Account, Post

# The store's vocabularies, by their stored values (items carry plain strings until they are stored).
PLATFORMS = frozenset(p.value for p in Platform)
KINDS = frozenset(k.value for k in InteractionKind)
MAX_ID = Post.__table__.c.platform_id.type.length  # 512, as Account.platform_id and the other ids
MAX_HANDLE = Account.__table__.c.handle.type.length
MAX_CID = Post.__table__.c.platform_cid.type.length
MAX_RAW = 2_000_000  # bytes of one payload; anything larger is not a post, it is an attack or a bug
DID = re.compile(r"^did:(plc|web):[A-Za-z0-9._:%-]{1,480}$")
AT_URI = re.compile(r"^at://did:(plc|web):[A-Za-z0-9._:%-]+/[a-z0-9.]+/[A-Za-z0-9._~:-]{1,512}$")
HTTP_URI = re.compile(r"^https?://[^\s\x00-\x1f\x7f]+$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
SURROGATE = re.compile("[\ud800-\udfff]")  # a lone half of a UTF-16 pair, as JSON's "\ud800" decodes
# Browser captures (crawler.captures): the platforms' own stable ids, as text (never a float's digits).
NUMERIC_ID = re.compile(r"^[0-9]{1,30}$")  # TikTok uid / video / comment id, X user and tweet ids, Meta pk
SHORTCODE = re.compile(r"^[A-Za-z0-9_-]{5,64}$")  # Instagram and Threads post codes
ACCOUNT_ID_RULES = {"tiktok": NUMERIC_ID, "x": NUMERIC_ID, "instagram": NUMERIC_ID, "threads": NUMERIC_ID}
POST_ID_RULES = {"tiktok": NUMERIC_ID, "x": NUMERIC_ID, "instagram": SHORTCODE, "threads": SHORTCODE}


class Invalid(ValueError):
    """The item cannot be stored; `reason` is a short code counted per run."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def _known(value: object, vocabulary: frozenset[str]) -> bool:
    return isinstance(value, str) and value in vocabulary  # a JSON list or object is not hashable


def check_account(a: AccountItem) -> None:
    if not isinstance(a, AccountItem):
        raise Invalid("bad_account")
    if not _known(a.platform, PLATFORMS):
        raise Invalid("unknown_platform", str(a.platform)[:40])
    if not isinstance(a.platform_id, str) or not a.platform_id or len(a.platform_id) > MAX_ID:
        raise Invalid("bad_account_id")
    if CONTROL.search(a.platform_id) or SURROGATE.search(a.platform_id):
        raise Invalid("bad_account_id", "control character")
    if a.platform == "bluesky" and not DID.match(a.platform_id):
        raise Invalid("bad_did", a.platform_id[:80])
    if a.platform == "mastodon" and not HTTP_URI.match(a.platform_id):
        raise Invalid("bad_account_uri", a.platform_id[:80])
    rule = ACCOUNT_ID_RULES.get(a.platform)
    if rule is not None and not rule.match(a.platform_id):
        raise Invalid("bad_account_id", a.platform_id[:80])
    for name in ("handle", "display_name", "bio", "profile_url", "lookup_handle"):
        value = getattr(a, name)
        if value is not None and not isinstance(value, str):
            raise Invalid("bad_account_field", name)
        check_text(value, name)
    if a.handle is not None and len(a.handle) > MAX_HANDLE:
        raise Invalid("bad_handle", f"longer than {MAX_HANDLE} characters")


def check_text(value: str | None, name: str) -> None:
    """Refuse a text UTF-8 cannot encode (a lone surrogate): the database would refuse the whole batch."""
    if value is not None and not value.isascii() and SURROGATE.search(value):
        raise Invalid("lone_surrogate", name)


def check_post_id(platform: str, platform_id: object, reason: str = "bad_post_id") -> None:
    if not isinstance(platform_id, str) or not platform_id or len(platform_id) > MAX_ID:
        raise Invalid(reason)
    if CONTROL.search(platform_id) or SURROGATE.search(platform_id):
        raise Invalid(reason, "control character")
    if platform == "bluesky" and not AT_URI.match(platform_id):
        raise Invalid(reason, platform_id[:80])
    if platform == "mastodon" and not HTTP_URI.match(platform_id):
        raise Invalid(reason, platform_id[:80])
    rule = POST_ID_RULES.get(platform)
    if rule is not None and not rule.match(platform_id):
        raise Invalid(reason, platform_id[:80])


def check_raw(raw: object) -> None:
    if not isinstance(raw, str) or not raw:
        raise Invalid("missing_raw_json")
    if len(raw) > MAX_RAW:
        raise Invalid("raw_json_too_large")
    check_text(raw, "raw_json")
    try:
        json.loads(raw)
    except ValueError:
        raise Invalid("raw_json_not_json") from None
    except RecursionError:
        raise Invalid("raw_json_too_deep") from None


def check_time(value: object, reason: str, required: bool = False) -> None:
    if value is None:
        if required:
            raise Invalid(reason, "missing")
        return
    try:
        parse_time(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: year 1 with +14:00 is before year 1 UTC
        raise Invalid(reason, str(value)[:40]) from None


def check_post(p: PostItem) -> None:
    if not _known(p.platform, PLATFORMS):
        raise Invalid("unknown_platform", str(p.platform)[:40])
    check_account(p.author)
    if p.author.platform != p.platform:
        raise Invalid("platform_mismatch")
    check_post_id(p.platform, p.platform_id)
    if p.reply_to_platform_id is not None:
        check_post_id(p.platform, p.reply_to_platform_id, "bad_reply_to_id")
    if not isinstance(p.text, str):
        raise Invalid("bad_text")
    for name in ("text", "url", "language", "platform_cid"):
        value = getattr(p, name)
        if value is not None and not isinstance(value, str):
            raise Invalid(f"bad_{name}")
        check_text(value, name)
    if p.platform_cid is not None and (len(p.platform_cid) > MAX_CID or CONTROL.search(p.platform_cid)):
        raise Invalid("bad_platform_cid", f"longer than {MAX_CID} characters or a control character")
    check_raw(p.raw_json)
    check_time(p.fetched_at, "bad_fetched_at", required=True)
    check_time(p.created_at, "bad_created_at")
    check_time(p.edited_at, "bad_edited_at")


def check_interaction(i: InteractionItem) -> None:
    if not _known(i.platform, PLATFORMS):
        raise Invalid("unknown_platform", str(i.platform)[:40])
    if not _known(i.kind, KINDS):
        raise Invalid("unknown_kind", str(i.kind)[:40])
    check_account(i.actor)
    if i.actor.platform != i.platform:
        raise Invalid("platform_mismatch")
    check_post_id(i.platform, i.target_platform_id, "bad_target_id")
    if i.kind in ("reply", "quote"):
        check_post_id(i.platform, i.own_post_platform_id, "missing_own_post")
    if i.platform_id is not None and (not isinstance(i.platform_id, str) or len(i.platform_id) > MAX_ID
                                      or CONTROL.search(i.platform_id) or SURROGATE.search(i.platform_id)):
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
