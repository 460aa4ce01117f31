#!/usr/bin/env bash
# Times the refusal of the abuse corpus's document bombs (the generators of
# api/tests/http_abuse.rs) against a built server over HTTP: status, code and
# the median of RUNS curl runs from sending to the whole answer.
#
#   scripts/bench-bombs.sh BIN
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 BIN" >&2; exit 2; }
BIN=$1 RUNS=${RUNS:-5} PORT=${PORT:-18183}
WORK=$(mktemp -d)
SERVER=""
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT
RUST_LOG=error "$BIN" --database-url "$WORK/bombs.db" serve --listen "127.0.0.1:$PORT" >/dev/null 2>"$WORK/err" &
SERVER=$!
for _ in $(seq 1 500); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/livez" && break; sleep 0.02; done
python3 - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
def bomb(n, aliased=False):
    q = f"query {{ ...F{n} }} fragment F0 on QueryRoot {{ __typename }} "
    for i in range(1, n + 1):
        q += f"fragment F{i} on QueryRoot {{"
        for a in range(10):
            if aliased: q += f" a{a}: __typename"
            q += f" ...F{i-1}"
        q += " } "
    return q
def fanout(n, width):
    q = f"query {{ ...F{n} }} fragment F0 on QueryRoot {{ plans {{ totalCount }} }} "
    for i in range(1, n + 1):
        q += f"fragment F{i} on QueryRoot {{" + f" ...F{i-1}" * width + " } "
    return q
def chain(n):
    q = "query { ...F0 } "
    for i in range(n):
        q += f"fragment F{i} on QueryRoot {{ ...F{i+1} }} "
    return q + f"fragment F{n} on QueryRoot {{ __typename }}"
cases = [
    ("...F8 over __typename", bomb(8)),
    ("...F10", bomb(10)),
    ("...F12", bomb(12)),
    ("...F8, ten aliases a level", bomb(8, True)),
    ("2^26 spreads, doubling", fanout(26, 2)),
    ("2^26 spreads, 13 levels of 4", fanout(13, 4)),
    ("2^60 spreads, 14 levels of 20", fanout(14, 20)),
    ("a chain of 2,000 fragments", chain(2000)),
    ("1,000 aliases of a small field", "{ " + " ".join(f"a{i}: __typename" for i in range(1000)) + " }"),
]
with open(f"{work}/cases", "w") as out:
    for i, (name, query) in enumerate(cases):
        with open(f"{work}/{i}.json", "w") as f:
            json.dump({"query": query}, f)
        out.write(f"{i}\t{len(query.encode())}\t{name}\n")
PY
printf '| document | bytes | answer | median of %s |\n|---|---|---|---|\n' "$RUNS"
while IFS=$'\t' read -r i bytes name; do
  post() { curl -s -o "$WORK/out" -w '%{http_code} %{time_total}\n' -H 'accept: application/graphql-response+json' -H 'content-type: application/json' --data-binary @"$WORK/$i.json" "http://127.0.0.1:$PORT/graphql"; }
  post >/dev/null
  status=$(post | awk '{print $1}')
  code=$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1])).get("errors") or [{}]; print(e[0].get("extensions",{}).get("code"))' "$WORK/out")
  ms=$(for _ in $(seq 1 "$RUNS"); do post; done | awk '{printf "%.1f\n", $2 * 1000}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '| %s | %s | %s `%s` | %s ms |\n' "$name" "$bytes" "$status" "$code" "$ms"
done <"$WORK/cases"
kill -0 "$SERVER" || { echo "the server died" >&2; exit 1; }
