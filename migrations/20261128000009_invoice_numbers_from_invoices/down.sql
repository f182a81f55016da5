CREATE TABLE invoice_numbers (
    tenant_id   uuid   NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    mode        text   NOT NULL CHECK (mode IN ('test', 'live')),
    last_number bigint NOT NULL,
    PRIMARY KEY (tenant_id, mode)
);
INSERT INTO invoice_numbers (tenant_id, mode, last_number)
    SELECT tenant_id, mode, max(substring(number FROM '[0-9]+$')::bigint) FROM invoices
    WHERE number IS NOT NULL GROUP BY tenant_id, mode;
DROP INDEX invoices_number_seq;
