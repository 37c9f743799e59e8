#!/usr/bin/env bash
# Install what the full test suite needs beyond Python packages, and start the services it uses.
# Idempotent: each step checks first. Needs root (or sudo) for Debian packages.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian's Chromium for the real-browser tests (Playwright drives it; it never downloads a browser).
if ! command -v chromium >/dev/null 2>&1; then
    echo "== installing chromium (Debian package)"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
fi

# PostgreSQL and Redis: the machine image starts them; start them again if they are down.
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    echo "== starting PostgreSQL"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
    for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    echo "== starting Redis"
    as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /tmp --logfile /tmp/netral-redis.log
fi

# The real Bluesky network (npm @atproto/dev-env) for the crawler's end-to-end test.
if [ -x scripts/install-bluesky-network.sh ] || [ -f scripts/install-bluesky-network.sh ]; then
    bash scripts/install-bluesky-network.sh
fi
