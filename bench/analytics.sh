#!/usr/bin/env bash
# The analytics benchmark: MRR over 24 months on 100,000 subscriptions with a history of
# creations, plan changes and cancellations. Prints one line per figure.
#
#   bench/analytics.sh                    # 100,000 subscriptions
#   SUBSCRIPTIONS=10000 bench/analytics.sh
#
# Needs psql, curl and python3, and a PostgreSQL server: BENCH_SERVER_URL (default the local
# server on 127.0.0.1:5432, user postgres). A database `tollgate_analytics` is created anew.
# The history is written straight into `subscription_changes` (as the subscriptions' changes
# would write it), so the figure is the queries' alone.
set -euo pipefail
cd "$(dirname "$0")/.."
SERVER_URL=${BENCH_SERVER_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
DB_URL=${SERVER_URL%/*}/tollgate_analytics
N=${SUBSCRIPTIONS:-100000}
PORT=${PORT:-18089}
BASE=http://127.0.0.1:$PORT
WORK=$(mktemp -d)
trap 'kill $SERVER_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(psql --version)"
cargo build --release --quiet
psql "$SERVER_URL" -qc "DROP DATABASE IF EXISTS tollgate_analytics WITH (FORCE)" -c "CREATE DATABASE tollgate_analytics"
DATABASE_URL=$DB_URL LISTEN_ADDR=127.0.0.1:$PORT RUST_LOG=warn target/release/tollgate serve > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.1; done
SK=$(curl -sf -X POST "$BASE/v1/signup" -H 'Content-Type: application/json' \
  -d '{"organization": "Analytics bench", "email": "a@example.com", "password": "correct horse battery"}' |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["secret_keys"]["test"])')

# N subscriptions over 2024–2025, each its own customer, at 10–50 a month; a third change plan
# once, a fifth cancel, a tenth start with a trial: about 1.6 rows per subscription.
psql "$DB_URL" -q <<SQL
INSERT INTO subscription_changes (tenant_id, mode, subscription_id, customer_id, at, status, plan_id, plan_version, currency, mrr)
SELECT t.id, 'test', s.sub, s.cus, s.start, CASE WHEN s.i % 10 = 0 THEN 'trialing' ELSE 'active' END,
       gen_random_uuid(), 1, 'USD', CASE WHEN s.i % 10 = 0 THEN 0 ELSE 10 * (1 + s.i % 5) END
FROM (SELECT id FROM tenants LIMIT 1) t,
     (SELECT i, gen_random_uuid() AS sub, gen_random_uuid() AS cus,
             timestamptz '2024-01-01' + random() * interval '700 days' AS start
      FROM generate_series(1, $N) i) s;
INSERT INTO subscription_changes (tenant_id, mode, subscription_id, customer_id, at, status, plan_id, plan_version, currency, mrr)
SELECT tenant_id, mode, subscription_id, customer_id, at + random() * interval '200 days', 'active', plan_id, 2, currency,
       10 * (1 + (seq * 7) % 5)
FROM subscription_changes WHERE seq % 3 = 0;
INSERT INTO subscription_changes (tenant_id, mode, subscription_id, customer_id, at, status, plan_id, plan_version, currency, mrr)
SELECT tenant_id, mode, subscription_id, customer_id, max(at) + random() * interval '100 days', 'canceled', min(plan_id::text)::uuid, 1, 'USD', 0
FROM subscription_changes WHERE seq % 5 = 1 GROUP BY tenant_id, mode, subscription_id, customer_id;
ANALYZE subscription_changes;
SQL
echo "   history: $(psql "$DB_URL" -Atc 'SELECT count(*) FROM subscription_changes') rows for $N subscriptions"

time_get() { # name, path
  local best=999999 t
  for _ in 1 2 3 4 5; do
    t=$(curl -s -o "$WORK/out.json" -w '%{time_total}' "$BASE$2" -H "Authorization: Bearer $SK")
    best=$(python3 -c "print(min($best, $t * 1000))")
  done
  printf "%-44s best of 5: %8.1f ms  (%s)\n" "$1" "$best" "$(head -c 120 "$WORK/out.json")"
}
time_get "mrr, 24 monthly buckets" "/v1/analytics/mrr?currency=USD&from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z"
time_get "mrr, 104 weekly buckets" "/v1/analytics/mrr?currency=USD&interval=week&from=2024-01-01T00:00:00Z&to=2025-12-29T00:00:00Z"
time_get "summary" "/v1/analytics/summary?currency=USD"
time_get "revenue, 24 months" "/v1/analytics/revenue?currency=USD&from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z"
