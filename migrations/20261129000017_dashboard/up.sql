-- Dashboard sessions: a tenant's person signed in with email and password. The browser holds a
-- random cookie secret, stored here as SHA-256 only; the session ends after an hour without a
-- request, 12 hours after sign-in, or at sign-out. `mode` is the test/live switch.
CREATE TABLE dashboard_sessions (
    id           uuid        PRIMARY KEY,
    tenant_id    uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id      uuid        NOT NULL,
    cookie_hash  bytea       NOT NULL UNIQUE,
    mode         text        NOT NULL CHECK (mode IN ('test', 'live')),
    last_seen_at timestamptz NOT NULL,
    created_at   timestamptz NOT NULL,
    ended_at     timestamptz
);
