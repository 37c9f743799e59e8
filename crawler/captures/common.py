"""Crawl stage, browser captures: what every platform mapper shares."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.items import AccountItem
from crawler.validate import Invalid


def text_id(value: object, field: str) -> str:
    """A platform id as text. An int parsed from JSON is exact in Python; a float (an id a browser's
    JavaScript rounded, e.g. Zeeschuimer's parseInt of an X rest_id) never is, so it is refused."""
    if isinstance(value, bool) or value is None or value == "":
        raise Invalid("missing_id", field)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    raise Invalid("bad_id", f"{field} is a {type(value).__name__}")


def dig(obj: object, *path: str) -> object:
    """obj[path[0]][path[1]]... or None when any step is missing or not an object."""
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def unix_time(value: object, field: str) -> datetime | None:
    """Seconds since the epoch (TikTok createTime, Meta taken_at) as an aware UTC time."""
    if value is None or value == "":
        return None
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise Invalid("bad_time", field) from None


def account(platform: str, platform_id: object, handle: object, name: object, url_pattern: str,
            field: str) -> AccountItem:
    pid = text_id(platform_id, field)
    handle = handle.lower() if isinstance(handle, str) and handle else None
    return AccountItem(platform=platform, platform_id=pid, handle=handle,
                       display_name=name if isinstance(name, str) and name else None,
                       profile_url=url_pattern.format(handle) if handle else None)
