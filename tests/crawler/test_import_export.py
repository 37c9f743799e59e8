"""`netral import` (validated row by row like crawled items) and `netral export interactions` (streamed)."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.cli import INTERACTION_COLUMNS, interaction_rows
from models import CrawlRun, Interaction, Post
from models.evidence import sha256_text
from netral.cli import cli

CAND = "did:plc:kandidat"
POST = f"at://{CAND}/app.bsky.feed.post/3kabc"
REPLY = "at://did:plc:asn/app.bsky.feed.post/3kdef"
ROWS = [
    {"type": "account", "platform": "bluesky", "platform_id": CAND, "handle": "@Kandidat.Test"},
    {"type": "post", "platform": "bluesky", "platform_id": POST,
     "author": {"platform_id": CAND, "handle": "kandidat.test"}, "text": "Ayo coblos nomor 1",
     "created_at": "2024-11-10T03:00:00Z", "raw_json": {"uri": POST, "x": 1}},
    {"type": "interaction", "platform": "bluesky", "kind": "like", "actor_platform_id": "did:plc:asn",
     "actor_handle": "asn.test", "target_platform_id": POST, "occurred_at": "2024-11-10T04:00:00Z"},
    {"type": "interaction", "platform": "bluesky", "kind": "love", "actor_platform_id": "did:plc:asn",
     "target_platform_id": POST},
    "{not json",
    {"type": "post", "platform": "bluesky", "platform_id": "https://evil.example/", "author_platform_id": CAND},
    {"type": "interaction", "platform": "bluesky", "kind": "reply", "actor_platform_id": "did:plc:asn",
     "target_platform_id": POST},
    {"type": "post", "platform": "bluesky", "platform_id": REPLY, "author_platform_id": "did:plc:asn",
     "text": "setuju", "reply_to_platform_id": POST},
    {"type": "interaction", "platform": "bluesky", "kind": "reply", "actor_platform_id": "did:plc:asn",
     "target_platform_id": POST, "own_post_platform_id": REPLY, "occurred_at": "2024-11-10T05:00:00+07:00"},
]


def write_jsonl(path) -> None:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in ROWS) + "\n", encoding="utf-8")


def test_import_jsonl_reports_bad_lines_and_is_idempotent(netral_env, engine, tmp_path):
    data = tmp_path / "collected.jsonl"
    write_jsonl(data)
    runner = CliRunner()
    for _ in range(2):
        result = runner.invoke(cli, ["import", str(data)])
        assert result.exit_code == 0, result.output
        assert "4 rejected" in result.output
        for line, reason in ((4, "unknown_kind"), (5, "not_json"), (6, "bad_post_id"), (7, "missing_own_post")):
            assert f"{data}:{line}: rejected: {reason}" in result.output
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Interaction)) == 2
        post = session.scalar(select(Post).where(Post.platform_id == POST))
        assert post.raw_json == '{"uri": "' + POST + '", "x": 1}' and post.author.handle == "kandidat.test"
        like = session.scalar(select(Interaction).where(Interaction.kind == "like"))
        assert like.raw_json == json.dumps(ROWS[2]) and like.raw_sha256 == sha256_text(like.raw_json)  # the line
        runs = session.scalars(select(CrawlRun).where(CrawlRun.source == "import")).all()
        assert len(runs) == 2 and runs[0].error_counts["unknown_kind"] == 1


def test_import_csv(netral_env, engine, tmp_path):
    data = tmp_path / "collected.csv"
    columns = ["type", "platform", "platform_id", "author_platform_id", "author_handle", "text", "kind",
               "actor_platform_id", "actor_handle", "target_platform_id", "occurred_at"]
    with data.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerow({"type": "post", "platform": "bluesky", "platform_id": POST, "author_platform_id": CAND,
                         "author_handle": "kandidat.test", "text": "Ayo"})
        writer.writerow({"type": "interaction", "platform": "bluesky", "kind": "repost",
                         "actor_platform_id": "did:plc:asn", "target_platform_id": POST})
        writer.writerow({"type": "interaction", "platform": "bluesky", "kind": "like",
                         "actor_platform_id": "did:plc:asn", "target_platform_id": POST, "occurred_at": "kemarin"})
    result = CliRunner().invoke(cli, ["import", str(data)])
    assert result.exit_code == 0, result.output
    assert f"{data}:4: rejected: bad_occurred_at" in result.output and "1 rejected" in result.output
    with Session(engine) as session:
        assert session.scalar(select(Interaction.kind)).value == "repost"


def test_export_interactions_jsonl_and_csv(netral_env, engine, tmp_path):
    data = tmp_path / "collected.jsonl"
    write_jsonl(data)
    runner = CliRunner()
    runner.invoke(cli, ["import", str(data)])
    result = runner.invoke(cli, ["export", "interactions", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [list(r) for r in rows] == [INTERACTION_COLUMNS] * 2
    like = rows[0]
    assert (like["kind"], like["actor_handle"], like["target_post_platform_id"], like["target_author_handle"],
            like["occurred_at"], like["removed_at"]) == ("like", "asn.test", POST, "kandidat.test",
                                                         "2024-11-10T04:00:00+00:00", None)
    assert rows[1]["occurred_at"] == "2024-11-09T22:00:00+00:00"  # +07:00 (WIB) stored as UTC
    out = tmp_path / "interactions.csv"
    result = runner.invoke(cli, ["export", "interactions", "--format", "csv", "--output", str(out)])
    assert result.exit_code == 0 and "2 interaction(s) written" in result.output
    parsed = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["kind"] for r in parsed] == ["like", "reply"] and parsed[0]["raw_sha256"] == like["raw_sha256"]
    assert [r["kind"] for r in interaction_rows(engine, page=1)] == ["like", "reply"]  # keyset across pages
