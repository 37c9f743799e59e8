"""Zeeschuimer's upload contract end to end over real HTTP: the app under werkzeug's server on 127.0.0.1,
spoken to with urllib exactly as the extension's popup/interface.js does (POST the NDJSON blob with
X-Zeeschuimer-Platform to {base}/api/import-dataset/, then GET {base}/api/check-query/?key=KEY)."""

from __future__ import annotations

import http.client
import json
import threading
import urllib.error
import urllib.request

import pytest
from werkzeug.serving import make_server

from tests.conftest import FIXTURES
from webui.blueprints import captures


@pytest.fixture
def server(app, users):
    captures._recent.clear()
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    thread.join(5)
    captures._recent.clear()


def personal_address(base: str) -> str:
    """Log in as a reviewer with a cookie jar (a browser) and create a personal upload address."""
    import http.cookiejar
    import re

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    from tests.webui.conftest import PASSWORD

    form = urllib.parse.urlencode({"username": "reviewer", "password": PASSWORD, "csrf_token": token}).encode()
    opener.open(urllib.request.Request(f"{base}/login", data=form))
    html = opener.open(f"{base}/captures/").read().decode()
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    page = opener.open(urllib.request.Request(f"{base}/captures/tokens", data=urllib.parse.urlencode(
        {"csrf_token": token, "label": "e2e"}).encode())).read().decode()
    return page.split('id="new-token"')[1].split("<code>")[1].split("</code>")[0]


def send(url: str, platform: str, blob: bytes):
    request = urllib.request.Request(url, data=blob, method="POST",
                                     headers={"X-Zeeschuimer-Platform": platform})  # as xhr.send(blob)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_the_extension_contract_over_http(server):
    base = personal_address(server).rstrip("/")  # what the user would set as the base URL
    status, answer = send(base + "/api/import-dataset/", "twitter.com", (FIXTURES / "captures" / "twitter.ndjson")
                          .read_bytes())
    assert status == 200 and set(answer) >= {"status", "key", "url"}
    with urllib.request.urlopen(f"{base}/api/check-query/?key={answer['key']}", timeout=30) as response:
        progress = json.loads(response.read())
    assert progress["done"] is True and progress["rows"] == 9 and progress["url"].startswith(server)
    status, text = send(base + "/api/import-dataset/", "douyin.com", b"{}\n")
    assert status == 404 and "Unknown platform or source format" in text


def test_a_100_mb_upload_is_refused_with_a_message_before_it_is_read(server):
    base = personal_address(server).rstrip("/")
    host, port = server.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.putrequest("POST", base.removeprefix(server) + "/api/import-dataset/")
    conn.putheader("X-Zeeschuimer-Platform", "tiktok.com")
    conn.putheader("Content-Length", str(100 * 2**20))
    conn.endheaders()
    line = (FIXTURES / "captures" / "tiktok.ndjson").read_bytes()
    try:
        for _ in range(100 * 2**20 // (len(line) * 64)):
            conn.send(line * 64)
    except OSError:
        pass  # the server answered and closed while the body was still being sent
    response = conn.getresponse()
    answer = json.loads(response.read())
    assert response.status == 413 and "too large: at most 50 MB" in answer["error"]
