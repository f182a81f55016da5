"""Schemathesis hooks for Tollgate's fuzz test (tests/api/fuzz.rs).

They keep generated *valid* requests valid in ways a schema cannot say, and leave invalid ones
alone (so that the negative checks still see the flaw they were generated with):

- a well-formed Idempotency-Key becomes a fresh one per request: a key reused with another body
  is refused (422 `idempotency_key_reused`), which is the point of the header, not a defect;
- a well-formed event `timestamp` or key `expires_at` is dropped: both are judged against the
  test clock's present (events at most 35 days back, keys expiring in the future), which the
  fuzzer moves itself;
- NUL characters are taken out of event properties where the schema cannot reach: it describes
  two levels (SDK generators cannot follow a schema that refers to itself), and says in words
  that no text anywhere in them may hold one. Within those two levels they are left, so the
  negative checks still see them.
"""
import re
import uuid
from datetime import datetime

import schemathesis

IDEMPOTENCY_KEY = re.compile(r"^[!-~]{1,255}$")


def _is_time(value):
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _drop_times(obj, *names):
    if isinstance(obj, dict):
        for name in names:
            if name in obj and _is_time(obj[name]):
                del obj[name]


def _no_nul(value):
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_no_nul(v) for v in value]
    if isinstance(value, dict):
        return {k.replace("\x00", ""): _no_nul(v) for k, v in value.items()}
    return value


def _clean_properties(obj):
    props = obj.get("properties") if isinstance(obj, dict) else None
    if not isinstance(props, dict):
        return
    for name, value in list(props.items()):
        if isinstance(value, list):
            props[name] = _no_nul(value)
        elif isinstance(value, dict):
            props[name] = {k: _no_nul(v) for k, v in value.items()}


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    headers = case.headers or {}
    key = headers.get("Idempotency-Key")
    if isinstance(key, str) and IDEMPOTENCY_KEY.match(key):
        headers["Idempotency-Key"] = str(uuid.uuid4())
    body = case.body
    path = case.operation.path
    if path in ("/v1/usage", "/v1/verify"):
        _drop_times(body, "timestamp")
        _clean_properties(body)
    elif path == "/v1/usage/batch" and isinstance(body, dict) and isinstance(body.get("events"), list):
        for event in body["events"]:
            _drop_times(event, "timestamp")
            _clean_properties(event)
    elif path == "/v1/customers/{id}/api-keys":
        _drop_times(body, "expires_at")
