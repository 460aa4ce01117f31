#!/usr/bin/env bash
# Import throughput through a mapping: a generated milestone/target register
# of ROWS rows (default 100,000; the shape of
# import/tests/fixtures/mapping/registro-milestone-target.csv, two rows per
# code as two sub-measures, one code in ten a milestone) imported with
# mappings/registro-milestone-target.toml into a fresh SQLite file and a
# fresh Postgres database, with rows/s and peak RSS from /usr/bin/time -v.
#
# Usage: scripts/bench-mapping.sh            (release build of the binary)
#        PROFILE=debug scripts/bench-mapping.sh
#        ROWS=10000 scripts/bench-mapping.sh
# Needs: python3 (generator), /usr/bin/time (Debian package `time`), psql and
# the Postgres of CRUSCOTTO_TEST_POSTGRES_URL for the second backend.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${ROWS:-100000}"
TARGET="${CARGO_TARGET_DIR:-target}"
PROFILE="${PROFILE:-release}"
BIN="$TARGET/$PROFILE/cruscotto"
PG_URL="${CRUSCOTTO_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
if [ "$PROFILE" = release ]; then cargo build --release -q -p cruscotto; else cargo build -q -p cruscotto; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 - "$ROWS" > "$tmp/register.csv" <<'PY'
import sys
rows = int(sys.argv[1])
cols = ["Missione","Componente","Misura","Amministrazione titolare","Codice","Tipo","Nome",
        "Descrizione","Unità di misura","Baseline","Obiettivo","Trimestre","Anno",
        "Meccanismo di verifica","Sub-misura","Codice misura","Tipologia misura",
        "Importo (milioni)","Note","Stato","Data aggiornamento","Fonte",
        "Riferimento normativo","Soggetto attuatore","Ambito territoriale"]
out = sys.stdout
out.write("\ufeff" + ";".join(f'"{c}"' for c in cols) + "\r\n")
units = ["Numero", "Percentuale", "Giorni", "Euro (milioni)"]
for i in range(rows):
    code_n, sub = divmod(i, 2)
    m = code_n % 6 + 1
    c = code_n % 4 + 1
    milestone = code_n % 10 == 0
    unit = "N/A" if milestone else units[code_n % 4]
    year = 2021 + code_n % 6
    cells = [f"M{m} - Missione {m}", f"M{m}C{c} - Componente {c}", f"Investimento {c}.{m}: misura {code_n % 50}",
             f"Amministrazione {code_n % 20}", f"M{m}C{c}-{code_n}", "Milestone" if milestone else "Target",
             f"Traguardo {code_n}", f"Descrizione del traguardo {code_n},\nsotto-misura {sub + 1}", unit,
             "0" if milestone else f"{code_n % 100}", "0" if milestone else f"{1000 + code_n % 5000}",
             f"Q{code_n % 4 + 1}", str(year), "Verifica documentale", str(sub + 1),
             f"M{m}C{c}-I{c}.{m}", "Investimento", "12,5", "", "In corso", "30/06/2024", "Registro",
             "", "Soggetto attuatore", "Nazionale"]
    out.write(";".join('"' + x.replace('"', '""') + '"' for x in cells) + "\r\n")
PY
echo "==> $(wc -l < "$tmp/register.csv") lines, $(du -h "$tmp/register.csv" | cut -f1) CSV"

run() { # backend url
  /usr/bin/time -v "$BIN" --database-url "$2" import \
    --mapping mappings/registro-milestone-target.toml "$tmp/register.csv" \
    > "$tmp/$1.out" 2> "$tmp/$1.time"
  local secs rss
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$tmp/$1.time")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$tmp/$1.time")
  head -n1 "$tmp/$1.out" | cut -c1-160
  awk -v r="$ROWS" -v s="$secs" -v m="$rss" -v b="$1" \
    'BEGIN { printf "%s: %d rows in %.2f s = %.0f rows/s, peak RSS %d MiB\n", b, r, s, r/s, m }'
}

run sqlite "$tmp/bench.db"
if psql "$PG_URL" -qtAc 'select 1' >/dev/null 2>&1; then
  db="cruscotto_bench_mapping_$$"
  psql "$PG_URL" -qc "CREATE DATABASE $db" >/dev/null
  run postgres "${PG_URL%/*}/$db"
  psql "$PG_URL" -qc "DROP DATABASE $db" >/dev/null
else
  echo "postgres: unreachable at $PG_URL, not measured"
fi
