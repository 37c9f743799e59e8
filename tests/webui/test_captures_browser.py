"""Captures screen in a real browser (slow): a reviewer logs in, creates an upload address and uploads a
Zeeschuimer export with the form; the run page lists the refused lines. Screenshots go to
test-output/browser/captures.png and captures-run.png."""

from __future__ import annotations

import shutil

import pytest

from models import UserRole
from tests.browser import OUTPUT, PASSWORD, launch, log_in, serve
from tests.conftest import FIXTURES
from tests.factories import make_user
from webui import create_app
from webui.blueprints import captures
from webui.passwords import hash_password

pytestmark = pytest.mark.slow


@pytest.fixture
def live(netral_env, db_session):
    captures._recent.clear()
    make_user(db_session, "rina", UserRole.REVIEWER, password_hash=hash_password(PASSWORD))
    db_session.commit()
    app = create_app({"DATABASE_URL": netral_env, "SECRET_KEY": "browser-test"})
    with serve(app) as base:
        yield base


def test_upload_screen_in_chromium(live, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch(pw)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{live}/captures/")
        log_in(page, "rina")
        page.wait_for_selector("#capture-upload")
        page.fill("#token-create input[name=label]", "laptop kantor")
        page.click("#token-create button")
        page.wait_for_selector("#new-token")
        assert "/u/" in page.inner_text("#new-token") and "@127.0.0.1" in page.inner_text("#new-token-extension")
        page.set_input_files("#capture-upload input[type=file]", str(FIXTURES / "captures" / "bad.ndjson"))
        page.click("#capture-upload button")
        page.wait_for_selector("#refused")
        assert "unknown_platform: 9gag.com" in page.inner_text("#refused")
        page.screenshot(path=tmp_path / "captures-run.png", full_page=True)
        page.goto(f"{live}/captures/")
        page.wait_for_selector("#tokens")
        assert "laptop kantor" in page.inner_text("#tokens")
        page.screenshot(path=tmp_path / "captures.png", full_page=True)
        browser.close()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for name in ("captures.png", "captures-run.png"):
        shutil.copy(tmp_path / name, OUTPUT / name)
