-- Payments through each tenant's own Stripe account (docs/api.md "Payments").

-- A job of a kind that calls out (Stripe) runs outside any transaction: its claim commits with a
-- lease on the wall clock (not the test clock, which stands still), and a lease that runs out
-- (the instance died mid-call) lets another instance claim the job again.
ALTER TABLE jobs ADD COLUMN leased_until timestamptz;

-- The Stripe account a tenant connected in one mode. The webhook URL carries `id`, and Stripe's
-- calls carry nothing else, so `id` is unique on its own. The API key and the webhook signing
-- secret are sealed (XChaCha20-Poly1305) under a key derived from the server secret, with the
-- tenant, mode and row as associated data: a dump holds neither, and a sealed value moved to
-- another row does not open.
CREATE TABLE stripe_accounts (
    tenant_id             uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    mode                  text        NOT NULL CHECK (mode IN ('test', 'live')),
    id                    uuid        NOT NULL UNIQUE,
    stripe_account        text        NOT NULL,
    livemode              boolean     NOT NULL,
    api_key_sealed        bytea       NOT NULL,
    -- `rk_test_…x4Fz`: enough to recognise the key, never enough to use it.
    api_key_hint          text        NOT NULL,
    -- Room for Stripe Connect (a platform key acting for this account); unused today.
    connect_account       text,
    webhook_endpoint      text        NOT NULL,
    webhook_secret_sealed bytea       NOT NULL,
    webhook_api_version   text        NOT NULL,
    connected_at          timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, mode),
    CHECK (livemode = (mode = 'live'))
);

-- Our customer in one Stripe account: created there when first needed; its default payment
-- method as Stripe last described it.
CREATE TABLE stripe_customers (
    tenant_id       uuid        NOT NULL,
    mode            text        NOT NULL,
    customer_id     uuid        NOT NULL,
    stripe_account  text        NOT NULL,
    stripe_customer text        NOT NULL,
    pm_id           text,
    pm_brand        text,
    pm_last4        text,
    pm_exp_month    integer,
    pm_exp_year     integer,
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, mode, customer_id, stripe_account),
    FOREIGN KEY (tenant_id, mode, customer_id) REFERENCES customers (tenant_id, mode, id)
);
CREATE UNIQUE INDEX stripe_customers_stripe_id ON stripe_customers (stripe_account, stripe_customer);

-- One try to collect an invoice: one PaymentIntent. The row is written before Stripe is called,
-- and its id is the idempotency key, so a retry after a lost answer cannot charge twice.
CREATE TABLE payments (
    tenant_id             uuid        NOT NULL,
    mode                  text        NOT NULL CHECK (mode IN ('test', 'live')),
    id                    uuid        NOT NULL,
    invoice_id            uuid        NOT NULL,
    customer_id           uuid        NOT NULL,
    stripe_account        text        NOT NULL,
    amount                numeric     NOT NULL CHECK (amount > 0),
    currency              text        NOT NULL,
    -- `created`: written, Stripe's answer not yet recorded (shown as `processing`).
    status                text        NOT NULL
        CHECK (status IN ('created', 'processing', 'requires_action', 'succeeded', 'failed', 'canceled')),
    payment_method        text,
    stripe_payment_intent text UNIQUE,
    failure_code          text,
    failure_message       text,
    -- A decline no retry can cure (lost or stolen card, …): dunning stops retrying.
    hard_decline          boolean     NOT NULL DEFAULT false,
    -- A dispute (chargeback) of the charge, as Stripe last described it: `needs_response`,
    -- `under_review`, `won`, `lost`, …
    dispute_status        text,
    dispute_reason        text,
    -- When the attempt was first sent, on the wall clock (not the test clock): Stripe keeps
    -- its idempotency key 24 hours from then.
    sent_at               timestamptz NOT NULL,
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, mode, id),
    FOREIGN KEY (tenant_id, mode, invoice_id) REFERENCES invoices (tenant_id, mode, id)
);
-- At most one attempt in flight per invoice.
CREATE UNIQUE INDEX payments_in_flight ON payments (tenant_id, mode, invoice_id)
    WHERE status IN ('created', 'processing', 'requires_action');
CREATE INDEX payments_invoice_idx ON payments (invoice_id, id);

ALTER TABLE invoices
    ADD COLUMN amount_paid          numeric     NOT NULL DEFAULT 0 CHECK (amount_paid >= 0),
    ADD COLUMN attempt_count        integer     NOT NULL DEFAULT 0,
    ADD COLUMN next_payment_attempt timestamptz,
    -- The first failed payment: dunning counts its days from here.
    ADD COLUMN payment_failed_at    timestamptz;

-- Corrections to finalized invoices (which never change): numbered gaplessly per tenant and
-- mode, never more than what is left to credit.
CREATE TABLE credit_notes (
    tenant_id   uuid        NOT NULL,
    mode        text        NOT NULL CHECK (mode IN ('test', 'live')),
    id          uuid        NOT NULL,
    seq         bigint      NOT NULL,
    number      text        NOT NULL,
    invoice_id  uuid        NOT NULL,
    customer_id uuid        NOT NULL,
    amount      numeric     NOT NULL CHECK (amount > 0),
    currency    text        NOT NULL,
    reason      text        NOT NULL
        CHECK (reason IN ('duplicate', 'fraudulent', 'order_change', 'product_unsatisfactory')),
    -- Where the credit went: off the invoice's amount due, back to the card, or to the
    -- customer's balance.
    applied_to  text        NOT NULL CHECK (applied_to IN ('invoice', 'refund', 'balance')),
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, mode, id),
    UNIQUE (tenant_id, mode, seq),
    FOREIGN KEY (tenant_id, mode, invoice_id) REFERENCES invoices (tenant_id, mode, id)
);
CREATE INDEX credit_notes_invoice_idx ON credit_notes (invoice_id, id);

-- Money sent back through Stripe for a credit note; its id keys the Stripe call.
CREATE TABLE refunds (
    tenant_id      uuid        NOT NULL,
    mode           text        NOT NULL,
    id             uuid        NOT NULL,
    credit_note_id uuid        NOT NULL,
    payment_id     uuid        NOT NULL,
    amount         numeric     NOT NULL CHECK (amount > 0),
    currency       text        NOT NULL,
    status         text        NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    stripe_refund  text UNIQUE,
    failure_reason text,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, mode, id),
    UNIQUE (tenant_id, mode, credit_note_id),
    FOREIGN KEY (tenant_id, mode, credit_note_id) REFERENCES credit_notes (tenant_id, mode, id),
    FOREIGN KEY (tenant_id, mode, payment_id) REFERENCES payments (tenant_id, mode, id)
);

ALTER TABLE invoices ADD COLUMN amount_credited numeric NOT NULL DEFAULT 0 CHECK (amount_credited >= 0);

-- Stripe's webhook events as received (the inbox): one row per event, whatever the number of
-- deliveries; a job processes each.
CREATE TABLE stripe_events (
    tenant_id   uuid        NOT NULL,
    mode        text        NOT NULL,
    id          text        NOT NULL,
    type        text        NOT NULL,
    object_id   text,
    livemode    boolean     NOT NULL,
    payload     jsonb       NOT NULL,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, mode, id)
);

-- From this instant `verify` answers PAYMENT_REQUIRED (dunning's block step); cleared by payment.
ALTER TABLE subscriptions ADD COLUMN payment_blocked_at timestamptz;

-- Dunning (docs/api.md): retries N days after the first failed payment; access blocked and the
-- subscription canceled after so many days. NULL turns a step off.
ALTER TABLE tenants
    ADD COLUMN dunning_retry_days        integer[] NOT NULL DEFAULT '{1,3,5,7}',
    ADD COLUMN dunning_block_after_days  integer   DEFAULT 14,
    ADD COLUMN dunning_cancel_after_days integer   DEFAULT 21;
