"""Review UI, issue 12 point 14: limits with clear errors (notes, usernames, request size, huge cases), owner-only
local state, and a session cookie that carries nothing of the password hash."""

from __future__ import annotations

import json
import os
import stat

import pytest
from sqlalchemy import select

from models import FlagStatus, User
from tests.factories import make_account, make_flag, make_interaction, make_person, make_post
from webui.limits import MAX_NOTE_CHARS, LimitError, check_note, check_username


def test_note_limit_has_a_clear_message(app):
    with app.test_request_context():
        assert check_note("  ok  ") == "ok"
        assert len(check_note("x" * MAX_NOTE_CHARS)) == MAX_NOTE_CHARS
        with pytest.raises(LimitError, match="terlalu panjang.*100001.*100000"):  # Indonesian by default
            check_note("x" * (MAX_NOTE_CHARS + 1))


@pytest.mark.parametrize("bad", ["", "x" * 151, "ani\u202e", "a b", "ani\x00", "ani\u200b", "<b>"])
def test_username_limits(app, bad):
    with app.test_request_context(), pytest.raises(LimitError):
        check_username(bad)


def test_usernames_are_checked_on_the_users_screen(as_role, db_session):
    admin = as_role("admin")
    for bad in ("x" * 151, "evil\u202egnp.exe", "two words"):
        response = admin.post("/users/", {"username": bad, "password": "long enough password", "role": "viewer"},
                              follow_redirects=True)
        assert response.status_code == 200
        assert "username" in response.get_data(as_text=True).lower()
    db_session.expire_all()
    assert sorted(db_session.scalars(select(User.username))) == ["admin", "reviewer", "reviewer2", "viewer"]


def test_a_huge_request_body_is_refused_with_a_message(as_role):
    response = as_role("reviewer").post("/case/1/decide", {"decision": "confirm", "note": "x" * (3 * 2**20)})
    assert response.status_code == 413
    assert "terlalu besar: paling banyak 2 MB" in response.get_data(as_text=True)  # Indonesian by default


def test_the_session_cookie_holds_nothing_of_the_password_hash(app, users, as_role):
    from flask.sessions import SecureCookieSessionInterface

    browser = as_role("viewer")
    cookie = browser.client.get_cookie("netral_session").value
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    data = serializer.loads(cookie)
    password_hash = users["viewer"].password_hash
    text = json.dumps(data)
    fragments = {password_hash[i:i + 8] for i in range(len(password_hash) - 7)}
    assert not any(fragment in text for fragment in fragments), data


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_instance_folder_and_sqlite_file_are_owner_only(monkeypatch, tmp_path):
    from models.session import instance_dir, make_engine
    from webui.config import _secret_key

    monkeypatch.delenv("NETRAL_SECRET_KEY", raising=False)
    monkeypatch.setenv("NETRAL_INSTANCE_DIR", str(tmp_path / "inst"))
    old = os.umask(0o022)
    try:
        folder = instance_dir()
        assert _mode(folder) == 0o700
        _secret_key()
        assert _mode(folder / "secret_key") == 0o600
        engine = make_engine(f"sqlite:///{folder / 'sub' / 'netral.db'}")
        with engine.connect() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x)")
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        engine.dispose()
        assert _mode(folder / "sub") == 0o700
        assert _mode(folder / "sub" / "netral.db") == 0o600
        for extra in (folder / "sub").iterdir():  # -wal and -shm follow the database file's mode
            assert _mode(extra) & 0o077 == 0, extra
    finally:
        os.umask(old)


def test_an_existing_instance_folder_is_made_owner_only(monkeypatch, tmp_path):
    from models.session import instance_dir

    folder = tmp_path / "open"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    monkeypatch.setenv("NETRAL_INSTANCE_DIR", str(folder))
    assert _mode(instance_dir()) == 0o700


@pytest.fixture
def huge_case(db_session, users):
    account = make_account(db_session)
    person = make_person(db_session, account, name="Budi")
    text = "Coblos 01 " + "panjang " * 40_000
    post = make_post(db_session, text=text)
    flag = make_flag(db_session, make_interaction(db_session, account, post), person, status=FlagStatus.NEW)
    db_session.commit()
    return flag, post


def test_a_huge_raw_payload_renders_truncated_with_a_link_to_the_full_file(as_role, huge_case):
    flag, post = huge_case
    browser = as_role("reviewer")
    raw = browser.get(f"/export/case/{flag.id}/raw.json?part=post")
    assert raw.status_code == 200 and raw.data.decode("utf-8") == post.raw_json
    assert "attachment" in raw.headers["Content-Disposition"]
    assert raw.headers["Content-Type"].startswith("application/json")
    assert browser.get(f"/export/case/{flag.id}/raw.json?part=nothing").status_code == 400
    assert browser.get(f"/export/case/{flag.id}/raw.json?part=reply").status_code == 404  # no reply here
    assert browser.get("/export/case/999999/raw.json").status_code == 404


def test_huge_post_text_renders_truncated(as_role, huge_case):
    flag, post = huge_case
    page = as_role("reviewer").get(f"/case/{flag.id}").get_data(as_text=True)
    assert len(page) < len(post.text) + 60_000  # neither the text nor the raw payload in full
    assert "truncated" in page or "dipotong" in page
