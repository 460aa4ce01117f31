#!/usr/bin/env bash
# Builds cruscotto, serves it on a free port with a throw-away SQLite
# database, runs the graphql-http audit suite against it (audit.mjs) and
# stops the server. Exits non-zero on any MUST failure or SHOULD warning.
#
#   tests/http-audit/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

cargo build --quiet --manifest-path "$root/Cargo.toml" --bin cruscotto
bin="${CARGO_TARGET_DIR:-$root/target}/debug/cruscotto"

if [ ! -d "$here/node_modules/graphql-http" ]; then
  (cd "$here" && npm install --no-audit --no-fund --silent)
fi

. "$root/tests/serve-binary.sh"
make_scratch

start_server "$bin" "$tmp/audit.db" "$tmp"

echo "auditing $url"
node "$here/audit.mjs" "$url"
