"""Unknown times stay unknown (issue 12, point 4): a Mastodon favourite has no time of its own.

A favourite crawled in December 2026 of a post made in the 2024 quiet period: the flag, the case page,
the CSV, the XLSX, both PDFs and the dashboard never date it 2026 (nor at any capture time); they say
"tidak diketahui (antara ... dan ...)" with the bounds (the post's creation, when it was first seen).
A known time still shows as before.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from models import Decision, Flag, FlagStatus, InteractionKind, Platform, Review
from tests.factories import make_account, make_interaction, make_person, make_post

PARTISAN = "Ayo coblos Bang Budi nomor 1, pemimpin jujur dan merakyat! #Bersinar01"
POSTED = datetime(2024, 11, 25, 3, 0, tzinfo=UTC)  # 10:00 WIB, quiet period
CRAWLED = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 09:00 WIB, two years later
KNOWN = datetime(2024, 11, 20, 3, 0, tzinfo=UTC)  # a Bluesky like with createdAt, in the campaign
UNKNOWN_ID = "tidak diketahui (antara 2024-11-25 10:00:00 WIB dan 2026-12-01 09:00:00 WIB)"


@pytest.fixture
def cases(engine, db_session, users):
    """The flag job's own flags: one favourite without time, one like with its time; both confirmed."""
    from models.profile import load_profile
    from nlp.jobs.classify import classify_pending
    from nlp.jobs.flag import run_rules
    from tests.conftest import ROOT

    citizen = make_account(db_session, platform=Platform.MASTODON, platform_id="https://sawah.test/users/warga",
                           handle="warga@sawah.test")
    asn = make_account(db_session, platform=Platform.MASTODON, platform_id="https://sawah.test/users/asn",
                       handle="asn@sawah.test")
    make_person(db_session, asn, name="Ani Lestari")
    post = make_post(db_session, citizen, PARTISAN, created_at=POSTED,
                     platform_id="https://sawah.test/users/warga/statuses/1")
    fav = make_interaction(db_session, asn, post, InteractionKind.LIKE, occurred_at=None, first_seen_at=CRAWLED)
    other = make_post(db_session, citizen, PARTISAN + " Hari ini", created_at=KNOWN)
    known = make_interaction(db_session, asn, other, InteractionKind.LIKE, occurred_at=KNOWN, first_seen_at=CRAWLED)
    db_session.commit()
    profile = load_profile(ROOT / "examples" / "profile.yaml")
    classify_pending(engine, profile)
    run_rules(engine, profile)
    db_session.expire_all()
    unknown_flag = db_session.scalars(select(Flag).where(Flag.interaction_id == fav.id)).one()
    known_flag = db_session.scalars(select(Flag).where(Flag.interaction_id == known.id)).one()
    for flag in (unknown_flag, known_flag):
        flag.status = FlagStatus.CONFIRMED
        db_session.add(Review(flag_id=flag.id, reviewer_id=users["reviewer"].id, decision=Decision.CONFIRM))
    db_session.commit()
    return unknown_flag, known_flag


def test_the_flag_keeps_the_time_unknown_with_bounds(cases):
    unknown, known = cases
    assert unknown.event_at is None and (unknown.event_earliest, unknown.event_latest) == (POSTED, CRAWLED)
    assert unknown.severity.value == "low"  # lightest phase in the range; not bumped by an assumed day
    assert "setelah pemungutan suara." not in unknown.explanation
    assert "waktu tidak diketahui: antara 2024-11-25 10:00 WIB dan 2026-12-01 09:00 WIB" in unknown.explanation
    assert known.event_at == KNOWN and known.event_earliest is None and "pada masa kampanye." in known.explanation


def test_case_page_says_unknown_between(as_role, cases):
    unknown, known = cases
    html = as_role("viewer").get(f"/case/{unknown.id}").get_data(as_text=True)
    assert f'<dd id="event-time">{UNKNOWN_ID}</dd>' in html
    assert "suka, 2026" not in html.lower() and f"{UNKNOWN_ID}\n" in html  # the interaction line too
    html = as_role("viewer").get(f"/case/{known.id}").get_data(as_text=True)
    assert '<dd id="event-time">2024-11-20 10:00:00 WIB</dd>' in html


def test_case_page_in_english(as_role, cases, db_session, users):
    users["viewer"].locale = "en"
    db_session.commit()
    html = as_role("viewer").get(f"/case/{cases[0].id}").get_data(as_text=True)
    assert "unknown (between 2024-11-25 10:00:00 WIB and 2026-12-01 09:00:00 WIB)" in html


def _cases_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff").split("\r\n\r\n")[1])))


def test_csv_and_xlsx_leave_the_time_empty_and_give_the_bounds(as_role, cases):
    from openpyxl import load_workbook

    unknown, known = cases
    rows = {int(r["id_kasus"]): r for r in _cases_csv(
        as_role("viewer").post("/export/summary", {"format": "csv"}).get_data(as_text=True))}
    assert rows[unknown.id]["waktu_wib"] == ""
    assert rows[unknown.id]["waktu_paling_awal_wib"] == "2024-11-25 10:00:00 WIB"
    assert rows[unknown.id]["waktu_paling_akhir_wib"] == "2026-12-01 09:00:00 WIB"
    assert rows[known.id]["waktu_wib"] == "2024-11-20 10:00:00 WIB"
    assert rows[known.id]["waktu_paling_awal_wib"] == rows[known.id]["waktu_paling_akhir_wib"] == ""
    book = load_workbook(io.BytesIO(as_role("viewer").post("/export/summary", {"format": "xlsx"}).data))
    sheet = list(book["Kasus terkonfirmasi"].iter_rows(values_only=True))
    by_id = {row[0]: dict(zip(sheet[0], row, strict=True)) for row in sheet[1:]}
    assert by_id[unknown.id]["waktu_wib"] in ("", None)
    assert by_id[unknown.id]["waktu_paling_awal_wib"] == "2024-11-25 10:00:00 WIB"
    assert by_id[known.id]["waktu_wib"] == "2024-11-20 10:00:00 WIB"


def _pdf_text(data: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def test_case_pdf_says_unknown_between(as_role, cases):
    unknown, known = cases
    text = _pdf_text(as_role("viewer").get(f"/export/case/{unknown.id}.pdf").data)
    assert f"Waktu kejadian {UNKNOWN_ID}" in text
    text = _pdf_text(as_role("viewer").get(f"/export/case/{known.id}.pdf").data)
    assert "Waktu kejadian 2024-11-20 10:00:00 WIB" in text


def test_case_pdf_from_the_cli_is_indonesian(db_session, cases):
    from webui.exports.evidence import write_case_pdf
    from webui.review.case_data import load_case

    out = io.BytesIO()
    write_case_pdf(load_case(db_session, cases[0].id), out)
    assert f"Waktu kejadian {UNKNOWN_ID}" in _pdf_text(out.getvalue())


def test_summary_pdf_says_unknown(as_role, cases):
    text = _pdf_text(as_role("viewer").post("/export/summary", {"format": "pdf"}).data)
    # Table cells wrap over lines, so the words come interleaved with the neighbouring cells'.
    assert "tidak diketahui (antara" in text and "2024-11-25" in text and "2026-12-01 09:00:00 WIB)" in text
    assert "waktu_paling_awal" not in text  # the bounds are in the time cell, not columns of their own


def test_period_filter_includes_an_unknown_time_whose_bounds_overlap(db_session, cases):
    from webui.exports.query import SummaryFilter, confirmed_cases

    def ids(**period):
        return {row[0] for row in confirmed_cases(db_session, SummaryFilter.from_mapping(period))}

    unknown, known = cases
    assert ids(date_from="2024-11-25", date_to="2024-11-25") == {unknown.id}  # may have been that day
    assert ids(date_from="2024-11-20", date_to="2024-11-20") == {known.id}  # before the post: impossible
    assert ids(date_from="2026-12-02") == set()  # after it was seen: impossible
    assert ids(date_to="2024-11-24") == {known.id}


def test_dashboard_counts_unknown_times_apart_from_the_chart(as_role, cases):
    html = as_role("viewer").get("/dashboard/").get_data(as_text=True)
    assert "<polyline" in html and "2024-11-20 — 2024-11-20" in html  # the chart is the known day only
    assert "2026" not in html
    assert "Waktu tidak diketahui:</strong> 1 flagged" not in html  # translated
    assert 'id="unknown-time"' in html and "Waktu tidak diketahui" in html
