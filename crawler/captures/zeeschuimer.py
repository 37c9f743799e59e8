"""Crawl stage, browser captures: read a Zeeschuimer NDJSON export and store what its lines show.

Each line is one captured item (see crawler.captures). It is checked, mapped by its platform's mapper
and stored through the same validate -> normalize -> store steps as a crawl (models.ingest). The line
itself, verbatim, is the raw evidence of every item it yields (SHA-256 of those bytes), captured at its
`timestamp_collected`; the run records who uploaded the file, how (web form, extension, command line)
and the file's SHA-256, so models.bindings and the case page can say whose browser received it.
A line that cannot be read or mapped is skipped and reported with its number and reason; after the file,
each captured account whose handle names a registry account is bound by models.bindings.bind_from_capture.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from crawler.captures import MAPPERS
from crawler.importer import ImportFileError, ImportReport, _flush, failed_run
from crawler.items import AccountItem, InteractionItem, PostItem
from crawler.normalize import normalize_item
from crawler.validate import Invalid, check_item
from models.base import RunStatus
from models.bindings import bind_from_capture, registry_handles
from models.evidence import sha256_text
from models.ingest import Ingestor
from models.runs import finish_run, start_run
from models.textfile import TextFileError, inspect_text

SOURCE = "capture"  # CrawlRun.source of every capture import
ENVELOPE = ("timestamp_collected", "source_platform", "source_platform_url", "data")
MIN_MS, MAX_MS = 946_684_800_000, 32_503_680_000_000  # 2000-01-01 .. 3000-01-01


def envelope(line: str) -> tuple[dict, datetime]:
    """Parse one line; return it and its capture time, or raise Invalid naming what is wrong."""
    try:
        item = json.loads(line)
    except RecursionError:
        raise Invalid("too_deep") from None
    except ValueError:
        raise Invalid("not_json") from None
    if not isinstance(item, dict):
        raise Invalid("not_an_object")
    missing = [key for key in ENVELOPE if key not in item]
    if missing:
        raise Invalid("not_a_capture", "missing " + ", ".join(missing))
    if not isinstance(item["data"], dict):
        raise Invalid("not_a_capture", "data is not an object")
    ms = item["timestamp_collected"]
    if isinstance(ms, bool) or not isinstance(ms, int | float) or not MIN_MS <= ms <= MAX_MS:
        raise Invalid("bad_timestamp_collected", str(ms)[:40])
    if not isinstance(item["source_platform"], str) or item["source_platform"] not in MAPPERS:
        raise Invalid("unknown_platform", str(item["source_platform"])[:40])
    return item, datetime.fromtimestamp(ms / 1000, UTC)


def map_line(line: str) -> tuple[dict, list]:
    """The line's envelope and the items it yields (raise Invalid when it yields none)."""
    item, captured_at = envelope(line)
    _, mapper = MAPPERS[item["source_platform"]]
    try:
        items = mapper(item["data"], line, captured_at)
    except Invalid:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:  # a shape no mapper foresaw
        raise Invalid("unmapped_shape", type(exc).__name__) from None
    return item, items


def read_lines(path: Path):
    """Yield (line number, text) of the non-empty lines, without loading the file."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for number, line in enumerate(handle, start=1):
            text = line.rstrip("\r\n")
            if text.strip():
                yield number, text


def import_captures(engine: Engine, path: Path, uploader: str | None = None, via: str = "cli",
                    platform: str | None = None, batch_size: int = 2000, run_id: int | None = None) -> ImportReport:
    """Store every capture line of the file; lines that fail are reported and skipped.

    platform: the Zeeschuimer module id the upload claimed (X-Zeeschuimer-Platform); a line of another
    module is refused. Raises ImportFileError (nothing stored) when the file is not UTF-8 text, or the
    database refused a batch (the run says what was stored before it).
    """
    try:
        info = inspect_text(path, legacy=False, kind="NDJSON")
    except TextFileError as exc:
        raise ImportFileError(str(exc)) from None
    params = {"file": path.name, "sha256": info.sha256, "format": "zeeschuimer", "uploader": uploader, "via": via,
              "platform": platform}
    started = None
    if run_id is None:
        run_id, started = start_run(engine, SOURCE, params)
    report = ImportReport(run_id)
    errors: Counter = Counter()
    ingestor = Ingestor(engine, run_id, started, batch_size, resolves_handles=False)  # bound below, with proof
    targets: dict[tuple[str, str], list[int]] = {}
    seen: dict[tuple[str, str], dict[str, dict]] = {}  # (platform, handle) -> platform id -> its capture
    pages: set[str] = set()
    modules: set[str] = set()
    first_ms, last_ms = None, None
    first_unstored = 1
    try:
        for number, line in read_lines(path):
            report.rows += 1
            try:
                item, items = map_line(line)
                if platform and item["source_platform"] != platform:
                    raise Invalid("platform_mismatch", f"{item['source_platform']} in a {platform} upload")
                for it in items:
                    check_item(it)
                items = [normalize_item(it) for it in items]
            except Invalid as exc:
                report.rejected.append((number, str(exc)))
                errors[exc.reason] += 1
                continue
            except (TypeError, ValueError, OverflowError, RecursionError) as exc:
                report.rejected.append((number, f"bad_row: {type(exc).__name__}"))
                errors["bad_row"] += 1
                continue
            ms = item["timestamp_collected"]
            first_ms = ms if first_ms is None else min(first_ms, ms)
            last_ms = ms if last_ms is None else max(last_ms, ms)
            modules.add(item["source_platform"])
            if isinstance(item.get("nav_index"), str) and len(pages) < 10_000:
                pages.add(item["nav_index"])
            for it in items:
                _add(ingestor, it)
                if isinstance(it, InteractionItem):
                    targets.setdefault((it.platform, it.target_platform_id), []).append(number)
                author = it.author if isinstance(it, PostItem) else it.actor if isinstance(it, InteractionItem) else it
                if author.handle and len(seen) < 200_000:
                    seen.setdefault((author.platform, author.handle), {}).setdefault(author.platform_id, {
                        "sha256": sha256_text(line), "line": number, "page": str(item.get("source_platform_url"))[:500],
                        "captured_at": it.fetched_at.isoformat() if hasattr(it, "fetched_at") else None})
            if ingestor.full:
                _flush(engine, ingestor, report, errors, targets)
                first_unstored = number + 1
        _flush(engine, ingestor, report, errors, targets)
        bound = _bind(engine, seen, uploader, run_id, info.sha256)
    except (SQLAlchemyError, UnicodeError, TextFileError) as exc:
        raise failed_run(engine, run_id, path, first_unstored, exc, report, errors, "Import the file again") \
            from None
    counts = dict(report.stored)
    if bound:
        counts["bound_accounts"] = bound
    finish_run(engine, run_id, RunStatus.COMPLETED, item_counts=counts, error_counts=dict(errors),
               cursor_state={"capture": {"first_ms": first_ms, "last_ms": last_ms, "pages": sorted(pages),
                                         "platforms": sorted(modules),
                                         "rejected": [[n, why[:200]] for n, why in report.rejected[:100]]}})
    return report


def _add(ingestor: Ingestor, item: object) -> None:
    {AccountItem: ingestor.add_account, PostItem: ingestor.add_post,
     InteractionItem: ingestor.add_interaction}[type(item)](item)


def _bind(engine: Engine, seen: dict, uploader: str | None, run_id: int, file_sha256: str) -> int:
    """Bind registry handles to the accounts the captures showed under them (models.bindings)."""
    bound = 0
    with Session(engine) as session, session.begin():
        for platform in sorted({p for p, _ in seen}):
            handles = sorted(h for p, h in seen if p == platform)
            for handle in sorted(registry_handles(session.connection(), platform, handles)):
                bound += bind_from_capture(session, platform, handle, seen[(platform, handle)], uploader or "cli",
                                           run_id=run_id, file_sha256=file_sha256)
    return bound
