#!/usr/bin/env bash
# The name search at a million entities, before and after issue #16's
# postings (dev/bench/namesearch.md): builds namebench twice, once over the
# registry store of BASE (main before the change) and once over this
# tree's, loads NM_DB (default nm_market) with ENTITIES synthetic entities
# migrated as BASE had it, measures, applies the later migrations,
# measures again, and drops the database unless KEEP=1.
#
#   dev/bench/namesearch.sh                 # writes $OUT/before.md, $OUT/after.md
#   RUNS=15 ENTITIES=1000000 BASE=68cf507 OUT=/tmp/namesearch dev/bench/namesearch.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
BASE=${BASE:-68cf507}
RUNS=${RUNS:-15}
ENTITIES=${ENTITIES:-1000000}
NM_DB=${NM_DB:-nm_market}
OUT=${OUT:-/tmp/namesearch}
mkdir -p "$OUT/explain-before" "$OUT/explain-after"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The store as BASE had it, measured by this tree's namebench.
git archive "$BASE" | tar -x -C "$tmp"
mkdir -p "$tmp/dev/bench/cmd/namebench"
cp dev/bench/cmd/namebench/main.go "$tmp/dev/bench/cmd/namebench/"
(cd "$tmp" && go build -o "$tmp/namebench-before" ./dev/bench/cmd/namebench)
go build -o "$tmp/namebench-after" ./dev/bench/cmd/namebench

"$tmp/namebench-before" -database "$NM_DB" -build -to 7 -entities "$ENTITIES" -runs 0
"$tmp/namebench-before" -database "$NM_DB" -runs "$RUNS" -explain-dir "$OUT/explain-before" | tee "$OUT/before.md"
"$tmp/namebench-after" -database "$NM_DB" -build -runs 0
"$tmp/namebench-after" -database "$NM_DB" -runs "$RUNS" -explain-dir "$OUT/explain-after" | tee "$OUT/after.md"
if [ "${KEEP:-0}" != 1 ]; then
	"$tmp/namebench-after" -database "$NM_DB" -drop
fi
