"""Review UI exports: compliance summary in CSV/XLSX/PDF from the web and the CLI, the case PDF, NIP policy, audit."""

from __future__ import annotations

import csv
import io
from datetime import UTC

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from models import AuditEvent, Decision, FlagStatus, Review
from netral.cli import cli
from tests.factories import make_account, make_flag, make_interaction, make_person, make_post

NIP = "198001012005011001"


@pytest.fixture
def confirmed(db_session, users):
    """Two confirmed flags (one with a NIP, one with a formula-like name), one dismissed, one new."""
    actor = make_account(db_session)
    person = make_person(db_session, actor, name="Budi Santoso", nip=NIP)
    flags = []
    for status in (FlagStatus.CONFIRMED, FlagStatus.DISMISSED, FlagStatus.NEW):
        interaction = make_interaction(db_session, actor, make_post(db_session, text="Coblos 01"))
        flags.append(make_flag(db_session, interaction, person, status=status))
    other = make_person(db_session, make_account(db_session), name="=HYPERLINK(\"http://x\")")
    flags.append(make_flag(db_session, person=other, status=FlagStatus.CONFIRMED))
    db_session.add(Review(flag_id=flags[0].id, reviewer_id=users["reviewer"].id, decision=Decision.CONFIRM, note="ok"))
    db_session.commit()
    return flags


def _csv(text: str) -> tuple[list[list[str]], list[list[str]]]:
    summary, cases = text.lstrip("\ufeff").split("\r\n\r\n")
    return list(csv.reader(io.StringIO(summary))), list(csv.reader(io.StringIO(cases)))


def test_web_csv_summary_counts_and_cases(as_role, confirmed, db_session):
    response = as_role("viewer").post("/export/summary", {"format": "csv"})
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert response.is_streamed  # rows go out as they are read, not after the whole file is built
    summary, cases = _csv(response.get_data(as_text=True))
    assert summary[0][:6] == ["instansi", "provinsi", "kabupaten_kota", "platform", "aturan", "ditandai"]
    assert [int(v) for v in summary[1][5:8]] == [4, 2, 1]
    assert len(cases) == 3 and "nip" not in cases[0]
    assert NIP not in response.get_data(as_text=True)
    assert cases[1][-1] == "reviewer"  # who confirmed
    assert any(row[8].startswith("'=HYPERLINK") for row in cases[1:])  # no formula injection
    assert "export.summary" in db_session.scalars(select(AuditEvent.action)).all()


def test_nip_only_for_admins_when_asked(as_role, confirmed):
    assert as_role("viewer").post("/export/summary", {"format": "csv", "with_nip": "1"}).status_code == 403
    response = as_role("admin").post("/export/summary", {"format": "csv", "with_nip": "1"})
    assert NIP in response.get_data(as_text=True)


@pytest.mark.parametrize("fmt, magic", [("xlsx", b"PK"), ("pdf", b"%PDF")])
def test_web_xlsx_and_pdf(as_role, confirmed, fmt, magic):
    response = as_role("viewer").post("/export/summary", {"format": fmt, "platform": "bluesky"})
    assert response.status_code == 200 and response.data.startswith(magic)


def test_xlsx_has_both_sheets(as_role, confirmed):
    from openpyxl import load_workbook

    response = as_role("viewer").post("/export/summary", {"format": "xlsx"})
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Ringkasan", "Kasus terkonfirmasi"]
    assert book["Kasus terkonfirmasi"].max_row == 3


def test_bad_export_requests(as_role, confirmed):
    browser = as_role("viewer")
    assert browser.post("/export/summary", {"format": "exe"}).status_code == 400
    assert browser.post("/export/summary", {"format": "csv", "date_from": "yesterday"}).status_code == 400
    assert browser.client.post("/export/summary", data={"format": "csv"}).status_code == 400  # no CSRF token


def test_case_pdf_from_the_web_is_audited(as_role, confirmed, db_session):
    response = as_role("viewer").get(f"/export/case/{confirmed[0].id}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert as_role("viewer").get("/export/case/999999.pdf").status_code == 404
    assert db_session.scalars(select(AuditEvent.action).where(AuditEvent.action == "export.case")).all()


def test_cli_summary_and_case(netral_env, confirmed, tmp_path, db_session):
    runner = CliRunner()
    result = runner.invoke(cli, ["export", "summary", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "ditandai" in result.output and NIP not in result.output
    result = runner.invoke(cli, ["export", "summary", "--with-nip"])
    assert NIP in result.output
    for fmt in ("xlsx", "pdf"):
        out = tmp_path / f"s.{fmt}"
        result = runner.invoke(cli, ["export", "summary", "--format", fmt, "--output", str(out)])
        assert result.exit_code == 0 and out.stat().st_size > 1000, result.output
    assert runner.invoke(cli, ["export", "summary", "--format", "pdf"]).exit_code != 0  # needs --output
    assert runner.invoke(cli, ["export", "summary", "--platform", "myspace"]).exit_code != 0
    pdf = tmp_path / "case.pdf"
    result = runner.invoke(cli, ["export", "case", str(confirmed[0].id), "--output", str(pdf)])
    assert result.exit_code == 0 and pdf.read_bytes().startswith(b"%PDF"), result.output
    assert runner.invoke(cli, ["export", "case", "999999", "--output", str(pdf)]).exit_code != 0
    actions = db_session.scalars(select(AuditEvent.action)).all()
    assert actions.count("export.summary") == 4 and actions.count("export.case") == 1


def test_period_filter_uses_wib_days(db_session, users):
    from datetime import datetime

    from webui.exports.query import SummaryFilter, summary_rows

    late = datetime(2024, 11, 10, 17, 30, tzinfo=UTC)  # 11 Nov 00:30 in Jakarta
    make_flag(db_session, event_at=late, status=FlagStatus.CONFIRMED)
    db_session.commit()
    on_10th = list(summary_rows(db_session, SummaryFilter.from_mapping({"date_from": "2024-11-10",
                                                                       "date_to": "2024-11-10"})))
    on_11th = list(summary_rows(db_session, SummaryFilter.from_mapping({"date_from": "2024-11-11"})))
    assert on_10th == [] and on_11th[0][5:7] == [1, 1]


def test_summary_counts_acts_not_flags(db_session, users):
    """A quote flagged twice before one act became one case (the quote, and its own post) counts once."""
    from models import InteractionKind, Severity
    from webui.exports.query import SummaryFilter, confirmed_cases, summary_rows

    actor = make_account(db_session)
    person = make_person(db_session, actor, name="Ani")
    own = make_post(db_session, actor, text="Setuju, coblos 01!")
    quote = make_interaction(db_session, actor, make_post(db_session, text="Coblos 01"), kind=InteractionKind.QUOTE,
                             own_post_id=own.id)
    make_flag(db_session, quote, person, rule_code="QUOTE_PARTISAN", status=FlagStatus.CONFIRMED)
    make_flag(db_session, quote, person, rule_code="POST_PARTISAN", subject_key=f"post:{own.id}",
              interaction_id=None, post_id=own.id, severity=Severity.HIGH, status=FlagStatus.CONFIRMED)
    standalone = make_post(db_session, actor, text="Pilih 01")
    make_flag(db_session, quote, person, rule_code="POST_PARTISAN", subject_key=f"post:{standalone.id}",
              interaction_id=None, post_id=standalone.id, status=FlagStatus.NEW)
    db_session.commit()
    rows = list(summary_rows(db_session, SummaryFilter()))
    assert sum(r[5] for r in rows) == 2 and sum(r[6] for r in rows) == 1  # two acts, one confirmed
    assert len(list(confirmed_cases(db_session, SummaryFilter()))) == 1


def test_exports_use_the_latest_decision(db_session, users):
    """A confirmed case reopened and confirmed again names only the later confirmer; a retracted one is gone."""
    from webui.exports.query import SummaryFilter, confirmed_cases, summary_rows

    reopened = make_flag(db_session, status=FlagStatus.CONFIRMED)
    retracted = make_flag(db_session, status=FlagStatus.WITHDRAWN)
    for flag, decisions in ((reopened, [("reviewer", Decision.CONFIRM), ("admin", Decision.REOPEN),
                                        ("reviewer2", Decision.CONFIRM)]),
                            (retracted, [("reviewer", Decision.CONFIRM), ("admin", Decision.RETRACT)])):
        for who, decision in decisions:
            db_session.add(Review(flag_id=flag.id, reviewer_id=users[who].id, decision=decision, note="n"))
    db_session.commit()
    cases = list(confirmed_cases(db_session, SummaryFilter()))
    assert [(c[0], c[-1]) for c in cases] == [(reopened.id, "reviewer2")]
    rows = list(summary_rows(db_session, SummaryFilter()))
    assert sum(r[5] for r in rows) == 1 and sum(r[6] for r in rows) == 1


def test_case_pdf_shows_the_legal_basis(db_session, users):
    import io

    from models import PersonRole
    from webui.exports.evidence import write_case_pdf
    from webui.review.case_data import load_case

    actor = make_account(db_session)
    person = make_person(db_session, actor, role=PersonRole.POLRI, name="Brigadir X")
    flag = make_flag(db_session, make_interaction(db_session, actor, make_post(db_session)), person)
    db_session.commit()
    calls = []
    from webui.exports import pdfbase

    real = pdfbase.NetralPDF.field

    def spy(self, label, value):
        calls.append((label, value))
        return real(self, label, value)

    pdfbase.NetralPDF.field = spy
    try:
        write_case_pdf(load_case(db_session, flag.id), io.BytesIO())
    finally:
        pdfbase.NetralPDF.field = real
    basis = dict(calls)["Dasar hukum"]
    assert "Nomor 2 Tahun 2002 tentang Kepolisian Negara Republik Indonesia, Pasal 28" in basis


@pytest.mark.parametrize("field, value", [("date_to", "9999-12-31"), ("date_from", "0001-01-01")])
def test_export_dates_out_of_range_are_a_400_with_a_message(as_role, confirmed, field, value):
    for fmt in ("csv", "xlsx"):
        response = as_role("viewer").post("/export/summary", {"format": fmt, field: value})
        assert response.status_code == 400
        assert "out of range" in response.get_data(as_text=True)
