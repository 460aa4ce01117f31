#!/usr/bin/env bash
# Benchmark of payment timeliness on stored data, on SQLite and Postgres:
#   1. generates a payments CSV of $ROWS invoices (Italian format),
#   2. imports it into a fresh SQLite file and into a fresh Postgres
#      database `cruscotto_bench` (dropped and created by this script),
#      reporting import throughput,
#   3. times `cruscotto compute` of indicator A.1/1 for 2020 end to end
#      (process start, connection, loading, fingerprint, calculation,
#      storing), median of $RUNS, with stored values deleted before each run
#      so that every run computes; also the reuse path (inputs unchanged),
#   4. times the equivalent single SQL aggregate in the same database,
#      median of $RUNS.
#
# Usage: scripts/bench-calc.sh            (ROWS=1000000 RUNS=5 by default)
#        BIN=/path/to/cruscotto scripts/bench-calc.sh
#                                         (measures a prebuilt binary, without
#                                         building; otherwise the release build
#                                         of this tree, in $CARGO_TARGET_DIR
#                                         when set)
# Needs: cargo, sqlite3, psql, and a Postgres at $PG_ADMIN_URL.
set -euo pipefail

ROWS=${ROWS:-1000000}
RUNS=${RUNS:-5}
SEED=${SEED:-42}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
PG_BENCH_URL=${PG_ADMIN_URL%/*}/cruscotto_bench

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SEED_DOC=${SEED_DOC:-$ROOT/../shared/seeds/000_c0a763c098296cde.txt}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cd "$ROOT"
if [[ -z ${BIN:-} ]]; then
    cargo build --release --quiet
    BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/cruscotto
fi
BIN=$(realpath "$BIN")
echo "== binary $BIN"
INDICATOR=(--plan bench --objective A.1 --indicator 1)

now() { date +%s.%N; }
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

echo "== generating $ROWS payments (seed $SEED)"
start=$(now)
"$BIN" generate-payments --rows "$ROWS" --seed "$SEED" --output "$WORK/payments.csv"
echo "generated in $(echo "$(now) - $start" | bc) s, $(du -h "$WORK/payments.csv" | cut -f1)"

# The SQL a database would run to compute the same value in place. Due dates
# default to invoice date + 30 days, as the calculator's default term.
SQLITE_SQL="SELECT SUM(amount_cents * (julianday(payment_date) - julianday(COALESCE(due_date, date(invoice_date, '+30 days'))) - suspended_days)) * 1.0 / SUM(amount_cents) FROM payments WHERE plan_id = (SELECT id FROM plans WHERE code = 'bench') AND payment_date BETWEEN '2020-01-01' AND '2020-12-31';"
PG_SQL="SELECT SUM(amount_cents * (payment_date - COALESCE(due_date, invoice_date + 30) - suspended_days)) * 1.0 / SUM(amount_cents) FROM payments WHERE plan_id = (SELECT id FROM plans WHERE code = 'bench') AND payment_date BETWEEN DATE '2020-01-01' AND DATE '2020-12-31';"

# bench NAME URL CLEAR_CMD SQL_TIMER_CMD
bench() {
    local name=$1 url=$2
    echo
    echo "== $name"
    export DATABASE_URL=$url
    "$BIN" import "$SEED_DOC" --plan bench > /dev/null
    local start end secs
    start=$(now)
    "$BIN" import-payments "$WORK/payments.csv" --plan bench
    end=$(now)
    secs=$(echo "$end - $start" | bc)
    echo "import: $ROWS rows in $secs s wall = $(echo "$ROWS / $secs" | bc) rows/s (including CSV parsing)"
    "$BIN" bind "${INDICATOR[@]}" --calculator payment_timeliness > /dev/null

    local walls=() inner=() out
    for _ in $(seq "$RUNS"); do
        clear_values "$name"
        start=$(now)
        out=$("$BIN" compute "${INDICATOR[@]}" --period 2020)
        end=$(now)
        walls+=("$(echo "$end - $start" | bc)")
        inner+=("$(echo "$out" | sed -n 's/.*computed and stored, \([0-9.]*\) s).*/\1/p')")
    done
    echo "$out" | sed -n '2,4p'
    echo "compute end to end (process): median $(printf '%s\n' "${walls[@]}" | median) s of ${walls[*]}"
    echo "compute in process (load + fingerprint + calculate + store): median $(printf '%s\n' "${inner[@]}" | median) s"
    out=$("$BIN" compute "${INDICATOR[@]}" --period 2020)
    echo "reuse path (inputs unchanged): $(echo "$out" | sed -n 's/.*reused, \([0-9.]*\) s).*/\1/p') s in process"

    local sql_times=()
    for _ in $(seq "$RUNS"); do
        sql_times+=("$(sql_time "$name")")
    done
    echo "SQL aggregate: $(sql_value "$name")"
    echo "SQL aggregate time: median $(printf '%s\n' "${sql_times[@]}" | median) s of ${sql_times[*]}"
}

clear_values() {
    case $1 in
        sqlite) sqlite3 "$WORK/bench.db" "DELETE FROM indicator_values;" ;;
        postgres) psql -qX "$PG_BENCH_URL" -c "DELETE FROM indicator_values;" ;;
    esac
}

sql_value() {
    case $1 in
        sqlite) sqlite3 "$WORK/bench.db" "$SQLITE_SQL" ;;
        postgres) psql -qXtA "$PG_BENCH_URL" -c "$PG_SQL" ;;
    esac
}

# Seconds the server spent on the aggregate, as the client's timer reports.
sql_time() {
    case $1 in
        sqlite) printf '.timer on\n%s\n' "$SQLITE_SQL" | sqlite3 "$WORK/bench.db" | sed -n 's/^Run Time: real \([0-9.]*\).*/\1/p' ;;
        postgres) psql -qXtA "$PG_BENCH_URL" -c '\timing on' -c "$PG_SQL" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | awk '{print $1 / 1000}' ;;
    esac
}

bench sqlite "$WORK/bench.db"

psql -qX "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS cruscotto_bench WITH (FORCE);" -c "CREATE DATABASE cruscotto_bench;"
bench postgres "$PG_BENCH_URL"
