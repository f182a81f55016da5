#!/usr/bin/env bash
# The hot-path benchmarks of the README, on this machine, load generator (wrk) on the same
# machine, 64 connections. Prints one line per figure.
#
#   bench/run.sh                  # all scenarios, 15 s each
#   DURATION=30s bench/run.sh     # longer runs
#   WARMUP=0 bench/run.sh         # no unmeasured warm-up pass before each scenario (default 5s)
#   ONLY='metered|ingestion' bench/run.sh   # the scenarios whose name matches (the ceiling always runs)
#   ONLY=floor bench/run.sh       # what PostgreSQL itself reaches beside batch ingestion alone
#   TOLLGATE_BIN=/tmp/old bench/run.sh       # measure another build of the server
#
# Needs wrk and pgbench (Debian: apt-get install wrk postgresql-contrib; run as root it installs
# wrk itself), python3, and a PostgreSQL server: BENCH_SERVER_URL (default the local server on
# 127.0.0.1:5432, user postgres). A database `tollgate_bench` is created anew on it.
set -euo pipefail
cd "$(dirname "$0")/.."
SERVER_URL=${BENCH_SERVER_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
DB_URL=${SERVER_URL%/*}/tollgate_bench
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-5s}
CONNS=${CONNS:-64}
WRK_THREADS=${WRK_THREADS:-2}
CUSTOMERS=${CUSTOMERS:-1000}
PORT=${PORT:-18088}
BASE=http://127.0.0.1:$PORT
WORK=$(mktemp -d)
trap 'kill $SERVER_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT

command -v wrk >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; }
command -v wrk >/dev/null || { echo "install wrk first (apt-get install wrk)"; exit 1; }

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(wrk --version 2>&1 | head -n 1 | cut -d' ' -f1-2); $(psql --version)"
# TOLLGATE_BIN: another build to measure (an A/B run against a copy of an older binary).
BIN=${TOLLGATE_BIN:-target/release/tollgate}
[ -n "${TOLLGATE_BIN:-}" ] || cargo build --release --quiet

psql "$SERVER_URL" -qc "DROP DATABASE IF EXISTS tollgate_bench WITH (FORCE)" -c "CREATE DATABASE tollgate_bench"
DATABASE_URL=$DB_URL LISTEN_ADDR=127.0.0.1:$PORT RUST_LOG=warn DATABASE_POOL_SIZE=${POOL_SIZE:-24} USAGE_WRITERS=${USAGE_WRITERS:-2} \
  "$BIN" serve > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.1; done
python3 bench/setup.py "$BASE" "$WORK" "$CUSTOMERS"
SK=$(cat "$WORK/sk.txt")

PGBENCH=$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench | tail -n 1)

rss_mb() { awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/$SERVER_PID/status"; }
peak_mb() { awk '/VmHWM/ {printf "%d", $2 / 1024}' "/proc/$SERVER_PID/status"; }

wanted() { [ "$1" = ceiling_healthz ] || [[ "$1" =~ ${ONLY:-.} ]]; }

# p50, p90 and p99 of pgbench logs (one line per transaction; its latency in µs third, counted
# from when it was due, so less its delay past that, seventh).
latencies() {
  cat "$@" | awk '{print $3 - $7}' | sort -n | awk '{v[NR] = $1} END {if (NR) printf "p50 %.2fms, p90 %.2fms, p99 %.2fms (%d)\n", v[int(NR * 0.5)] / 1000, v[int(NR * 0.9)] / 1000, v[int(NR * 0.99)] / 1000, NR}'
}

# A figure of a wrk report: its requests per second, or its p99.
rps_of() { awk '/Requests\/sec/ {print $2}' "$1"; }
p99_of() { awk '$1 == "99%" {print $2}' "$1"; }
# Events per second of a wrk report of bench/batch.lua (1,000 events a request).
events_of() { awk -v r="$(rps_of "$1")" 'BEGIN {printf "%d", r * 1000}'; }

# The one-row table PostgreSQL's commit probes update.
commit_table() {
  psql "$DB_URL" -qc "SET client_min_messages = warning" -c "CREATE TABLE IF NOT EXISTS bench_commit (id int PRIMARY KEY, n bigint)" \
    -c "INSERT INTO bench_commit VALUES (1, 0) ON CONFLICT DO NOTHING"
}
# A probe of PostgreSQL for DURATION: one pgbench client running bench/$1.sql 100 times a second
# (so that it adds little load), logging each transaction to $WORK/$2.*.
probe() (
  cd "$WORK" && "$PGBENCH" -n -c 1 -R 100 -T "${DURATION%s}" -f "$OLDPWD/bench/$1.sql" --log --log-prefix="$2" "$DB_URL" > /dev/null 2>&1
)

run() { # name, then wrk arguments
  local name=$1; shift
  wanted "$name" || return 0
  if [ "$WARMUP" != 0 ]; then
    # Steady state is what is measured: the first seconds on a new database load every
    # customer's plan into the caches and create their quota counters.
    wrk -t"$WRK_THREADS" -c"$CONNS" -d"$WARMUP" --latency "$@" > "$WORK/$name.warmup.txt" 2>&1
    printf "   (warm-up, %s: %s req/s, p99 %s)\n" "$WARMUP" \
      "$(rps_of "$WORK/$name.warmup.txt")" "$(p99_of "$WORK/$name.warmup.txt")"
  fi
  python3 bench/cpu.py snap "$WORK/cpu.json" "$SERVER_PID"
  wrk -t"$WRK_THREADS" -c"$CONNS" -d"$DURATION" --latency "$@" > "$WORK/$name.txt" 2>&1
  local rps p50 p99 errs
  rps=$(rps_of "$WORK/$name.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$WORK/$name.txt")
  p99=$(p99_of "$WORK/$name.txt")
  errs=$(awk '/Non-2xx/ {print $5}' "$WORK/$name.txt")
  printf "%-34s %10s req/s   p50 %-8s p99 %-8s non-2xx %-6s rss %s MB\n" "$name" "$rps" "$p50" "$p99" "${errs:-0}" "$(rss_mb)"
  python3 bench/cpu.py diff "$WORK/cpu.json" "$SERVER_PID" "$(awk '/requests in/ {print $1}' "$WORK/$name.txt")"
}

echo "== $CONNS connections, $DURATION each"
run ceiling_healthz "$BASE/healthz"
SK=$SK KEYS_FILE=$WORK/keys.txt FEATURE=batch_api run verify_boolean_1000_customers -s bench/verify.lua "$BASE"
SK=$SK KEYS_FILE=$WORK/keys.txt FEATURE=api_calls run verify_metered_1000_customers -s bench/verify.lua "$BASE"
SK=$SK KEYS_FILE=$WORK/single_key.txt FEATURE=api_calls run verify_metered_single_customer -s bench/verify.lua "$BASE"
SK=$SK CUSTOMERS_FILE=$WORK/customers.txt run usage_batch_1000_events -s bench/batch.lua "$BASE"
if wanted usage_batch_1000_events; then
  echo "   = $(events_of "$WORK/usage_batch_1000_events.txt") events/s ingested in batches of 1,000"
fi

# Verify while batch ingestion runs beside it ($INGEST_CONNS connections sending 1,000-event
# batches): the verify lane must not wait for the bulk lane. A latency test: verify runs on
# $BESIDE_CONNS connections, a load that does not saturate the machine by itself (with 64, the
# latency would be 64 / throughput whatever the writer does).
if wanted verify_metered_during_ingestion; then
# Ingestion runs through the verify warm-up and the measured run.
SK=$SK CUSTOMERS_FILE=$WORK/customers.txt wrk -t1 -c"${INGEST_CONNS:-2}" --latency -d"$(( ${DURATION%s} + ${WARMUP%s} ))s" -s bench/batch.lua "$BASE" \
  > "$WORK/ingest_beside.txt" 2>&1 &
INGEST_PID=$!
# Meanwhile, after the warm-up: what the statements wait on in PostgreSQL (bench/waits.py).
(sleep $(( ${WARMUP%s} + 1 )); python3 bench/waits.py "$DB_URL" $(( ${DURATION%s} - 2 )) > "$WORK/waits.txt" 2>&1) &
WAITS_PID=$!
# And in the server's writer: how long requests queued, and how long their batches took.
(sleep "${WARMUP%s}"; python3 bench/lanes.py snap "$WORK/lanes.json" "$BASE") &
LANES_PID=$!
# The floor under verify's latency here: PostgreSQL's own commit of a one-row update, beside the
# same ingestion. Verify's batches cannot commit faster than this.
commit_table
(sleep "${WARMUP%s}"; probe commit commit) &
COMMIT_PID=$!
SK=$SK KEYS_FILE=$WORK/keys.txt FEATURE=api_calls CONNS=${BESIDE_CONNS:-8} run verify_metered_during_ingestion -s bench/verify.lua "$BASE"
wait $INGEST_PID $WAITS_PID $LANES_PID $COMMIT_PID
cat "$WORK/waits.txt"
echo "   floor: PostgreSQL commits a one-row update beside it in $(latencies "$WORK"/commit.*)"
echo "   writer, per lane (bench/lanes.py):"
python3 bench/lanes.py diff "$WORK/lanes.json" "$BASE"
echo "   = beside it, $(events_of "$WORK/ingest_beside.txt") events/s ingested in batches of 1,000 ($(p99_of "$WORK/ingest_beside.txt") p99 per batch)"
fi

# What anything that writes can reach beside batch ingestion alone (no verify), at the rate the
# machine allows: three probes of PostgreSQL (`probe`): a one-row update
# committed as verify commits (waiting for the WAL flush), the same update not waiting for the
# flush (synchronous_commit off: what is left is the WAL insertion and the CPU), and SELECT 1
# (the CPU alone: being scheduled on a busy machine).
if wanted commit_floor_during_ingestion; then
  commit_table
  SK=$SK CUSTOMERS_FILE=$WORK/customers.txt wrk -t1 -c"${INGEST_CONNS:-2}" --latency -d"$(( ${DURATION%s} + ${WARMUP%s} ))s" -s bench/batch.lua "$BASE" \
    > "$WORK/ingest_alone.txt" 2>&1 &
  INGEST_PID=$!
  sleep "${WARMUP%s}"
  PROBES=()
  for kind in commit commit_async select; do
    probe "$kind" "floor_$kind" &
    PROBES+=($!)
  done
  wait "$INGEST_PID" "${PROBES[@]}"
  echo "commit_floor_during_ingestion: $(events_of "$WORK/ingest_alone.txt") events/s ingested alone; beside it, PostgreSQL"
  echo "   commits a one-row update in       $(latencies "$WORK"/floor_commit.*)"
  echo "   the same, not waiting for flush   $(latencies "$WORK"/floor_commit_async.*)"
  echo "   answers SELECT 1 in               $(latencies "$WORK"/floor_select.*)"
fi

# Consistency after all of it: for the busiest customer, the quota counter (its row and the
# bulk writers' shares) equals the ledger.
psql "$DB_URL" -Atc "SELECT '   busiest customer: ledger ' || (SELECT coalesce(sum(quantity), 0) FROM usage_events e JOIN customers c ON c.id = e.customer_id WHERE c.email = 'c0@example.com') || ', counter ' || ((SELECT coalesce(sum(used), 0) FROM usage_counters u JOIN customers c ON c.id = u.customer_id WHERE c.email = 'c0@example.com') + (SELECT coalesce(sum(used), 0) FROM usage_counter_shares u JOIN customers c ON c.id = u.customer_id WHERE c.email = 'c0@example.com'))"

echo "== server resident memory: now $(rss_mb) MB, peak $(peak_mb) MB"

wanted pgbench_insert || exit 0
echo "== PostgreSQL ceiling: single-row INSERT transactions (pgbench, $CONNS clients)"
psql "$DB_URL" -qc "CREATE TABLE IF NOT EXISTS bench_insert (id uuid PRIMARY KEY, payload text)"
"$PGBENCH" -n -c "$CONNS" -j "$WRK_THREADS" -T "${DURATION%s}" -f bench/insert.sql "$DB_URL" 2>/dev/null | awk '/tps/ {print "   " $0}'
