#!/usr/bin/env bash
# idle.sh BIN LABEL: a hub on the 100,000-entity bench_ databases and one on
# the 1,000,000-entity s1m_ databases (seeded beforehand: `credithub seed
# --entities N` with CREDITHUB_DB_PREFIX), side by side, grade job off,
# pools of 2; each one's VmRSS at 10, 30, 60, 120, 240 and 330 s after both
# answer /readyz (dev/bench/scale.md, "The hub at rest").
bin=$1 label=$2
export CREDITHUB_DEV=true CREDITHUB_GRADE_INTERVAL=off
for d in HUB MARKET ENVIRONMENT FIRE HOUSING COURT; do export CREDITHUB_${d}_MAX_CONNS=2; done
CREDITHUB_DB_PREFIX=bench_ CREDITHUB_ADDR=127.0.0.1:8131 $bin serve >${OUT:-/tmp}/idle-$label-100k.log 2>&1 & a=$!
CREDITHUB_DB_PREFIX=s1m_ CREDITHUB_ADDR=127.0.0.1:8132 $bin serve >${OUT:-/tmp}/idle-$label-1m.log 2>&1 & b=$!
for port in 8131 8132; do for _ in $(seq 1 120); do curl -sf http://127.0.0.1:$port/readyz >/dev/null && break; sleep 1; done; done
for t in 10 30 60 120 240 330; do
  sleep $(( t - ${prev:-0} )); prev=$t
  ra=$(awk '/VmRSS/{print $2}' /proc/$a/status); rb=$(awk '/VmRSS/{print $2}' /proc/$b/status)
  echo "$label t=${t}s 100k ${ra} kB, 1M ${rb} kB, ratio $(echo "scale=2; $rb/$ra" | bc), load $(cut -d' ' -f1 /proc/loadavg)"
done
kill $a $b; wait
