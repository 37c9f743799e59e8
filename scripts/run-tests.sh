#!/usr/bin/env bash
# Run the whole suite (fast and slow tests) on SQLite, then on PostgreSQL, then the migrations check.
# PostgreSQL comes from NETRAL_TEST_DATABASE_URL (default: the local server's `test` database).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL=${NETRAL_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}
mkdir -p test-output
status=0

echo "== lint: ruff check (pinned in the test extra; zero findings)"
$BIN/ruff check . || status=1

echo "== migrations: upgrade an empty database to head and check models agree (SQLite, PostgreSQL)"
scratch=$(mktemp -d)
NETRAL_DATABASE_URL="sqlite:///$scratch/check.db" $BIN/netral db upgrade && \
    NETRAL_DATABASE_URL="sqlite:///$scratch/check.db" $BIN/netral db check || status=1
$BIN/python - "$PG_URL" <<'PY' || status=1
import sys, uuid
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from models.migrate import check, upgrade
admin_url = make_url(sys.argv[1]); name = f"netral_check_{uuid.uuid4().hex[:8]}"
admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
with admin.connect() as c: c.execute(text(f'CREATE DATABASE "{name}"'))
try:
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    upgrade(url); check(url); print("PostgreSQL: models and migrations agree")
finally:
    with admin.connect() as c: c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
PY
rm -rf "$scratch"

echo "== test suite on SQLite (fast and slow tests)"
env -u NETRAL_TEST_DATABASE_URL $BIN/pytest -m "" -q "$@" || status=1

echo "== test suite on PostgreSQL (fast and slow tests)"
NETRAL_TEST_DATABASE_URL="$PG_URL" $BIN/pytest -m "" -q "$@" || status=1

exit $status
