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

tmp="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# Port 0: the OS picks a free port and the server prints it.
RUST_LOG=warn "$bin" --database-url "$tmp/audit.db" serve --listen 127.0.0.1:0 >"$tmp/out" 2>"$tmp/err" &
server_pid=$!
url=""
for _ in $(seq 1 100); do
  url="$(sed -n 's|^cruscotto is serving GraphQL at \(http://[^ ]*\)$|\1|p' "$tmp/out")"
  [ -n "$url" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then cat "$tmp/err" >&2; echo "the server did not start" >&2; exit 1; fi
  sleep 0.1
done
if [ -z "$url" ]; then cat "$tmp/err" >&2; echo "the server did not print its address" >&2; exit 1; fi

echo "auditing $url"
node "$here/audit.mjs" "$url"
