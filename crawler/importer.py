"""Crawl stage: import accounts, posts and interactions collected elsewhere (`netral import FILE`).

Rows become the same items the spiders yield and pass the same steps (validate -> normalize -> store
through models.ingest), so an imported like is stored exactly like a crawled one.

File schema (JSONL: one object per line; CSV: a header row with these column names). `type` is one of
account, post, interaction. Times are ISO 8601 (UTC when no offset is given).
- account:     platform, platform_id, handle, display_name, bio, profile_url
- post:        platform, platform_id, author_platform_id, author_handle, text, url, created_at, edited_at,
               language, reply_to_platform_id, platform_cid, raw_json, fetched_at
- interaction: platform, kind (like|reply|repost|quote), actor_platform_id, actor_handle,
               target_platform_id, own_post_platform_id (reply/quote: the reply or quote post),
               platform_id (the like/repost record), occurred_at, raw_json, fetched_at
In JSONL, `author` / `actor` may instead be an object with the account fields. `raw_json` is the payload
as the platform sent it (a string, or an object in JSONL); when absent the row itself is the evidence
(in JSONL the line exactly as written). `fetched_at` defaults to the import time.
Platform ids: Bluesky DIDs and at:// URIs; Mastodon account and status URIs. List a post before the
interactions that point at it.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from crawler.items import AccountItem, InteractionItem, PostItem
from crawler.normalize import normalize_item
from crawler.validate import Invalid, check_item
from models.base import RunStatus, utcnow
from models.ingest import Ingestor
from models.runs import finish_run, start_run

ACCOUNT_FIELDS = ("handle", "display_name", "bio", "profile_url")


@dataclass
class ImportReport:
    run_id: int
    rows: int = 0
    stored: Counter = field(default_factory=Counter)
    rejected: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.stored.items())) or "nothing"
        return f"Import run {self.run_id}: {self.rows} row(s); stored: {kinds}; {len(self.rejected)} rejected"


def _text(row: dict, key: str) -> str | None:
    value = row.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise Invalid("bad_field", key)
    return value


def _account(row: dict, prefix: str) -> AccountItem:
    nested = row.get(prefix[:-1]) if prefix else None
    if isinstance(nested, dict):
        return _account({**nested, "platform": nested.get("platform", row.get("platform"))}, "")
    return AccountItem(platform=row.get("platform"), platform_id=_text(row, prefix + "platform_id"),
                       **{f: _text(row, prefix + f) for f in ACCOUNT_FIELDS if prefix + f in row or not prefix})


def row_to_item(row: dict, raw_line: str) -> object:
    """Build the item a row describes; raise Invalid with a reason when it cannot be one."""
    kind = row.get("type")
    raw = row.get("raw_json")
    if isinstance(raw, dict | list):
        raw = json.dumps(raw, ensure_ascii=False)
    raw = raw or raw_line
    fetched_at = row.get("fetched_at") or utcnow()
    if kind == "account":
        return _account(row, "")
    if kind == "post":
        return PostItem(platform=row.get("platform"), platform_id=_text(row, "platform_id"),
                        author=_account(row, "author_"), raw_json=raw, fetched_at=fetched_at,
                        text=_text(row, "text") or "", url=_text(row, "url"), platform_cid=_text(row, "platform_cid"),
                        created_at=_text(row, "created_at"), edited_at=_text(row, "edited_at"),
                        language=_text(row, "language"), reply_to_platform_id=_text(row, "reply_to_platform_id"))
    if kind == "interaction":
        return InteractionItem(platform=row.get("platform"), kind=row.get("kind"), actor=_account(row, "actor_"),
                               target_platform_id=_text(row, "target_platform_id"), raw_json=raw,
                               fetched_at=fetched_at, own_post_platform_id=_text(row, "own_post_platform_id"),
                               platform_id=_text(row, "platform_id"), occurred_at=_text(row, "occurred_at"))
    raise Invalid("unknown_type", str(kind)[:40])


def read_rows(path: Path, fmt: str):
    """Yield (line number, row dict or error reason, raw text) without loading the file into memory."""
    if fmt == "auto":
        fmt = "csv" if path.suffix.lower() == ".csv" else "jsonl"
    with path.open(encoding="utf-8", newline="") as handle:
        if fmt == "csv":
            reader = csv.DictReader(handle)
            for row in reader:
                clean = {k: v for k, v in row.items() if k is not None}
                yield reader.line_num, clean, json.dumps(clean, ensure_ascii=False)
            return
        for number, line in enumerate(handle, start=1):
            text = line.rstrip("\r\n")
            if not text.strip():
                continue
            try:
                row = json.loads(text)
            except ValueError:
                yield number, "not_json", text
                continue
            yield number, row if isinstance(row, dict) else "not_an_object", text


def import_file(engine: Engine, path: Path, fmt: str = "auto", batch_size: int = 500) -> ImportReport:
    """Validate and store every row of the file; rows that fail are reported and skipped."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    run_id, started = start_run(engine, "import", {"file": path.name, "sha256": digest})
    report = ImportReport(run_id)
    errors: Counter = Counter()
    ingestor = Ingestor(engine, run_id, started, batch_size, resolves_handles=False)  # rows prove no handle
    try:
        for number, row, raw_line in read_rows(path, fmt):
            report.rows += 1
            try:
                if isinstance(row, str):
                    raise Invalid(row)
                item = row_to_item(row, raw_line)
                check_item(item)
                item = normalize_item(item)
            except Invalid as exc:
                report.rejected.append((number, str(exc)))
                errors[exc.reason] += 1
                continue
            {AccountItem: ingestor.add_account, PostItem: ingestor.add_post,
             InteractionItem: ingestor.add_interaction}[type(item)](item)
            if ingestor.full:
                _flush(ingestor, report, errors)
        _flush(ingestor, report, errors)
    except Exception as exc:
        finish_run(engine, run_id, RunStatus.FAILED, str(exc)[:500], error_counts=dict(errors))
        raise
    finish_run(engine, run_id, RunStatus.COMPLETED, item_counts=dict(report.stored), error_counts=dict(errors))
    return report


def _flush(ingestor: Ingestor, report: ImportReport, errors: Counter) -> None:
    stored, dropped = ingestor.flush()
    report.stored.update(stored)
    errors.update(dropped)
    for reason, n in dropped.items():
        report.rejected.append((0, f"{reason}: {n} row(s) (their target post is neither stored nor in the file)"))



