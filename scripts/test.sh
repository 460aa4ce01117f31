#!/usr/bin/env bash
# Runs every test of cruscotto on a fresh machine: installs what the tests
# need (system libraries, Chromium for the browser test, the npm packages of
# the GraphQL-over-HTTP audit), makes sure the local Postgres runs so that
# every storage test runs on SQLite and on Postgres, then runs the tests.
#
# Usage: scripts/test.sh [extra cargo test arguments]
# Set CRUSCOTTO_TEST_POSTGRES_URL to use another Postgres server. A test
# whose Postgres, browser, Node packages or pdftotext is missing fails,
# unless CRUSCOTTO_ALLOW_MISSING lists it (postgres,browser,audit,pdftotext
# or all): then it prints "SKIPPED: <test>: <what is missing>".
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
# Whether CRUSCOTTO_ALLOW_MISSING lets $1 be missing (as the tests read it).
allowed_missing() { [[ ",${CRUSCOTTO_ALLOW_MISSING:-}," =~ ,[[:space:]]*($1|all)[[:space:]]*, ]]; }
if ! psql "$CRUSCOTTO_TEST_POSTGRES_URL" -qtAc 'select 1' >/dev/null 2>&1; then
  if ! allowed_missing postgres; then
    echo "error: Postgres is unreachable at $CRUSCOTTO_TEST_POSTGRES_URL" \
      "(set CRUSCOTTO_ALLOW_MISSING=postgres to run the storage tests on SQLite only)" >&2
    exit 1
  fi
  log "Postgres unreachable: the tests skip their Postgres half (CRUSCOTTO_ALLOW_MISSING)"
else
  log "tests run on SQLite and on Postgres ($CRUSCOTTO_TEST_POSTGRES_URL)"
fi

# Node.js runs the GraphQL-over-HTTP audit and the real-client suite; they
# are skipped only when CRUSCOTTO_ALLOW_MISSING lists audit.
node_suites=1
if ! command -v npm >/dev/null 2>&1 && allowed_missing audit; then
  log "SKIPPED: the npm packages, the audit and the real clients: npm is not installed"
  node_suites=0
fi

# The npm packages of the GraphQL-over-HTTP audit and of the real-client
# suite (pinned by their lock files).
if ((node_suites)); then
  for dir in tests/http-audit tests/clients; do
    log "installing the npm packages of $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  done
fi

log "cargo test --workspace"
cargo test --workspace "$@"

if ((node_suites)); then
  # The GraphQL-over-HTTP audit once more, against the real binary as a
  # user starts it (the API tests already run it against the in-process
  # server).
  log "graphql-http audit against cruscotto serve"
  tests/http-audit/run.sh

  # Apollo Client, graphql-ws, relay-compiler and GraphQL Code Generator
  # against the binary the tests built (see tests/clients/README.md).
  log "real clients against cruscotto serve"
  tests/clients/run.sh
fi
