ALTER TABLE tenants
    DROP COLUMN dunning_retry_days,
    DROP COLUMN dunning_block_after_days,
    DROP COLUMN dunning_cancel_after_days;
ALTER TABLE subscriptions DROP COLUMN payment_blocked_at;
DROP TABLE stripe_events;
ALTER TABLE invoices DROP COLUMN amount_credited;
DROP TABLE refunds;
DROP TABLE credit_notes;
ALTER TABLE invoices
    DROP COLUMN amount_paid,
    DROP COLUMN attempt_count,
    DROP COLUMN next_payment_attempt,
    DROP COLUMN payment_failed_at;
DROP TABLE payments;
DROP TABLE stripe_customers;
DROP TABLE stripe_accounts;
ALTER TABLE jobs DROP COLUMN leased_until;
