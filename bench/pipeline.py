"""Benchmark: the whole pipeline, 1,000,000 interactions from a local sample network into PostgreSQL.

    .venv/bin/python bench/pipeline.py [--interactions 1000000] [--postgres URL] [--concurrency 16] [--keep]

A sample-network process serves a synthetic scenario (`python -m samplenet --synthetic N`: two candidate
accounts, 200 posts, a crowd of 5,000 liking and reposting, every 50th a civil servant in the registry).
The pipeline then runs stage by stage, each as the operator runs it (`netral ...` in its own process) on
a fresh PostgreSQL database this script creates and drops:

    crawl    netral crawl bluesky --actor <both candidates> --registry  (post- and account-centric)
    classify netral classify
    flag     netral flag --profile examples/profile.yaml

It prints each stage's wall time and the total, and checks that every interaction was stored exactly once.
Goal: the whole pipeline under 20 minutes on a 2-core machine.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds a queue.py: keep this folder off sys.path so it cannot shadow the standard library.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import csv  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

GOAL_S = 20 * 60


def start_network(interactions: int) -> tuple[subprocess.Popen, str]:
    """Start the sample network on a free loopback port; return the process and its URL."""
    proc = subprocess.Popen([sys.executable, "-m", "samplenet", "--synthetic", str(interactions),
                             "--no-rate-limits", "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if not line.startswith("samplenet ready "):
        proc.kill()
        raise SystemExit(f"sample network did not start: {line!r}")
    return proc, line.split()[-1]


def registry_csv(path: Path, interactions: int) -> int:
    """Write the registry of the scenario's civil servants (the same handles the server generated)."""
    from samplenet.synthetic import build, registry_handles

    handles = registry_handles(build(interactions))
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["name", "role", "institution", "unit", "position", "region", "platform", "handle",
                      "profile_url", "nip"])
        for n, handle in enumerate(handles):
            out.writerow([f"Guru Bench {n}", "pns", "Dinas Pendidikan Kota Bench", f"SD Negeri {n % 40 + 1}",
                          "Guru Kelas", "Sumatera Barat / Kota Sawahlunto", "bluesky", handle, "", ""])
    return len(handles)


def netral(*args: str, env: dict) -> str:
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "netral"), *args], cwd=ROOT, env=env, capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise SystemExit(f"netral {' '.join(args)} exited {done.returncode}:\n{done.stdout[-2000:]}\n"
                         f"{done.stderr[-3000:]}")
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--postgres", default=os.environ.get("NETRAL_BENCH_POSTGRES",
                                                             "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
                        help="an existing database on the server (used only to create and drop the bench database)")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight (loopback: no politeness)")
    parser.add_argument("--keep", action="store_true", help="keep the bench database (its name is printed)")
    args = parser.parse_args()

    admin_url = make_url(args.postgres)
    name = f"netral_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    tmp = Path(tempfile.mkdtemp(prefix="netral-bench-"))
    env = dict(os.environ, NETRAL_DATABASE_URL=url, NETRAL_INSTANCE_DIR=str(tmp / "instance"),
               NETRAL_LOG_LEVEL="WARNING", NETRAL_CONCURRENT_REQUESTS=str(args.concurrency))
    env.pop("REDIS_URL", None)
    server = None
    times: dict[str, float] = {}
    try:
        t0 = time.perf_counter()
        server, net_url = start_network(args.interactions)
        netral("db", "upgrade", env=env)
        people = registry_csv(tmp / "registry.csv", args.interactions)
        netral("registry", "import", str(tmp / "registry.csv"), env=env)
        print(f"setup (not timed as pipeline): server + schema + registry of {people} in "
              f"{time.perf_counter() - t0:.1f} s; database {name}", flush=True)

        stages = [
            ("crawl", ["crawl", "bluesky", "--actor", "paslon01.test", "--actor", "paslon02.test", "--registry",
                       "--appview", net_url, "--plc", net_url, "--delay", "0",
                       "--concurrency", str(args.concurrency)]),
            ("classify", ["classify"]),
            ("flag", ["flag", "--profile", str(ROOT / "examples" / "profile.yaml")]),
        ]
        for stage, argv in stages:
            started = time.perf_counter()
            out = netral(*argv, env=env)
            times[stage] = time.perf_counter() - started
            last = [line for line in out.strip().splitlines() if line.strip()][-1:] or [""]
            print(f"{stage:<9} {times[stage]:8.1f} s   {last[0][:200]}", flush=True)
        total = sum(times.values())

        engine = create_engine(url)
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT kind, count(*) FROM interaction WHERE removed_at IS NULL "
                                       "GROUP BY kind ORDER BY kind")).all()
            distinct = conn.execute(text("SELECT count(*) FROM (SELECT DISTINCT kind, actor_account_id, "
                                         "target_post_id FROM interaction) d")).scalar()
            rows = conn.execute(text("SELECT count(*) FROM interaction")).scalar()
            posts = conn.execute(select(func.count()).select_from(text("post"))).scalar()
            flags = conn.execute(select(func.count()).select_from(text("flag"))).scalar()
        engine.dispose()
        expected = 200 * min(args.interactions // 200, 5000)
        print(f"stored: {dict(stored)} ({rows} interaction rows, {distinct} distinct, expected {expected}); "
              f"{posts} posts; {flags} flags")
        print(f"total    {total:8.1f} s   ({total / 60:.1f} min; goal {GOAL_S / 60:.0f} min: "
              f"{'met' if total <= GOAL_S else 'MISSED'}); "
              f"{expected / times['crawl']:.0f} interactions/s crawled and stored")
        if rows != distinct or rows < expected:
            raise SystemExit("FAIL: interactions lost or doubled")
    finally:
        if server is not None:
            server.kill()
            server.wait()
        if not args.keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
