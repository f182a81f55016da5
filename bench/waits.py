#!/usr/bin/env python3
"""What the ledger's statements wait on in PostgreSQL while a scenario runs: samples
pg_stat_activity every 5 ms and prints, per kind of statement, the share of samples in each
wait event (CPU when there is none). Standard library and psql only.

    bench/waits.py DATABASE_URL SECONDS

A statement is told apart by its text: verify's conditional charge names `charge_limit`, a
usage batch's insert-then-charge counts `FROM ins` (src/ledger/fast.rs).
"""
import collections
import subprocess
import sys
import time

QUERY = """SELECT coalesce(wait_event_type, 'CPU') || ':' || coalesce(wait_event, '-'),
  CASE WHEN query LIKE '%charge_limit%' THEN 'verify' WHEN query LIKE '%FROM ins)%' THEN 'usage batch'
       ELSE 'other' END
FROM pg_stat_activity
WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid();
SELECT 'END';
"""


def main():
    url, seconds = sys.argv[1], float(sys.argv[2])
    psql = subprocess.Popen(["psql", url, "-Atq", "-F", "|"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, bufsize=1)
    seen, samples = collections.Counter(), 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        psql.stdin.write(QUERY)
        psql.stdin.flush()
        while (line := psql.stdout.readline().strip()) != "END":
            wait, kind = line.split("|", 1)
            seen[(kind, wait)] += 1
        samples += 1
        time.sleep(0.005)
    psql.stdin.close()
    psql.wait()
    print(f"   waits, share of {samples} samples (a statement seen in every sample = 1.00):")
    for (kind, wait), n in seen.most_common(8):
        print(f"     {kind:12} {wait:28} {n / samples:.2f}")


if __name__ == "__main__":
    main()
