#!/usr/bin/env bash
# ratio.sh BINARY LABEL [OUT]: the hub (BINARY, a credithub build) against
# the baseline on S1 and S2 at 1, 32 and 64 clients, with small pools on
# both sides so that the run fits beside other work in PostgreSQL's 100
# connections: the hub 5 per database (30), the baseline 5 per database
# (25). The hub is started fresh on the 100,000-entity bench_ databases
# (seeded by `credithub seed --entities 100000` when missing) and stopped
# after; hubbench's table goes to OUT/LABEL.md (default OUT /tmp/ratio).
# Extra environment for the hub goes in HUB_ENV ("A=1 B=2").
set -euo pipefail
bin=$1 label=$2 out=${3:-/tmp/ratio}
cd "$(dirname "$0")/../.."
mkdir -p "$out"
go build -o "$out/hubbench" ./dev/bench/cmd/hubbench
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
export CREDITHUB_DB_PREFIX=bench_ CREDITHUB_DEV=true CREDITHUB_GRADE_INTERVAL=off CREDITHUB_RATE_LIMIT=100000000
# Budgets of 30 s per batch: on a machine shared with other work a 3 s
# budget runs out under 64 clients, and the run is then worthless.
for d in HUB MARKET ENVIRONMENT FIRE HOUSING COURT; do export CREDITHUB_${d}_MAX_CONNS=5 CREDITHUB_${d}_TIMEOUT=30s; done
# A minute's wait for a turn (CREDITHUB_QUEUE_WAIT, 10 s by default): a
# closed loop of 64 clients never queues more than 64, and on a shared
# machine a turn can take longer than 10 s to come.
export CREDITHUB_QUEUE_WAIT=${CREDITHUB_QUEUE_WAIT:-60s}
addr=${ADDR:-127.0.0.1:8091}
"$bin" seed --entities 100000 >/dev/null
# shellcheck disable=SC2086
env ${HUB_ENV:-} CREDITHUB_ADDR=$addr "$bin" serve >"$out/$label.log" 2>&1 &
hub=$!
trap 'kill "$hub" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
	curl -sf "http://$addr/readyz" >/dev/null && break
	sleep 1
done
token=$("$bin" token --kind department --org market --scopes "entity:read record:read person:read" --ttl 1h)
"$out/hubbench" -url "http://$addr" -pid "$hub" -label "$label" -baseline-conns 5 -prefix bench_ \
	-clients "${CLIENTS:-1,32,64}" -scenarios S1,S2 -duration "${DURATION:-10s}" -warmup 3s \
	-H "Authorization: Bearer $token" -H "X-Query-Purpose: LAW_ENFORCEMENT" \
	-out "$out/$label.md" -cpuprofile-dir "$out/$label-prof"
uptime >>"$out/$label.md"
