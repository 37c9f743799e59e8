"""Review UI: every interface string has an Indonesian translation, the compiled catalog is current, times are WIB."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from webui.formatting import local_time

WEBUI = Path(__file__).resolve().parents[2] / "webui"
PO = WEBUI / "translations/id/LC_MESSAGES/messages.po"
MO = PO.with_suffix(".mo")


def _extracted() -> set[str]:
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None}
    return {msg for _f, _l, msg, _c, _ctx in extract_from_dir(str(WEBUI), method_map, keywords=keywords)
            if isinstance(msg, str)}


def test_every_string_is_translated_and_compiled():
    with PO.open("rb") as fh:
        po = {m.id: m.string for m in read_po(fh) if m.id}
    with MO.open("rb") as fh:
        mo = {m.id: m.string for m in read_mo(fh) if m.id}
    missing = sorted(s for s in _extracted() if not po.get(s))
    assert not missing, f"add to {PO} and run pybabel compile: {missing}"
    assert po == mo, "messages.mo is stale: run `pybabel compile -d webui/translations`"


def test_times_are_shown_in_wib():
    assert local_time(datetime(2024, 11, 26, 17, 30, tzinfo=UTC)) == "2024-11-27 00:30:00 WIB"
    assert local_time(None) == "—"
