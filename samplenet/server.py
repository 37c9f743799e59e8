"""Sample network: one loopback HTTP server answering as Bluesky (AppView, PDS, PLC) and Mastodon at once.

    net = SampleNetwork(load_scenario("examples/demo/scenario.yaml")).start()   # 127.0.0.1, free port
    ... crawl net.url (AppView = PLC = PDS = Mastodon instance) ...
    net.stop()

Also runs as a process (`python -m samplenet --scenario FILE --port N`), printing one line
`samplenet ready <url>` when it listens, for tests that kill and restart crawlers or servers.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from samplenet.bluesky import Bluesky
from samplenet.faults import Faults, Injector, RateLimit, rate_headers
from samplenet.index import Index
from samplenet.mastodon import Mastodon
from samplenet.scenario import Scenario, load_scenario

# The platforms' published limits (requests, window seconds); the demo raises them.
REAL_RATE_LIMITS = {"bluesky": (3000, 300), "mastodon": (300, 300)}
_MASTODON_502 = (  # what a Mastodon instance's nginx answers when Puma is down
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


class SampleNetwork:
    """The server: construct with a scenario, optional faults and rate limits; start(), stop()."""

    def __init__(
        self,
        scenario: Scenario | str | Path,
        port: int = 0,
        faults: Faults | None = None,
        rate_limits: dict[str, tuple[int, int]] | None = None,
        host: str = "127.0.0.1",
    ):
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario)
        self.index = Index(scenario)
        self.faults = Injector(faults or Faults())
        limits = REAL_RATE_LIMITS if rate_limits is None else rate_limits
        self.limits = {name: RateLimit(*pair) for name, pair in limits.items()}
        self._httpd = _QuietServer((host, port), _Handler)
        self._httpd.network = self  # type: ignore[attr-defined]
        self.url = f"http://{host}:{self._httpd.server_address[1]}"
        self.bluesky = Bluesky(self.index, self.url)
        self.mastodon = Mastodon(self.index, self.url)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def stats(self) -> dict[str, int]:
        return dict(self.faults.stats)

    def set_clock(self, clock: datetime | None) -> None:
        """Show only what was created up to `clock` (None: everything), to stage incremental crawls."""
        self.index.clock = clock

    def start(self) -> SampleNetwork:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="samplenet", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> SampleNetwork:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def respond(self, raw_path: str) -> tuple[int, dict[str, str], bytes]:
        """Answer one GET: (status, headers, body). Split from the HTTP plumbing so tests can call it."""
        parts = urlsplit(raw_path)
        params = parse_qs(parts.query, keep_blank_values=True)
        path = parts.path
        if path == "/health":
            return 200, {"Content-Type": "text/plain"}, b"ok"
        if path.startswith("/did:"):
            status, body = self.bluesky.plc(path[1:])
            return status, _JSON, _dump(body)  # the DID directory is not rate limited or faulted here
        platform = "bluesky" if path.startswith("/xrpc/") else "mastodon" if path.startswith("/api/") else None
        if platform is None:
            return 404, {"Content-Type": "text/plain"}, b"Not Found"
        if self.faults.faults.latency_s:
            time.sleep(self.faults.faults.latency_s)
        headers = dict(_JSON)
        limit = self.limits.get(platform)
        allowed = True
        if limit:
            allowed, remaining, reset = limit.take()
            headers |= rate_headers(platform, limit.limit, remaining, reset, limit.window_s)
        fault = self.faults.draw() if allowed else None
        if not allowed or fault == "rate_limit":
            retry = max(1, int(reset - time.time())) if not allowed else self.faults.faults.retry_after_s
            if limit and fault == "rate_limit":
                headers |= rate_headers(platform, limit.limit, 0, time.time() + retry, limit.window_s)
            headers["Retry-After"] = str(retry)
            body = {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"} if platform == "bluesky" \
                else {"error": "Too many requests"}
            return 429, headers, _dump(body)
        if fault == "error":
            status = self.faults.error_status()
            if platform == "mastodon" and status in (502, 504):
                return status, {"Content-Type": "text/html"}, _MASTODON_502.replace(b"502 Bad Gateway", _reason(status))
            return status, headers, _dump({"error": "InternalServerError", "message": "Internal Server Error"})
        if platform == "bluesky":
            status, body = self.bluesky.xrpc(path[len("/xrpc/"):], params)
        else:
            status, body, extra = self.mastodon.handle(path, params)
            headers |= extra
        if status == 200:
            body = self.faults.corrupt(body)
        data = _dump(body)
        if status == 200:
            data = self.faults.truncate(data)
        return status, headers, data


_JSON = {"Content-Type": "application/json; charset=utf-8"}


def _dump(body: object) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def _reason(status: int) -> bytes:
    return {502: b"502 Bad Gateway", 504: b"504 Gateway Time-out"}[status]


def control(network: SampleNetwork, raw_path: str) -> tuple[int, dict]:
    """Change the network between two crawls of a server running in another process (loopback only).

    POST /_samplenet/delete?kind=like|repost&actor=KEY&post=KEY, /_samplenet/delete?post=KEY,
    /_samplenet/clock?at=ISO-8601 (or no `at`: show everything); GET /_samplenet/stats.
    """
    parts = urlsplit(raw_path)
    params = {k: v[0] for k, v in parse_qs(parts.query).items()}
    action = parts.path.removeprefix("/_samplenet/")
    try:
        if action == "delete" and "kind" in params:
            network.index.delete_interaction(params["kind"], params["actor"], params["post"])
        elif action == "delete":
            network.index.delete_post(params["post"])
        elif action == "clock":
            network.set_clock(datetime.fromisoformat(params["at"]) if params.get("at") else None)
        elif action != "stats":
            return 404, {"error": f"unknown control {action!r}"}
    except (KeyError, ValueError) as exc:
        return 400, {"error": f"bad control request: {exc}"}
    return 200, network.stats


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """A client hanging up (a crawler killed mid-request, a closed keep-alive) is not worth a traceback."""
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real servers
    server_version = "samplenet/1"

    def do_GET(self) -> None:
        network: SampleNetwork = self.server.network  # type: ignore[attr-defined]
        try:
            status, headers, body = network.respond(self.path)
        except Exception as exc:  # a bug here must look like a server error, not hang the client
            status, headers, body = 500, dict(_JSON), _dump({"error": "InternalServerError", "message": str(exc)})
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        if not self.path.startswith("/_samplenet/"):
            self.send_error(405)
            return
        status, body = control(self.server.network, self.path)  # type: ignore[attr-defined]
        data = _dump(body)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:  # quiet: tests and the demo print their own progress
        pass


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Serve a scenario as Bluesky + Mastodon on loopback.")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--scenario", help="scenario YAML file")
    source.add_argument("--synthetic", type=int, metavar="N", help="a generated scenario of about N interactions")
    parser.add_argument("--platform", default="bluesky", choices=["bluesky", "mastodon"], help="with --synthetic")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--error-rate", type=float, default=0.0)
    parser.add_argument("--rate-limit-rate", type=float, default=0.0)
    parser.add_argument("--malformed", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-rate-limits", action="store_true", help="send no rate-limit headers, never 429")
    args = parser.parse_args(argv)
    faults = Faults(error_rate=args.error_rate, rate_limit_rate=args.rate_limit_rate, malformed=args.malformed,
                    latency_s=args.latency, seed=args.seed)
    if args.synthetic:
        from samplenet.synthetic import build

        scenario = build(args.synthetic, platform=args.platform)
    else:
        scenario = load_scenario(args.scenario)
    net = SampleNetwork(scenario, port=args.port, faults=faults, rate_limits={} if args.no_rate_limits else None)
    print(f"samplenet ready {net.url}", flush=True)
    try:
        net._httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        net._httpd.server_close()


if __name__ == "__main__":
    main()
