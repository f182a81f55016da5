-- Outbound webhooks (docs/api.md "Webhooks"): events written in the same transaction as the
-- change they describe (an outbox), delivered by jobs to the endpoints subscribed to them.

-- Deliveries retry on the wall clock, also in test mode (receivers' replay windows are real
-- time): such a job is due by the instance clock, never by a test clock.
ALTER TABLE jobs ADD COLUMN wall_clock boolean NOT NULL DEFAULT false;

-- The kinds of customer email a tenant has turned off (invoice, receipt, payment_failed,
-- usage_threshold, trial_ending, subscription_canceled).
ALTER TABLE tenants ADD COLUMN emails_off text[] NOT NULL DEFAULT '{}';

CREATE TABLE webhook_endpoints (
    tenant_id                  uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    mode                       text        NOT NULL CHECK (mode IN ('test', 'live')),
    id                         uuid        NOT NULL,
    url                        text        NOT NULL,
    -- Event types, or '*' for all.
    events                     text[]      NOT NULL,
    description                text,
    status                     text        NOT NULL CHECK (status IN ('enabled', 'disabled')),
    disabled_reason            text,
    -- Sealed like the Stripe secrets (bound to tenant, mode and row).
    secret_sealed              bytea       NOT NULL,
    -- After a rotation the old secret signs alongside the new one until this instant.
    previous_secret_sealed     bytea,
    previous_secret_expires_at timestamptz,
    -- The first failure of the current run of failures (5 days of them disable the endpoint).
    failing_since              timestamptz,
    created_at                 timestamptz NOT NULL,
    deleted_at                 timestamptz,
    PRIMARY KEY (tenant_id, mode, id)
);

CREATE TABLE events (
    tenant_id   uuid        NOT NULL,
    mode        text        NOT NULL CHECK (mode IN ('test', 'live')),
    id          uuid        NOT NULL,
    type        text        NOT NULL,
    -- On the mode's clock (the test clock in test mode).
    created_at  timestamptz NOT NULL,
    -- The payload as delivered: {id, type, created_at, mode, data: {object}}.
    payload     jsonb       NOT NULL,
    PRIMARY KEY (tenant_id, mode, id)
);
CREATE INDEX events_type_idx ON events (tenant_id, mode, type, id);

CREATE TABLE webhook_deliveries (
    tenant_id       uuid        NOT NULL,
    mode            text        NOT NULL,
    id              uuid        NOT NULL,
    event_id        uuid        NOT NULL,
    endpoint_id     uuid        NOT NULL,
    attempt         integer     NOT NULL,
    status_code     integer,
    duration_ms     integer     NOT NULL,
    error           text,
    -- Wall clock.
    created_at      timestamptz NOT NULL,
    next_attempt_at timestamptz,
    PRIMARY KEY (tenant_id, mode, id)
);
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, id);
