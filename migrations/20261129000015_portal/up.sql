-- Customer portal sessions (docs/api.md "Customer portal"). The tenant's server creates one and
-- sends its customer to the link; the link's token works once, within 15 minutes, and its
-- first visit gives the browser a cookie secret that signs the customer in. Both are random
-- and stored as SHA-256 only. Times are on the wall clock (the instance clock), also in test
-- mode: a browser's session must not stand still with a test clock.
CREATE TABLE portal_sessions (
    tenant_id       uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    mode            text        NOT NULL CHECK (mode IN ('test', 'live')),
    id              uuid        NOT NULL,
    customer_id     uuid        NOT NULL,
    return_url      text,
    link_hash       bytea       NOT NULL UNIQUE,
    link_expires_at timestamptz NOT NULL,
    -- When the link was exchanged for a cookie (it works once).
    used_at         timestamptz,
    cookie_hash     bytea       UNIQUE,
    -- The session ends after an hour without a request.
    last_seen_at    timestamptz,
    revoked_at      timestamptz,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, mode, id),
    FOREIGN KEY (tenant_id, mode, customer_id) REFERENCES customers (tenant_id, mode, id)
);

-- Forms of a session that create something (a key), by a random id the page put in the form:
-- sent twice (a double click, a reload), the second finds its id here and creates nothing.
CREATE TABLE portal_form_uses (
    session_id uuid        NOT NULL,
    form_id    text        NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (session_id, form_id)
);
