"""Benchmark of the review queue and case pages: p50/p95 latency under 8 concurrent connections.

Fills PostgreSQL with 1,000,000 flags (bench/review_data.py; reused when already filled), starts the
production server (gunicorn 'webui:create_app()'), logs in, and times the queue's first page, deep
pages (keyset cursors half-way and near the end), filtered pages, and case pages.
Goals: queue p95 < 50 ms at any depth and with any filter; case page p95 < 100 ms.

    .venv/bin/python bench/queue.py [--flags 1000000] [--requests 400] [--workers 2] [--concurrency 8]
"""

# ruff: noqa: E402  (the sys.path fix below must run before the imports)
from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the stdlib `queue` module, which psycopg imports: take our folder off the path.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import argparse
import http.client
import os
import random
import re
import signal
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.parse

from sqlalchemy import create_engine, text


def _load(name: str):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


review_data = _load("review_data")
ADMIN_URL = os.environ.get("NETRAL_BENCH_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PASSWORD = "bench password 1"


def cursor_at(engine, where: str, fraction: float, sort: str = "score") -> str:
    """The keyset cursor of the row `fraction` of the way down (found once with OFFSET here, never by the app)."""
    key = "score" if sort == "score" else "event_at"
    with engine.connect() as conn:
        total = conn.execute(text(f"SELECT count(*) FROM flag WHERE {where}")).scalar()
        position = min(int(total * fraction), total - 60)
        row = conn.execute(text(f"SELECT {key}, id FROM flag WHERE {where} ORDER BY {key} DESC, id DESC "
                                f"OFFSET {position} LIMIT 1")).one()
    return f"s{row[0]!r}_{row[1]}" if sort == "score" else f"t{row[0].isoformat()}_{row[1]}"


def scenarios(engine, flags: int) -> dict[str, list[str]]:
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM flag TABLESAMPLE SYSTEM (1) LIMIT 2000"))]
    q = urllib.parse.urlencode
    return {
        "queue first page (score)": ["/queue/"],
        "queue first page (time)": ["/queue/?sort=time"],
        "queue deep page 50% (score)": ["/queue/?" + q({"after": cursor_at(engine, "status='new'", 0.5)})],
        "queue deep page 99% (score)": ["/queue/?" + q({"after": cursor_at(engine, "status='new'", 1.0)})],
        "queue deep page 90% (time)": ["/queue/?" + q({"sort": "time", "after": cursor_at(
            engine, "status='new'", 0.9, "time")})],
        "filter platform": ["/queue/?platform=mastodon"],
        "filter institution": [f"/queue/?institution=Instansi+{i}" for i in range(0, 300, 7)],
        "filter institution deep": ["/queue/?" + q({"institution": "Instansi 42", "after": cursor_at(
            engine, "status='new' AND institution='Instansi 42'", 0.75)})],
        "filter regency + severity": [f"/queue/?regency=Kabupaten+{i}&severity=critical" for i in range(60)],
        "filter rule + dates (WIB)": ["/queue/?rule=REPLY_PARTISAN&date_from=2024-10-01&date_to=2024-10-07"],
        "filter score range": ["/queue/?score_min=0.2&score_max=0.3&status=in_review"],
        "filter all at once": ["/queue/?platform=bluesky&institution=Instansi+7&province=Provinsi+7"
                               "&severity=high&date_from=2024-09-01&date_to=2024-12-31&score_min=0.1&sort=time"],
        "status confirmed (sort time)": ["/queue/?status=confirmed&sort=time"],
        "filter province": [f"/queue/?province=Provinsi+{i}" for i in range(10)],
        "filter province, no match": ["/queue/?province=Provinsi+99"],
        "my claims (in review, time)": ["/queue/?status=in_review&mine=1&sort=time"],
        "my claims (new: none)": ["/queue/?mine=1"],
        "case page": [f"/case/{i}" for i in ids],
    }


def login(port: int) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/login")
    response = conn.getresponse()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf-token" content="([^"]+)"', response.read().decode()).group(1)
    body = urllib.parse.urlencode({"username": "bench1", "password": PASSWORD, "csrf_token": token})
    conn.request("POST", "/login", body, {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    assert response.status == 302, response.status
    return response.getheader("Set-Cookie").split(";")[0]


def measure(port: int, cookie: str, paths: list[str], requests: int, concurrency: int) -> list[float]:
    """Fire `requests` GETs over `concurrency` keep-alive connections; return the latencies in ms."""
    timings: list[float] = []
    lock = threading.Lock()
    per_worker = requests // concurrency

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port)
        local = []
        for _ in range(per_worker):
            path = rng.choice(paths)
            started = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": cookie})
            response = conn.getresponse()
            response.read()
            local.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                raise RuntimeError(f"{path}: HTTP {response.status}")
        with lock:
            timings.extend(local)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flags", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=400, help="per scenario")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (gthread, 2 threads each)")
    parser.add_argument("--database", default="netral_bench")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    url = None if args.rebuild else review_data.existing(ADMIN_URL, args.database, args.flags)
    if url is None:
        print(f"filling {args.database} with {args.flags:,} flagged interactions ...")
        url = review_data.build(ADMIN_URL, args.database, args.flags)
    engine = create_engine(url)
    from webui.passwords import hash_password

    with engine.begin() as conn:
        conn.execute(text("UPDATE app_user SET password_hash = :h"), {"h": hash_password(PASSWORD)})
    port = 8765
    env = {**os.environ, "NETRAL_DATABASE_URL": url, "NETRAL_SECRET_KEY": "bench",
           "NETRAL_INSTANCE_DIR": tempfile.mkdtemp(prefix="netral-bench-"), "NETRAL_LOGIN_MAX_ATTEMPTS": "1000"}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-w", str(args.workers), "-k", "gthread", "--threads", "2",
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "webui:create_app()"], cwd=ROOT, env=env)
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/login")
                break
            except OSError:
                time.sleep(0.2)
        cookie = login(port)
        print(f"\n{args.flags:,} flags, gunicorn {args.workers} workers x 2 threads, {args.concurrency} connections, "
              f"{args.requests} requests per scenario\n")
        # Other work on the machine inflates every figure: print the load so runs can be compared.
        print(f"load average before: {os.getloadavg()[0]:.2f}")
        print(f"{'scenario':34} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for name, paths in scenarios(engine, args.flags).items():
            measure(port, cookie, paths, args.concurrency * 2, args.concurrency)  # warm every worker
            timings = measure(port, cookie, paths, args.requests, args.concurrency)
            p95 = statistics.quantiles(timings, n=20)[-1]
            goal = 100 if name.startswith("case") else 50
            print(f"{name:34} {statistics.median(timings):8.1f} {p95:8.1f} {max(timings):8.1f}"
                  f"  {'ok' if p95 < goal else 'OVER GOAL'}")
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
