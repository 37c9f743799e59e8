"""Real-browser check of the case page (issue 12): the legal basis of the person's role, the other rules that
fired for the same act, the two-person state a reviewer who voted sees, and an admin's correction form.

Screenshots go to test-output/browser/. Needs `apt-get install chromium` (never `playwright install`).
"""

from __future__ import annotations

import shutil

import pytest

from models import FlagStatus, InteractionKind, PersonRole, Severity, UserRole
from tests.browser import OUTPUT, PASSWORD, launch, log_in, serve
from tests.factories import make_account, make_flag, make_interaction, make_person, make_post, make_user
from webui import create_app
from webui.passwords import hash_password

pytestmark = pytest.mark.slow


@pytest.fixture
def live_server(netral_env, db_session):
    digest = hash_password(PASSWORD)
    make_user(db_session, "rina", UserRole.REVIEWER, password_hash=digest)
    make_user(db_session, "adi", UserRole.ADMIN, password_hash=digest)
    actor = make_account(db_session, handle="ketua.kpps.test")
    person = make_person(db_session, actor, role=PersonRole.KPPS, name="Nurhayati", institution="KPPS TPS 3 Talawi")
    own = make_post(db_session, author=actor, text="Setuju! Ayo coblos Hendra nomor 1")
    quote = make_interaction(db_session, actor, make_post(db_session, text="Coblos Hendra nomor 1!"),
                             kind=InteractionKind.QUOTE, own_post_id=own.id)
    open_flag = make_flag(db_session, quote, person, rule_code="QUOTE_PARTISAN", severity=Severity.HIGH,
                          reasons=[{"rule": "POST_PARTISAN", "subject": f"post:{own.id}", "explanation": "juga"}])
    decided = make_flag(db_session, make_interaction(db_session, actor, make_post(db_session)), person,
                        status=FlagStatus.CONFIRMED)
    db_session.commit()
    app = create_app({"DATABASE_URL": netral_env, "SECRET_KEY": "browser-test", "NETRAL_TWO_PERSON_RULE": True})
    with serve(app) as base:
        yield base, open_flag.id, decided.id


def _login(page, base, username):
    page.goto(f"{base}/queue/")
    log_in(page, username)


def test_case_page_in_a_real_browser(live_server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    base, open_id, decided_id = live_server
    shots = []
    with sync_playwright() as pw:
        browser = launch(pw)
        page = browser.new_page()
        _login(page, base, "rina")
        page.goto(f"{base}/case/{open_id}")
        expect(page.locator("#legal-basis")).to_contain_text("Peraturan DKPP Nomor 2 Tahun 2017")
        expect(page.locator("#other-rules")).to_contain_text("POST_PARTISAN")
        page.fill("#note", "Mengutip ajakan mencoblos paslon")
        page.click("#confirm")
        expect(page.locator("#took-part")).to_be_visible()
        expect(page.locator("#decide-form")).to_have_count(0)
        shots.append(tmp_path / "case-voted-two-person.png")
        page.screenshot(path=shots[-1], full_page=True)

        admin = browser.new_page()
        _login(admin, base, "adi")
        admin.goto(f"{base}/case/{decided_id}")
        expect(admin.locator("#correct-form")).to_be_visible()
        shots.append(tmp_path / "case-admin-correction.png")
        admin.screenshot(path=shots[-1], full_page=True)
        admin.fill("#correct-note", "Atribusi akun diperiksa ulang")
        admin.click("#retract")
        expect(admin.locator("h1 .status")).to_have_text("ditarik")
        expect(admin.locator("ol.history")).to_contain_text("ditarik kembali")
        shots.append(tmp_path / "case-retracted.png")
        admin.screenshot(path=shots[-1], full_page=True)
        browser.close()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for shot in shots:
        assert shot.stat().st_size > 5000
        shutil.copy(shot, OUTPUT / shot.name)
