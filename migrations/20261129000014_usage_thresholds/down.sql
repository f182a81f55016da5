DROP INDEX webhook_deliveries_created_idx;
DROP INDEX events_id_idx;
DROP TABLE usage_thresholds;
