"""NETRAL_TIMEZONE: one setting for the zone times are shown in and dates are read in (WIB by default)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from models import FlagStatus
from tests.factories import make_flag
from tests.webui.conftest import Browser
from webui import config, create_app
from webui.formatting import local_time

# 23:30 WIB on 10 Nov, but 00:30 WITA on 11 Nov.
LATE = datetime(2024, 11, 10, 16, 30, tzinfo=UTC)


@pytest.fixture
def zone(monkeypatch):
    """zone('Asia/Makassar') sets NETRAL_TIMEZONE for this test (it is read once per process otherwise)."""

    def use(name: str):
        monkeypatch.setenv("NETRAL_TIMEZONE", name)
        config.display_zone.cache_clear()
        return config.display_zone()

    yield use
    config.display_zone.cache_clear()  # the next reader sees the environment monkeypatch restores


def test_the_default_is_wib(monkeypatch, zone):
    monkeypatch.delenv("NETRAL_TIMEZONE", raising=False)
    config.display_zone.cache_clear()
    assert config.display_zone().name == "Asia/Jakarta"
    assert local_time(LATE) == "2024-11-10 23:30:00 WIB"


def test_labels_follow_the_zone(zone):
    assert zone("Asia/Jayapura").label() == "WIT" and local_time(LATE, seconds=False) == "2024-11-11 01:30 WIT"
    berlin = zone("Europe/Berlin")
    assert local_time(LATE) == "2024-11-10 17:30:00 CET"
    assert local_time(datetime(2024, 7, 1, 12, tzinfo=UTC)) == "2024-07-01 14:00:00 CEST"
    assert berlin.column_suffix() in ("cet", "cest")
    with pytest.raises(ValueError, match="NETRAL_TIMEZONE"):
        zone("Asia/Nowhere")


def test_without_a_tz_database_indonesia_keeps_its_offsets(zone, monkeypatch):
    def missing(name):
        raise config.ZoneInfoNotFoundError(name)

    monkeypatch.setattr(config, "ZoneInfo", missing)
    assert zone("Asia/Makassar").utc_offset_minutes() == 480 and local_time(LATE).endswith("00:30:00 WITA")
    with pytest.raises(ValueError):
        zone("Europe/Berlin")


def test_makassar_shows_wita_everywhere(zone, netral_env, db_session, users):
    zone("Asia/Makassar")
    app = create_app({"TESTING": True, "DATABASE_URL": netral_env, "SECRET_KEY": "test-secret",
                      "NETRAL_COUNTS_CACHE_SECONDS": 0})
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == app.config["NETRAL_TIMEZONE"] == "Asia/Makassar"
    flag = make_flag(db_session, event_at=LATE, status=FlagStatus.CONFIRMED)
    db_session.commit()
    browser = Browser(app.test_client(), "admin")
    case = browser.get(f"/case/{flag.id}").get_data(as_text=True)
    assert "2024-11-11 00:30:00 WITA" in case and " WIB" not in case
    # Queue dates are Makassar dates: the flag is on the 11th there (the 10th in Jakarta).
    on_11th = browser.get("/queue/?status=confirmed&date_from=2024-11-11&date_to=2024-11-11").get_data(as_text=True)
    on_10th = browser.get("/queue/?status=confirmed&date_from=2024-11-10&date_to=2024-11-10").get_data(as_text=True)
    assert f"/case/{flag.id}" in on_11th and f"/case/{flag.id}" not in on_10th
    assert "2024-11-11 — 2024-11-11" in browser.get("/dashboard/").get_data(as_text=True)
    csv_text = browser.post("/export/summary", {"format": "csv", "date_from": "2024-11-11"}).get_data(as_text=True)
    assert "waktu_wita" in csv_text and "waktu_tangkap_wita" in csv_text and "2024-11-11 00:30:00 WITA" in csv_text
    app.extensions["netral_engine"].dispose()
