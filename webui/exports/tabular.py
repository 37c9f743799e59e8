"""Review stage, exports: the compliance summary as CSV (streamed) or XLSX (write-only workbook).

Both stay in constant memory: rows come from query.py's batches and go straight out. Cells that a
spreadsheet would read as a formula (=, +, -, @) get a leading apostrophe: crawled names and handles
must not run as formulas on a reviewer's machine.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import BinaryIO

from sqlalchemy.orm import Session

from webui.exports.query import SUMMARY_HEADER, SummaryFilter, case_header, confirmed_cases, summary_rows

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK_ROWS = 500


def cell_safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
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
        out.writerow(header)
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
    """Write an XLSX with one sheet per table (openpyxl's write-only mode keeps rows on disk, not in memory)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, header, rows in sections(session, f, include_nip):
        sheet = book.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append([cell_safe(v) for v in row])
    book.save(fh)
