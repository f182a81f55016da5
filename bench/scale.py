#!/usr/bin/env python3
"""How cost grows with size (README "Scale"). Run through bench/scale.sh, which builds the
release binary and provides wrk and psql. Standard library only.

  verify     verify throughput and memory with 1,000 and 100,000 customers (each with a
             subscription and an API key), every key verified in turn so every cache holds all
  close      closing the periods of 10,000 and 100,000 subscriptions with usage, through the
             test clock (one advance runs every closing, finalization and invoice email)
  events     the usage series and the upcoming invoice (rating) of one customer with
             10,000,000 events

Bulk rows are cloned in SQL from a customer made through the API, so the set-up measures
nothing of its own; everything timed goes through the API.
"""
import json
import os
import re
import subprocess
import sys
import time
import urllib.request

SERVER_URL = os.environ.get("BENCH_SERVER_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_URL = SERVER_URL.rsplit("/", 1)[0] + "/tollgate_scale"
PORT = int(os.environ.get("PORT", "18089"))
BASE = f"http://127.0.0.1:{PORT}"
DURATION = os.environ.get("DURATION", "15s")
WORK = sys.argv[1]
PHASES = sys.argv[2:] or ["verify", "close", "events"]


def psql(sql, db=DB_URL):
    out = subprocess.run(["psql", db, "-v", "ON_ERROR_STOP=1", "-Atqc", sql], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"psql failed: {out.stderr}")
    return out.stdout.strip()


def call(method, path, body=None, token=None, timeout=3600):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=timeout) as res:
        return json.load(res)


class Server:
    def __enter__(self):
        psql("DROP DATABASE IF EXISTS tollgate_scale WITH (FORCE)", SERVER_URL)
        psql("CREATE DATABASE tollgate_scale", SERVER_URL)
        env = dict(os.environ, DATABASE_URL=DB_URL, LISTEN_ADDR=f"127.0.0.1:{PORT}", RUST_LOG="warn",
                   DATABASE_POOL_SIZE="24", DATA_DIR=f"{WORK}/data")
        self.log = open(f"{WORK}/server.log", "a")
        self.proc = subprocess.Popen(["target/release/tollgate", "serve"], env=env, stdout=self.log, stderr=self.log)
        for _ in range(200):
            try:
                urllib.request.urlopen(BASE + "/readyz", timeout=1)
                return self
            except OSError:
                time.sleep(0.1)
        raise SystemExit("the server did not start")

    def rss_mb(self, peak=False):
        field = "VmHWM" if peak else "VmRSS"
        with open(f"/proc/{self.proc.pid}/status") as f:
            return int(next(l for l in f if l.startswith(field)).split()[1]) // 1024

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait()
        self.log.close()


def tenant(plan):
    n = time.time_ns()
    sk = call("POST", "/v1/signup", {"organization": "Scale", "email": f"scale-{n}@example.com",
                                    "password": "correct horse battery"})["secret_keys"]["test"]
    call("POST", "/v1/features", {"key": "api_calls", "name": "API calls", "type": "metered"}, sk)
    call("POST", "/v1/plans", plan, sk)
    c = call("POST", "/v1/customers", {"email": "template@example.com"}, sk)["id"]
    call("POST", "/v1/subscriptions", {"customer": c, "plan": plan["key"]}, sk)
    return sk, c


# Base62 as src/ids.rs writes it, to name cloned subscriptions in their jobs' subjects.
B62 = """CREATE OR REPLACE FUNCTION pg_temp.b62(u uuid) RETURNS text AS $$
DECLARE n numeric := 0; h text := replace(u::text, '-', ''); o text := ''; i int;
  a text := '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
BEGIN
  FOR i IN 1..32 LOOP n := n * 16 + position(substr(h, i, 1) in '0123456789abcdef') - 1; END LOOP;
  FOR i IN 1..22 LOOP o := substr(a, (n % 62)::int + 1, 1) || o; n := div(n, 62); END LOOP;
  RETURN o;
END $$ LANGUAGE plpgsql;"""


def clone(count, with_jobs):
    """`count` more customers like the template, each with its subscription, an API key
    `tg_test_<32 hex>` and (`with_jobs`) the subscription's pending jobs. Returns the keys."""
    tpl = psql(f"SELECT id FROM customers WHERE email = 'template@example.com'")
    jobs = f"""CREATE TEMP TABLE tj AS SELECT j.* FROM jobs j, ts s WHERE j.subject LIKE 'sub_' || pg_temp.b62(s.id) || '@%';
INSERT INTO jobs SELECT (jsonb_populate_record(j, jsonb_build_object('id', gen_random_uuid(),
    'subject', 'sub_' || pg_temp.b62(m.sid) || substr(j.subject, position('@' in j.subject))))).*
  FROM tj j, m;""" if with_jobs else ""
    # Cloned from valid rows: the foreign-key triggers are skipped for the bulk copy.
    psql(f"""{B62}
SET session_replication_role = replica;
CREATE TEMP TABLE m AS SELECT g, gen_random_uuid() AS cid, gen_random_uuid() AS sid, gen_random_uuid() AS kid
  FROM generate_series(1, {count}) g;
CREATE TEMP TABLE tc AS SELECT * FROM customers WHERE id = '{tpl}';
CREATE TEMP TABLE ts AS SELECT * FROM subscriptions WHERE customer_id = '{tpl}';
ANALYZE m; ANALYZE tc; ANALYZE ts;
INSERT INTO customers SELECT (jsonb_populate_record(c, jsonb_build_object('id', m.cid, 'email', 'c' || m.g || '@example.com'))).*
  FROM tc c, m;
INSERT INTO subscriptions SELECT (jsonb_populate_record(s, jsonb_build_object('id', m.sid, 'customer_id', m.cid))).*
  FROM ts s, m;
INSERT INTO api_keys (tenant_id, mode, id, customer_id, name, prefix, last4, key_hash, created_at)
  SELECT c.tenant_id, c.mode, m.kid, m.cid, 'scale', 'tg_test_' || left(replace(m.kid::text, '-', ''), 4),
         right(replace(m.kid::text, '-', ''), 4), sha256(convert_to('tg_test_' || replace(m.kid::text, '-', ''), 'UTF8')),
         c.created_at
  FROM tc c, m;
{jobs}
ANALYZE customers; ANALYZE subscriptions; ANALYZE api_keys; ANALYZE jobs;""")
    return psql("SELECT 'tg_test_' || replace(id::text, '-', '') FROM api_keys WHERE name = 'scale'").split("\n")


def wrk(name, sk, keys_file):
    env = dict(os.environ, SK=sk, KEYS_FILE=keys_file, FEATURE="api_calls")
    out = subprocess.run(["wrk", "-t2", "-c64", f"-d{DURATION}", "--latency", "-s", "bench/verify.lua", BASE],
                         env=env, capture_output=True, text=True).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)
    p99 = re.search(r"\s99%\s+(\S+)", out).group(1)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return float(rps), p99, int(non2xx.group(1)) if non2xx else 0


def verify_phase():
    plan = {"key": "pro", "name": "Pro", "currency": "USD", "interval": "month", "amount": "99.00",
            "entitlements": [{"feature": "api_calls", "limit": 1000000000, "reset": "month"}]}
    for customers in [int(n) for n in os.environ.get("VERIFY_SIZES", "1000 100000").split()]:
        with Server() as server:
            sk, _ = tenant(plan)
            keys = clone(customers, with_jobs=False)
            keys_file = f"{WORK}/keys-{customers}.txt"
            with open(keys_file, "w") as f:
                f.write("\n".join(keys) + "\n")
            warm = wrk("warm", sk, keys_file)
            rps, p99, errors = wrk("verify", sk, keys_file)
            print(f"verify_metered_{customers}_customers   warm-up {warm[0]:>9.0f} req/s   then {rps:>9.0f} req/s"
                  f"   p99 {p99:<8} non-2xx {errors}   rss {server.rss_mb()} MB (peak {server.rss_mb(True)} MB)",
                  flush=True)


def close_phase():
    plan = {"key": "usage", "name": "Usage", "currency": "USD", "interval": "month", "amount": "10.00",
            "billing": "in_arrears",
            "charges": [{"feature": "api_calls", "model": "per_unit", "unit_amount": "0.001"}]}
    for subs in [int(n) for n in os.environ.get("CLOSE_SIZES", "1000 10000").split()]:
        with Server():
            sk, _ = tenant(plan)
            clone(subs - 1, with_jobs=True)
            # Ten events per customer in the period.
            psql(f"""INSERT INTO usage_events (tenant_id, mode, event_id, customer_id, feature, quantity, occurred_at, received_at)
SELECT c.tenant_id, c.mode, 'e-' || c.id || '-' || g, c.id, 'api_calls', 7, c.created_at + interval '1 hour', c.created_at
FROM customers c, generate_series(1, 10) g; ANALYZE usage_events;""")
            end = psql("SELECT max(current_period_end) FROM subscriptions")
            end = psql(f"SELECT to_char(('{end}'::timestamptz + interval '2 hours') AT TIME ZONE 'UTC', "
                       "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
            started = time.monotonic()
            res = call("POST", "/v1/test-clock/advance", {"to": end}, sk)
            took = time.monotonic() - started
            invoices = psql("SELECT count(*) FROM invoices WHERE status IN ('open', 'paid')")
            print(f"close_{subs}_subscriptions   {took:8.1f} s   {res.get('jobs_run')} jobs   {invoices} invoices finalized"
                  f"   {took / subs * 1e3:.2f} ms per subscription", flush=True)


def events_phase():
    plan = {"key": "usage", "name": "Usage", "currency": "USD", "interval": "month", "amount": "10.00",
            "billing": "in_arrears",
            "charges": [{"feature": "api_calls", "model": "graduated", "tiers": [
                {"up_to": 1000000, "unit_amount": "0.001"}, {"up_to": None, "unit_amount": "0.0005"}]}]}
    with Server() as server:
        sk, customer = tenant(plan)
        count = int(os.environ.get("EVENTS", "10000000"))
        started = time.monotonic()
        psql(f"""INSERT INTO usage_events (tenant_id, mode, event_id, customer_id, feature, quantity, occurred_at, received_at)
SELECT c.tenant_id, c.mode, 'e' || g, c.id, 'api_calls', 1 + g % 3,
       c.created_at + (g::float8 / {count}) * interval '27 days', c.created_at
FROM customers c, generate_series(1, {count}) g WHERE c.email = 'template@example.com'; ANALYZE usage_events;""")
        print(f"events_{count}_inserted_in_sql   {time.monotonic() - started:8.1f} s", flush=True)
        to = psql("SELECT to_char((created_at + interval '27 days') AT TIME ZONE 'UTC', "
                  "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM customers WHERE email = 'template@example.com'")
        call("POST", "/v1/test-clock/advance", {"to": to}, sk)
        for name, path in [("usage_series_daily", f"/v1/customers/{customer}/usage?feature=api_calls&granularity=day"),
                           ("usage_series_hourly", f"/v1/customers/{customer}/usage?feature=api_calls&granularity=hour&from=" + to[:8] + "01T00:00:00Z"),
                           ("upcoming_invoice_rating", f"/v1/customers/{customer}/upcoming-invoice")]:
            times = []
            for _ in range(3):
                started = time.monotonic()
                body = call("GET", path, None, sk)
                times.append(time.monotonic() - started)
            what = body.get("total") or f"{len(body.get('data', []))} buckets"
            print(f"{name}_{count}_events   best {min(times) * 1e3:8.0f} ms   ({what})   rss {server.rss_mb()} MB", flush=True)


for phase in PHASES:
    {"verify": verify_phase, "close": close_phase, "events": events_phase}[phase]()
