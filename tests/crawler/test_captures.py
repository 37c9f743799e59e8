"""Browser captures (issue 13, point 1): Zeeschuimer NDJSON lines mapped per platform, stored once, with the
line verbatim as evidence; lines that do not map are counted with their line and reason."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.captures.zeeschuimer import import_captures, map_line
from crawler.importer import import_file
from crawler.validate import Invalid
from models import Account, CrawlRun, Interaction, Post
from models.evidence import sha256_text
from tests.conftest import FIXTURES

CAPTURES = FIXTURES / "captures"


def lines(name: str) -> list[str]:
    return (CAPTURES / name).read_text(encoding="utf-8").splitlines()


def interactions(engine) -> list[tuple]:
    with Session(engine) as s:
        rows = s.execute(select(Interaction.kind, Account.handle, Post.platform_id, Interaction.platform_id)
                         .join(Account, Account.id == Interaction.actor_account_id)
                         .join(Post, Post.id == Interaction.target_post_id)).all()
        return sorted((k.value, h, t, p) for k, h, t, p in rows)


def test_tiktok_video_then_comments_make_replies_by_the_commenters(engine):
    import_captures(engine, CAPTURES / "tiktok.ndjson")
    report = import_captures(engine, CAPTURES / "tiktok-comments.ndjson", uploader="rev")
    assert report.rejected == [(3, "missing_id: user.uid")]
    assert interactions(engine) == [("reply", "budi.asn", "7438291045567382791", None),
                                    ("reply", "warga.biasa", "7438291045567382791", None)]
    with Session(engine) as s:
        budi = s.scalars(select(Account).where(Account.handle == "budi.asn")).one()
        assert (budi.platform.value, budi.platform_id, budi.display_name, budi.profile_url) == (
            "tiktok", "6900000000000000001", "Budi (Dinas PUPR)", "https://www.tiktok.com/@budi.asn")
        comment = s.scalars(select(Post).where(Post.platform_id == "7438300000000000001")).one()
        assert comment.text == "Mantap, semua ASN pilih 01 ya!"
        assert comment.reply_to_platform_id == "7438291045567382791"
        embedded = s.scalars(select(Post).where(Post.platform_id == "7438291045567382999")).one()
        assert embedded.author.platform_id == "6809999999999999999" and embedded.author.handle == "kpu.sawahlunto"


def test_evidence_is_the_line_verbatim_with_its_hash_and_capture_time(engine):
    import_captures(engine, CAPTURES / "tiktok.ndjson")
    import_captures(engine, CAPTURES / "tiktok-comments.ndjson", uploader="rev")
    line = lines("tiktok-comments.ndjson")[0]
    with Session(engine) as s:
        reply = s.scalars(select(Interaction).join(Account, Account.id == Interaction.actor_account_id)
                          .where(Account.handle == "budi.asn")).one()
        assert reply.raw_json == line and reply.raw_sha256 == sha256_text(line)
        assert reply.fetched_at == datetime.fromtimestamp(json.loads(line)["timestamp_collected"] / 1000, UTC)
        run = s.scalars(select(CrawlRun).order_by(CrawlRun.id.desc())).first()
        assert run.source == "capture" and run.parameters["uploader"] == "rev"
        assert run.cursor_state["capture"]["pages"] == ["1731899990000:7:0"]


def test_x_retweet_quote_reply_and_own_posts_keyed_on_rest_id(engine):
    report = import_captures(engine, CAPTURES / "twitter.ndjson")
    assert report.rejected == []
    assert interactions(engine) == [
        ("quote", "siti_guru", "1858263529483153409", None),
        ("reply", "siti_guru", "1858263529483153409", None),
        ("repost", "siti_guru", "1858263529483153409", "1858263529483153600")]
    with Session(engine) as s:
        ids = set(s.scalars(select(Post.platform_id)))
        # the reply line's `id` / `item_id` are JavaScript's rounding of rest_id (parseInt): never used
        assert "1858263529483153811" in ids and "1858263529483153920" not in ids
        assert ids == {"1858263529483153409", "1858263529483153500", "1858263529483153700", "1858263529483153811"}
        siti = s.scalars(select(Account).where(Account.handle == "siti_guru")).one()
        assert siti.platform_id == "1450000000000000777" and siti.profile_url == "https://x.com/siti_guru"
        quote = s.scalars(select(Interaction).where(Interaction.kind == "quote")).one()
        assert quote.own_post.platform_id == "1858263529483153700"


def test_the_same_item_captured_twice_is_stored_once(engine):
    import_captures(engine, CAPTURES / "twitter.ndjson")
    import_captures(engine, CAPTURES / "twitter.ndjson")
    with Session(engine) as s:
        assert len(s.scalars(select(Post)).all()) == 4 and len(s.scalars(select(Interaction)).all()) == 3
        original = s.scalars(select(Post).where(Post.platform_id == "1858263529483153409")).one()
        assert original.raw_json == lines("twitter.ndjson")[0]  # the first capture stays the evidence


def test_instagram_posts_reels_and_graph_nodes_ads_refused(engine):
    report = import_captures(engine, CAPTURES / "instagram.ndjson")
    assert report.rejected == [(4, "advertisement: an Instagram ad")]
    with Session(engine) as s:
        posts = {p.platform_id: (p.author.platform_id, p.author.handle, p.url) for p in s.scalars(select(Post))}
    assert posts == {
        "DCx1AbCdEfG": ("5512345678", "andi.camat", "https://www.instagram.com/p/DCx1AbCdEfG"),
        "DCx9ReElXyZ": ("5512345678", "andi.camat", "https://www.instagram.com/p/DCx9ReElXyZ"),
        "DCx0GrApHnO": ("5598765432", "kpu.sawahlunto", "https://www.instagram.com/p/DCx0GrApHnO")}


def test_threads_posts(engine):
    import_captures(engine, CAPTURES / "threads.ndjson")
    with Session(engine) as s:
        post = s.scalars(select(Post)).one()
        assert (post.platform.value, post.platform_id, post.author.platform_id, post.author.handle) == (
            "threads", "DCyThReAdS1", "63000000001", "rina.pppk")
        assert post.url == "https://www.threads.net/@rina.pppk/post/DCyThReAdS1"


def test_bad_lines_are_counted_with_their_line_and_reason(engine):
    report = import_captures(engine, CAPTURES / "bad.ndjson")
    assert report.rejected == [(2, "not_json"), (3, "unknown_platform: 9gag.com"), (4, "missing_id: rest_id"),
                               (5, "not_an_object")]
    assert report.stored["post"] == 1
    with Session(engine) as s:
        run = s.scalars(select(CrawlRun)).one()
        assert run.error_counts == {"not_json": 1, "unknown_platform": 1, "missing_id": 1, "not_an_object": 1}


@pytest.mark.parametrize("mutate, reason", [
    (lambda d: d.pop("legacy"), "unmapped_shape"),
    (lambda d: d["legacy"].update(created_at="yesterday"), "bad_time"),
    (lambda d: d.update(rest_id=1.8582635294831534e18), "bad_id"),
    (lambda d: d["core"]["user_results"]["result"].update(rest_id="not-a-number"), "bad_account_id"),
    (lambda d: d["legacy"].update(retweeted_status_result={"result": {"legacy": []}}), "missing_id"),
    (lambda d: d["legacy"].update(in_reply_to_status_id_str=["1"]), "bad_id"),
])
def test_format_drift_is_a_reason_never_a_crash(mutate, reason):
    row = json.loads(lines("twitter.ndjson")[1])
    mutate(row["data"])
    from crawler.validate import check_item

    with pytest.raises(Invalid) as exc:
        for item in map_line(json.dumps(row))[1]:
            check_item(item)
    assert exc.value.reason == reason


def test_netral_import_reads_ndjson_and_capture_lines_under_any_name(engine, tmp_path):
    assert import_file(engine, CAPTURES / "threads.ndjson").stored["post"] == 1
    renamed = tmp_path / "export.jsonl"
    renamed.write_text((CAPTURES / "instagram.ndjson").read_text(encoding="utf-8"), encoding="utf-8")
    assert import_file(engine, renamed).stored["post"] == 3


def test_provenance_for_the_case_page_names_page_time_and_uploader(engine):
    from crawler.captures.provenance import provenance

    import_captures(engine, CAPTURES / "tiktok.ndjson", uploader="rina", via="extension")
    import_captures(engine, CAPTURES / "tiktok-comments.ndjson", uploader="budi", via="web")
    with Session(engine) as s:
        reply = s.scalars(select(Interaction)).first()
        shown = provenance(s, reply.raw_json)
        assert shown["source"] == "zeeschuimer" and shown["uploader"] == "budi" and shown["via"] == "web"
        assert shown["page"] == "https://www.tiktok.com/@tagline01.official/video/7438291045567382791"
        assert shown["captured_at"] == "2024-11-18T03:20:01+00:00" and shown["run_id"] == 2
        assert provenance(s, '{"uri": "at://did:plc:x/app.bsky.feed.post/1"}') is None
