DROP TABLE usage_counter_shares;
