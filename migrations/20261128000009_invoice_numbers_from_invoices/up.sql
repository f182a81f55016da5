-- The next invoice number is the largest one given plus one, read from this index, while a
-- transaction-scoped advisory lock per tenant and mode serializes finalizations (a rolled-back
-- finalization still leaves no gap). It replaces a counter row updated for every invoice: a
-- test-clock advance finalizing thousands of invoices in one transaction grew that row's chain of
-- versions by one each time and walked all of it on the next: quadratic.
CREATE UNIQUE INDEX invoices_number_seq ON invoices (tenant_id, mode, (substring(number FROM '[0-9]+$')::bigint))
    WHERE number IS NOT NULL;
DROP TABLE invoice_numbers;
