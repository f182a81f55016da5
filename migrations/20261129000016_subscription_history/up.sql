-- MRR history (docs/api.md "Analytics"). Subscriptions are updated in place, so past MRR needs
-- its own record: one row, append-only, for every change that can move a subscription's MRR
-- (created, plan or version changed, status changed: trial end, past due, canceled), written
-- in the same transaction as the change. `mrr` is the subscription's monthly amount from that
-- instant (`at`, on the mode's clock) until its next row: the plan's amount normalized to a
-- month (year ÷ 12, week × 52 ÷ 12, day × 365 ÷ 12, divided by the interval count), rounded once
-- to the currency's minor unit, half away from zero, while `active` or `past_due`; else 0.
CREATE TABLE subscription_changes (
    tenant_id       uuid        NOT NULL,
    mode            text        NOT NULL CHECK (mode IN ('test', 'live')),
    seq             bigint      GENERATED ALWAYS AS IDENTITY,
    subscription_id uuid        NOT NULL,
    customer_id     uuid        NOT NULL,
    at              timestamptz NOT NULL,
    status          text        NOT NULL,
    plan_id         uuid        NOT NULL,
    plan_version    integer     NOT NULL,
    currency        text        NOT NULL,
    mrr             numeric     NOT NULL CHECK (mrr >= 0),
    PRIMARY KEY (tenant_id, mode, seq)
);
CREATE INDEX subscription_changes_currency_idx ON subscription_changes (tenant_id, mode, currency, subscription_id, at);

-- Subscriptions that exist already: their history starts with one row at their creation, in
-- their present state (and a second, at zero, when they have ended). What happened between is
-- not known.
INSERT INTO subscription_changes (tenant_id, mode, subscription_id, customer_id, at, status, plan_id, plan_version, currency, mrr)
SELECT s.tenant_id, s.mode, s.id, s.customer_id, s.created_at,
       CASE WHEN s.status = 'canceled' THEN 'active' ELSE s.status END,
       s.plan_id, s.plan_version, v.currency,
       CASE WHEN s.status = 'trialing' THEN 0 ELSE
         round(v.amount * CASE v.interval WHEN 'month' THEN 1.0 WHEN 'year' THEN 1.0 / 12
                                          WHEN 'week' THEN 52.0 / 12 ELSE 365.0 / 12 END / v.interval_count,
               CASE WHEN v.currency IN ('BIF','CLP','DJF','GNF','ISK','JPY','KMF','KRW','PYG','RWF','UGX','UYI','VND','VUV','XAF','XOF','XPF') THEN 0
                    WHEN v.currency IN ('BHD','IQD','JOD','KWD','LYD','OMR','TND') THEN 3
                    WHEN v.currency IN ('CLF','UYW') THEN 4 ELSE 2 END)
       END
FROM subscriptions s
JOIN plan_versions v ON v.tenant_id = s.tenant_id AND v.mode = s.mode AND v.plan_id = s.plan_id AND v.version = s.plan_version;
INSERT INTO subscription_changes (tenant_id, mode, subscription_id, customer_id, at, status, plan_id, plan_version, currency, mrr)
SELECT s.tenant_id, s.mode, s.id, s.customer_id, coalesce(s.ended_at, s.canceled_at, s.created_at), 'canceled',
       s.plan_id, s.plan_version, v.currency, 0
FROM subscriptions s
JOIN plan_versions v ON v.tenant_id = s.tenant_id AND v.mode = s.mode AND v.plan_id = s.plan_id AND v.version = s.plan_version
WHERE s.status = 'canceled';
