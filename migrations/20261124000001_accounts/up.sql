-- Tenants, their users, their secret keys, and stored idempotent responses.
--
-- Rule for every tenant-owned table: `tenant_id` (and, for mode-scoped data, `mode`) lead the
-- primary key, and foreign keys include them, so a row can only reference rows of its own
-- tenant and mode. This is also the layout a sharded PostgreSQL distributes by.

CREATE TABLE tenants (
    id          uuid        PRIMARY KEY,
    name        text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL
);

CREATE TABLE users (
    tenant_id      uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id             uuid        NOT NULL,
    -- Stored lower-cased; emails compare case-insensitively.
    email          text        NOT NULL CHECK (email = lower(email)),
    password_hash  text        NOT NULL,
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
-- One login per email across the service.
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE secret_keys (
    tenant_id   uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    mode        text        NOT NULL CHECK (mode IN ('test', 'live')),
    id          uuid        NOT NULL,
    name        text        NOT NULL,
    -- The first characters of the key, for recognising it in a list.
    prefix      text        NOT NULL,
    -- SHA-256 of the whole key; the key itself is never stored.
    key_hash    bytea       NOT NULL CHECK (length(key_hash) = 32),
    created_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    PRIMARY KEY (tenant_id, mode, id)
);
CREATE UNIQUE INDEX secret_keys_key_hash_key ON secret_keys (key_hash);

CREATE TABLE idempotency_keys (
    tenant_id      uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    mode           text        NOT NULL CHECK (mode IN ('test', 'live')),
    -- HMAC of the client's Idempotency-Key; the key itself is not stored.
    key_digest     bytea       NOT NULL,
    -- HMAC of method, path, query and body: a different request under the same key is refused.
    request_digest bytea       NOT NULL,
    -- NULL while the first request is still running.
    status         smallint,
    -- The first response's body, encrypted with a key derived from the Idempotency-Key and
    -- the server secret (it may hold a secret shown once, like a new key).
    response       bytea,
    locked_at      timestamptz NOT NULL,
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, mode, key_digest)
);
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
