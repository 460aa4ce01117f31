#!/usr/bin/env bash
# What a frontend pays on the wire: the nested tree query (GET) answered
# plain, gzip and brotli (bytes and time to the last byte, median of RUNS
# curl runs), and the cost of revalidating an unchanged answer (304) beside
# answering the small query in full, under 4 connections of wrk.
#
#   scripts/bench-wire.sh DATABASE_URL BIN
#
# The database holds `cruscotto generate --scale N`. Needs curl and wrk.
set -euo pipefail
. "$(dirname "$0")/bench-queries.sh"
[ $# -eq 2 ] || { echo "usage: $0 DATABASE_URL BIN" >&2; exit 2; }
URL=$1 BIN=$2
RUNS=${RUNS:-5}
SECONDS_WRK=${SECONDS_WRK:-5}
PORT=${PORT:-18182}
bench_scratch "$BIN" "$URL"
# The bodies' query texts, for GET.
query_of() { sed -e 's/^{"query":"//' -e 's/"}$//' -e 's/\\"/"/g' "$WORK/$1.body"; }
ADDR=http://127.0.0.1:$PORT/graphql
"$BIN" --database-url "$URL" serve --listen "127.0.0.1:$PORT" >/dev/null 2>"$WORK/err" &
SERVER=$!
for _ in $(seq 1 500); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/livez" && break; sleep 0.02; done

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
get_tree() { # ENCODING → "bytes seconds"
  local encoding=$1
  curl -s -o /dev/null -G --data-urlencode "query=$(query_of tree)" \
    ${encoding:+-H "accept-encoding: $encoding"} -w '%{size_download} %{time_total}\n' "$ADDR"
}
# The last column is computed, not measured (curl's --limit-rate is too
# coarse on loopback): the bytes' transfer time alone on a 10 Mbit/s link,
# an ordinary office or mobile connection.
printf '| answer of the nested tree (GET) | bytes on the wire | time to the last byte on loopback, median of %s | transfer alone at 10 Mbit/s (computed) |\n|---|---|---|---|\n' "$RUNS"
for encoding in "" gzip br; do
  get_tree "$encoding" >/dev/null # warm-up
  for _ in $(seq 1 "$RUNS"); do get_tree "$encoding"; done >"$WORK/runs"
  bytes=$(awk '{print $1}' "$WORK/runs" | median)
  ms=$(awk '{printf "%.1f\n", $2 * 1000}' "$WORK/runs" | median)
  slow=$(awk -v b="$bytes" 'BEGIN {printf "%.0f", b * 8 / 10e6 * 1000}')
  printf '| %s | %s | %s ms | %s ms |\n' "${encoding:-identity}" "$bytes" "$ms" "$slow"
done

# Revalidation: the small query by GET, answered in full and as 304.
small_url=$(curl -s -o /dev/null -G --data-urlencode "query=$(query_of small)" -w '%{url_effective}' "$ADDR")
etag=$(curl -s -o /dev/null -D - "$small_url" | awk -F': ' 'tolower($1) == "etag" {sub(/\r$/, "", $2); print $2}')
[ -n "$etag" ] || { echo "no ETag on the GET answer" >&2; exit 1; }
status=$(curl -s -o /dev/null -w '%{http_code}' -H "if-none-match: $etag" "$small_url")
[ "$status" = 304 ] || { echo "revalidation answered $status, not 304" >&2; exit 1; }
cat >"$WORK/get.lua" <<LUA
wrk.method = "GET"
local tag = os.getenv("BENCH_ETAG")
if tag and tag ~= "" then wrk.headers["If-None-Match"] = tag end
function done(summary, latency, requests)
  io.write(string.format("RESULT %.3f %.3f %.0f\n", latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.requests / (summary.duration / 1e6)))
end
LUA
printf '\n| small query by GET, 4 connections | p50 | p99 | requests/s |\n|---|---|---|---|\n'
for label in "answered in full (200)" "revalidated (304)"; do
  tag=""; [ "$label" = "revalidated (304)" ] && tag=$etag
  BENCH_ETAG=$tag wrk -t2 -c4 -d2s -s "$WORK/get.lua" "$small_url" >/dev/null
  read -r p50 p99 rps < <(BENCH_ETAG=$tag wrk -t2 -c4 -d"${SECONDS_WRK}s" -s "$WORK/get.lua" "$small_url" | awk '/^RESULT/ {print $2, $3, $4}')
  printf '| %s | %s ms | %s ms | %s |\n' "$label" "$p50" "$p99" "$rps"
done
