#!/usr/bin/env bash
# compare.sh BEFORE AFTER [ROUNDS] [OUT]: S1 and S2 of two builds of the hub
# on the same 100,000-entity databases, in alternating rounds (before, after,
# before, after…), each run on a freshly started hub, hub only, at 1 and 32
# clients. BEFORE and AFTER are credithub binaries; the databases (prefix
# bench_) are created and seeded by AFTER's `credithub seed` when missing,
# and both builds then serve them with `serve` (CREDITHUB_DEV=true: the
# development token issuer and the statement counts hubbench reads), so
# that neither migrates nor seeds anything between runs. Every run's table
# goes to OUT (default /tmp/compare), one file per run, and a summary of
# the medians per cell is printed at the end.
set -euo pipefail
before=$1 after=$2 rounds=${3:-3} out=${4:-/tmp/compare}
cd "$(dirname "$0")/../.."
mkdir -p "$out"
hub=
trap 'if [ -n "$hub" ]; then kill "$hub" 2>/dev/null || true; fi' EXIT
go build -o "$out/hubbench" ./dev/bench/cmd/hubbench

export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
# A budget no run spends: the rate limit stays on, as in production.
export CREDITHUB_DB_PREFIX=bench_ CREDITHUB_DEV=true CREDITHUB_GRADE_INTERVAL=off CREDITHUB_RATE_LIMIT=100000000
addr=127.0.0.1:8090
"$after" seed --entities 100000

run() { # label binary
	CREDITHUB_ADDR=$addr "$2" serve >"$out/$1.log" 2>&1 &
	hub=$!
	for _ in $(seq 1 60); do
		curl -sf "http://$addr/readyz" >/dev/null && break
		sleep 1
	done
	local token
	token=$("$after" token --kind department --org market --scopes "entity:read record:read person:read" --ttl 1h)
	"$out/hubbench" -url "http://$addr" -pid "$hub" -mode hub -label "$1" \
		-H "Authorization: Bearer $token" -H "X-Query-Purpose: LAW_ENFORCEMENT" -out "$out/$1.md"
	kill "$hub"
	wait "$hub" || true
}

for r in $(seq 1 "$rounds"); do
	run "before$r" "$before"
	run "after$r" "$after"
done

# The median of each cell's medians over the rounds, before and after. In
# hubbench's table, split on "|", fields 3–5 are the scenario, clients and
# system, 8 the median in ms and 14 the Go CPU per request.
echo "| scenario | clients | medians before (ms) | medians after (ms) | median of the rounds, before → after | Go CPU ms / request, before → after |"
echo "|---|--:|---|---|--:|--:|"
for cell in "S1 1" "S1 32" "S2 1" "S2 32"; do
	set -- $cell
	awk -v sc="$1" -v cl="$2" -F'|' '
		function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
		$3 ~ sc && $4 + 0 == cl && $5 ~ /hub/ {
			side = FILENAME ~ /before/ ? "b" : "a"
			v = $8 + 0; c = $14 + 0
			if (side == "b") { nb++; b[nb] = v; cb[nb] = c; lb = lb (lb ? ", " : "") v }
			else { na++; a[na] = v; ca[na] = c; la = la (la ? ", " : "") v }
		}
		END { mb = med(b, nb); ma = med(a, na)
			printf "| %s | %s | %s | %s | %.2f → %.2f (%+.1f%%) | %.1f → %.1f |\n", sc, cl, lb, la, mb, ma, (ma / mb - 1) * 100, med(cb, nb), med(ca, na) }
	' "$out"/before*.md "$out"/after*.md
done
