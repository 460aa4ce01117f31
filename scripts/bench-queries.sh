# Shared by bench-suite.sh, bench-compare.sh and bench-wire.sh (sourced):
# the two GraphQL workloads and the wrk script that posts them.
#
#   bench_files DIR PLAN OBJECTIVE
#
# writes DIR/tree.body (the nested tree query), DIR/small.body (one
# objective by code with its indicators and targets) and DIR/post.lua (wrk
# POSTs the file named by $BENCH_BODY and prints one RESULT line).
bench_files() {
  local dir=$1 plan=$2 objective=$3
  local tree='{ missions(first: 500) { edges { node { code name programs { code name actions { name objectives { code title responsibilityCentre { name head } indicators { code description unit direction targets { year value { raw comparator number } } latestMeasurement { period value } } } } } } } } }'
  local small="{ objective(plan: \\\"$plan\\\", code: \\\"$objective\\\") { code title indicators { code description unit direction targets { year value { raw comparator number } } } } }"
  printf '{"query":"%s"}' "$tree" >"$dir/tree.body"
  printf '{"query":"%s"}' "$small" >"$dir/small.body"
  cat >"$dir/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
wrk.body = f:read("*a")
f:close()
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT p50_ms=%.3f p99_ms=%.3f rps=%.2f requests=%d errors=%d\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1e6), summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout))
end
LUA
}

#   bench_scratch BIN DATABASE_URL
#
# sets WORK to a temporary directory, removed at exit after stopping the
# server whose pid is in SERVER (if any), exports RUST_LOG=warn unless it is
# set, and writes the workloads of `bench_files` into WORK for the
# generator's plan (the first one BIN lists in DATABASE_URL) and its first
# objective, M1.P1.O1.
bench_scratch() {
  local bin=$1 url=$2 plan
  WORK=$(mktemp -d)
  SERVER=""
  trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT
  export RUST_LOG=${RUST_LOG:-warn}
  plan=$("$bin" --database-url "$url" plans | awk -F: 'NR == 1 {print $1}')
  bench_files "$WORK" "$plan" M1.P1.O1
}
