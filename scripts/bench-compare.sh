#!/usr/bin/env bash
# Compares server binaries (e.g. two commits' builds) on one database by the
# CPU time the server spends per request, which other load on the machine
# barely moves (unlike latency): the small query under 4 connections of wrk
# for $SECONDS_SMALL s, and the nested tree query $TREE_RUNS times in a row.
# Also prints the server's peak RSS after both.
#
#   scripts/bench-compare.sh DATABASE_URL BIN [BIN …]
#
# The database holds `cruscotto generate --scale N` (the plan's code and an
# objective code are read from it). Needs wrk and curl.
set -euo pipefail
. "$(dirname "$0")/bench-queries.sh"
[ $# -ge 2 ] || { echo "usage: $0 DATABASE_URL BIN [BIN …]" >&2; exit 2; }
URL=$1; shift
SECONDS_SMALL=${SECONDS_SMALL:-5}
TREE_RUNS=${TREE_RUNS:-6}
PORT=${PORT:-18181}
bench_scratch "$1" "$URL"
ADDR=http://127.0.0.1:$PORT/graphql
ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
per_request() { awk -v t="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", t * 1000 / hz / n}'; }
post() { curl -sf -o /dev/null -H 'content-type: application/json' --data-binary @"$WORK/$1.body" "$ADDR"; }

printf '| binary | small query: requests/s | small query: CPU ms/request | tree: CPU ms/request | peak RSS MB |\n|---|---|---|---|---|\n'
for bin in "$@"; do
  "$bin" --database-url "$URL" serve --listen "127.0.0.1:$PORT" >/dev/null 2>"$WORK/err" &
  SERVER=$!
  for _ in $(seq 1 500); do post small && break; sleep 0.02; done
  post small || { cat "$WORK/err" >&2; exit 1; }
  BENCH_BODY="$WORK/small.body" wrk -t2 -c4 -d2s -s "$WORK/post.lua" "$ADDR" >/dev/null
  t0=$(ticks)
  n=$(BENCH_BODY="$WORK/small.body" wrk -t2 -c4 -d"${SECONDS_SMALL}s" -s "$WORK/post.lua" "$ADDR" | awk '/requests in/ {print $1}')
  small=$(per_request "$(( $(ticks) - t0 ))" "$n")
  rate=$(awk -v n="$n" -v s="$SECONDS_SMALL" 'BEGIN {printf "%.0f", n / s}')
  post tree
  t0=$(ticks)
  for _ in $(seq 1 "$TREE_RUNS"); do post tree; done
  tree=$(per_request "$(( $(ticks) - t0 ))" "$TREE_RUNS")
  rss=$(awk '/^VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$SERVER/status")
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
  printf '| %s | %s | %s | %s | %s |\n' "$bin" "$rate" "$small" "$tree" "$rss"
done
