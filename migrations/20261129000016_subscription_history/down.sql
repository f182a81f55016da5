DROP TABLE subscription_changes;
