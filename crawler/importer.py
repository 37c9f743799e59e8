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

A Zeeschuimer browser capture (`.ndjson`, or any file whose first line is one) is read by
crawler.captures.zeeschuimer instead: one captured platform object per line, mapped per platform.

Reading (models.textfile): UTF-8 with or without BOM (a CSV may also be an old Excel's Windows-1252),
LF or CRLF, CSV separated by `,`, `;` or tab (told from the header), empty rows skipped. The file is
checked whole before a run starts: a binary file, a workbook or text that is not UTF-8 stores nothing
and the error names the line. Every bad row is skipped, counted and reported with its line. Rows are
stored in batches; should the database refuse one (it should not: every field is checked against its
column first), the run is marked failed with what was stored, and importing the file again completes
it (every write is idempotent). Rows never bind a registry handle to an account (models.bindings).
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from crawler.items import AccountItem, InteractionItem, PostItem
from crawler.normalize import normalize_item
from crawler.validate import Invalid, check_item
from models import Post
from models.base import Platform, RunStatus, utcnow
from models.ingest import Ingestor
from models.runs import finish_run, start_run
from models.textfile import TextFileError, csv_delimiter, inspect_text

ACCOUNT_FIELDS = ("handle", "display_name", "bio", "profile_url")
CSV_COLUMNS = ["type", "platform", "platform_id", "handle", "display_name", "bio", "profile_url",
               "author_platform_id", "author_handle", "text", "url", "created_at", "edited_at", "language",
               "reply_to_platform_id", "platform_cid", "raw_json", "fetched_at", "kind", "actor_platform_id",
               "actor_handle", "target_platform_id", "own_post_platform_id", "occurred_at"]


class ImportFileError(ValueError):
    """The file cannot be imported (not text, not UTF-8, no CSV header, or the database refused a batch)."""


@dataclass
class ImportReport:
    run_id: int
    rows: int = 0
    stored: Counter = field(default_factory=Counter)
    rejected: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.stored.items()) if v) or "nothing"
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


def file_format(path: Path, fmt: str) -> str:
    if fmt == "auto":
        if path.suffix.lower() in (".csv", ".tsv"):
            return "csv"
        return "zeeschuimer" if path.suffix.lower() == ".ndjson" or _is_capture(path) else "jsonl"
    return fmt


def _is_capture(path: Path) -> bool:
    """Whether the first line is a Zeeschuimer capture (crawler.captures), whatever the file's name."""
    try:
        with path.open("rb") as handle:
            first = handle.readline(1_000_000)
    except OSError:
        return False
    return all(key in first for key in (b'"source_platform"', b'"timestamp_collected"', b'"data"'))


def read_rows(path: Path, fmt: str, encoding: str = "utf-8-sig"):
    """Yield (line number, row dict or error reason, raw text) without loading the file into memory."""
    fmt = file_format(path, fmt)
    with path.open(encoding=encoding, newline="") as handle:
        if fmt == "csv":
            header = handle.readline()
            handle.seek(0)
            delimiter = csv_delimiter(path, header.rstrip("\r\n"), CSV_COLUMNS)
            reader = csv.DictReader(handle, delimiter=delimiter)
            reader.fieldnames = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
            if "type" not in reader.fieldnames:
                raise TextFileError(f"{path}:1: the header has no 'type' column; the first row must name the "
                                    f"columns, e.g. type,platform,platform_id,handle")
            try:
                for row in reader:
                    clean = {k: v for k, v in row.items() if k}
                    if not any((v or "").strip() for v in clean.values() if isinstance(v, str)):
                        continue  # an empty row (Excel leaves a few at the end)
                    yield reader.line_num, clean, json.dumps(clean, ensure_ascii=False)
            except csv.Error as exc:
                raise TextFileError(f"{path}:{reader.line_num}: not readable as CSV: {exc}") from None
            return
        for number, line in enumerate(handle, start=1):
            text = line.rstrip("\r\n")
            if not text.strip():
                continue
            try:
                row = json.loads(text)
            except RecursionError:
                yield number, "too_deep", text
                continue
            except ValueError:
                yield number, "not_json", text
                continue
            yield number, row if isinstance(row, dict) else "not_an_object", text


def import_file(engine: Engine, path: Path, fmt: str = "auto", batch_size: int = 500) -> ImportReport:
    """Validate and store every row of the file; rows that fail are reported and skipped.

    Raises ImportFileError, naming the file and line, when the file is not text it can read (nothing is
    stored then) or the database refused a batch (the run says what was stored before it).
    """
    fmt = file_format(path, fmt)
    if fmt == "zeeschuimer":  # browser captures: their own reader and mappers
        from crawler.captures.zeeschuimer import import_captures

        return import_captures(engine, path)
    try:
        info = inspect_text(path, legacy=fmt == "csv", kind=fmt.upper())
        if fmt == "csv":  # the header is checked before a run starts
            next(iter(read_rows(path, fmt, info.encoding)), None)
    except TextFileError as exc:
        raise ImportFileError(str(exc)) from None
    run_id, started = start_run(engine, "import", {"file": path.name, "sha256": info.sha256,
                                                    "encoding": info.encoding})
    report = ImportReport(run_id)
    errors: Counter = Counter()
    ingestor = Ingestor(engine, run_id, started, batch_size, resolves_handles=False)  # rows prove no handle
    first_unstored = 1  # the first line of the open batch
    targets: dict[tuple[str, str], list[int]] = {}  # the open batch's interaction targets -> their lines
    try:
        for number, row, raw_line in read_rows(path, fmt, info.encoding):
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
            except (TypeError, ValueError, OverflowError, RecursionError) as exc:  # a shape no check foresaw
                report.rejected.append((number, f"bad_row: {type(exc).__name__}"))
                errors["bad_row"] += 1
                continue
            {AccountItem: ingestor.add_account, PostItem: ingestor.add_post,
             InteractionItem: ingestor.add_interaction}[type(item)](item)
            if isinstance(item, InteractionItem):
                targets.setdefault((item.platform, item.target_platform_id), []).append(number)
            if ingestor.full:
                _flush(engine, ingestor, report, errors, targets)
                first_unstored = number + 1
        _flush(engine, ingestor, report, errors, targets)
    except (SQLAlchemyError, UnicodeError, TextFileError) as exc:
        raise failed_run(engine, run_id, path, first_unstored, exc, report, errors, "Fix the file and import it "
                         "again") from None
    finish_run(engine, run_id, RunStatus.COMPLETED, item_counts=dict(report.stored), error_counts=dict(errors))
    return report


def failed_run(engine, run_id: int, path, first_unstored: int, exc: Exception, report, errors, advice: str
               ) -> ImportFileError:
    """Close the run as failed with what it stored, and return the error that names the line it stopped at."""
    stored = ", ".join(f"{k} {v}" for k, v in sorted(report.stored.items())) or "nothing"
    why = _refusal(exc)
    finish_run(engine, run_id, RunStatus.FAILED, f"line {first_unstored} on: {why}"[:500],
               item_counts=dict(report.stored), error_counts=dict(errors))
    return ImportFileError(f"{path}:{first_unstored}: {why}; import run {run_id} failed. Stored before line "
                           f"{first_unstored}: {stored}. {advice}: what is stored is not duplicated")


def _refusal(exc: Exception) -> str:
    """What went wrong, without the statement's parameters (they hold the rows' personal data)."""
    if isinstance(exc, TextFileError):
        return str(exc).split(": ", 1)[-1]
    orig = getattr(exc, "orig", None)
    first = (str(orig).strip().splitlines() or [""])[0][:200] if orig is not None else type(exc).__name__
    return f"the database refused a batch ({type(orig or exc).__name__}: {first})"


def _flush(engine: Engine, ingestor: Ingestor, report: ImportReport, errors: Counter,
           targets: dict[tuple[str, str], list[int]]) -> None:
    """Write the open batch; name the line of every interaction whose post is neither stored nor in the file."""
    missing = _missing_targets(engine, ingestor, targets)
    stored, dropped = ingestor.flush()
    report.stored.update(stored)
    errors.update(dropped)
    lines = sorted(n for key in missing for n in targets[key])
    report.rejected.extend((n, "target_post_missing: the post it points at is neither stored nor earlier in the file")
                           for n in lines)
    unnamed = dropped.get("target_post_missing", 0) - len(lines)
    for reason, n in dropped.items():
        if reason != "target_post_missing":
            report.rejected.append((0, f"{reason}: {n} row(s)"))
    if unnamed > 0:  # a duplicate of a row already named
        report.rejected.append((0, f"target_post_missing: {unnamed} more row(s)"))
    report.rejected.sort(key=lambda r: r[0])
    targets.clear()


def _missing_targets(engine: Engine, ingestor: Ingestor, targets: dict) -> set[tuple[str, str]]:
    in_batch = set(ingestor.batch.posts)
    wanted = [key for key in targets if key not in in_batch]
    found: set[tuple[str, str]] = set()
    with engine.connect() as conn:
        for start in range(0, len(wanted), 500):
            part = wanted[start:start + 500]
            for platform in {p for p, _ in part}:
                ids = [pid for p, pid in part if p == platform]
                found.update((platform, pid) for pid in conn.execute(
                    select(Post.platform_id).where(Post.platform == Platform(platform), Post.platform_id.in_(ids))
                ).scalars())
    return set(wanted) - found
