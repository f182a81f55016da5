DROP TABLE webhook_deliveries;
DROP TABLE events;
DROP TABLE webhook_endpoints;
ALTER TABLE jobs DROP COLUMN wall_clock;
ALTER TABLE tenants DROP COLUMN emails_off;
