"""Review UI, issue 12 point 15: control, bidi and zero-width characters in crawled and registry text are made
visible and safe on every page and in every export (CSV, XLSX, PDF)."""

from __future__ import annotations

import io
import re

import pytest
from click.testing import CliRunner

from models import FlagStatus
from netral.cli import cli
from tests.factories import make_account, make_flag, make_interaction, make_person, make_post

# Stored in the database, so no NUL (PostgreSQL text cannot hold it; visible() marks it all the same).
HOSTILE = "Budi\x0b\u202egnp.exe\u200b\u2066x\u2069\ufeff\x85\x01"
INVISIBLE = ["\x0b", "\u202e", "\u200b", "\u2066", "\u2069", "\ufeff", "\x85", "\x01"]


def test_visible_marks_each_invisible_character():
    from webui.formatting import visible

    assert visible("a\u202eb") == "a⟦U+202E⟧b"
    assert visible("tab\tand\nnewline") == "tab\tand\nnewline"
    assert visible("crlf\r\nline\rcr") == "crlf\nline⟦U+000D⟧cr"
    for ch in ["\x00", "\x1f", "\x7f", "\x9f", "\u061c", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f",
               "\u202a", "\u202e", "\u2060", "\u2066", "\u2069", "\ufeff", "\U000e0041"]:
        assert visible(f"x{ch}y") == f"x⟦U+{ord(ch):04X}⟧y"
    assert visible("Tuhan memberkati 🇮🇩 ümlaut عربى") == "Tuhan memberkati 🇮🇩 ümlaut عربى"
    assert visible(None) is None and visible(5) == 5
    assert visible(visible(HOSTILE)) == visible(HOSTILE)


@pytest.fixture
def hostile_case(db_session, users):
    account = make_account(db_session, display_name=HOSTILE, handle="evil\u202egnp.exe")
    person = make_person(db_session, account, name=HOSTILE, institution="Dinas\u200bX")
    post = make_post(db_session, text=f"Coblos 01 {HOSTILE}")
    flag = make_flag(db_session, make_interaction(db_session, account, post), person, status=FlagStatus.CONFIRMED)
    db_session.commit()
    return flag, person


def _assert_visible(text: str, expected: str = "⟦U+202E⟧") -> None:
    for ch in INVISIBLE:
        assert ch not in text, repr(ch)
    assert expected in text


def test_pages_show_invisible_characters_as_markers(as_role, hostile_case):
    flag, person = hostile_case
    browser = as_role("admin")
    for path, expected in ((f"/case/{flag.id}", "⟦U+202E⟧"), ("/queue/?status=confirmed", "⟦U+202E⟧"),
                           ("/registry/", "⟦U+202E⟧"), (f"/registry/person/{person.id}", "⟦U+202E⟧"),
                           ("/dashboard/", "Dinas⟦U+200B⟧X")):
        response = browser.get(path)
        assert response.status_code == 200, path
        # Edit forms keep the stored value in their fields (below); everything shown is marked.
        _assert_visible(re.sub(r'value="[^"]*"', "", response.get_data(as_text=True)), expected)


def test_edit_forms_keep_the_stored_value(as_role, hostile_case):
    """The person form's fields hold the stored value itself, so saving does not write the markers back."""
    _flag, person = hostile_case
    page = as_role("admin").get(f"/registry/person/{person.id}").get_data(as_text=True)
    field = re.search(r'<input name="name" required value="([^"]*)"', page)
    if field:  # the edit form is on the person page for admins
        assert field.group(1) == HOSTILE


def test_csv_export_marks_invisible_characters(as_role, hostile_case):
    response = as_role("viewer").post("/export/summary", {"format": "csv"})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # the BOM Excel needs, once
    _assert_visible(text[1:])


def test_xlsx_export_with_control_characters_is_complete(as_role, hostile_case):
    from openpyxl import load_workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    response = as_role("viewer").post("/export/summary", {"format": "xlsx"})
    assert response.status_code == 200 and response.data.startswith(b"PK")
    book = load_workbook(io.BytesIO(response.data))
    values = [str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any("⟦U+202E⟧" in v for v in values)
    assert not any(ILLEGAL_CHARACTERS_RE.search(v) for v in values)
    _assert_visible("".join(values))


def test_pdf_exports_with_control_characters(as_role, hostile_case):
    flag, _person = hostile_case
    browser = as_role("viewer")
    for response in (browser.post("/export/summary", {"format": "pdf"}), browser.get(f"/export/case/{flag.id}.pdf")):
        assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_pdf_text_carries_the_markers(hostile_case, db_session):
    from webui.exports.pdfbase import NetralPDF

    drawn = []
    pdf = NetralPDF("t")
    pdf.add_page()
    original = NetralPDF.__mro__[1].multi_cell

    def spy(self, w, h=None, text="", *args, **kwargs):
        drawn.append(text)
        return original(self, w, h, text, *args, **kwargs)

    NetralPDF.__mro__[1].multi_cell = spy
    try:
        pdf.field("Nama", HOSTILE)
        pdf.table(["a"], [[HOSTILE]])
    finally:
        NetralPDF.__mro__[1].multi_cell = original
    assert drawn and all("⟦U+202E⟧" in t for t in drawn if "Budi" in t)
    _assert_visible("".join(drawn))


def test_cli_xlsx_with_control_characters_writes_a_complete_file(netral_env, hostile_case, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "summary.xlsx"
    result = CliRunner().invoke(cli, ["export", "summary", "--format", "xlsx", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0
    load_workbook(out)


def test_a_failing_xlsx_writes_nothing(db_session, users, monkeypatch):
    """The workbook is built aside: a failure halfway leaves the destination untouched."""
    from webui.exports import tabular
    from webui.exports.query import SummaryFilter

    def boom(*args, **kwargs):
        yield "Ringkasan", ["a"], iter([["x"], ["y"]])
        raise RuntimeError("database went away")

    monkeypatch.setattr(tabular, "sections", boom)
    out = io.BytesIO()
    with pytest.raises(RuntimeError):
        tabular.write_xlsx(db_session, SummaryFilter(), False, out)
    assert out.getvalue() == b""


def test_write_file_atomically_leaves_no_partial_file(tmp_path):
    from webui.exports.tabular import write_file_atomically

    target = tmp_path / "out.xlsx"

    def half(fh):
        fh.write(b"PK half")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_file_atomically(target, half)
    assert not target.exists() and list(tmp_path.iterdir()) == []
    write_file_atomically(target, lambda fh: fh.write(b"PK whole"))
    assert target.read_bytes() == b"PK whole"
