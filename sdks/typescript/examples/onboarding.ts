/**
 * The onboarding flow through the TypeScript SDK, end to end against a running server:
 *
 *   npm run build && TOLLGATE_URL=http://127.0.0.1:8080 node dist/examples/onboarding.js
 *
 * The same steps as the Python flow; compiled with `tsc --strict`, no casts.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createTollgate, ok, type Schemas } from "../src/index.js";

const baseUrl = process.env.TOLLGATE_URL ?? "http://127.0.0.1:8080";
const suffix = randomUUID().slice(0, 8);

const account = await ok(
  createTollgate({ baseUrl }).POST("/v1/signup", {
    body: { organization: "Acme Weather API", email: `ada+${suffix}@acme.dev`, password: "correct horse battery" },
  }),
);
const tollgate = createTollgate({ baseUrl, credential: account.secret_keys.test });
console.log(`tenant ${account.tenant.id}`);

await ok(tollgate.POST("/v1/features", { body: { key: "api_calls", name: "API calls", type: "metered" } }));
const plan = await ok(
  tollgate.POST("/v1/plans", {
    body: {
      key: "starter",
      name: "Starter",
      currency: "USD",
      interval: "month",
      amount: "29.00",
      entitlements: [{ feature: "api_calls", limit: 5, reset: "billing_period" }],
      charges: [{ feature: "api_calls", model: "per_unit", unit_amount: "0.25" }],
    },
  }),
);
const customer = await ok(
  tollgate.POST("/v1/customers", { body: { email: "billing@globex.example", name: "Globex" } }),
);
const subscription = await ok(tollgate.POST("/v1/subscriptions", { body: { customer: customer.id, plan: plan.key } }));
const key = await ok(
  tollgate.POST("/v1/customers/{id}/api-keys", { params: { path: { id: customer.id } }, body: { name: "production" } }),
);
console.log(`customer ${customer.id} on ${plan.key}, key ${key.prefix}…`);

// Verify until the limit: five calls are granted, the sixth is not.
const codes: Schemas["VerifyCode"][] = [];
for (let i = 0; i < 6; i++) {
  const verdict = await ok(tollgate.POST("/v1/verify", { body: { key: key.key, feature: "api_calls" } }));
  codes.push(verdict.code);
}
assert.deepEqual(codes, ["VALID", "VALID", "VALID", "VALID", "VALID", "USAGE_EXCEEDED"]);
console.log("verify: 5 granted, then USAGE_EXCEEDED");

// Usage from a batch job: one event, then a batch (recorded whatever the limit; billed).
await ok(
  tollgate.POST("/v1/usage", {
    body: { customer: customer.id, feature: "api_calls", quantity: 2, event_id: `job-${suffix}-1` },
  }),
);
const batch = await ok(
  tollgate.POST("/v1/usage/batch", {
    body: {
      events: [2, 3, 4].map((n) => ({
        customer: customer.id,
        feature: "api_calls",
        quantity: "1",
        event_id: `job-${suffix}-${n}`,
      })),
    },
  }),
);
assert.equal(batch.accepted, 3);
assert.deepEqual(batch.rejected, []);

const entitlements = await ok(
  tollgate.GET("/v1/customers/{id}/entitlements", { params: { path: { id: customer.id } } }),
);
const calls = entitlements.data.find((e) => e.feature === "api_calls");
assert.ok(calls);
console.log(`entitlement api_calls: limit ${calls.limit}, used ${calls.used}`);

// A month passes: the period closes, its draft finalizes after the grace period.
const clock = await ok(tollgate.GET("/v1/test-clock"));
const until = new Date(Date.parse(subscription.current_period_end) + 2 * 3600 * 1000).toISOString();
await ok(tollgate.POST("/v1/test-clock/advance", { body: { to: until } }));
console.log(`test clock ${clock.now} -> ${until}`);

const invoices = await ok(
  tollgate.GET("/v1/invoices", { params: { query: { customer: customer.id, status: "open" } } }),
);
const cycle = invoices.data.find((i) => Date.parse(i.period_end) === Date.parse(subscription.current_period_end));
assert.ok(cycle);
const invoice = await ok(tollgate.GET("/v1/invoices/{id}", { params: { path: { id: cycle.id } } }));
const usage = invoice.lines.find((line) => line.feature === "api_calls");
assert.ok(usage);
assert.equal(usage.amount, "2.50"); // ten calls and events at 0.25
const document = await ok(
  tollgate.GET("/v1/invoices/{id}/document", { params: { path: { id: invoice.id } }, parseAs: "text" }),
);
assert.ok(invoice.number && document.includes(invoice.number));
console.log(`invoice ${invoice.number}: ${invoice.total} ${invoice.currency}, usage ${usage.amount}`);

// Errors are typed: an unknown customer, and a wrong key.
const missing = await tollgate.GET("/v1/customers/{id}", { params: { path: { id: "cus_0000000000000000000000" } } });
assert.equal(missing.response.status, 404);
assert.equal(missing.error?.error.code, "resource_missing");
const stranger = createTollgate({ baseUrl, credential: `sk_test_${"x".repeat(32)}` });
const denied = await stranger.GET("/v1/customers");
assert.equal(denied.response.status, 401);
assert.equal(denied.error?.error.code, "invalid_api_key");
console.log("errors: 404 resource_missing, 401 invalid_api_key");
