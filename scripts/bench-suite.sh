#!/usr/bin/env bash
# The benchmark suite: every workload of BENCHMARKS.md with its floor, on
# SQLite and on Postgres, through the real server and a real load generator
# (wrk) from outside the process. Prints one table.
#
#   scripts/bench-suite.sh              # full: scale 10, 1 M payments, 3 runs of 10 s
#   scripts/bench-suite.sh --quick      # CI: scale 1, 20 k payments, one 1 s run each
#   BACKENDS=sqlite scripts/bench-suite.sh
#
# Knobs (environment): SCALE, RUNS, SECONDS_PER_RUN, WARMUP_SECONDS,
# PAYMENTS (rows of the payments CSV), ITP_ROWS (in-memory calculator rows),
# BACKENDS ("sqlite postgres"), PG_ADMIN (a Postgres URL with CREATE
# DATABASE), OUT (also write the table to this file), SKIP_BUILD (1: do not
# build, measure the binaries in the target directory).
#
# Needs: cargo, wrk (`apt-get install -y wrk`), curl, sqlite3, psql and, for
# the Postgres half, a Postgres at $PG_ADMIN. The suite creates the database
# cruscotto_bench_suite and drops it at the end.
#
# What is measured, per backend:
#   - import of `cruscotto generate --scale N` (records/s, one transaction)
#     and of a payments CSV (rows/s, CSV parsing included);
#   - time from starting `cruscotto serve` to its first answered query;
#   - the nested tree query and the small query (one objective by code with
#     its indicators and targets), at 1 and 4 connections: p50, p99 and
#     requests/s, medians of RUNS runs after a warm-up;
#   - SQL statements per request (from the server's /metrics, when it
#     counts them);
#   - the server's peak RSS (VmHWM) after all of that load;
#   - the floors (schema/examples/floor_tree: the same rows through Diesel
#     and the same JSON through serde, no GraphQL), and whether the floor's
#     JSON is byte for byte the server's answer;
#   - `cruscotto compute` of payment timeliness and the single SQL aggregate
#     that is its floor.
# Then, once, the in-memory calculator loop (calculators/examples/bench_itp).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
. scripts/bench-queries.sh

QUICK=0
for arg in "$@"; do
  case $arg in
    --quick) QUICK=1 ;;
    *) echo "unknown argument $arg (expected --quick)" >&2; exit 2 ;;
  esac
done
if [ "$QUICK" = 1 ]; then
  # Debug builds: CI has them from the tests already; the figures only
  # show that every part of the suite still runs.
  PROFILE=${PROFILE:-debug}
  SCALE=${SCALE:-2}; RUNS=${RUNS:-1}; SECONDS_PER_RUN=${SECONDS_PER_RUN:-1}
  WARMUP_SECONDS=${WARMUP_SECONDS:-1}; PAYMENTS=${PAYMENTS:-20000}; ITP_ROWS=${ITP_ROWS:-200000}
  FLOOR_RUNS=3; SMALL_FLOOR_RUNS=100; CALC_RUNS=1
else
  PROFILE=${PROFILE:-release}
  SCALE=${SCALE:-10}; RUNS=${RUNS:-3}; SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
  WARMUP_SECONDS=${WARMUP_SECONDS:-3}; PAYMENTS=${PAYMENTS:-1000000}; ITP_ROWS=${ITP_ROWS:-10000000}
  FLOOR_RUNS=15; SMALL_FLOOR_RUNS=2000; CALC_RUNS=${CALC_RUNS:-3}
fi
BACKENDS=${BACKENDS:-sqlite postgres}
PG_ADMIN=${PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}
PG_DB=cruscotto_bench_suite
PG_URL=${PG_ADMIN%/*}/$PG_DB
SEED_DOC=${SEED_DOC:-$ROOT/../shared/seeds/000_c0a763c098296cde.txt}
export PGOPTIONS="-c client_min_messages=warning"
export RUST_LOG=${RUST_LOG:-warn}

for tool in wrk curl sqlite3 psql; do
  command -v "$tool" >/dev/null || { echo "bench-suite: $tool is missing (Debian: apt-get install -y $tool)" >&2; exit 1; }
done

echo "== building ($PROFILE)" >&2
case $PROFILE in
  release) PROFILE_FLAG=--release ;;
  debug) PROFILE_FLAG= ;;
  *) echo "PROFILE is release or debug" >&2; exit 2 ;;
esac
# SKIP_BUILD=1 measures the binaries already in the target directory (for
# instance a build kept from an earlier commit).
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  cargo build $PROFILE_FLAG --quiet --bin cruscotto
  cargo build $PROFILE_FLAG --quiet -p cruscotto-store --example floor_tree
  cargo build $PROFILE_FLAG --quiet -p cruscotto-calculators --example bench_itp
fi
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET/$PROFILE/cruscotto
FLOOR=$TARGET/$PROFILE/examples/floor_tree
ITP=$TARGET/$PROFILE/examples/bench_itp

WORK=$(mktemp -d)
SERVER=""
cleanup() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  if [[ " $BACKENDS " == *" postgres "* ]]; then
    psql -qX "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.3f", b - a}'; }
median() { sort -g | awk '{v[NR]=$1} END {if (NR) print v[int((NR+1)/2)]; else print "nan"}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0 && a == a + 0) printf "%.1f×", a / b; else print "–"}'; }
fmt() { awk -v v="$1" -v d="${2:-1}" 'BEGIN {if (v == v + 0) printf "%.*f", d, v; else print v}'; }
rps_of() { awk -v n="$1" -v s="$2" 'BEGIN {printf "%.0f", n / s}'; }

# ---- data -------------------------------------------------------------------
echo "== generating: plan at scale $SCALE, $PAYMENTS payments" >&2
"$BIN" generate --scale "$SCALE" -o "$WORK/plan.json"
PLAN=$(awk -F'"' '/^ *"code": / {print $4; exit}' "$WORK/plan.json")
OBJECTIVE=$(awk -F'"' '/^ *"code": "[^"]*[.]O1"/ {print $4; exit}' "$WORK/plan.json")
"$BIN" generate-payments --rows "$PAYMENTS" --seed 42 --output "$WORK/payments.csv" >/dev/null

bench_files "$WORK" "$PLAN" "$OBJECTIVE"

# ---- one backend --------------------------------------------------------------
declare -A R # results: R[backend.key]

start_server() { # url
  : >"$WORK/out"
  local t0; t0=$(now)
  "$BIN" --database-url "$1" serve --listen 127.0.0.1:0 >"$WORK/out" 2>"$WORK/err" &
  SERVER=$!
  ADDR=""
  for _ in $(seq 1 2000); do
    ADDR=$(grep -o 'http://127.0.0.1:[0-9]*/graphql' "$WORK/out" | head -n1 || true)
    if [ -n "$ADDR" ] && curl -sf -o /dev/null -H 'content-type: application/json' --data-binary @"$WORK/small.body" "$ADDR"; then
      break
    fi
    ADDR=""
    sleep 0.002
  done
  [ -n "$ADDR" ] || { echo "the server did not answer:" >&2; cat "$WORK/err" >&2; exit 1; }
  STARTUP_MS=$(awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.0f", (b - a) * 1000}')
  BASE=${ADDR%/graphql}
}

stop_server() {
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
}

# Statements the server has sent so far (empty when it does not count).
statements() {
  curl -sf "$BASE/metrics" | awk '/^cruscotto_sql_statements_total /{print $2}'
}

# User + system CPU ticks of the server so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }

load() { # backend workload connections
  local b=$1 w=$2 c=$3 threads=$(( $3 < 2 ? 1 : 2 ))
  BENCH_BODY="$WORK/$w.body" wrk -t"$threads" -c"$c" -d"${WARMUP_SECONDS}s" -s "$WORK/post.lua" "$ADDR" >/dev/null
  local p50s=() p99s=() rpss=() line errors=0 requests=0 ticks0
  ticks0=$(cpu_ticks)
  for _ in $(seq 1 "$RUNS"); do
    line=$(BENCH_BODY="$WORK/$w.body" wrk -t"$threads" -c"$c" -d"${SECONDS_PER_RUN}s" --timeout 30s -s "$WORK/post.lua" "$ADDR" | grep '^RESULT')
    requests=$(( requests + $(sed 's/.*requests=\([0-9]*\).*/\1/' <<<"$line") ))
    p50s+=("$(sed 's/.*p50_ms=\([0-9.]*\).*/\1/' <<<"$line")")
    p99s+=("$(sed 's/.*p99_ms=\([0-9.]*\).*/\1/' <<<"$line")")
    rpss+=("$(sed 's/.*rps=\([0-9.]*\).*/\1/' <<<"$line")")
    errors=$(( errors + $(sed 's/.*errors=\([0-9]*\).*/\1/' <<<"$line") ))
  done
  R[$b.$w.$c.p50]=$(printf '%s\n' "${p50s[@]}" | median)
  R[$b.$w.$c.p99]=$(printf '%s\n' "${p99s[@]}" | median)
  R[$b.$w.$c.rps]=$(printf '%s\n' "${rpss[@]}" | median)
  R[$b.$w.$c.errors]=$errors
  # CPU time the server spent per request (all its threads): unlike
  # latency, barely moved by other load on the machine.
  R[$b.$w.$c.cpu]=$(awk -v t="$(( $(cpu_ticks) - ticks0 ))" -v hz="$(getconf CLK_TCK)" -v n="$requests" \
    'BEGIN {if (n > 0) printf "%.2f", t * 1000 / hz / n; else print "nan"}')
  echo "   $w, $c connection(s): p50 ${p50s[*]} ms; p99 ${p99s[*]} ms; ${rpss[*]} req/s; $errors error(s)" >&2
}

bench_backend() { # backend url
  local b=$1 url=$2 t0 out
  echo "== $b" >&2
  t0=$(now)
  out=$("$BIN" --database-url "$url" import "$WORK/plan.json")
  local secs; secs=$(elapsed "$t0")
  # Records: every object the import stored (objectives, indicators, targets, …).
  local records; records=$(head -n1 <<<"$out" | sed 's/.*: //' | tr ',' '\n' | awk '{n += $1} END {print n}')
  R[$b.import.records]=$records
  R[$b.import.rps]=$(rps_of "$records" "$secs")
  echo "   plan import: $records records in $secs s" >&2

  "$BIN" --database-url "$url" import "$SEED_DOC" --plan bench >/dev/null
  t0=$(now)
  "$BIN" --database-url "$url" import-payments "$WORK/payments.csv" --plan bench >/dev/null
  secs=$(elapsed "$t0")
  R[$b.payments.rps]=$(rps_of "$PAYMENTS" "$secs")
  echo "   payments import: $PAYMENTS rows in $secs s" >&2

  start_server "$url"
  R[$b.startup]=$STARTUP_MS
  curl -sf -o "$WORK/$b.tree.json" -H 'content-type: application/json' --data-binary @"$WORK/tree.body" "$ADDR"
  curl -sf -o "$WORK/$b.small.json" -H 'content-type: application/json' --data-binary @"$WORK/small.body" "$ADDR"
  R[$b.tree.bytes]=$(wc -c <"$WORK/$b.tree.json")
  local s0 s1 s2
  s0=$(statements)
  if [ -n "$s0" ]; then
    curl -sf -o /dev/null -H 'content-type: application/json' --data-binary @"$WORK/tree.body" "$ADDR"
    s1=$(statements)
    curl -sf -o /dev/null -H 'content-type: application/json' --data-binary @"$WORK/small.body" "$ADDR"
    s2=$(statements)
    R[$b.tree.statements]=$(( s1 - s0 )); R[$b.small.statements]=$(( s2 - s1 ))
  else
    R[$b.tree.statements]="n/a"; R[$b.small.statements]="n/a"
  fi
  for w in tree small; do
    for c in 1 4; do load "$b" "$w" "$c"; done
  done
  R[$b.rss]=$(awk '/^VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$SERVER/status")
  stop_server

  "$FLOOR" --database-url "$url" --runs "$FLOOR_RUNS" --small-runs "$SMALL_FLOOR_RUNS" \
    --plan "$PLAN" --objective "$OBJECTIVE" --out "$WORK/$b.floor.json" >"$WORK/floor.out"
  cat "$WORK/floor.out" | sed 's/^/   /' >&2
  R[$b.floor.tree]=$(sed -n 's/^floor tree .*median \([0-9.]*\) ms.*/\1/p' "$WORK/floor.out")
  R[$b.floor.small]=$(sed -n 's/^floor small .*median \([0-9.]*\) ms.*/\1/p' "$WORK/floor.out")
  if cmp -s "$WORK/$b.floor.json" "$WORK/$b.tree.json" && cmp -s "$WORK/$b.floor.json.small" "$WORK/$b.small.json"; then
    R[$b.floor.same]="same JSON"
  else
    R[$b.floor.same]="JSON differs"
    for w in tree small; do
      local f="$WORK/$b.floor.json"; [ "$w" = small ] && f="$f.small"
      cmp "$f" "$WORK/$b.$w.json" >&2 || true
    done
  fi

  # The calculator on stored data, and its floor: one SQL aggregate.
  "$BIN" --database-url "$url" bind --plan bench --objective A.1 --indicator 1 --calculator payment_timeliness >/dev/null
  local inner=() sql=() o
  for _ in $(seq 1 "$CALC_RUNS"); do
    case $b in
      sqlite) sqlite3 "$url" "DELETE FROM indicator_values;" ;;
      postgres) psql -qX "$url" -c "DELETE FROM indicator_values;" >/dev/null ;;
    esac
    o=$("$BIN" --database-url "$url" compute --plan bench --objective A.1 --indicator 1 --period 2020)
    inner+=("$(sed -n 's/.*computed and stored, \([0-9.]*\) s).*/\1/p' <<<"$o")")
    case $b in
      sqlite) sql+=("$(printf '.timer on\n%s\n' "$SQLITE_AGG" | sqlite3 "$url" | sed -n 's/^Run Time: real \([0-9.]*\).*/\1/p')") ;;
      postgres) sql+=("$(psql -qXtA "$url" -c '\timing on' -c "$PG_AGG" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | awk '{print $1 / 1000}')") ;;
    esac
  done
  R[$b.calc.compute]=$(printf '%s\n' "${inner[@]}" | median | awk '{printf "%.0f", $1 * 1000}')
  R[$b.calc.sql]=$(printf '%s\n' "${sql[@]}" | median | awk '{printf "%.0f", $1 * 1000}')
  echo "   compute in process ${inner[*]} s; SQL aggregate ${sql[*]} s" >&2
}

SQLITE_AGG="SELECT SUM(amount_cents * (julianday(payment_date) - julianday(COALESCE(due_date, date(invoice_date, '+30 days'))) - suspended_days)) * 1.0 / SUM(amount_cents) FROM payments WHERE plan_id = (SELECT id FROM plans WHERE code = 'bench') AND payment_date BETWEEN '2020-01-01' AND '2020-12-31';"
PG_AGG="SELECT SUM(amount_cents * (payment_date - COALESCE(due_date, invoice_date + 30) - suspended_days)) * 1.0 / SUM(amount_cents) FROM payments WHERE plan_id = (SELECT id FROM plans WHERE code = 'bench') AND payment_date BETWEEN DATE '2020-01-01' AND DATE '2020-12-31';"

LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
for b in $BACKENDS; do
  case $b in
    sqlite) bench_backend sqlite "$WORK/bench.db" ;;
    postgres)
      psql -qX "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB" >/dev/null
      bench_backend postgres "$PG_URL"
      psql -qX "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
      ;;
    *) echo "unknown backend $b" >&2; exit 2 ;;
  esac
done

echo "== in-memory calculator ($ITP_ROWS rows)" >&2
"$ITP" --rows "$ITP_ROWS" --runs "$(( QUICK ? 3 : 9 ))" >"$WORK/itp.out"
sed 's/^/   /' "$WORK/itp.out" >&2
itp() { grep "^$1" "$WORK/itp.out" | sed 's/.*median *\([0-9.]*\) ms.*/\1/'; }
ITP_KERNEL=$(itp 'kernel, one thread')
ITP_BUILTIN=$(itp 'built-in payment_timeliness')
ITP_PLUGIN=$(itp 'plugin')
LOAD_AFTER=$(cut -d' ' -f1 /proc/loadavg)

# ---- the table ------------------------------------------------------------------
{
  echo "Machine: $(nproc) cores ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n1)), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME"); load average ${LOAD_BEFORE} before, ${LOAD_AFTER} after."
  echo "$PROFILE build. Scale $SCALE ($PLAN, tree answer ${R[${BACKENDS%% *}.tree.bytes]:-?} bytes), $PAYMENTS payments; medians of $RUNS run(s) of ${SECONDS_PER_RUN} s after ${WARMUP_SECONDS} s of warm-up; wrk on the same machine."
  echo
  printf '| workload |'; for b in $BACKENDS; do printf ' %s |' "$b"; done; echo
  printf '|---|'; for _ in $BACKENDS; do printf -- '---|'; done; echo
  row() { # label key-suffix formatter
    printf '| %s |' "$1"
    for b in $BACKENDS; do printf ' %s |' "$($3 "$b" "$2")"; done
    echo
  }
  lat() {
    local rps=${R[$1.$2.rps]} digits=0
    awk -v r="$rps" 'BEGIN {exit !(r < 100)}' && digits=1
    echo "$(fmt "${R[$1.$2.p50]}" 1) / $(fmt "${R[$1.$2.p99]}" 1) ms, $(fmt "$rps" "$digits") req/s"
  }
  raw() { echo "${R[$1.$2]}"; }
  floor_ratio() { # backend workload
    echo "$(fmt "${R[$1.floor.$2]}" 2) ms; p50 at 1 conn = $(ratio "${R[$1.$2.1.p50]}" "${R[$1.floor.$2]}") (${R[$1.floor.same]})"
  }
  row "nested tree, 1 conn: p50 / p99, req/s" "tree.1" lat
  row "nested tree, 4 conn: p50 / p99, req/s" "tree.4" lat
  row "small query, 1 conn: p50 / p99, req/s" "small.1" lat
  row "small query, 4 conn: p50 / p99, req/s" "small.4" lat
  cpu() { echo "$(fmt "${R[$1.$2.cpu]}" 2) ms"; }
  row "server CPU per request: tree, 4 conn" "tree.4" cpu
  row "server CPU per request: small, 4 conn" "small.4" cpu
  row "SQL statements per request: tree" "tree.statements" raw
  row "SQL statements per request: small" "small.statements" raw
  row "floor of the tree (Diesel + serde)" "tree" floor_ratio
  row "floor of the small query" "small" floor_ratio
  row "server peak RSS after the load, MB" "rss" raw
  row "start to first answered request, ms" "startup" raw
  row "import of the generated plan, records/s" "import.rps" raw
  row "import of the payments CSV, rows/s" "payments.rps" raw
  calc() { echo "${R[$1.calc.compute]} ms; floor (SQL aggregate) ${R[$1.calc.sql]} ms = $(ratio "${R[$1.calc.compute]}" "${R[$1.calc.sql]}")"; }
  row "compute payment timeliness in process" "" calc
  echo
  echo "In-memory payment timeliness over $ITP_ROWS rows (medians): kernel, one thread (the floor) $ITP_KERNEL ms; built-in calculator $ITP_BUILTIN ms = $(ratio "$ITP_BUILTIN" "$ITP_KERNEL"); plugin through the C ABI $ITP_PLUGIN ms = $(ratio "$ITP_PLUGIN" "$ITP_KERNEL")."
  errors=0; for b in $BACKENDS; do for w in tree small; do for c in 1 4; do errors=$(( errors + ${R[$b.$w.$c.errors]} )); done; done; done
  [ "$errors" = 0 ] || echo "WARNING: $errors failed request(s) under load (see above)."
} | tee "${OUT:-/dev/null}"
