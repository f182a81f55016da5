-- Billing: test clocks, background jobs, invoices.

-- How long a closed period's invoice stays a draft (late usage still lands on it), and how
-- long the customer has to pay once it is final.
ALTER TABLE tenants
    ADD COLUMN invoice_grace_seconds integer NOT NULL DEFAULT 3600
        CHECK (invoice_grace_seconds BETWEEN 0 AND 2592000),
    ADD COLUMN invoice_due_days integer NOT NULL DEFAULT 30 CHECK (invoice_due_days BETWEEN 0 AND 365);

-- A tenant's test-mode clock: the instance clock plus an offset that only grows.
CREATE TABLE test_clocks (
    tenant_id   uuid        PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    offset_us   bigint      NOT NULL CHECK (offset_us >= 0),
    updated_at  timestamptz NOT NULL
);

-- Where the usage of the subscription's current period is rated from: the period's start, or
-- the moment of an immediate plan change within it.
ALTER TABLE subscriptions ADD COLUMN segment_start timestamptz;
UPDATE subscriptions SET segment_start = current_period_start;
ALTER TABLE subscriptions ALTER COLUMN segment_start SET NOT NULL;

-- Usage before this instant is on a finalized invoice: new events there are refused.
ALTER TABLE customers ADD COLUMN billed_through timestamptz;

-- Billing work, claimed with FOR UPDATE SKIP LOCKED by any instance. A job's effects and its
-- `done_at` commit in one transaction, so no job is done twice; (kind, subject) is unique, so
-- no job is enqueued twice. `run_at` is in the time of the job's tenant and mode (the test
-- clock in test mode).
CREATE TABLE jobs (
    id          uuid        PRIMARY KEY,
    tenant_id   uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    mode        text        NOT NULL CHECK (mode IN ('test', 'live')),
    kind        text        NOT NULL,
    subject     text        NOT NULL,
    -- Ties at one instant run in this order (a period closes before its draft finalizes).
    priority    smallint    NOT NULL DEFAULT 0,
    run_at      timestamptz NOT NULL,
    attempts    integer     NOT NULL DEFAULT 0,
    last_error  text,
    done_at     timestamptz,
    -- Set when the job has failed too often; it then waits for a person.
    failed_at   timestamptz,
    -- Bookkeeping only (the database's clock); billing logic reads run_at.
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, mode, kind, subject)
);
CREATE INDEX jobs_due_idx ON jobs (run_at, priority) WHERE done_at IS NULL AND failed_at IS NULL;

CREATE TABLE invoices (
    tenant_id          uuid        NOT NULL,
    mode               text        NOT NULL CHECK (mode IN ('test', 'live')),
    id                 uuid        NOT NULL,
    customer_id        uuid        NOT NULL,
    subscription_id    uuid,
    -- Given at finalization, gaplessly per tenant and mode (see invoice_numbers).
    number             text,
    status             text        NOT NULL CHECK (status IN ('draft', 'open', 'paid', 'void', 'uncollectible')),
    reason             text        NOT NULL
        CHECK (reason IN ('subscription_create', 'subscription_cycle', 'subscription_update', 'subscription_cancel')),
    currency           text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    period_start       timestamptz NOT NULL,
    period_end         timestamptz NOT NULL,
    -- The usage this invoice bills: re-rated from the ledger until the invoice is finalized.
    usage_plan_id      uuid,
    usage_plan_version integer,
    usage_from         timestamptz,
    usage_to           timestamptz,
    tax_rate           numeric,
    subtotal           numeric     NOT NULL DEFAULT 0,
    tax                numeric     NOT NULL DEFAULT 0,
    total              numeric     NOT NULL DEFAULT 0,
    credit_applied     numeric     NOT NULL DEFAULT 0 CHECK (credit_applied >= 0),
    amount_due         numeric     NOT NULL DEFAULT 0 CHECK (amount_due >= 0),
    created_at         timestamptz NOT NULL,
    -- When a draft finalizes by itself (the end of the grace period).
    finalize_at        timestamptz,
    issued_at          timestamptz,
    due_at             timestamptz,
    paid_at            timestamptz,
    voided_at          timestamptz,
    PRIMARY KEY (tenant_id, mode, id),
    FOREIGN KEY (tenant_id, mode, customer_id) REFERENCES customers (tenant_id, mode, id),
    FOREIGN KEY (tenant_id, mode, subscription_id) REFERENCES subscriptions (tenant_id, mode, id),
    UNIQUE (tenant_id, mode, number),
    CHECK ((number IS NULL) = (status = 'draft' OR (status = 'void' AND issued_at IS NULL)))
);
CREATE INDEX invoices_customer_idx ON invoices (tenant_id, mode, customer_id, id);
-- One invoice per start and per closed period of a subscription: two instances closing the same
-- period make one invoice.
CREATE UNIQUE INDEX invoices_one_per_period ON invoices (tenant_id, mode, subscription_id, reason, period_end)
    WHERE reason IN ('subscription_create', 'subscription_cycle');

CREATE TABLE invoice_lines (
    tenant_id    uuid        NOT NULL,
    mode         text        NOT NULL,
    invoice_id   uuid        NOT NULL,
    position     integer     NOT NULL,
    kind         text        NOT NULL CHECK (kind IN ('subscription', 'usage', 'proration')),
    description  text        NOT NULL,
    feature      text,
    quantity     numeric     NOT NULL,
    unit_amount  numeric,
    -- Rounded once, to the currency's minor unit.
    amount       numeric     NOT NULL,
    -- Graduated and volume charges: the tiers, spelled out.
    tiers        jsonb,
    period_start timestamptz NOT NULL,
    period_end   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, mode, invoice_id, position),
    FOREIGN KEY (tenant_id, mode, invoice_id) REFERENCES invoices (tenant_id, mode, id)
);

-- The last number given per tenant and mode. Finalization increments it in the same
-- transaction, so a rolled-back finalization leaves no gap.
CREATE TABLE invoice_numbers (
    tenant_id   uuid   NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    mode        text   NOT NULL CHECK (mode IN ('test', 'live')),
    last_number bigint NOT NULL,
    PRIMARY KEY (tenant_id, mode)
);

-- Credit owed to a customer (a downgrade's unused time worth more than the new charges),
-- applied to their next invoices in the same currency.
CREATE TABLE customer_balances (
    tenant_id   uuid    NOT NULL,
    mode        text    NOT NULL,
    customer_id uuid    NOT NULL,
    currency    text    NOT NULL,
    credit      numeric NOT NULL CHECK (credit >= 0),
    PRIMARY KEY (tenant_id, mode, customer_id, currency),
    FOREIGN KEY (tenant_id, mode, customer_id) REFERENCES customers (tenant_id, mode, id)
);

-- Finalized invoices are immutable, whatever route or query tries: the database refuses.
CREATE FUNCTION invoices_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'invoice % is finalized and cannot be deleted', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'draft' AND (
        NEW.status = 'draft'
        OR (NEW.number, NEW.customer_id, NEW.subscription_id, NEW.currency, NEW.period_start, NEW.period_end,
            NEW.tax_rate, NEW.subtotal, NEW.tax, NEW.total, NEW.credit_applied, NEW.amount_due, NEW.issued_at,
            NEW.due_at)
           IS DISTINCT FROM
           (OLD.number, OLD.customer_id, OLD.subscription_id, OLD.currency, OLD.period_start, OLD.period_end,
            OLD.tax_rate, OLD.subtotal, OLD.tax, OLD.total, OLD.credit_applied, OLD.amount_due, OLD.issued_at,
            OLD.due_at)
    ) THEN
        RAISE EXCEPTION 'invoice % is finalized and cannot change', OLD.id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER invoices_immutable BEFORE UPDATE OR DELETE ON invoices
    FOR EACH ROW EXECUTE FUNCTION invoices_immutable();

CREATE FUNCTION invoice_lines_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r record;
    s text;
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    SELECT status INTO s FROM invoices WHERE tenant_id = r.tenant_id AND mode = r.mode AND id = r.invoice_id;
    IF s IS DISTINCT FROM 'draft' THEN
        RAISE EXCEPTION 'the lines of finalized invoice % cannot change', r.invoice_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER invoice_lines_immutable BEFORE INSERT OR UPDATE OR DELETE ON invoice_lines
    FOR EACH ROW EXECUTE FUNCTION invoice_lines_immutable();
