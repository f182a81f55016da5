#!/usr/bin/env python3
"""Creates the benchmark's tenant: features, plans, N customers with API keys, and one customer
with a quota. Writes sk.txt, keys.txt, customers.txt and single_key.txt into the output folder.
Standard library only."""
import json
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor

base, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])


def call(path, body, token=None):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST")
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as res:
        return json.load(res)


signup = call("/v1/signup", {"organization": "Bench", "email": "bench@example.com", "password": "correct horse battery"})
sk = signup["secret_keys"]["test"]
call("/v1/features", {"key": "api_calls", "name": "API calls", "type": "metered"}, sk)
call("/v1/features", {"key": "batch_api", "name": "Batch API", "type": "boolean"}, sk)
call("/v1/plans", {"key": "pro", "name": "Pro", "currency": "USD", "interval": "month", "amount": "99.00",
                   "entitlements": [{"feature": "api_calls", "limit": 1000000000, "reset": "month"},
                                    {"feature": "batch_api"}]}, sk)


def customer(i):
    c = call("/v1/customers", {"email": f"c{i}@example.com"}, sk)["id"]
    call("/v1/subscriptions", {"customer": c, "plan": "pro"}, sk)
    key = call(f"/v1/customers/{c}/api-keys", {}, sk)["key"]
    return c, key


with ThreadPoolExecutor(16) as pool:
    made = list(pool.map(customer, range(count)))

with open(f"{out}/sk.txt", "w") as f:
    f.write(sk)
with open(f"{out}/keys.txt", "w") as f:
    f.write("\n".join(k for _, k in made) + "\n")
with open(f"{out}/customers.txt", "w") as f:
    f.write("\n".join(c for c, _ in made) + "\n")
with open(f"{out}/single_key.txt", "w") as f:
    f.write(made[0][1] + "\n")
with open(f"{out}/single_customer.txt", "w") as f:
    f.write(made[0][0] + "\n")
print(f"tenant ready: {count} customers with keys")
