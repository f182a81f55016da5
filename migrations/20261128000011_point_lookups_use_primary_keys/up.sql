-- A lookup by primary key (tenant_id, mode, id) must use the primary key whatever the
-- statistics say. Other indexes led by (tenant_id, mode) matched it too, and with statistics
-- from a nearly empty table (a new deployment; a test-clock advance writing thousands of
-- invoices in one transaction, which no ANALYZE sees) the planner could pick one and walk every
-- invoice of the tenant to find one: a 10,000-subscription advance slowed as it went.
--
-- A customer's invoices and API keys, newest first: led by the customer (ids are unique across
-- tenants; the queries still filter on tenant and mode).
DROP INDEX invoices_customer_idx;
CREATE INDEX invoices_customer_idx ON invoices (customer_id, id);
DROP INDEX api_keys_customer_idx;
CREATE INDEX api_keys_customer_idx ON api_keys (customer_id, id);
-- Numbers are unique among numbered invoices: a partial index, which a query that does not say
-- `number IS NOT NULL` cannot use.
ALTER TABLE invoices DROP CONSTRAINT invoices_tenant_id_mode_number_key;
CREATE UNIQUE INDEX invoices_number_key ON invoices (tenant_id, mode, number) WHERE number IS NOT NULL;
