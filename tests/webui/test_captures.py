"""Captures screen and Zeeschuimer's upload API (issue 13, point 1): uploads by the form, by the extension
with the reviewer's session or with a personal, revocable upload address; limits and clear errors."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Account, AuditEvent, CrawlRun, Interaction
from tests.conftest import FIXTURES
from tests.webui.conftest import fresh
from webui.blueprints import captures

CAPTURES = FIXTURES / "captures"


@pytest.fixture(autouse=True)
def _no_earlier_uploads():
    captures._recent.clear()
    yield
    captures._recent.clear()


def body(name: str) -> bytes:
    return (CAPTURES / name).read_bytes()


def extension_upload(client, path: str, platform: str, data: bytes):
    """What Zeeschuimer's popup sends: the NDJSON blob as the body, the module id in a header."""
    return client.post(path, data=data, headers={"X-Zeeschuimer-Platform": platform,
                                                 "Content-Type": "application/x-ndjson"})


def test_form_upload_stores_the_items_with_the_uploader(as_role, db_session):
    browser = as_role("reviewer")
    response = browser.post("/captures/upload", data={"file": ((CAPTURES / "twitter.ndjson").open("rb"),
                                                                "zeeschuimer-export-twitter.com.ndjson")},
                            content_type="multipart/form-data")
    assert response.status_code == 303 and "/captures/run/" in response.location
    page = browser.get(response.location).get_data(as_text=True)
    assert "reviewer" in page and "repost 1" in page
    fresh(db_session)
    run = db_session.scalars(select(CrawlRun).where(CrawlRun.source == "capture")).one()
    assert run.parameters["uploader"] == "reviewer" and run.parameters["via"] == "web"
    assert len(db_session.scalars(select(Interaction)).all()) == 3
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "capture.upload")).one()
    assert event.actor == "reviewer" and event.details["rows"] == 5


def test_form_upload_lists_refused_lines(as_role):
    browser = as_role("reviewer")
    response = browser.post("/captures/upload", data={"file": ((CAPTURES / "bad.ndjson").open("rb"), "bad.ndjson")},
                            content_type="multipart/form-data")
    page = browser.get(response.location).get_data(as_text=True)
    assert "unknown_platform: 9gag.com" in page and "<td>2</td><td>not_json</td>" in page


def test_form_upload_needs_the_csrf_token_and_a_reviewer(as_role, app):
    browser = as_role("reviewer")
    refused = browser.client.post("/captures/upload", data={"file": ((CAPTURES / "threads.ndjson").open("rb"),
                                                                     "t.ndjson")}, content_type="multipart/form-data")
    assert refused.status_code == 400
    assert browser.client.post("/captures/tokens", data={"label": "x"}).status_code == 400  # forms keep CSRF
    assert as_role("viewer").get("/captures/").status_code == 403


def test_the_extension_uploads_with_the_session_and_polls(as_role, db_session):
    client = as_role("reviewer").client
    response = extension_upload(client, "/api/import-dataset/", "tiktok.com", body("tiktok.ndjson"))
    assert response.status_code == 200, response.get_data(as_text=True)
    key = response.get_json()["key"]
    status = client.get(f"/api/check-query/?key={key}").get_json()
    assert status["done"] is True and status["rows"] == 4 and status["url"].endswith(f"/captures/run/{key}")
    comments = extension_upload(client, "/api/import-dataset/", "tiktok-comments", body("tiktok-comments.ndjson"))
    status = client.get(f"/api/check-query/?key={comments.get_json()['key']}").get_json()
    assert "line 3: missing_id: user.uid" in status["status"]
    fresh(db_session)
    budi = db_session.scalars(select(Account).where(Account.handle == "budi.asn")).one()
    reply = db_session.scalars(select(Interaction).where(Interaction.actor_account_id == budi.id)).one()
    assert reply.kind.value == "reply"


def test_unknown_platform_is_a_404_the_extension_recognises(as_role):
    client = as_role("reviewer").client
    response = extension_upload(client, "/api/import-dataset/", "9gag.com", b'{"x": 1}\n')
    assert response.status_code == 404 and "Unknown platform or source format" in response.get_data(as_text=True)


def test_a_line_of_another_platform_in_an_upload_is_refused(as_role):
    client = as_role("reviewer").client
    key = extension_upload(client, "/api/import-dataset/", "threads.net", body("tiktok.ndjson")).get_json()["key"]
    status = client.get(f"/api/check-query/?key={key}").get_json()
    assert status["rows"] == 0 and "platform_mismatch" in status["status"]


def test_without_login_the_api_answers_403(app):
    client = app.test_client()
    response = extension_upload(client, "/api/import-dataset/", "tiktok.com", body("tiktok.ndjson"))
    assert response.status_code == 403 and "Log in" in response.get_json()["error"]
    assert client.get("/api/check-query/?key=1").status_code == 403


def test_personal_upload_address_works_without_a_session_until_revoked(as_role, app, db_session):
    browser = as_role("reviewer")
    page = browser.post("/captures/tokens", data={"label": "laptop kantor"}).get_data(as_text=True)
    address = page.split('id="new-token"')[1].split("<code>")[1].split("</code>")[0]
    extension_form = page.split('id="new-token-extension">')[1].split("</code>")[0]
    assert extension_form == f"http://{address.split('/u/')[1].rstrip('/')}@localhost"
    assert address.startswith("http://localhost/u/") and address.endswith("/")
    path = address.removeprefix("http://localhost")
    anonymous = app.test_client()
    response = extension_upload(anonymous, path + "api/import-dataset/", "threads.net", body("threads.ndjson"))
    assert response.status_code == 200, response.get_data(as_text=True)
    key = response.get_json()["key"]
    assert anonymous.get(f"{path}api/check-query/?key={key}").get_json()["rows"] == 2
    fresh(db_session)
    run = db_session.get(CrawlRun, int(key))
    assert run.parameters["uploader"] == "reviewer" and run.parameters["via"] == "extension-token"
    # Another reviewer cannot read this upload's status; a wrong token is refused.
    other = as_role("reviewer2").client
    assert other.get(f"/api/check-query/?key={key}").status_code == 404
    assert extension_upload(anonymous, "/u/not-a-token/api/import-dataset/", "threads.net",
                            body("threads.ndjson")).status_code == 403
    # The form the extension keeps (https://TOKEN@host): the token arrives as the Basic user name.
    token = path.split("/")[2]
    basic = anonymous.post("/api/import-dataset/", data=body("threads.ndjson"), auth=(token, ""),
                           headers={"X-Zeeschuimer-Platform": "threads.net"})
    assert basic.status_code == 200, basic.get_data(as_text=True)
    assert anonymous.get(f"/api/check-query/?key={basic.get_json()['key']}", auth=(token, "")).status_code == 200
    listing = browser.get("/captures/").get_data(as_text=True)
    digest = captures.token_digest(path.split("/")[2])
    assert "laptop kantor" in listing and digest[:8] in listing
    assert browser.post(f"/captures/tokens/{digest}/revoke").status_code == 303
    assert extension_upload(anonymous, path + "api/import-dataset/", "threads.net",
                            body("threads.ndjson")).status_code == 403
    assert as_role("reviewer2").post(f"/captures/tokens/{digest}/revoke").status_code == 404


def test_too_large_and_too_frequent_uploads_get_clear_errors(as_role, app, db_session):
    app.config.update(NETRAL_CAPTURE_MAX_MB=1, NETRAL_CAPTURE_UPLOADS_PER_MINUTE=2)
    client = as_role("reviewer").client
    big = body("threads.ndjson") * (2 * 2**20 // len(body("threads.ndjson")) + 1)
    response = extension_upload(client, "/api/import-dataset/", "threads.net", big)
    assert response.status_code == 413 and "at most 1 MB" in response.get_json()["error"]
    fresh(db_session)
    assert db_session.scalars(select(CrawlRun)).all() == []  # nothing half-written
    assert extension_upload(client, "/api/import-dataset/", "threads.net", body("threads.ndjson")).status_code == 200
    assert extension_upload(client, "/api/import-dataset/", "threads.net", body("threads.ndjson")).status_code == 200
    third = extension_upload(client, "/api/import-dataset/", "threads.net", body("threads.ndjson"))
    assert third.status_code == 429 and "wait a minute" in third.get_json()["error"]


def test_a_binary_upload_stores_nothing(as_role, db_session):
    client = as_role("reviewer").client
    response = extension_upload(client, "/api/import-dataset/", "threads.net", b"PK\x03\x04\x00\x00binary")
    assert response.status_code == 400 and "upload" in response.get_json()["error"]
    fresh(db_session)
    assert db_session.scalars(select(CrawlRun)).all() == []


def test_csrf_exemption_is_narrow(app):
    exempt = app.extensions["csrf"]._exempt_views
    assert {v for v in exempt if "captures" in v} == {
        "webui.blueprints.captures.import_dataset", "webui.blueprints.captures.token_import_dataset",
        "webui.blueprints.captures.upload"}
