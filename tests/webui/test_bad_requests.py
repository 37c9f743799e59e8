"""Unreadable requests are answered as such: the queue names what it ignored with a 400, cursors beyond BIGINT
are no rows, and a CLI export that fails leaves no file behind."""

from __future__ import annotations

from click.testing import CliRunner

from netral.cli import cli


def test_queue_names_unreadable_filters_with_a_400(as_role):
    browser = as_role("reviewer")
    assert browser.get("/queue/").status_code == 200
    for query in ("date_to=not-a-day", "score_min=nan", "status=nope", "after=garbage",
                  "after=s0.5_99999999999999999999"):
        response = browser.get(f"/queue/?{query}")
        assert response.status_code == 400, query
        assert "Nilai saringan tidak sah diabaikan" in response.get_data(as_text=True), query


def test_registry_cursor_beyond_bigint_is_ignored_not_an_error(as_role):
    browser = as_role("admin")
    for after in ("99999999999999999999", "١٢٣", "12"):
        assert browser.get(f"/registry/?after={after}").status_code == 200, after


def test_a_case_export_that_fails_midway_leaves_no_file(netral_env, tmp_path, monkeypatch):
    import webui.exports.evidence as evidence
    import webui.review.case_data as case_data

    def half_written(found, fh, **_):
        fh.write(b"%PDF-1.7 half a report")
        raise RuntimeError("disk full")

    monkeypatch.setattr(case_data, "load_case", lambda session, flag_id: object())
    monkeypatch.setattr(evidence, "write_case_pdf", half_written)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    result = CliRunner().invoke(cli, ["export", "case", "7", "--output", str(out_dir / "case.pdf")])
    assert result.exit_code != 0 and isinstance(result.exception, RuntimeError)
    assert list(out_dir.iterdir()) == []  # neither the half-written report nor its temporary file
