"""PostgreSQL restarted during a crawl: the crawl fails cleanly (or rides it out), and the rerun completes.

Uses a throwaway cluster this test creates with initdb on a free loopback port, in a temporary folder,
and removes afterwards; the shared server on 5432 is never touched. As root, initdb refuses to run, so the
cluster belongs to the `postgres` system user.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from models.migrate import upgrade
from samplenet import SampleNetwork
from samplenet.synthetic import build
from tests.faults.common import crawl_env, expected, netral_crawl, stored

PG_BIN = next((p for p in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
               if (p / "initdb").exists()), None) if Path("/usr/lib/postgresql").exists() else None
SCENARIO = build(30_000)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="netral-pg-"))
        self.data, self.log = self.root / "data", self.root / "log"
        self.port = _free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def run(self, *argv: str) -> None:
        subprocess.run([*self.as_user, *argv], check=True, capture_output=True, timeout=60)

    def init(self) -> None:
        self.run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")

    def ctl(self, action: str) -> None:
        opts = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", opts, "-w", "-m", "fast",
                 action)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/netral"

    def destroy(self) -> None:
        try:
            self.ctl("stop")
        except subprocess.SubprocessError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def cluster():
    if PG_BIN is None or (os.geteuid() == 0 and shutil.which("runuser") is None):
        pytest.skip("needs PostgreSQL's initdb/pg_ctl (and runuser when run as root)")
    c = Cluster()
    try:
        c.init()
        c.ctl("start")
        admin = create_engine(c.url.replace("/netral", "/postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE netral"))
        admin.dispose()
        upgrade(c.url)
        yield c
    finally:
        c.destroy()


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_database_restarted_mid_crawl_then_rerun_completes(cluster):
    want = expected(SCENARIO)
    env = crawl_env(cluster.url)
    with SampleNetwork(SCENARIO, rate_limits={}) as net:
        first = netral_crawl(net.url, env)
        deadline = time.time() + 120
        while stored(cluster.url)["like"] < 3000:
            assert first.poll() is None, "the crawl ended before the restart"
            assert time.time() < deadline
            time.sleep(0.1)
        cluster.ctl("restart")
        try:
            out, err = first.communicate(timeout=120)
        except subprocess.TimeoutExpired:  # hanging on a dead connection is not failing cleanly
            first.send_signal(signal.SIGKILL)
            pytest.fail("the crawl hung after the database restart")
        outcomes = [(first.returncode, out)]
        # Either it failed cleanly (a failed run, a non-zero exit, no traceback) or it rode the restart out.
        if first.returncode != 0:
            assert "Traceback" not in err, err[-3000:]
            assert "failed" in (out + err), out + err[-2000:]
            rerun = netral_crawl(net.url, env)
            out, err = rerun.communicate(timeout=200)
            outcomes.append((rerun.returncode, out))
    assert outcomes[-1][0] == 0 and ": completed." in outcomes[-1][1], (outcomes, err[-3000:])
    got = stored(cluster.url)
    assert {k: got[k] for k in want} == want
    assert got["distinct"] == got["like"] + got["repost"] and got["removed"] == 0
    engine = create_engine(cluster.url)
    with engine.connect() as conn:
        statuses = [s for (s,) in conn.execute(text("SELECT status FROM crawl_run ORDER BY id"))]
    engine.dispose()
    assert statuses[-1] == "completed" and all(s in ("failed", "completed") for s in statuses), statuses
