"""Crawl stage, browser captures: what the case page says about evidence that came from a browser capture.

`provenance(session, raw_json)` returns None for evidence that is not a Zeeschuimer line, else
{"source": "zeeschuimer", "source_platform", "page" (source_platform_url), "request" (source_url),
"captured_at" (timestamp_collected, UTC ISO 8601), "user_agent", "nav_index", "uploader", "via",
"run_id", "file_sha256"}: the first capture upload whose lines include it (its navigation and time span);
the evidence stored is that upload's line, since the first capture of an item stays its evidence. Uploads
are told apart by the navigations (Zeeschuimer's nav_index: browser session, tab, page), the time span and
the modules they hold; should two uploads from one browser overlap in all three, the earlier one is named.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import CrawlRun, RunStatus

SOURCE = "capture"


def envelope_of(raw_json: str | None) -> dict | None:
    """The Zeeschuimer envelope of a stored payload, or None when it is not one."""
    if not raw_json or '"timestamp_collected"' not in raw_json[:200_000]:
        return None
    try:
        line = json.loads(raw_json)
    except (ValueError, RecursionError):
        return None
    if not isinstance(line, dict) or not isinstance(line.get("timestamp_collected"), int | float):
        return None
    return line


def provenance(session: Session, raw_json: str | None) -> dict | None:
    line = envelope_of(raw_json)
    if line is None:
        return None
    ms = line["timestamp_collected"]
    out = {"source": "zeeschuimer", "source_platform": line.get("source_platform"),
           "page": line.get("source_platform_url"), "request": line.get("source_url"),
           "captured_at": datetime.fromtimestamp(ms / 1000, UTC).isoformat(), "user_agent": line.get("user_agent"),
           "nav_index": line.get("nav_index"), "uploader": None, "via": None, "run_id": None, "file_sha256": None}
    runs = session.execute(select(CrawlRun.id, CrawlRun.parameters, CrawlRun.cursor_state).where(
        CrawlRun.source == SOURCE, CrawlRun.status == RunStatus.COMPLETED).order_by(CrawlRun.id)).all()
    for run_id, params, state in runs:
        span = (state or {}).get("capture") or {}
        if span.get("first_ms") is None or not span["first_ms"] <= ms <= span["last_ms"]:
            continue
        if line.get("nav_index") is not None and line.get("nav_index") not in (span.get("pages") or []):
            continue
        if line.get("source_platform") not in (span.get("platforms") or []):
            continue
        out.update(uploader=(params or {}).get("uploader"), via=(params or {}).get("via"), run_id=run_id,
                   file_sha256=(params or {}).get("sha256"))
        break
    return out
