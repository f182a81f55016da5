#!/usr/bin/env python3
"""Where a usage request's time went in the server's writer during one benchmark scenario, per
lane: time queued before its batch started and time its batch took (commit included), from the
server's Prometheus histograms. Standard library only.

    bench/lanes.py snap FILE BASE_URL    # before the scenario
    bench/lanes.py diff FILE BASE_URL    # after it: prints mean and p99 per lane

A p99 is read off the histogram's buckets: it is the upper edge of the bucket it falls in.
"""
import json
import re
import sys
import urllib.request

SERIES = {
    "tollgate_usage_queue_wait_seconds": "queued",
    "tollgate_usage_batch_seconds": "batch",
}
LINE = re.compile(r'^(\w+)_(bucket|sum|count)\{([^}]*)\} (\S+)$')


def scrape(base):
    """{name: {lane: {"sum": s, "count": n, "buckets": {le: n}}}}"""
    with urllib.request.urlopen(base + "/metrics", timeout=5) as r:
        text = r.read().decode()
    out = {}
    for line in text.splitlines():
        m = LINE.match(line)
        if not m or m.group(1) not in SERIES:
            continue
        labels = dict(kv.split("=", 1) for kv in m.group(3).split(","))
        lane = labels["lane"].strip('"')
        h = out.setdefault(m.group(1), {}).setdefault(lane, {"sum": 0.0, "count": 0.0, "buckets": {}})
        if m.group(2) == "bucket":
            h["buckets"][labels["le"].strip('"')] = float(m.group(4))
        else:
            h[m.group(2)] = float(m.group(4))
    return out


def p99(before, after):
    count = after["count"] - before["count"]
    edges = sorted(after["buckets"], key=lambda le: float(le))
    for le in edges:
        if after["buckets"][le] - before["buckets"].get(le, 0) >= 0.99 * count:
            return le
    return "+Inf"


def main():
    cmd, path, base = sys.argv[1], sys.argv[2], sys.argv[3]
    if cmd == "snap":
        with open(path, "w") as f:
            json.dump(scrape(base), f)
        return
    with open(path) as f:
        before = json.load(f)
    after = scrape(base)
    for name, what in SERIES.items():
        for lane, h in sorted(after.get(name, {}).items()):
            b = before.get(name, {}).get(lane, {"sum": 0.0, "count": 0.0, "buckets": {}})
            n = h["count"] - b["count"]
            if n <= 0:
                continue
            mean_ms = (h["sum"] - b["sum"]) / n * 1000
            le = p99(b, h)
            p = "over 1 s" if le == "+Inf" else f"≤ {float(le) * 1000:g} ms"
            print(f"     {lane:<7} {what:<7} {int(n):>8} × mean {mean_ms:6.2f} ms, p99 {p}")


if __name__ == "__main__":
    main()
