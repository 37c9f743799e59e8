"""Review stage: template filters; every time is shown in WIB (Asia/Jakarta, UTC+7, no daylight saving)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

from flask import Flask

try:
    from zoneinfo import ZoneInfo

    WIB = ZoneInfo("Asia/Jakarta")
except Exception:  # no tz database on the host: Jakarta has kept UTC+7 since 1964
    WIB = timezone(timedelta(hours=7), "WIB")


def wib(value: datetime | None, seconds: bool = True) -> str:
    """Format an aware UTC time as WIB, e.g. '2024-11-10 10:00:00 WIB'."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    fmt = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    return value.astimezone(WIB).strftime(fmt) + " WIB"


def pretty_json(raw: str | None, limit: int = 50_000) -> str:
    """Indent a raw payload for reading (the verbatim text is what is hashed; this is display only)."""
    if not raw:
        return ""
    try:
        text = json.dumps(json.loads(raw), ensure_ascii=False, indent=2)
    except ValueError:
        text = raw
    return text if len(text) <= limit else text[:limit] + "\n…"


def http_url(value: str | None) -> str:
    """Return the URL only if it is http(s): a crawled `javascript:` link must never become clickable."""
    if value and value.strip().lower().startswith(("https://", "http://")):
        return value.strip()
    return ""


def enum_value(value) -> str:
    return getattr(value, "value", value) or ""


def init_app(app: Flask) -> None:
    app.add_template_filter(wib)
    app.add_template_filter(pretty_json)
    app.add_template_filter(enum_value, "ev")
    app.add_template_filter(http_url)
