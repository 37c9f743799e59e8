"""Review stage, exports: the compliance summary as CSV (streamed) or XLSX (write-only workbook).

Both stay in constant memory: rows come from query.py's batches and go straight out. Cells that a
spreadsheet would read as a formula (=, +, -, @) get a leading apostrophe: crawled names and handles
must not run as formulas on a reviewer's machine. Control, bidi and invisible characters become visible
markers (webui.formatting.visible), so no XLSX cell holds a character XML forbids; the XLSX is built in a
temporary file and copied out only once complete, so a failure leaves nothing half-written behind.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from webui.exports.query import SUMMARY_HEADER, SummaryFilter, case_header, confirmed_cases, summary_rows
from webui.formatting import visible

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK_ROWS = 500


def cell_safe(value):
    """A value as a spreadsheet cell: invisible characters marked, a formula-like start defused."""
    if isinstance(value, str):
        value = visible(value)
        if value.startswith(FORMULA_START):
            return "'" + value
    return value


def sections(session: Session, f: SummaryFilter, include_nip: bool):
    """The two tables of a summary: (title, header, rows)."""
    yield "Ringkasan", SUMMARY_HEADER, summary_rows(session, f)
    yield "Kasus terkonfirmasi", case_header(include_nip), confirmed_cases(session, f, include_nip)


def iter_csv(session: Session, f: SummaryFilter, include_nip: bool = False) -> Iterator[str]:
    """Yield the CSV text in chunks: the summary table, a blank line, then the confirmed cases."""
    buffer = io.StringIO()
    out = csv.writer(buffer)
    buffer.write("\ufeff")  # a BOM, so Excel reads the UTF-8 names correctly
    for index, (_title, header, rows) in enumerate(sections(session, f, include_nip)):
        if index:
            out.writerow([])
        out.writerow([cell_safe(h) for h in header])
        for n, row in enumerate(rows, 1):
            out.writerow([cell_safe(v) for v in row])
            if n % CHUNK_ROWS == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue()


def write_csv(session: Session, f: SummaryFilter, include_nip: bool, fh: BinaryIO) -> None:
    for chunk in iter_csv(session, f, include_nip):
        fh.write(chunk.encode("utf-8"))


def write_xlsx(session: Session, f: SummaryFilter, include_nip: bool, fh: BinaryIO) -> None:
    """Write an XLSX with one sheet per table (openpyxl's write-only mode keeps rows on disk, not in memory).

    The workbook is saved to a temporary file first; `fh` receives bytes only once it is complete.
    """
    from openpyxl import Workbook

    with tempfile.TemporaryFile() as spool:
        book = Workbook(write_only=True)
        for title, header, rows in sections(session, f, include_nip):
            sheet = book.create_sheet(title)
            sheet.append([cell_safe(h) for h in header])
            for row in rows:
                sheet.append([cell_safe(v) for v in row])
        book.save(spool)
        spool.seek(0)
        shutil.copyfileobj(spool, fh)


def write_file_atomically(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Call write(fh) on a temporary file beside `path`, then move it into place: the file is complete or
    absent (an export that fails leaves no 0-byte or half-written file). Mode 0600 like the instance folder."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
