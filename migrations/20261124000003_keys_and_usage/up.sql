-- Customer API keys, the usage ledger, and the quota counters that make limits exact.

CREATE TABLE api_keys (
    tenant_id   uuid        NOT NULL,
    mode        text        NOT NULL CHECK (mode IN ('test', 'live')),
    id          uuid        NOT NULL,
    customer_id uuid        NOT NULL,
    name        text,
    -- `tg_test_AbCd…`: the first 12 characters, and the last 4, for recognising a key.
    prefix      text        NOT NULL,
    last4       text        NOT NULL,
    -- SHA-256 of the whole key; the key itself is never stored.
    key_hash    bytea       NOT NULL CHECK (length(key_hash) = 32),
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz,
    revoked_at  timestamptz,
    PRIMARY KEY (tenant_id, mode, id),
    FOREIGN KEY (tenant_id, mode, customer_id) REFERENCES customers (tenant_id, mode, id)
);
CREATE UNIQUE INDEX api_keys_key_hash_key ON api_keys (key_hash);
CREATE INDEX api_keys_customer_idx ON api_keys (tenant_id, mode, customer_id, id);

-- The ledger: one row per accepted usage event, deduplicated by event_id per tenant and mode
-- forever. Append-only and hot, so it carries no foreign keys (each check would lock the
-- customer row); rows are written only after the customer and feature were resolved within the
-- same tenant and mode.
-- The hot text keys compare bytewise (COLLATE "C"): they are identifiers, not prose, and
-- locale-aware comparison in every index probe is measurably slower.
CREATE TABLE usage_events (
    tenant_id   uuid        NOT NULL,
    mode        text        COLLATE "C" NOT NULL,
    event_id    text        COLLATE "C" NOT NULL,
    customer_id uuid        NOT NULL,
    feature     text        COLLATE "C" NOT NULL,
    quantity    numeric     NOT NULL CHECK (quantity >= 0),
    occurred_at timestamptz NOT NULL,
    properties  jsonb,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, mode, event_id)
);
-- Per customer over time (usage series, invoicing). A customer id implies its mode, and the
-- feature is filtered on the way: a narrow index keeps every insert cheaper.
CREATE INDEX usage_events_customer_idx ON usage_events (tenant_id, customer_id, occurred_at);

-- Usage per limit window (a UTC day or month, a billing period, or all time), kept in step with
-- the ledger in the same transactions. Verify locks a counter once per batch of requests, not
-- once per request.
CREATE TABLE usage_counters (
    tenant_id    uuid        NOT NULL,
    mode         text        COLLATE "C" NOT NULL,
    customer_id  uuid        NOT NULL,
    feature      text        COLLATE "C" NOT NULL,
    window_start timestamptz NOT NULL,
    used         numeric     NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, mode, customer_id, feature, window_start)
) WITH (fillfactor = 50); -- room on each page, so the constant updates stay HOT (in place)

-- Where verify sends customers whose plan falls short (`upgrade_url`).
ALTER TABLE tenants ADD COLUMN pricing_url text;
