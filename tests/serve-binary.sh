# Sourced by the scripts that test the built binary over HTTP
# (tests/http-audit/run.sh, tests/clients/run.sh).
#
#   make_scratch
#
# sets `tmp` to a new temporary directory and, when the script exits, stops
# the server (if `start_server` started one) and removes `tmp`.
make_scratch() {
  tmp="$(mktemp -d)"
  server_pid=""
  trap cleanup_scratch EXIT
}
cleanup_scratch() {
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}

#   start_server BIN DATABASE DIR
#
# starts `BIN --database-url DATABASE serve` on a port the OS picks (port 0),
# its output in DIR/out and DIR/err, and waits for the address it prints:
# sets `server_pid` (the caller stops it) and `url`; exits on failure.
start_server() {
  local bin=$1 db=$2 dir=$3
  RUST_LOG=warn "$bin" --database-url "$db" serve --listen 127.0.0.1:0 >"$dir/out" 2>"$dir/err" &
  server_pid=$!
  url=""
  for _ in $(seq 1 100); do
    url="$(sed -n 's|^cruscotto is serving GraphQL at \(http://[^ ]*\)$|\1|p' "$dir/out")"
    [ -n "$url" ] && return 0
    if ! kill -0 "$server_pid" 2>/dev/null; then cat "$dir/err" >&2; echo "the server did not start" >&2; exit 1; fi
    sleep 0.1
  done
  cat "$dir/err" >&2; echo "the server did not print its address" >&2; exit 1
}
