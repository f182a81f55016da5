-- The catalog (features, versioned plans), customers and subscriptions.
-- Every table is keyed by (tenant_id, mode, …) and every foreign key includes both, so a row
-- can only reference rows of its own tenant and mode.

CREATE TABLE features (
    tenant_id   uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    mode        text        NOT NULL CHECK (mode IN ('test', 'live')),
    id          uuid        NOT NULL,
    key         text        NOT NULL,
    name        text        NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('boolean', 'metered', 'config')),
    unit        text,
    -- Metered features are their own meter: how events add up over a period.
    aggregation text        CHECK (aggregation IN ('sum', 'count', 'max', 'unique_count', 'latest')),
    property    text,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, mode, id),
    UNIQUE (tenant_id, mode, key),
    CHECK ((kind = 'metered') = (aggregation IS NOT NULL))
);

CREATE TABLE plans (
    tenant_id      uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    mode           text        NOT NULL CHECK (mode IN ('test', 'live')),
    id             uuid        NOT NULL,
    key            text        NOT NULL,
    latest_version integer     NOT NULL CHECK (latest_version >= 1),
    archived_at    timestamptz,
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, mode, id),
    UNIQUE (tenant_id, mode, key)
);

-- A plan's terms. A version that a subscription has ever referenced is never changed again:
-- editing such a plan writes version N+1.
CREATE TABLE plan_versions (
    tenant_id      uuid        NOT NULL,
    mode           text        NOT NULL,
    plan_id        uuid        NOT NULL,
    version        integer     NOT NULL CHECK (version >= 1),
    name           text        NOT NULL,
    currency       text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    interval       text        NOT NULL CHECK (interval IN ('day', 'week', 'month', 'year')),
    interval_count integer     NOT NULL CHECK (interval_count >= 1),
    amount         numeric     NOT NULL CHECK (amount >= 0),
    billing        text        NOT NULL CHECK (billing IN ('in_advance', 'in_arrears')),
    trial_days     integer     NOT NULL CHECK (trial_days >= 0),
    -- Validated, canonical documents (see catalog::models): what the API shows.
    entitlements   jsonb       NOT NULL,
    charges        jsonb       NOT NULL,
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, mode, plan_id, version),
    FOREIGN KEY (tenant_id, mode, plan_id) REFERENCES plans (tenant_id, mode, id) ON DELETE CASCADE
);

CREATE TABLE customers (
    tenant_id   uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    mode        text        NOT NULL CHECK (mode IN ('test', 'live')),
    id          uuid        NOT NULL,
    email       text        NOT NULL CHECK (email = lower(email)),
    name        text,
    external_id text,
    metadata    jsonb       NOT NULL DEFAULT '{}',
    -- A percentage, e.g. 20.0 for 20 %.
    tax_rate    numeric     CHECK (tax_rate >= 0 AND tax_rate <= 100),
    created_at  timestamptz NOT NULL,
    deleted_at  timestamptz,
    PRIMARY KEY (tenant_id, mode, id)
);
CREATE UNIQUE INDEX customers_external_id_key ON customers (tenant_id, mode, external_id)
    WHERE external_id IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX customers_email_idx ON customers (tenant_id, mode, email);

CREATE TABLE subscriptions (
    tenant_id            uuid        NOT NULL,
    mode                 text        NOT NULL CHECK (mode IN ('test', 'live')),
    id                   uuid        NOT NULL,
    customer_id          uuid        NOT NULL,
    plan_id              uuid        NOT NULL,
    plan_version         integer     NOT NULL,
    status               text        NOT NULL CHECK (status IN ('trialing', 'active', 'past_due', 'canceled')),
    -- Periods are counted from here (see subscriptions::period).
    billing_anchor       timestamptz NOT NULL,
    current_period_start timestamptz NOT NULL,
    current_period_end   timestamptz NOT NULL,
    trial_end            timestamptz,
    cancel_at_period_end boolean     NOT NULL DEFAULT false,
    canceled_at          timestamptz,
    ended_at             timestamptz,
    -- A plan change scheduled for the end of the current period.
    pending_plan_id      uuid,
    pending_plan_version integer,
    created_at           timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, mode, id),
    FOREIGN KEY (tenant_id, mode, customer_id) REFERENCES customers (tenant_id, mode, id),
    FOREIGN KEY (tenant_id, mode, plan_id, plan_version) REFERENCES plan_versions (tenant_id, mode, plan_id, version),
    FOREIGN KEY (tenant_id, mode, pending_plan_id, pending_plan_version)
        REFERENCES plan_versions (tenant_id, mode, plan_id, version),
    CHECK (current_period_start < current_period_end),
    CHECK ((pending_plan_id IS NULL) = (pending_plan_version IS NULL))
);
-- At most one subscription that is not canceled per customer.
CREATE UNIQUE INDEX subscriptions_one_open_per_customer ON subscriptions (tenant_id, mode, customer_id)
    WHERE status <> 'canceled';
CREATE INDEX subscriptions_plan_idx ON subscriptions (tenant_id, mode, plan_id, plan_version);
