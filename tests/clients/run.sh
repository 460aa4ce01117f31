#!/usr/bin/env bash
# Runs real JavaScript GraphQL clients against the cruscotto binary:
# Apollo Client, graphql-ws, relay-compiler and GraphQL Code Generator.
# Builds nothing: the binary comes from CRUSCOTTO_BIN (default: the debug
# build in the target directory). Exits non-zero on any failure.
#
#   tests/clients/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${CRUSCOTTO_BIN:-${CARGO_TARGET_DIR:-$root/target}/debug/cruscotto}"

if [ ! -x "$bin" ]; then
  echo "no cruscotto binary at $bin (build it, or set CRUSCOTTO_BIN)" >&2
  exit 1
fi

cd "$here"
if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
export PATH="$here/node_modules/.bin:$PATH"

. "$root/tests/serve-binary.sh"
make_scratch

failed=()
step() {
  local name="$1"; shift
  echo "== $name"
  if "$@"; then echo "-- $name: ok"; else echo "-- $name: FAILED" >&2; failed+=("$name"); fi
}

# Schema-only suites: they read the committed SDL, no server needed.
relay_suite() {
  rm -rf generated/relay generated/relay-js
  mkdir -p generated/relay
  relay-compiler --output quiet-with-errors &&
    relay-compiler --validate --output quiet-with-errors &&
    tsc -p tsconfig.relay.json &&
    echo '{"type":"commonjs"}' >generated/relay-js/package.json
}
codegen_suite() {
  rm -rf generated/codegen generated/codegen-js
  graphql-codegen --config codegen.yml --silent && tsc -p tsconfig.codegen.json
}
step relay-compiler relay_suite
step graphql-codegen codegen_suite

# The server: sample plans on a throw-away SQLite file, an editor token.
db="$tmp/clients.db"
"$bin" --database-url "$db" import "$root"/data/sample/*.txt >"$tmp/import.out" 2>&1 ||
  { cat "$tmp/import.out" >&2; echo "the import failed" >&2; exit 1; }
token="$("$bin" --database-url "$db" token create --role editor --name clients 2>"$tmp/token.err")" ||
  { cat "$tmp/token.err" >&2; echo "the token was not created" >&2; exit 1; }
[ -n "$token" ] || { echo "no token was printed" >&2; exit 1; }

start_server "$bin" "$db" "$tmp"
echo "clients against $url"

export CRUSCOTTO_URL="$url" CRUSCOTTO_TOKEN="$token"
step node-tests node --test --test-reporter=spec \
  schema.test.mjs apollo.test.mjs graphql-ws.test.mjs relay.test.mjs codegen.test.mjs

if [ "${#failed[@]}" -gt 0 ]; then
  echo "failed: ${failed[*]}" >&2
  exit 1
fi
echo "all client suites passed"
