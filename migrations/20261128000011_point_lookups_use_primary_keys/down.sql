DROP INDEX invoices_number_key;
ALTER TABLE invoices ADD CONSTRAINT invoices_tenant_id_mode_number_key UNIQUE (tenant_id, mode, number);
DROP INDEX invoices_customer_idx;
CREATE INDEX invoices_customer_idx ON invoices (tenant_id, mode, customer_id, id);
DROP INDEX api_keys_customer_idx;
CREATE INDEX api_keys_customer_idx ON api_keys (tenant_id, mode, customer_id, id);
