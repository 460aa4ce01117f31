#!/usr/bin/env bash
# Times the nested tree query (missions → programs → actions → objectives →
# indicators → targets, with each indicator's latest measured value) over
# `cruscotto generate --scale N` data, on SQLite and on Postgres, through the
# real server: one warm-up, then RUNS timed requests; prints the median.
#
#   scripts/bench-graphql.sh            # SCALE=10 RUNS=7
#   SCALE=2 RUNS=3 scripts/bench-graphql.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE="${SCALE:-10}"
RUNS="${RUNS:-7}"
PG_ADMIN="${PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}"
PG_DB=cruscotto_bench_graphql
export PGOPTIONS="-c client_min_messages=warning"

cargo build --release --quiet --bin cruscotto
bin="${CARGO_TARGET_DIR:-target}/release/cruscotto"
tmp="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

"$bin" generate --scale "$SCALE" -o "$tmp/plan.json"
QUERY='{ missions(first: 500) { edges { node { code name programs { code name actions { name objectives { code title responsibilityCentre { name head } indicators { code description unit direction targets { year value { raw comparator number } } latestMeasurement { period value } } } } } } } } }'
BODY="$(printf '{"query":"%s"}' "$QUERY")"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

bench() { # name url
  local name="$1" url="$2"
  local start; start=$(date +%s.%N)
  "$bin" --database-url "$url" import "$tmp/plan.json" >/dev/null
  local import_s; import_s=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {print b - a}')
  RUST_LOG=warn "$bin" --database-url "$url" serve --listen 127.0.0.1:0 >"$tmp/out" 2>"$tmp/err" &
  server=$!
  local addr=""
  for _ in $(seq 1 100); do
    addr=$(grep -o 'http://127.0.0.1:[0-9]*/graphql' "$tmp/out" | head -n1 || true)
    [ -n "$addr" ] && break
    sleep 0.1
  done
  [ -n "$addr" ] || { cat "$tmp/err"; exit 1; }
  curl -sf -o "$tmp/warm.json" -H 'content-type: application/json' -d "$BODY" "$addr"
  local bytes; bytes=$(wc -c <"$tmp/warm.json")
  local indicators; indicators=$(grep -o '"latestMeasurement"' "$tmp/warm.json" | wc -l)
  local times=()
  for _ in $(seq 1 "$RUNS"); do
    times+=("$(curl -sf -o /dev/null -w '%{time_total}' -H 'content-type: application/json' -d "$BODY" "$addr")")
  done
  local med; med=$(printf '%s\n' "${times[@]}" | median)
  printf '%-8s scale %s: import %.1f s; nested tree: %s indicators, %s bytes, median %.0f ms over %s runs (all: %s)\n' \
    "$name" "$SCALE" "$import_s" "$indicators" "$bytes" "$(awk -v m="$med" 'BEGIN {print m * 1000}')" "$RUNS" "${times[*]}"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}

bench sqlite "$tmp/bench.db"
psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
psql "$PG_ADMIN" -qc "CREATE DATABASE $PG_DB" >/dev/null
bench postgres "${PG_ADMIN%/*}/$PG_DB"
psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
