"""Real-browser test of the review UI: Playwright drives Debian's Chromium against a live server.

Log in, filter the queue, open a case, confirm it, download a compliance export; a screenshot of each
step is kept under the test's output folder (tmp_path) and copied to test-output/browser/.
Needs `apt-get install chromium` (never `playwright install`: no downloads here).
"""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select

from models import Flag, FlagStatus, Platform, UserRole
from tests.browser import OUTPUT, PASSWORD, launch, log_in, serve
from tests.factories import make_account, make_flag, make_interaction, make_person, make_post, make_user
from webui import create_app
from webui.passwords import hash_password

pytestmark = pytest.mark.slow


@pytest.fixture
def live_server(netral_env, db_session):
    make_user(db_session, "rina", UserRole.REVIEWER, password_hash=hash_password(PASSWORD))
    for i in range(3):
        actor = make_account(db_session, platform=Platform.MASTODON if i == 0 else Platform.BLUESKY)
        person = make_person(db_session, actor, name=f"Pegawai Uji {i}")
        text = f"Ayo coblos Hendra nomor {i} <script>x</script>"
        post = make_post(db_session, author=make_account(db_session), text=text)
        make_flag(db_session, make_interaction(db_session, actor, post), person, score=0.9 - i / 10,
                  reasons=[{"text": "Hendra", "category": "kandidat"}], platform=actor.platform)
    db_session.commit()
    app = create_app({"DATABASE_URL": netral_env, "SECRET_KEY": "browser-test"})
    with serve(app) as base:
        yield base


def test_review_in_a_real_browser(live_server, tmp_path, db_session):
    from playwright.sync_api import expect, sync_playwright

    shots = []
    with sync_playwright() as pw:
        browser = launch(pw)
        page = browser.new_page(accept_downloads=True)
        page.on("dialog", lambda d: pytest.fail(f"a script ran: {d.message}"))
        page.goto(f"{live_server}/queue/")
        log_in(page, "rina")
        expect(page.locator("h1")).to_have_text("Antrean peninjauan")  # Indonesian by default
        expect(page.locator("a.case-link")).to_have_count(3)

        page.select_option("select[name=platform]", "mastodon")
        page.click("#apply-filters")
        expect(page.locator("a.case-link")).to_have_count(1)
        shots.append(tmp_path / "1-queue-filtered.png")
        page.screenshot(path=shots[-1], full_page=True)

        page.click("a.case-link")
        expect(page.locator("#post-text mark")).to_have_text("Hendra")
        expect(page.locator("#post-text")).to_contain_text("<script>x</script>")  # shown as text, not run
        page.fill("#note", "Menyukai ajakan mencoblos paslon")
        page.click("#confirm")
        expect(page.locator(".flash.ok")).to_be_visible()
        expect(page.locator("h1 .status")).to_have_text("dikonfirmasi")
        shots.append(tmp_path / "2-case-confirmed.png")
        page.screenshot(path=shots[-1], full_page=True)

        page.goto(f"{live_server}/export/")
        page.select_option("select[name=format]", "csv")
        with page.expect_download() as info:
            page.click("#download-summary")
        download = info.value
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        browser.close()

    text = target.read_text(encoding="utf-8-sig")
    assert "Pegawai Uji 0" in text and "rina" in text
    db_session.rollback()
    assert db_session.scalar(select(Flag.status).where(Flag.platform == Platform.MASTODON)) is FlagStatus.CONFIRMED
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for shot in shots:
        assert shot.stat().st_size > 5000
        shutil.copy(shot, OUTPUT / shot.name)
