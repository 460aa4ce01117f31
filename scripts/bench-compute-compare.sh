#!/usr/bin/env bash
# Compares `cruscotto compute` of payment timeliness between server binaries
# (e.g. two commits' release builds) on SQLite: each binary gets its own
# database holding the first seed plan and the same generated payments, then
# the binaries compute indicator A.1/1 for 2020 in turn, RUNS times each
# (stored values deleted before every run, so every run computes), so that
# what the machine is doing weighs on all of them alike. Prints one line per
# run (`BINARY_NUMBER SECONDS`) and each binary's median.
#
#   scripts/bench-compute-compare.sh BIN [BIN …]     (RUNS=7, ROWS=1000000)
#
# Needs sqlite3 and ../shared/seeds beside the project.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 BIN [BIN …]" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SEED_DOC=${SEED_DOC:-$ROOT/../shared/seeds/000_c0a763c098296cde.txt}
RUNS=${RUNS:-7}
ROWS=${ROWS:-1000000}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

"$1" generate-payments --rows "$ROWS" --seed 42 --output "$WORK/payments.csv" >/dev/null
n=0
for bin in "$@"; do
  n=$((n + 1))
  db=$WORK/$n.db
  "$bin" --database-url "$db" import "$SEED_DOC" --plan bench >/dev/null
  "$bin" --database-url "$db" import-payments "$WORK/payments.csv" --plan bench >/dev/null
  "$bin" --database-url "$db" bind --plan bench --objective A.1 --indicator 1 \
    --calculator payment_timeliness >/dev/null
done
for _ in $(seq 1 "$RUNS"); do
  n=0
  for bin in "$@"; do
    n=$((n + 1))
    db=$WORK/$n.db
    sqlite3 "$db" "DELETE FROM indicator_values;"
    out=$("$bin" --database-url "$db" compute --plan bench --objective A.1 --indicator 1 --period 2020)
    echo "$n $(sed -n 's/.*computed and stored, \([0-9.]*\) s).*/\1/p' <<<"$out")"
  done
done | tee "$WORK/runs"
for i in $(seq 1 $#); do
  printf 'binary %s (%s): median %s s\n' "$i" "${!i}" \
    "$(awk -v i="$i" '$1 == i {print $2}' "$WORK/runs" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')"
done
