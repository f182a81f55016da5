"""The onboarding flow through the Python SDK, end to end against a running server.

    TOLLGATE_URL=http://127.0.0.1:8080 python examples/onboarding.py

Signs up a new tenant, defines a metered feature and a plan with a limit and a per-unit charge,
subscribes a customer, issues an API key, verifies until the limit is reached, records usage,
reads the entitlements, moves the test clock past the period's end and grace, and reads the
invoice that came of it; then shows what an error looks like. Checked with `mypy --strict`.
"""

from __future__ import annotations

import os
import sys
import uuid
from datetime import timedelta
from typing import TypeVar

from tollgate_client import AuthenticatedClient, Client
from tollgate_client.api.accounts import signup
from tollgate_client.api.api_keys import create_api_key
from tollgate_client.api.catalog import create_feature, create_plan
from tollgate_client.api.customers import create_customer, get_customer, list_customers, list_entitlements
from tollgate_client.api.invoices import get_invoice, invoice_document, list_invoices
from tollgate_client.api.subscriptions import create_subscription
from tollgate_client.api.test_clock import advance_test_clock, get_test_clock
from tollgate_client.api.usage import record_usage, record_usage_batch
from tollgate_client.api.verify import verify
from tollgate_client.models import (
    AdvanceRequest,
    ChargeInput,
    ChargeModel,
    CreateApiKeyRequest,
    CreateCustomerRequest,
    CreateFeatureRequest,
    CreatePlanRequest,
    CreateSubscriptionRequest,
    Currency,
    EntitlementInput,
    ErrorCode,
    ErrorEnvelope,
    FeatureType,
    Interval,
    InvoiceStatus,
    Reset,
    SignupRequest,
    UsageBatchRequest,
    UsageEventRequest,
    VerifyCode,
    VerifyRequest,
)
from tollgate_client.types import Response

T = TypeVar("T")


class ApiError(Exception):
    def __init__(self, status: int, error: ErrorEnvelope) -> None:
        super().__init__(f"{status} {error.error.code}: {error.error.message}")
        self.status = status
        self.code = error.error.code


def ok(response: Response[ErrorEnvelope | T]) -> T:
    """The answer, or the API's error raised as an exception."""
    parsed = response.parsed
    if isinstance(parsed, ErrorEnvelope):
        raise ApiError(response.status_code, parsed)
    if parsed is None:
        raise RuntimeError(f"unexpected status {response.status_code}: {response.content!r}")
    return parsed


def main(base_url: str) -> None:
    suffix = uuid.uuid4().hex[:8]
    public = Client(base_url=base_url)
    account = ok(
        signup.sync_detailed(
            client=public,
            body=SignupRequest(
                organization="Acme Weather API", email=f"ada+{suffix}@acme.dev", password="correct horse battery"
            ),
        )
    )
    tollgate = AuthenticatedClient(base_url=base_url, token=account.secret_keys.test)
    print(f"tenant {account.tenant.id}")

    ok(
        create_feature.sync_detailed(
            client=tollgate, body=CreateFeatureRequest(key="api_calls", name="API calls", type_=FeatureType.METERED)
        )
    )
    plan = ok(
        create_plan.sync_detailed(
            client=tollgate,
            body=CreatePlanRequest(
                key="starter",
                name="Starter",
                currency=Currency.USD,
                interval=Interval.MONTH,
                amount="29.00",
                entitlements=[EntitlementInput(feature="api_calls", limit=5, reset=Reset.BILLING_PERIOD)],
                charges=[ChargeInput(feature="api_calls", model=ChargeModel.PER_UNIT, unit_amount="0.25")],
            ),
        )
    )
    customer = ok(
        create_customer.sync_detailed(
            client=tollgate, body=CreateCustomerRequest(email="billing@globex.example", name="Globex")
        )
    )
    subscription = ok(
        create_subscription.sync_detailed(
            client=tollgate, body=CreateSubscriptionRequest(customer=customer.id, plan=plan.key)
        )
    )
    key = ok(create_api_key.sync_detailed(customer.id, client=tollgate, body=CreateApiKeyRequest(name="production")))
    print(f"customer {customer.id} on {plan.key}, key {key.prefix}…")

    # Verify until the limit: five calls are granted, the sixth is not.
    codes = [
        ok(verify.sync_detailed(client=tollgate, body=VerifyRequest(key=key.key, feature="api_calls"))).code
        for _ in range(6)
    ]
    assert codes == [VerifyCode.VALID] * 5 + [VerifyCode.USAGE_EXCEEDED], codes
    print("verify: 5 granted, then USAGE_EXCEEDED")

    # Usage from a batch job: one event, then a batch (recorded whatever the limit; billed).
    ok(
        record_usage.sync_detailed(
            client=tollgate,
            body=UsageEventRequest(customer=customer.id, feature="api_calls", quantity=2, event_id=f"job-{suffix}-1"),
        )
    )
    batch = ok(
        record_usage_batch.sync_detailed(
            client=tollgate,
            body=UsageBatchRequest(
                events=[
                    UsageEventRequest(
                        customer=customer.id, feature="api_calls", quantity=1, event_id=f"job-{suffix}-{n}"
                    )
                    for n in range(2, 5)
                ]
            ),
        )
    )
    assert batch.accepted == 3 and batch.rejected == [], batch

    entitlements = ok(list_entitlements.sync_detailed(customer.id, client=tollgate))
    calls = next(e for e in entitlements.data if e.feature == "api_calls")
    print(f"entitlement api_calls: limit {calls.limit}, used {calls.used}")

    # A month passes: the period closes, its draft finalizes after the grace period.
    clock = ok(get_test_clock.sync_detailed(client=tollgate))
    until = subscription.current_period_end + timedelta(hours=2)
    ok(advance_test_clock.sync_detailed(client=tollgate, body=AdvanceRequest(to=until)))
    print(f"test clock {clock.now:%Y-%m-%d} -> {until:%Y-%m-%d}")

    invoices = ok(list_invoices.sync_detailed(client=tollgate, customer=customer.id, status=InvoiceStatus.OPEN))
    cycle = next(i for i in invoices.data if i.period_end == subscription.current_period_end)
    invoice = ok(get_invoice.sync_detailed(cycle.id, client=tollgate))
    usage = next(line for line in invoice.lines if line.feature == "api_calls")
    # Ten calls and events at 0.25 each, and the next month's base fee in advance.
    assert usage.amount == "2.50", usage.amount
    document = ok(invoice_document.sync_detailed(invoice.id, client=tollgate))
    assert isinstance(invoice.number, str) and invoice.number in document
    print(f"invoice {invoice.number}: {invoice.total} {invoice.currency}, usage {usage.amount}")

    # Errors are typed: an unknown customer, and a wrong key.
    missing = get_customer.sync_detailed("cus_0000000000000000000000", client=tollgate)
    assert missing.status_code == 404
    assert isinstance(missing.parsed, ErrorEnvelope) and missing.parsed.error.code == ErrorCode.RESOURCE_MISSING
    stranger = AuthenticatedClient(base_url=base_url, token="sk_test_" + "x" * 32)
    denied = list_customers.sync_detailed(client=stranger)
    assert denied.status_code == 401
    assert isinstance(denied.parsed, ErrorEnvelope) and denied.parsed.error.code == ErrorCode.INVALID_API_KEY
    print("errors: 404 resource_missing, 401 invalid_api_key")


if __name__ == "__main__":
    main(os.environ.get("TOLLGATE_URL", "http://127.0.0.1:8080"))
    sys.exit(0)
