-- What the bulk writers recorded on a quota counter, one row per writer (its "share").
--
-- Usage batches record whatever the limit says, so they need no lock on the counter row that
-- verify charges against its limit: each bulk writer adds to its own share row instead, and a
-- verify waits for no usage batch's commit. A counter's value is its `usage_counters` row plus
-- all its shares; verify reads the shares in its statement's snapshot and charges its row only
-- if row + shares + what it asks still fits. Shares are never folded into the row (a fold
-- would count them twice for a verify that read them before the fold and the row after it).
CREATE TABLE usage_counter_shares (
    tenant_id    uuid        NOT NULL,
    mode         text        COLLATE "C" NOT NULL,
    customer_id  uuid        NOT NULL,
    feature      text        COLLATE "C" NOT NULL,
    window_start timestamptz NOT NULL,
    share        smallint    NOT NULL,
    used         numeric     NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, mode, customer_id, feature, window_start, share)
) WITH (fillfactor = 50); -- room on each page, so the constant updates stay HOT (in place)
