// The diesel schema, kept by hand in step with `migrations/`. A mismatch fails the
// integration tests, which run every query against the migrated database.

diesel::table! {
    tenants (id) {
        id -> Uuid,
        name -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    users (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        email -> Text,
        password_hash -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    secret_keys (tenant_id, mode, id) {
        tenant_id -> Uuid,
        mode -> Text,
        id -> Uuid,
        name -> Text,
        prefix -> Text,
        key_hash -> Bytea,
        created_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    idempotency_keys (tenant_id, mode, key_digest) {
        tenant_id -> Uuid,
        mode -> Text,
        key_digest -> Bytea,
        request_digest -> Bytea,
        status -> Nullable<SmallInt>,
        response -> Nullable<Bytea>,
        locked_at -> Timestamptz,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(users -> tenants (tenant_id));
diesel::joinable!(secret_keys -> tenants (tenant_id));

diesel::allow_tables_to_appear_in_same_query!(tenants, users, secret_keys, idempotency_keys);
