"""Review stage, exports: the compliance summary as PDF.

fpdf2 builds the document in memory, so the case list is capped (NETRAL_PDF_MAX_CASES) and the PDF
says how many more cases the CSV/XLSX holds; the counts table is always complete.
"""

from __future__ import annotations

import itertools
from typing import BinaryIO

from sqlalchemy.orm import Session

from models import utcnow
from webui.exports.pdfbase import NetralPDF
from webui.exports.query import SUMMARY_HEADER, SummaryFilter, case_header, confirmed_cases, summary_rows, time_column
from webui.formatting import local_time

MAX_CASES = 2000


def write_pdf(session: Session, f: SummaryFilter, include_nip: bool, fh: BinaryIO, max_cases: int = MAX_CASES) -> None:
    pdf = NetralPDF("Ringkasan kepatuhan netralitas")
    pdf.add_page(orientation="L")
    pdf.heading("Ringkasan kepatuhan netralitas")
    pdf.field("Dibuat", local_time(utcnow()))
    pdf.field("Cakupan", ", ".join(f"{k}={v}" for k, v in f.describe().items()) or "semua")
    pdf.ln(3)
    pdf.heading("Jumlah per instansi, wilayah, platform dan aturan", 11)
    pdf.table(SUMMARY_HEADER, summary_rows(session, f))
    pdf.ln(4)
    pdf.heading("Kasus terkonfirmasi", 11)
    header = case_header(include_nip)
    keep = [i for i, h in enumerate(header) if h not in ("sha256_bukti", time_column("waktu_tangkap"), "url")]
    cases = confirmed_cases(session, f, include_nip)
    shown = [[row[i] for i in keep] for row in itertools.islice(cases, max_cases)]
    pdf.table([header[i] for i in keep], shown)
    rest = sum(1 for _ in cases)
    if rest:
        pdf.ln(2)
        pdf.multi_cell(0, 5, f"{rest} kasus terkonfirmasi lainnya tidak dicetak di sini; lihat ekspor CSV/XLSX.")
    fh.write(bytes(pdf.output()))
