"""Test helper: a Mastodon instance on loopback serving tests/fixtures/mastodon/instance.json.

Reproduces what the spider must cope with: paging only through Link headers (with opaque ids), a 429
with Retry-After and X-RateLimit-Reset (ISO time), a 401 on a public endpoint, and a 503 that recovers.
`state` changes between crawls (an un-favourite) to exercise removal detection.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

DATA = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "mastodon" / "instance.json").read_text())


class MastodonFixture:
    def __init__(self) -> None:
        self.hits: Counter = Counter()
        self.requests: list[str] = []
        self.unfavourite: set[str] = set()  # usernames whose favourite of status 101 is withdrawn
        self.flaky = True  # 429 and 503 once each
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> MastodonFixture:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def route(self, path: str, query: dict) -> tuple[int, object, dict]:
        self.hits[path] += 1
        accounts = DATA["accounts"]
        if path == "/api/v1/accounts/lookup":
            acct = query.get("acct", [""])[0]
            if acct == "rahasia":
                return 401, {"error": "This API requires an authenticated user"}, {}
            return (200, accounts[acct], {}) if acct in accounts else (404, {"error": "Record not found"}, {})
        if path == "/api/v1/accounts/1/statuses":
            if "max_id" not in query:
                link = (f'<{self.url}/api/v1/accounts/1/statuses?limit=40&max_id=110763410716341234>; rel="next", '
                        f'<{self.url}/api/v1/accounts/1/statuses?limit=40&min_id=110763410716345678>; rel="prev"')
                return 200, DATA["statuses"]["page1"], {"Link": link}
            return 200, DATA["statuses"]["page2"], {}
        if path.startswith("/api/v1/accounts/") and path.endswith("/statuses"):
            return 200, [], {}
        if path == "/api/v1/statuses/101/favourited_by":
            if self.flaky and self.hits[path] == 1:
                reset = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
                return 429, {"error": "Too many requests"}, {"Retry-After": "1", "X-RateLimit-Reset": reset,
                                                             "X-RateLimit-Remaining": "0"}
            people = [accounts[u] for u in ("asn_dinas", "warga", "guru_asn") if u not in self.unfavourite]
            if "max_id" not in query:
                link = f'<{self.url}/api/v1/statuses/101/favourited_by?limit=80&max_id=7361>; rel="next"'
                return 200, people[:2], {"Link": link}
            return 200, people[2:], {}
        if path == "/api/v1/statuses/101/reblogged_by":
            if self.flaky and self.hits[path] == 1:
                return 503, {"error": "Service Unavailable"}, {}
            return 200, DATA["reblogged_by_101"], {}
        if path == "/api/v1/statuses/101/context":
            return 200, DATA["context_101"], {}
        if path == "/api/v1/statuses/900":
            return 200, DATA["parent"], {}
        return 404, {"error": "Record not found"}, {}

    def _handler(self):
        fixture = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                fixture.requests.append(self.path)
                status, body, headers = fixture.route(parts.path, parse_qs(parts.query))
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(raw)))
                self.send_header("X-RateLimit-Limit", "300")
                for name, value in headers.items():
                    self.send_header(name, value)
                if "X-RateLimit-Remaining" not in headers:
                    self.send_header("X-RateLimit-Remaining", "299")
                    self.send_header("X-RateLimit-Reset", (datetime.now(UTC) + timedelta(minutes=5)).isoformat())
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

        return Handler
