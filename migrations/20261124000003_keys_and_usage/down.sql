ALTER TABLE tenants DROP COLUMN pricing_url;
DROP TABLE usage_counters;
DROP TABLE usage_events;
DROP TABLE api_keys;
