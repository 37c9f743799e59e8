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
from flask_babel import gettext as _
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


# An act's time the platform did not give: Indonesian outside a request (CLI exports), else the user's language.
_UNKNOWN_ID = {"both": "tidak diketahui (antara %(earliest)s dan %(latest)s)",
               "latest": "tidak diketahui (tidak lebih lambat dari %(latest)s)",
               "earliest": "tidak diketahui (tidak lebih awal dari %(earliest)s)", "none": "tidak diketahui"}


def _unknown_words(which: str) -> str:
    from flask import has_request_context

    if not has_request_context():
        return _UNKNOWN_ID[which]
    from flask_babel import gettext

    return {"both": gettext("unknown (between %(earliest)s and %(latest)s)"),
            "latest": gettext("unknown (not after %(latest)s)"),
            "earliest": gettext("unknown (not before %(earliest)s)"),
            "none": gettext("unknown")}[which]


def event_time(at: datetime | None, earliest: datetime | None = None, latest: datetime | None = None,
               seconds: bool = True) -> str:
    """An act's time: the platform's, or "unknown (between X and Y)" from its bounds, never a capture time.

    Use it wherever a flag's event time is shown: event_at NULL means the platform gave no time, and the
    bounds (Flag.event_earliest, event_latest) are all that is known.
    """
    if at is not None:
        return local_time(at, seconds)
    return unknown_time(local_time(earliest, seconds) if earliest else "",
                        local_time(latest, seconds) if latest else "")


def unknown_time(earliest: str, latest: str) -> str:
    """ "unknown (between X and Y)" from bounds already formatted (an empty string: that bound is unknown too)."""
    which = "both" if earliest and latest else "latest" if latest else "earliest" if earliest else "none"
    return _unknown_words(which) % {"earliest": earliest, "latest": latest}


def flag_time(flag, seconds: bool = True) -> str:
    """event_time of anything with event_at, event_earliest and event_latest (a Flag, a queue row)."""
    return event_time(flag.event_at, getattr(flag, "event_earliest", None), getattr(flag, "event_latest", None),
                      seconds)


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
    return visible(text[:limit]) + "\n… " + _("[truncated: %(shown)s of %(n)s characters shown; the full raw file is "
                                              "a download]", shown=limit, n=len(text))


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
    app.add_template_filter(flag_time)
    app.add_template_filter(enum_value, "ev")
    app.add_template_filter(http_url)
