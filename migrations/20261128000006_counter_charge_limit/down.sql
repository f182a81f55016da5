ALTER TABLE usage_counters DROP COLUMN charge_limit;
