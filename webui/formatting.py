"""Review stage: template filters; every time is shown in one zone, NETRAL_TIMEZONE (default WIB, Asia/Jakarta)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import Flask

from webui.config import display_zone


def local_time(value: datetime | None, seconds: bool = True) -> str:
    """Format an aware UTC time in the display zone, e.g. '2024-11-10 10:00:00 WIB'."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    zone = display_zone()
    local = value.astimezone(zone.tz)
    fmt = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    return f"{local.strftime(fmt)} {zone.label(local)}"


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
    app.add_template_filter(local_time, "wib")  # the templates' name, from when every time was WIB
    app.add_template_filter(pretty_json)
    app.add_template_filter(enum_value, "ev")
    app.add_template_filter(http_url)
