#!/usr/bin/env bash
# Runs every test of cruscotto on a fresh machine: installs what the tests
# need (system libraries, Chromium for the browser test, the npm packages of
# the GraphQL-over-HTTP audit), makes sure the local Postgres runs so that
# every storage test runs on SQLite and on Postgres, then runs the tests.
#
# Usage: scripts/test.sh [extra cargo test arguments]
# Set CRUSCOTTO_TEST_POSTGRES_URL to use another Postgres server; set
# CRUSCOTTO_REQUIRE_POSTGRES=1 (CI does) to fail when Postgres is unreachable.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '==> %s\n' "$*"; }

# System packages: libpq for Diesel's Postgres driver, Postgres itself,
# Chromium and its driver for the browser tests, Node for the HTTP audit
# and the real-client suite.
missing=()
dpkg -s libpq-dev >/dev/null 2>&1 || missing+=(libpq-dev)
command -v pg_ctlcluster >/dev/null 2>&1 || missing+=(postgresql)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
# The benchmark suite's load generator and the SQLite shell (CI runs a
# reduced suite after the tests).
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)
# pdftotext (poppler) extracts the text of PDFs imported through a mapping.
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    log "missing ${missing[*]}: install them (as root: apt-get install ${missing[*]})" >&2
  fi
fi

# Postgres: start the local cluster when it is installed and down.
export CRUSCOTTO_TEST_POSTGRES_URL="${CRUSCOTTO_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
if ! pg_up && [ -d /etc/postgresql ] && command -v pg_ctlcluster >/dev/null 2>&1; then
  log "starting Postgres"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
if ! psql "$CRUSCOTTO_TEST_POSTGRES_URL" -qtAc 'select 1' >/dev/null 2>&1; then
  if [ "${CRUSCOTTO_REQUIRE_POSTGRES:-0}" = 1 ]; then
    echo "error: Postgres is unreachable at $CRUSCOTTO_TEST_POSTGRES_URL" >&2
    exit 1
  fi
  log "Postgres unreachable: running the tests on SQLite only"
  unset CRUSCOTTO_TEST_POSTGRES_URL
else
  log "tests run on SQLite and on Postgres ($CRUSCOTTO_TEST_POSTGRES_URL)"
fi

# The npm packages of the GraphQL-over-HTTP audit and of the real-client
# suite (pinned by their lock files).
for dir in tests/http-audit tests/clients; do
  log "installing the npm packages of $dir"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
done

log "cargo test --workspace"
cargo test --workspace "$@"

# The GraphQL-over-HTTP audit once more, against the real binary as a user
# starts it (the API tests already run it against the in-process server).
log "graphql-http audit against cruscotto serve"
tests/http-audit/run.sh

# Apollo Client, graphql-ws, relay-compiler and GraphQL Code Generator
# against the binary the tests built (see tests/clients/README.md).
log "real clients against cruscotto serve"
tests/clients/run.sh
