"""Benchmark: import 100,000 Zeeschuimer capture lines (`netral import FILE.ndjson`) and print items/s and memory.

    .venv/bin/python bench/import_captures.py [--items 100000] [--postgres URL] [--skip-postgres]

The file is built from the test fixtures' real shapes (tests/fixtures/captures/): per 1,000 lines, 10 TikTok
videos, 600 TikTok comments on them (each a post and the commenter's reply), 200 X tweets of which half are
retweets, 190 Instagram posts; commenters and authors repeat as they do on a campaign's pages. Each import
runs in its own process (the real reader, mappers, validation and store) and reports its wall time and peak
memory (ru_maxrss). Goal: >= 2,000 captured items (lines) per second, peak memory < 400 MB.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds a queue.py: keep this folder off sys.path so it cannot shadow the standard library.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import copy  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import uuid  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FIXTURES = ROOT / "tests" / "fixtures" / "captures"
GOAL_RATE, GOAL_MB = 2000, 400


def _templates() -> dict:
    def first(name, n=0):
        return json.loads((FIXTURES / name).read_text(encoding="utf-8").splitlines()[n])
    return {"video": first("tiktok.ndjson"), "comment": first("tiktok-comments.ndjson"),
            "tweet": first("twitter.ndjson", 1), "retweet": first("twitter.ndjson", 2),
            "instagram": first("instagram.ndjson")}


def build(path: Path, items: int) -> None:
    """Write `items` capture lines, streamed (the file is never held in memory)."""
    t = _templates()
    with path.open("w", encoding="utf-8") as out:
        for n in range(items):
            block, k = divmod(n, 1000)
            ts = 1731900000000 + n
            if k < 10:
                row = copy.deepcopy(t["video"])
                vid = str(7438291045567000000 + block * 10 + k)
                row["data"]["id"] = row["item_id"] = vid
            elif k < 610:
                row = copy.deepcopy(t["comment"])
                d = row["data"]
                d["cid"] = d["id"] = row["item_id"] = str(7438300000000000000 + n)
                d["aweme_id"] = str(7438291045567000000 + block * 10 + k % 10)
                user = n % 20_000
                d["user"]["uid"], d["user"]["unique_id"] = str(6900000000000000000 + user), f"warga{user}"
            elif k < 810:
                row = copy.deepcopy(t["retweet" if k % 2 else "tweet"])
                d = row["data"]
                d["rest_id"] = d["legacy"]["id_str"] = d["id"] = row["item_id"] = str(1858263529483000000 + n)
                who = n % 5_000
                result = d["core"]["user_results"]["result"]
                result["rest_id"] = d["legacy"]["user_id_str"] = str(1450000000000100000 + who)
                result["legacy"]["screen_name"] = f"akun{who}"
                if k % 2:
                    original = d["legacy"]["retweeted_status_result"]["result"]
                    original["rest_id"] = original["legacy"]["id_str"] = str(1858263529400000000 + n % 300)
            else:
                row = copy.deepcopy(t["instagram"])
                d = row["data"]
                d["code"] = f"B{n:010d}"
                d["id"] = row["item_id"] = f"{3501234567890000000 + n}_5512345678"
                who = n % 3_000
                d["user"] = dict(d["user"], pk=str(5512000000 + who), username=f"ig{who}")
                d.pop("owner", None)
            row["timestamp_collected"] = row["last_updated"] = ts
            out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")


def child(url: str, path: str) -> None:
    """Import the file into url; print one JSON line with the figures."""
    import resource
    import time

    from crawler.importer import import_file
    from models.migrate import upgrade
    from models.session import make_engine

    upgrade(url)
    engine = make_engine(url)
    started = time.perf_counter()
    report = import_file(engine, Path(path))
    seconds = time.perf_counter() - started
    print(json.dumps({"lines": report.rows, "rejected": len(report.rejected), "stored": dict(report.stored),
                      "seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def run(url: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", url, str(path)], check=True, capture_output=True,
                         text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--postgres", default=os.environ.get("NETRAL_BENCH_POSTGRES_URL",
                                                             "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "captures.ndjson"
        build(path, args.items)
        print(f"{args.items} capture lines, {path.stat().st_size / 2**20:.1f} MB")
        targets = [("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}")]
        if not args.skip_postgres:
            targets.append(("PostgreSQL", _pg_database(args.postgres)))
        for name, url in targets:
            try:
                figures = run(url, path)
            finally:
                if name == "PostgreSQL":
                    _pg_drop(url)
            rate = figures["lines"] / figures["seconds"]
            good = rate >= GOAL_RATE and figures["peak_mb"] < GOAL_MB and figures["rejected"] == 0
            ok &= good
            stored = ", ".join(f"{k} {v}" for k, v in sorted(figures["stored"].items()))
            print(f"{name}: {figures['lines']} items in {figures['seconds']:.1f} s = {rate:,.0f} items/s; "
                  f"peak memory {figures['peak_mb']:.0f} MB; rejected {figures['rejected']}; stored {stored} "
                  f"(goal >= {GOAL_RATE:,} items/s, < {GOAL_MB} MB: {'met' if good else 'NOT met'})")
    return 0 if ok else 1


def _pg_database(admin_url: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"netral_bench_captures_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _pg_drop(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
