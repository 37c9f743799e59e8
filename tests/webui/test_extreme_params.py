"""Review UI, issue 12 point 12: however extreme a path or query parameter, no route answers with a server error.

The test walks every rule in the app's url_map (so a new route is covered without being listed), as an
admin, with extreme values for the rule's own path arguments, and for the query and form parameters the
route reads: a first request with every common parameter notes which ones the view asks for (the
request's MultiDicts record every key read), then each of those is tried alone with extreme values, and
all of them together with each value.
"""

from __future__ import annotations

import re

import pytest
from flask import Request
from werkzeug.datastructures import ImmutableMultiDict

from models import FlagStatus
from tests.factories import make_account, make_flag, make_interaction, make_person, make_post

HUGE_IDS = [str(2**63), str(2**63 - 1), str(2**64 + 1), "9" * 40, "0", "-1", "-9223372036854775809"]
EXTREME = [
    "9999-12-31", "0001-01-01", "99999-01-01", "2024-02-30", "1e999", "-1e999", "nan", "inf", "-0",
    str(2**63), str(-(2**63) - 1), "9" * 400, "-1", "\x00", "\x0b\u202e\u200b", "%", "' OR 1=1 --", "x" * 5000,
    "t9999-12-31T23:59:59_1", "t0001-01-01T00:00:00+14:00_1", "tgarbage_1", "s1e999_1", "snan_1",
    "s0.5_" + "9" * 30, "s0.5_-" + "9" * 30, "_", "t", "s", "s_", "x_1_2",
]
PARAMS = ["date_from", "date_to", "after", "before", "cursor", "page", "id", "flag_id", "person_id", "user_id",
          "score_min", "score_max", "status", "rule", "severity", "platform", "institution", "province", "regency",
          "sort", "mine", "q", "role", "limit", "offset", "format", "with_nip", "next", "locale", "note", "seen",
          "decision", "username", "password", "active", "enabled", "run_id", "job_id", "back", "from", "to"]
DATES = ["9999-12-31", "0001-01-01", "99999-01-01", "2024-02-30"]
NUMBERS = [str(2**63), str(-(2**63) - 1), "9" * 400, "-1", "1e999", "nan"]
CURSORS = ["t9999-12-31T23:59:59_1", "t0001-01-01T00:00:00+14:00_1", "s1e999_1", "snan_1", "s0.5_" + "9" * 30,
           "9" * 30, "_"]
TEXT = ["\x00", "\x0b\u202e\u200b", "x" * 5000, "/\t/evil.example"]
INT_ARG = re.compile(r"<int:(\w+)>")


@pytest.fixture
def data(db_session, users):
    account = make_account(db_session)
    person = make_person(db_session, account, name="Budi")
    flag = make_flag(db_session, make_interaction(db_session, account, make_post(db_session)), person,
                     status=FlagStatus.NEW)
    db_session.commit()
    return flag


def _paths(rule) -> list[str]:
    """The rule's path with id 1 (a row that exists) and with each extreme id; other converters get junk."""
    path = re.sub(r"<path:\w+>", "netral.css", rule.rule)
    if not INT_ARG.search(path):
        return [path]
    return [INT_ARG.sub(value, path) for value in ["1", *HUGE_IDS]]


def _values_for(name: str) -> list[str]:
    """The extreme values a parameter alone is tried with, by what it looks like it holds."""
    if "date" in name or name in ("from", "to"):
        return DATES + TEXT[:1]
    if name in ("after", "before", "cursor"):
        return CURSORS + NUMBERS[:1]
    if name.endswith("id") or name in ("page", "limit", "offset", "score_min", "score_max", "seen"):
        return NUMBERS + TEXT[:1]
    return TEXT + NUMBERS[:2]


READ: set[str] = set()


class _Recording(ImmutableMultiDict):
    """Query and form parameters that note every key a view reads."""

    def __getitem__(self, key):
        READ.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):
        READ.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        READ.add(key)
        return super().getlist(key, type)

    def __contains__(self, key):
        READ.add(key)
        return super().__contains__(key)


class _RecordingRequest(Request):
    parameter_storage_class = _Recording


def _requests(rule, send):
    """(method, path, params) to try for one rule: each extreme id; each parameter the view reads alone with
    extreme values (a bad one may be refused before another is read); every parameter at once with each."""
    for method in sorted(rule.methods & {"GET", "POST"}):
        paths = _paths(rule)
        for path in paths:
            yield method, path, {}
        READ.clear()
        send(method, paths[0], dict.fromkeys(PARAMS, "1"))
        read = sorted(READ - {"csrf_token"})
        for name in read:
            for value in _values_for(name):
                yield method, paths[0], {name: value}
        for value in EXTREME:
            yield method, paths[0], dict.fromkeys(set(PARAMS) | set(read), value)


def test_no_route_answers_extreme_parameters_with_a_server_error(app, as_role, data, monkeypatch):
    import webui.blueprints.auth
    import webui.users

    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash is a 500 response, collected below
    app.request_class = _RecordingRequest
    admin = as_role("admin")
    # Argon2 is slow on purpose; thousands of form posts need not pay for it.
    monkeypatch.setattr(webui.users, "hash_password", lambda password: "fast$" + password)
    monkeypatch.setattr(webui.blueprints.auth, "verify_password", lambda stored, password: False)
    failures = []
    checked = 0

    def send(method, path, params):
        if method == "GET":
            return admin.get(path, query_string=params)
        return admin.post(path, params)

    for rule in app.url_map.iter_rules():
        if rule.endpoint == "auth.logout":
            continue  # would end the walk's own session; it reads no parameters
        for method, path, params in _requests(rule, send):
            response = send(method, path, params)
            checked += 1
            if response.status_code >= 500:
                shown = {k: v[:40] for k, v in params.items()} if len(params) < 3 else f"all={params['id'][:40]!r}"
                failures.append((method, path[:60], shown))
            elif response.status_code == 400:
                assert response.get_data(as_text=True).strip(), (method, path, params)  # says what is wrong
            if rule.endpoint == "auth.password" and method == "POST":
                # Wrong current passwords count as guesses; keep the admin able to go on.
                app.extensions.get("netral_login_limiter", None) and app.extensions.pop("netral_login_limiter")
    assert checked > 500
    assert not failures, f"{len(failures)} server errors of {checked}:\n" + "\n".join(map(str, failures[:60]))
