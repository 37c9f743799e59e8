"""Review UI in a real browser: a case whose post payload was edited after capture shows the integrity
warning at the top and marks the payload. Playwright drives Debian's Chromium against a live server; the
screenshot is copied to test-output/browser/integrity-warning.png."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from models import UserRole
from tests.browser import PASSWORD, keep, launch, log_in, serve
from tests.factories import make_flag, make_user
from webui import create_app
from webui.passwords import hash_password

pytestmark = pytest.mark.slow


@pytest.fixture
def live_case(netral_env, db_session, engine):
    make_user(db_session, "rina", UserRole.REVIEWER, password_hash=hash_password(PASSWORD))
    flag = make_flag(db_session)
    db_session.commit()
    with engine.begin() as conn:
        conn.execute(text("UPDATE post SET raw_json = replace(raw_json, 'nomor 1', 'nomor 2') WHERE id = :i"),
                     {"i": flag.post_id})
    app = create_app({"DATABASE_URL": netral_env, "SECRET_KEY": "browser-test"})
    with serve(app) as base:
        yield base, flag.id


def test_edited_payload_shows_the_warning_in_chromium(live_case, tmp_path):
    from playwright.sync_api import sync_playwright

    base, flag_id = live_case
    shot = tmp_path / "integrity-warning.png"
    with sync_playwright() as pw:
        browser = launch(pw)
        page = browser.new_page()
        page.goto(f"{base}/case/{flag_id}")
        log_in(page, "rina")
        page.wait_for_selector("#integrity-warning")
        warning = page.inner_text("#integrity-warning")
        visible = page.is_visible("#integrity-warning")
        page.screenshot(path=shot, full_page=True)
        browser.close()
    assert visible and "Peringatan integritas:" in warning and "tidak cocok" in warning
    assert "(Data mentah unggahan)" in warning  # names the post's payload, not the interaction's
    keep(shot)
