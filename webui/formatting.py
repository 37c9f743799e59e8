"""Review stage: template filters; every time is shown in one zone, NETRAL_TIMEZONE (default WIB, Asia/Jakarta).

Crawled and registry text is hostile: `visible` turns every control, bidirectional and invisible character
into a visible marker such as ⟦U+202E⟧ (a right-to-left override would make `gnp.exe` read `exe.png`). It
runs on every value a template prints (the Jinja environment's finalize, so no template can forget it)
and in every export (CSV, XLSX, PDF).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from flask import Flask
from markupsafe import Markup

from webui.config import display_zone
from webui.limits import MAX_POST_TEXT_CHARS

# C0 controls but tab and newline, DEL and C1; bidi embeddings, overrides, isolates and marks (LRE..RLO,
# LRI..PDI, LRM, RLM, ALM); zero-width space, joiners, word joiner, invisible operators, BOM; the line and
# paragraph separators; interlinear annotation marks; noncharacters U+FFFE/FFFF; lone surrogates; tags.
INVISIBLE_RE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069"
    "\ufeff\ufff9-\ufffb\ufffe\uffff\ud800-\udfff\U000e0000-\U000e007f]"
)


def marker(char: str) -> str:
    return f"⟦U+{ord(char):04X}⟧"


def visible(text):
    """Return the text with each control, bidi or invisible character replaced by a marker (⟦U+202E⟧);
    tabs and newlines stay (a CR LF pair becomes a newline). Non-strings are returned unchanged."""
    if not isinstance(text, str) or not text:
        return text
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    return INVISIBLE_RE.sub(lambda m: marker(m.group()), text)


class Verbatim(str):
    """A string a template prints as it is (still autoescaped): an edit form's value must come back unchanged
    when saved, so the `verbatim` filter exempts it from the markers."""


def verbatim(value) -> Verbatim | str:
    return Verbatim(value) if isinstance(value, str) else ("" if value is None else value)


def _finalize(value):
    """Every `{{ ... }}` goes through here before autoescaping: plain strings get the visible markers.
    Markup (macros, whose parts went through here already; tojson, which escapes non-ASCII) is left alone."""
    if value is None:
        return ""
    if isinstance(value, Markup | Verbatim) or not isinstance(value, str):
        return value
    return visible(value)


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
    if len(text) <= limit:
        return visible(text)
    return visible(text[:limit]) + f"\n… [truncated: {limit} of {len(text)} characters shown; the full raw file is " \
        "a download]"


def http_url(value: str | None) -> str:
    """Return the URL only if it is http(s): a crawled `javascript:` link must never become clickable."""
    if value and value.strip().lower().startswith(("https://", "http://")):
        return value.strip()
    return ""


def enum_value(value) -> str:
    return getattr(value, "value", value) or ""


def init_app(app: Flask) -> None:
    app.jinja_env.finalize = _finalize
    app.jinja_env.globals["text_limit"] = MAX_POST_TEXT_CHARS
    app.add_template_filter(visible)
    app.add_template_filter(verbatim)
    app.add_template_filter(local_time, "wib")  # the templates' name, from when every time was WIB
    app.add_template_filter(pretty_json)
    app.add_template_filter(enum_value, "ev")
    app.add_template_filter(http_url)
