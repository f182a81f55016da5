-- Usage thresholds a customer reached (80 % and 100 % of a metered limit), one row per
-- threshold per limit window (and limit: after a plan change the new limit has its own): the unique
-- key is what makes the `usage.threshold_reached` event
-- and its email happen once, whichever instance or request saw the counter cross.
CREATE TABLE usage_thresholds (
    tenant_id    uuid        NOT NULL,
    mode         text        NOT NULL CHECK (mode IN ('test', 'live')),
    id           uuid        NOT NULL,
    customer_id  uuid        NOT NULL,
    feature      text        NOT NULL,
    window_start timestamptz NOT NULL,
    threshold    smallint    NOT NULL CHECK (threshold IN (80, 100)),
    -- The counter right after the event that crossed the threshold, and the limit it crossed.
    used         numeric     NOT NULL,
    "limit"      numeric     NOT NULL,
    -- When the window ends (NULL: a limit that never resets).
    resets_at    timestamptz,
    -- On the mode's clock.
    reached_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, mode, id),
    UNIQUE (tenant_id, mode, customer_id, feature, window_start, "limit", threshold),
    FOREIGN KEY (tenant_id, mode, customer_id) REFERENCES customers (tenant_id, mode, id)
);

-- Events are kept 30 days of wall-clock time: pruned by their UUIDv7 id, whose first 48 bits
-- are the instant it was made. Delivery attempts as old go too.
CREATE INDEX events_id_idx ON events (id);
CREATE INDEX webhook_deliveries_created_idx ON webhook_deliveries (created_at);
