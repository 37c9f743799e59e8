"""Review UI in a real browser: a case whose crawled text holds a right-to-left override and zero-width
characters shows them as markers (`gnp.exe` is not displayed as `exe.png`). Playwright drives Debian's
Chromium against a live server; the screenshot is copied to test-output/browser/visible-case.png."""

from __future__ import annotations

import pytest

from models import FlagStatus, UserRole
from tests.browser import PASSWORD, keep, launch, log_in, serve
from tests.factories import make_account, make_flag, make_interaction, make_person, make_post, make_user
from webui import create_app
from webui.passwords import hash_password

pytestmark = pytest.mark.slow
HOSTILE = "lampiran_\u202egnp.exe dan Ho\u200bax\u2066 \ufeffx\x0b"


@pytest.fixture
def live_case(netral_env, db_session):
    make_user(db_session, "rina", UserRole.REVIEWER, password_hash=hash_password(PASSWORD))
    actor = make_account(db_session, display_name=f"Akun {HOSTILE}")
    person = make_person(db_session, actor, name=f"Pegawai {HOSTILE}")
    post = make_post(db_session, text=f"Unduh {HOSTILE} sekarang")
    flag = make_flag(db_session, make_interaction(db_session, actor, post), person, status=FlagStatus.NEW)
    db_session.commit()
    app = create_app({"DATABASE_URL": netral_env, "SECRET_KEY": "browser-test"})
    with serve(app) as base:
        yield base, flag.id


def test_bidi_and_zero_width_characters_show_as_markers_in_chromium(live_case, tmp_path):
    from playwright.sync_api import sync_playwright

    base, flag_id = live_case
    shot = tmp_path / "visible-case.png"
    with sync_playwright() as pw:
        browser = launch(pw)
        page = browser.new_page()
        page.goto(f"{base}/case/{flag_id}")
        log_in(page, "rina")
        page.wait_for_selector("#post-text")
        shown = page.inner_text("#post-text")
        page.screenshot(path=shot, full_page=True)
        browser.close()
    assert "lampiran_⟦U+202E⟧gnp.exe dan Ho⟦U+200B⟧ax⟦U+2066⟧ ⟦U+FEFF⟧x⟦U+000B⟧" in shown
    assert not any(ch in shown for ch in "\u202e\u200b\u2066\ufeff\x0b")
    keep(shot)
