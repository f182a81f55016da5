//! Queries for tenants, users and secret keys. Functions on tenant-owned rows take the tenant
//! first and filter on it.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::models::{SecretKey, Tenant, User};
use crate::db::PgConn;
use crate::ids::{SecretKeyId, TenantId};
use crate::pagination::Page;
use crate::schema::{secret_keys, tenants, users};
use crate::tenancy::Mode;

pub fn insert_tenant(conn: &mut PgConn, tenant: &Tenant) -> QueryResult<()> {
    diesel::insert_into(tenants::table).values(tenant).execute(conn).map(drop)
}

pub fn find_tenant(conn: &mut PgConn, id: TenantId) -> QueryResult<Option<Tenant>> {
    tenants::table.find(id).select(Tenant::as_select()).first(conn).optional()
}

pub fn insert_user(conn: &mut PgConn, user: &User) -> QueryResult<()> {
    diesel::insert_into(users::table).values(user).execute(conn).map(drop)
}

/// Login looks a user up by email across tenants (an email belongs to one tenant).
pub fn find_user_by_email(conn: &mut PgConn, email: &str) -> QueryResult<Option<User>> {
    users::table.filter(users::email.eq(email)).select(User::as_select()).first(conn).optional()
}

pub fn insert_secret_key(conn: &mut PgConn, key: &SecretKey) -> QueryResult<()> {
    diesel::insert_into(secret_keys::table).values(key).execute(conn).map(drop)
}

/// The authentication lookup: by hash, across tenants (the hash names one key).
pub fn list_secret_keys(
    conn: &mut PgConn,
    tenant: TenantId,
    mode: Option<Mode>,
    page: Page,
) -> QueryResult<Vec<SecretKey>> {
    let mut q =
        secret_keys::table.filter(secret_keys::tenant_id.eq(tenant)).select(SecretKey::as_select()).into_boxed();
    if let Some(mode) = mode {
        q = q.filter(secret_keys::mode.eq(mode));
    }
    if let Some(before) = page.before {
        q = q.filter(secret_keys::id.lt(before));
    }
    q.order(secret_keys::id.desc()).limit(page.fetch()).load(conn)
}

/// Revokes a key of `tenant`, idempotently: a revoked key keeps its first `revoked_at`.
/// Answers when it was revoked and the key's hash; `None` when the tenant has no such key.
pub fn revoke_secret_key(
    conn: &mut PgConn,
    tenant: TenantId,
    id: SecretKeyId,
    now: DateTime<Utc>,
) -> QueryResult<Option<(DateTime<Utc>, [u8; 32])>> {
    let key = secret_keys::table.filter(secret_keys::tenant_id.eq(tenant)).filter(secret_keys::id.eq(id));
    let Some((revoked_at, hash)) = key
        .select((secret_keys::revoked_at, secret_keys::key_hash))
        .for_update()
        .first::<(Option<DateTime<Utc>>, Vec<u8>)>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let hash: [u8; 32] = hash.as_slice().try_into().unwrap_or([0; 32]);
    if let Some(at) = revoked_at {
        return Ok(Some((at, hash)));
    }
    diesel::update(key).set(secret_keys::revoked_at.eq(now)).execute(conn)?;
    Ok(Some((now, hash)))
}

pub fn update_tenant(
    conn: &mut PgConn,
    id: TenantId,
    name: Option<String>,
    pricing_url: Option<Option<String>>,
    grace_seconds: Option<i32>,
    due_days: Option<i32>,
) -> QueryResult<()> {
    let target = tenants::table.find(id);
    if let Some(g) = grace_seconds {
        diesel::update(target).set(tenants::invoice_grace_seconds.eq(g)).execute(conn)?;
    }
    if let Some(d) = due_days {
        diesel::update(target).set(tenants::invoice_due_days.eq(d)).execute(conn)?;
    }
    if let Some(name) = name {
        diesel::update(target).set(tenants::name.eq(name)).execute(conn)?;
    }
    if let Some(url) = pricing_url {
        diesel::update(target).set(tenants::pricing_url.eq(url)).execute(conn)?;
    }
    Ok(())
}

/// A tenant's dunning policy, each step counted in days from an invoice's first failed payment.
#[derive(Debug, Clone, Queryable)]
pub struct Dunning {
    /// When the invoice is tried again.
    pub retry_days: Vec<i32>,
    /// From when `verify` answers `PAYMENT_REQUIRED`; `None`: never.
    pub block_after_days: Option<i32>,
    /// When the subscription is canceled and the invoice marked uncollectible; `None`: never.
    pub cancel_after_days: Option<i32>,
}

pub fn dunning(conn: &mut PgConn, id: TenantId) -> QueryResult<Dunning> {
    tenants::table
        .find(id)
        .select((tenants::dunning_retry_days, tenants::dunning_block_after_days, tenants::dunning_cancel_after_days))
        .first(conn)
}

/// Dunning fields to change (`Some(None)`: turn the step off).
#[derive(Debug, Default)]
pub struct DunningChanges {
    pub retry_days: Option<Vec<i32>>,
    pub block_after_days: Option<Option<i32>>,
    pub cancel_after_days: Option<Option<i32>>,
}

pub fn update_dunning(conn: &mut PgConn, id: TenantId, d: DunningChanges) -> QueryResult<()> {
    let target = tenants::table.find(id);
    if let Some(days) = d.retry_days {
        diesel::update(target).set(tenants::dunning_retry_days.eq(days)).execute(conn)?;
    }
    if let Some(days) = d.block_after_days {
        diesel::update(target).set(tenants::dunning_block_after_days.eq(days)).execute(conn)?;
    }
    if let Some(days) = d.cancel_after_days {
        diesel::update(target).set(tenants::dunning_cancel_after_days.eq(days)).execute(conn)?;
    }
    Ok(())
}

pub fn set_emails_off(conn: &mut PgConn, id: TenantId, off: &[String]) -> QueryResult<()> {
    diesel::update(tenants::table.find(id)).set(tenants::emails_off.eq(off)).execute(conn).map(drop)
}

/// Whether the tenant's customers get emails of this kind.
pub fn email_on(conn: &mut PgConn, id: TenantId, kind: crate::notices::EmailKind) -> QueryResult<bool> {
    let off: Vec<String> = tenants::table.find(id).select(tenants::emails_off).first(conn)?;
    Ok(!off.iter().any(|o| o == kind.as_str()))
}

/// The tenant, its row locked until the transaction ends (for read-modify-write settings).
pub fn lock_tenant(conn: &mut PgConn, id: TenantId) -> QueryResult<Option<Tenant>> {
    tenants::table.find(id).select(Tenant::as_select()).for_update().first(conn).optional()
}
