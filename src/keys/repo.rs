use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::models::ApiKey;
use crate::db::PgConn;
use crate::ids::{ApiKeyId, CustomerId};
use crate::pagination::Page;
use crate::schema::api_keys;
use crate::tenancy::Scope;

pub fn insert(conn: &mut PgConn, k: &ApiKey) -> QueryResult<()> {
    diesel::insert_into(api_keys::table).values(k).execute(conn).map(drop)
}

/// The verify lookup: by hash, across tenants (the hash names one key).
pub fn find_by_hash(conn: &mut PgConn, hash: &[u8; 32]) -> QueryResult<Option<ApiKey>> {
    api_keys::table.filter(api_keys::key_hash.eq(&hash[..])).select(ApiKey::as_select()).first(conn).optional()
}

/// The customer a key belongs to.
pub fn owner(conn: &mut PgConn, scope: Scope, id: ApiKeyId) -> QueryResult<Option<CustomerId>> {
    api_keys::table.find((scope.tenant_id, scope.mode, id)).select(api_keys::customer_id).first(conn).optional()
}

pub fn lock(conn: &mut PgConn, scope: Scope, id: ApiKeyId) -> QueryResult<Option<ApiKey>> {
    api_keys::table
        .filter(api_keys::tenant_id.eq(scope.tenant_id))
        .filter(api_keys::mode.eq(scope.mode))
        .filter(api_keys::id.eq(id))
        .select(ApiKey::as_select())
        .for_update()
        .first(conn)
        .optional()
}

pub fn list(conn: &mut PgConn, scope: Scope, customer: CustomerId, page: Page) -> QueryResult<Vec<ApiKey>> {
    let mut q = api_keys::table
        .filter(api_keys::tenant_id.eq(scope.tenant_id))
        .filter(api_keys::mode.eq(scope.mode))
        .filter(api_keys::customer_id.eq(customer))
        .select(ApiKey::as_select())
        .into_boxed();
    if let Some(before) = page.before {
        q = q.filter(api_keys::id.lt(before));
    }
    q.order(api_keys::id.desc()).limit(page.fetch()).load(conn)
}

pub fn set_end(
    conn: &mut PgConn,
    scope: Scope,
    id: ApiKeyId,
    revoked_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
) -> QueryResult<()> {
    diesel::update(
        api_keys::table
            .filter(api_keys::tenant_id.eq(scope.tenant_id))
            .filter(api_keys::mode.eq(scope.mode))
            .filter(api_keys::id.eq(id)),
    )
    .set((api_keys::revoked_at.eq(revoked_at), api_keys::expires_at.eq(expires_at)))
    .execute(conn)
    .map(drop)
}
