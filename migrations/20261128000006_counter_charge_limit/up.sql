-- The limit a charge of a counter must stay within, carried into the ledger's upsert so that its
-- `ON CONFLICT DO UPDATE ... WHERE` can read it as `EXCLUDED.charge_limit`. Every counter of a
-- batch is then charged by one statement that locks the rows in key order (see
-- src/ledger/fast.rs). The stored value is whatever the row's first charge carried; nothing
-- reads it from the table.
ALTER TABLE usage_counters ADD COLUMN charge_limit numeric;
