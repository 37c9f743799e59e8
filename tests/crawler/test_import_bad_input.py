"""`netral import` of bad input (issue 12, point 16): a clear error naming file, line and field, no
traceback, nothing half-written; office CSV dialects are read."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from crawler.importer import ImportFileError, import_file
from models import Account, CrawlRun, Post, RunStatus
from models.ingest import Ingestor
from netral.cli import cli


def account(n: int) -> dict:
    return {"type": "account", "platform": "bluesky", "platform_id": f"did:plc:a{n}", "handle": f"a{n}.test"}


def jsonl(*rows) -> bytes:
    return b"".join((r if isinstance(r, bytes) else json.dumps(r).encode()) + b"\n" for r in rows)


def count(engine, model) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def run_cli(path):
    result = CliRunner().invoke(cli, ["import", str(path)])
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def test_invalid_utf8_after_1200_good_rows_stores_nothing_and_names_the_line(netral_env, engine, tmp_path):
    path = tmp_path / "late.jsonl"
    path.write_bytes(jsonl(*(account(n) for n in range(1200)), b'{"type":"account","handle":"caf\xe9"}', account(9)))
    result = run_cli(path)
    assert result.exit_code == 1
    assert f"{path}:1201: not UTF-8 text: byte 0xE9 at column 32" in result.output
    assert count(engine, Account) == 0 and count(engine, CrawlRun) == 0


@pytest.mark.parametrize("content, words", [
    (b"\x7fELF\x02\x01\x01\x00\x00\x00", "NUL byte: this is a binary file"),
    (b"PK\x03\x04\x14\x00\x06\x00", "spreadsheet workbook"),
])
def test_a_binary_file_is_refused(netral_env, engine, tmp_path, content, words):
    path = tmp_path / "data.jsonl"
    path.write_bytes(content)
    result = run_cli(path)
    assert result.exit_code == 1 and f"{path}:1: " in result.output and words in result.output


def test_bad_rows_are_counted_with_their_line_and_field(netral_env, engine, tmp_path):
    post = {"type": "post", "platform": "bluesky", "platform_id": "at://did:plc:a1/app.bsky.feed.post/1",
            "author_platform_id": "did:plc:a1", "text": "x"}
    path = tmp_path / "rows.jsonl"
    path.write_bytes(jsonl(
        account(1),
        {**post, "created_at": "0001-01-01T00:00:00+14:00"},  # before year 1 in UTC
        b'{"type":"account","platform":"bluesky","platform_id":"did:plc:s","display_name":"\\ud800"}',
        {**post, "platform_cid": "b" * 300},  # PostgreSQL: value too long for character varying(255)
        {**account(2), "platform": ["bluesky"]},
        b"[" * 100_000 + b"]" * 100_000,
        {"type": "interaction", "platform": "mastodon", "kind": "like", "actor_platform_id": "https://m.example/u\x00",
         "target_platform_id": "https://m.example/s/1"},
        post,
    ))
    result = run_cli(path)
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "rejected:" in line]
    assert lines == [f"{path}:2: rejected: bad_created_at: 0001-01-01T00:00:00+14:00",
                     f"{path}:3: rejected: lone_surrogate: display_name",
                     f"{path}:4: rejected: bad_platform_cid: longer than 255 characters or a control character",
                     f"{path}:5: rejected: unknown_platform: ['bluesky']",
                     f"{path}:6: rejected: too_deep",
                     f"{path}:7: rejected: bad_account_id: control character"]
    assert "2 row(s)" not in result.output and count(engine, Post) == 1
    with Session(engine) as session:
        run = session.scalar(select(CrawlRun))
        assert run.status == RunStatus.COMPLETED and run.error_counts["lone_surrogate"] == 1


@pytest.mark.parametrize("encoding, sep, newline", [
    ("utf-8-sig", ",", "\n"), ("utf-8", ";", "\r\n"), ("cp1252", ";", "\r\n"), ("utf-8", "\t", "\n"),
])
def test_office_csv_dialects_are_read(netral_env, engine, tmp_path, encoding, sep, newline):
    rows = [["type", "platform", "platform_id", "handle", "display_name"],
            ["account", "bluesky", "did:plc:a1", "a1.test", "José – Dinas"],
            ["account", "bluesky", "did:plc:a2", "a2.test", ""], [""] * 5, [""] * 5]
    path = tmp_path / "office.csv"
    path.write_bytes(newline.join(sep.join(r) for r in rows).encode(encoding) + newline.encode())
    result = run_cli(path)
    assert result.exit_code == 0 and "2 row(s)" in result.output and "0 rejected" in result.output, result.output
    with Session(engine) as session:
        assert session.scalar(select(Account.display_name).where(Account.handle == "a1.test")) == "José – Dinas"


def test_a_csv_without_a_type_column_says_what_to_change(netral_env, engine, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("platform|platform_id\nbluesky|did:plc:a\n")
    result = run_cli(path)
    assert result.exit_code == 1 and f"{path}:1: the header row names none of the expected columns" in result.output
    path.write_text("platform,platform_id\nbluesky,did:plc:a\n")
    result = run_cli(path)
    assert result.exit_code == 1 and f"{path}:1: the header has no 'type' column" in result.output
    assert count(engine, CrawlRun) == 0


def test_a_refused_batch_fails_the_run_with_what_was_stored(engine, tmp_path, monkeypatch):
    path = tmp_path / "many.jsonl"
    path.write_bytes(jsonl(*({"type": "post", "platform": "bluesky", "platform_id": f"at://did:plc:a/app.bsky.feed.post/{n}",
                              "author_platform_id": "did:plc:a", "text": "x"} for n in range(25))))
    real, calls = Ingestor.write, []

    def refuse_third(self, batch, *args, **kw):
        calls.append(1)
        if len(calls) == 3:
            raise OperationalError("INSERT ...", {"handle": "a20.test"}, Exception("disk I/O error"))
        return real(self, batch, *args, **kw)

    monkeypatch.setattr(Ingestor, "write", refuse_third)
    with pytest.raises(ImportFileError) as err:
        import_file(engine, path, batch_size=10)
    message = str(err.value)
    assert f"{path}:21: the database refused a batch (Exception: disk I/O error)" in message
    assert "Stored before line 21: account 2, post 20" in message and "a20.test" not in message
    with Session(engine) as session:
        run = session.scalar(select(CrawlRun))
        assert run.status == RunStatus.FAILED and run.item_counts == {"account": 2, "post": 20}
    monkeypatch.setattr(Ingestor, "write", real)
    import_file(engine, path, batch_size=10)  # importing again completes it
    assert count(engine, Post) == 25


def test_an_interaction_whose_post_is_missing_is_named_by_its_line(netral_env, engine, tmp_path):
    target = "at://did:plc:a1/app.bsky.feed.post/1"
    like = {"type": "interaction", "platform": "bluesky", "kind": "like", "actor_platform_id": "did:plc:f",
            "target_platform_id": target}
    path = tmp_path / "likes.jsonl"
    lost = {**like, "target_platform_id": target.replace("/1", "/404"), "actor_platform_id": "did:plc:g"}
    post = {"type": "post", "platform": "bluesky", "platform_id": target, "author_platform_id": "did:plc:a1"}
    path.write_bytes(jsonl(like, lost, post))
    result = run_cli(path)
    assert result.exit_code == 0
    assert [line for line in result.output.splitlines() if "rejected:" in line] == [
        f"{path}:2: rejected: target_post_missing: the post it points at is neither stored nor earlier in the file"]
    assert "stored: account 3, like 1, post 1; 1 rejected" in result.output
