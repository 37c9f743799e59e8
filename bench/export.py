"""Benchmark of the compliance export: time and peak memory of the CSV summary over 1,000,000 interactions.

Uses the database bench/review_data.py fills (one flag per interaction; reused when already filled),
runs `netral export summary --format csv` in a child process and reads the child's peak RSS from
getrusage. Goal: peak memory under 300 MB. Also times XLSX the same way with --xlsx.

    .venv/bin/python bench/export.py [--interactions 1000000] [--xlsx]
"""

# ruff: noqa: E402  (the sys.path fix below must run before the imports)
from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py would shadow the stdlib `queue` module (psycopg imports it): take our folder off the path.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import argparse
import importlib.util
import os
import resource
import subprocess
import tempfile
import time

ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
ADMIN_URL = os.environ.get("NETRAL_BENCH_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _review_data():
    spec = importlib.util.spec_from_file_location("review_data", HERE / "review_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(url: str, fmt: str) -> tuple[float, float, int]:
    """Return (seconds, peak MB, bytes) of one export in a fresh child process."""
    out = Path(tempfile.mkdtemp(prefix="netral-export-")) / f"summary.{fmt}"
    env = {**os.environ, "NETRAL_DATABASE_URL": url, "NETRAL_INSTANCE_DIR": str(out.parent)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run([str(ROOT / ".venv/bin/netral"), "export", "summary", "--format", fmt, "--output", str(out)],
                   env=env, check=True, cwd=ROOT)
    elapsed = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # largest child so far (KB on Linux)
    if peak_kb < before:
        peak_kb = before
    return elapsed, peak_kb / 1024, out.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--database", default="netral_bench")
    parser.add_argument("--xlsx", action="store_true", help="also time the XLSX export")
    args = parser.parse_args()
    data = _review_data()
    url = data.existing(ADMIN_URL, args.database, args.interactions)
    if url is None:
        print(f"filling {args.database} with {args.interactions:,} flagged interactions ...")
        url = data.build(ADMIN_URL, args.database, args.interactions)
    from sqlalchemy import create_engine, text

    with create_engine(url).connect() as conn:
        confirmed = conn.execute(text("SELECT count(*) FROM flag WHERE status = 'confirmed'")).scalar()
    print(f"\n{args.interactions:,} interactions (one flag each), {confirmed:,} confirmed cases listed\n")
    print(f"{'format':8} {'seconds':>8} {'peak MB':>8} {'size MB':>8}")
    for fmt in ["csv"] + (["xlsx"] if args.xlsx else []):
        seconds, peak, size = run(url, fmt)
        print(f"{fmt:8} {seconds:8.1f} {peak:8.1f} {size / 2**20:8.1f}  {'ok' if peak < 300 else 'OVER GOAL'}")


if __name__ == "__main__":
    main()
