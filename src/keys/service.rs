use chrono::{DateTime, TimeDelta, Utc};

use super::models::*;
use super::repo;
use crate::auth::{tokens, Auth};
use crate::cache::Invalidation;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::ids::{ApiKeyId, CustomerId};
use crate::pagination::{List, Page};
use crate::state::AppState;
use crate::tenancy::Scope;

pub const MAX_GRACE_SECONDS: i64 = 30 * 86_400;

fn new_key(
    scope: Scope,
    customer: CustomerId,
    name: Option<String>,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> (ApiKey, String) {
    let t = tokens::new_api_key(scope.mode);
    let row = ApiKey {
        tenant_id: scope.tenant_id,
        mode: scope.mode,
        id: ApiKeyId::new(),
        customer_id: customer,
        name,
        prefix: t.prefix,
        last4: t.key[t.key.len() - 4..].to_string(),
        key_hash: t.hash.to_vec(),
        created_at: now,
        expires_at,
        revoked_at: None,
    };
    (row, t.key)
}

fn created(k: ApiKey, key: String) -> CreatedApiKey {
    CreatedApiKey {
        id: k.id,
        key,
        customer: k.customer_id,
        name: k.name,
        prefix: k.prefix,
        last4: k.last4,
        created_at: k.created_at,
        expires_at: k.expires_at,
    }
}

fn hash_of(k: &ApiKey) -> [u8; 32] {
    k.key_hash.as_slice().try_into().unwrap_or([0; 32])
}

pub async fn create(
    state: &AppState,
    auth: Auth,
    customer: CustomerId,
    req: CreateApiKeyRequest,
) -> ApiResult<CreatedApiKey> {
    let scope = auth.scope;
    let now = crate::testclock::now_for(state, scope).await?;
    if req.expires_at.is_some_and(|e| e <= now) {
        return Err(ApiError::bad_request(ErrorCode::ParameterInvalid, "expires_at must be in the future")
            .with_param("expires_at"));
    }
    let (row, key) = new_key(scope, customer, req.name.map(|n| n.into_inner()), req.expires_at, now);
    let row = crate::db::run(&state.pool, move |conn| {
        conn.build_transaction().run(|conn| {
            crate::customers::repo::find(conn, scope, customer)?.ok_or_else(|| ApiError::not_found("customer"))?;
            repo::insert(conn, &row)?;
            // The key as listed: never the key itself.
            crate::events::emit(conn, scope, "api_key.created", &ApiKeyObject::from(row.clone()), now)?;
            Ok::<_, ApiError>(row)
        })
    })
    .await?;
    Ok(created(row, key))
}

pub async fn list(state: &AppState, auth: Auth, customer: CustomerId, page: Page) -> ApiResult<List<ApiKeyObject>> {
    let scope = auth.scope;
    let rows = crate::db::run(&state.pool, move |conn| {
        crate::customers::repo::find(conn, scope, customer)?.ok_or_else(|| ApiError::not_found("customer"))?;
        Ok(repo::list(conn, scope, customer, page)?)
    })
    .await?;
    Ok(List::from_rows(rows, page, |k| k.id.to_string(), ApiKeyObject::from))
}

/// Revokes a key at once (again: it keeps its first `revoked_at`).
pub async fn revoke(state: &AppState, auth: Auth, id: ApiKeyId) -> ApiResult<RevokedApiKey> {
    let scope = auth.scope;
    let now = crate::testclock::now_for(state, scope).await?;
    let revoked_at = state
        .caches
        .write(&state.pool, move |conn, changes| {
            let k = repo::lock(conn, scope, id)?.ok_or_else(|| ApiError::not_found("API key"))?;
            Ok(match k.revoked_at {
                Some(at) => at,
                None => {
                    repo::set_end(conn, scope, id, Some(now), k.expires_at)?;
                    changes.invalidate(Invalidation::ApiKey(hash_of(&k)));
                    let mut revoked = k.clone();
                    revoked.revoked_at = Some(now);
                    crate::events::emit(conn, scope, "api_key.revoked", &ApiKeyObject::from(revoked), now)?;
                    now
                }
            })
        })
        .await?;
    Ok(RevokedApiKey { id, revoked_at })
}

/// Issues a new key for the same customer; the old one works `grace_seconds` more.
pub async fn rotate(state: &AppState, auth: Auth, id: ApiKeyId, req: RotateApiKeyRequest) -> ApiResult<CreatedApiKey> {
    let scope = auth.scope;
    let now = crate::testclock::now_for(state, scope).await?;
    let grace = match req.grace_seconds {
        None => 0,
        Some(q) => q.whole_in(0, MAX_GRACE_SECONDS, "grace_seconds")?,
    };
    let (new, key) = state
        .caches
        .write(&state.pool, move |conn, changes| {
            let old = repo::lock(conn, scope, id)?.ok_or_else(|| ApiError::not_found("API key"))?;
            if old.revoked_at.is_some() || old.expires_at.is_some_and(|e| e <= now) {
                return Err(ApiError::conflict(
                    ErrorCode::ApiKeyInactive,
                    "the key is revoked or expired; create a new one instead",
                ));
            }
            let (new, key) = new_key(scope, old.customer_id, old.name.clone(), old.expires_at, now);
            repo::insert(conn, &new)?;
            crate::events::emit(conn, scope, "api_key.created", &ApiKeyObject::from(new.clone()), now)?;
            if grace == 0 {
                repo::set_end(conn, scope, id, Some(now), old.expires_at)?;
                let mut revoked = old.clone();
                revoked.revoked_at = Some(now);
                crate::events::emit(conn, scope, "api_key.revoked", &ApiKeyObject::from(revoked), now)?;
            } else {
                let until = now + TimeDelta::seconds(grace);
                repo::set_end(conn, scope, id, None, Some(old.expires_at.map_or(until, |e| e.min(until))))?;
            }
            changes.invalidate(Invalidation::ApiKey(hash_of(&old)));
            Ok((new, key))
        })
        .await?;
    Ok(created(new, key))
}
