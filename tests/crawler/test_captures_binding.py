"""Registry and matching (issue 13, point 5): a captured account is bound to a registry handle only on the
platform's own data in the capture (handle and stable id), with the capture and uploader as proof; never by
a display name; a later capture of the handle with another id goes to an admin."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.captures.zeeschuimer import import_captures
from models import Account, AccountLink, Platform
from models.evidence import sha256_text
from models.registry_import import handle_from_url
from tests.conftest import FIXTURES
from tests.crawler.test_handle_binding import links, registry_handle

CAPTURES = FIXTURES / "captures"


def test_a_capture_binds_the_registry_handle_and_records_capture_and_uploader(engine):
    placeholder, person_id = registry_handle(engine, "siti_guru", Platform.X)
    import_captures(engine, CAPTURES / "twitter.ndjson", uploader="reviewer1", via="extension")
    assert links(engine) == [("1450000000000000777", "siti_guru", "registry", "confirmed")]
    line = (CAPTURES / "twitter.ndjson").read_text(encoding="utf-8").splitlines()[1]
    with Session(engine) as s:
        link = s.scalars(select(AccountLink).where(AccountLink.person_id == person_id)).one()
        bound = link.evidence["bound"]
        assert bound["proof"] == "capture" and bound["uploader"] == "reviewer1"
        assert bound["sha256"] == sha256_text(line) and bound["line"] == 2 and bound["page"] == "https://x.com/siti_guru"
        assert bound["run_id"] and bound["file_sha256"]


def test_a_display_name_binds_nothing(engine, tmp_path):
    registry_handle(engine, "budi (dinas pupr)", Platform.TIKTOK)  # the commenter's nickname, not a handle
    import_captures(engine, CAPTURES / "tiktok.ndjson")
    import_captures(engine, CAPTURES / "tiktok-comments.ndjson")
    assert links(engine) == [(None, "budi (dinas pupr)", "registry", "confirmed")]


def _retarget(tmp_path, uid: str):
    """The same handle in a later capture, with another stable id (another account took the name)."""
    rows = [json.loads(line) for line in (CAPTURES / "tiktok-comments.ndjson").read_text("utf-8").splitlines()[:1]]
    rows[0]["data"]["user"]["uid"] = uid
    rows[0]["data"]["cid"] = "7438300000000000099"
    path = tmp_path / "later.ndjson"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_a_later_capture_with_the_same_handle_and_another_id_goes_to_an_admin(engine, tmp_path):
    registry_handle(engine, "budi.asn", Platform.TIKTOK)
    import_captures(engine, CAPTURES / "tiktok.ndjson")
    import_captures(engine, CAPTURES / "tiktok-comments.ndjson", uploader="r1")
    assert links(engine) == [("6900000000000000001", "budi.asn", "registry", "confirmed")]
    import_captures(engine, _retarget(tmp_path, "6900000000000000555"), uploader="r2")
    assert links(engine) == [("6900000000000000001", "budi.asn", "registry", "confirmed"),
                             ("6900000000000000555", "budi.asn", "detection", "suggested")]
    with Session(engine) as s:
        suggested = s.scalars(select(AccountLink).join(Account)
                              .where(Account.platform_id == "6900000000000000555")).one()
        assert suggested.evidence["seen"]["proof"] == "capture" and suggested.evidence["seen"]["uploader"] == "r2"


def test_two_ids_for_one_handle_in_one_upload_bind_neither(engine, tmp_path):
    registry_handle(engine, "budi.asn", Platform.TIKTOK)
    import_captures(engine, CAPTURES / "tiktok.ndjson")
    first = (CAPTURES / "tiktok-comments.ndjson").read_text("utf-8").splitlines()[0]
    path = tmp_path / "two.ndjson"
    path.write_text(first + "\n" + _retarget(tmp_path, "6900000000000000555").read_text("utf-8"), encoding="utf-8")
    import_captures(engine, path)
    assert links(engine) == [(None, "budi.asn", "registry", "confirmed"),
                             ("6900000000000000001", "budi.asn", "detection", "suggested"),
                             ("6900000000000000555", "budi.asn", "detection", "suggested")]


@pytest.mark.parametrize("platform, url, handle", [
    (Platform.TIKTOK, "https://www.tiktok.com/@Budi.ASN", "Budi.ASN"),
    (Platform.TIKTOK, "https://www.tiktok.com/@budi.asn/video/7438291045567382791", "budi.asn"),
    (Platform.X, "https://x.com/siti_guru", "siti_guru"),
    (Platform.X, "https://twitter.com/siti_guru/status/1858263529483153500", "siti_guru"),
    (Platform.INSTAGRAM, "https://www.instagram.com/andi.camat/", "andi.camat"),
    (Platform.THREADS, "https://www.threads.net/@rina.pppk", "rina.pppk"),
    (Platform.YOUTUBE, "https://www.youtube.com/@kpu_sawahlunto", "kpu_sawahlunto"),
    (Platform.YOUTUBE, "https://www.youtube.com/channel/UCabcdefghijklmnopqrstuv", "UCabcdefghijklmnopqrstuv"),
])
def test_profile_urls(platform, url, handle):
    assert handle_from_url(platform, url) == handle


@pytest.mark.parametrize("platform, url", [
    (Platform.TIKTOK, "https://www.tiktok.com/budi.asn"),
    (Platform.X, "https://x.com/home"),
    (Platform.X, "https://example.com/siti_guru"),
    (Platform.INSTAGRAM, "https://www.instagram.com/p/DCx1AbCdEfG/"),
    (Platform.THREADS, "https://www.threads.net/rina.pppk"),
    (Platform.YOUTUBE, "https://www.youtube.com/watch?v=abc"),
])
def test_profile_urls_that_name_no_profile_are_refused(platform, url):
    with pytest.raises(ValueError, match="profile"):
        handle_from_url(platform, url)


def test_registry_rows_by_profile_url_are_bound_by_captures_of_each_platform(engine, tmp_path):
    from models import session_scope
    from models.registry_import import import_registry

    csv = tmp_path / "registry.csv"
    csv.write_text(
        "name,role,institution,unit,position,region,platform,handle,profile_url,nip\n"
        "Budi,pns,Dinas PUPR,,,,tiktok,,https://www.tiktok.com/@budi.asn,\n"
        "Siti,pppk,SD Negeri 1,,,,x,,https://x.com/Siti_Guru,\n"
        "Andi,pns,Kecamatan Talawi,,,,instagram,,https://www.instagram.com/andi.camat/,\n"
        "Rina,pppk,Dinas Kesehatan,,,,threads,,https://www.threads.net/@rina.pppk,\n", encoding="utf-8")
    with session_scope(engine, write=True) as session:
        import_registry(session, csv)
    for name in ("tiktok", "tiktok-comments", "twitter", "instagram", "threads"):
        import_captures(engine, CAPTURES / f"{name}.ndjson", uploader="rev")
    assert [row for row in links(engine) if row[2] == "registry"] == [
        ("1450000000000000777", "siti_guru", "registry", "confirmed"),
        ("5512345678", "andi.camat", "registry", "confirmed"),
        ("63000000001", "rina.pppk", "registry", "confirmed"),
        ("6900000000000000001", "budi.asn", "registry", "confirmed")]
