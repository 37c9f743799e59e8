"""Shared pieces of the real-browser tests: Debian's Chromium driven by Playwright against a live server."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling out, which this closed network refuses.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
PASSWORD = "browser test password"
OUTPUT = Path(__file__).resolve().parents[1] / "test-output" / "browser"


@contextmanager
def serve(app) -> Iterator[str]:
    """Serve the app on a free loopback port for the duration; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def launch(pw):
    """Start Debian's Chromium (never a downloaded browser); skip the test where it is not installed."""
    if not Path(CHROMIUM).exists():
        pytest.skip("apt-get install chromium")
    return pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def log_in(page, username: str, password: str = PASSWORD) -> None:
    """Fill the login form the page was sent to and submit it."""
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def keep(*shots: Path) -> None:
    """Copy screenshots to test-output/browser/, where CI keeps them for a person to look at."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for shot in shots:
        shutil.copy(shot, OUTPUT / shot.name)
