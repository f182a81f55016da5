//! Portal sessions: the link a tenant's server asks for, its one exchange for a browser cookie,
//! and the cookie's look-up on every page. Times are on the instance clock (wall time).

use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::web::{IDLE, LONGEST, TOUCH_EVERY};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::ids::{CustomerId, PortalSessionId};
use crate::schema::portal_sessions as ps;
use crate::state::AppState;
use crate::tenancy::{Mode, Scope};

/// How long a link works before its first visit.
pub const LINK_VALID: TimeDelta = TimeDelta::minutes(15);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePortalSessionRequest {
    pub customer: CustomerId,
    /// Where the portal's "back" link leads (your site); `http(s)`, at most 2,048 characters.
    #[schema(
        example = "https://example.com/account",
        max_length = 2048,
        pattern = r"^https?://[^\s/\u0000-\u001f\u007f-\u009f][^\s\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub return_url: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PortalSessionResponse {
    pub id: PortalSessionId,
    pub customer: CustomerId,
    /// Send the customer here. It works once, until `expires_at`.
    #[schema(example = "https://billing.example.com/portal/enter/ps_3kTq…")]
    pub url: String,
    pub return_url: Option<String>,
    /// When the link stops working if it was not visited (wall clock).
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevokedPortalSession {
    pub id: PortalSessionId,
    pub revoked_at: DateTime<Utc>,
}

fn checked_return_url(raw: Option<String>) -> ApiResult<Option<String>> {
    let Some(raw) = raw else { return Ok(None) };
    if raw.len() > 2048 {
        return Err(ApiError::invalid_param("return_url", "at most 2,048 characters"));
    }
    // As the schema's pattern says: the page only links to it (escaped), so no more is needed
    // than that it leads to a site over http(s).
    let rest = raw.strip_prefix("https://").or_else(|| raw.strip_prefix("http://"));
    match rest {
        Some(r)
            if !r.is_empty() && !r.starts_with('/') && !raw.chars().any(|c| c.is_whitespace() || c.is_control()) =>
        {
            Ok(Some(raw))
        }
        _ => Err(ApiError::invalid_param("return_url", "an absolute http(s) URL")),
    }
}

pub async fn create(state: &AppState, auth: Auth, req: CreatePortalSessionRequest) -> ApiResult<PortalSessionResponse> {
    let scope = auth.scope;
    let return_url = checked_return_url(req.return_url)?;
    let token = format!("ps_{}", crate::crypto::random_base62(40));
    let hash = crate::crypto::sha256(token.as_bytes()).to_vec();
    let now = state.clock.now();
    let id = PortalSessionId::new();
    let customer = req.customer;
    let expires_at = now + LINK_VALID;
    let url = format!("{}/portal/enter/{token}", state.settings.public_url.trim_end_matches('/'));
    let ret = return_url.clone();
    crate::db::run(&state.pool, move |conn| {
        crate::customers::repo::find(conn, scope, customer)?
            .ok_or_else(|| ApiError::not_found("customer").with_param("customer"))?;
        diesel::insert_into(ps::table)
            .values((
                ps::tenant_id.eq(scope.tenant_id),
                ps::mode.eq(scope.mode),
                ps::id.eq(id.0),
                ps::customer_id.eq(customer),
                ps::return_url.eq(ret),
                ps::link_hash.eq(hash),
                ps::link_expires_at.eq(expires_at),
                ps::created_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    })
    .await?;
    Ok(PortalSessionResponse { id, customer, url, return_url, expires_at, created_at: now })
}

/// Ends a session (or a link not yet used) at once; again: it keeps its first `revoked_at`.
pub async fn revoke(state: &AppState, auth: Auth, id: PortalSessionId) -> ApiResult<RevokedPortalSession> {
    let scope = auth.scope;
    let now = state.clock.now();
    let revoked_at = crate::db::run(&state.pool, move |conn| {
        let row = ps::table.find((scope.tenant_id, scope.mode, id.0));
        let found: Option<Option<DateTime<Utc>>> = row.select(ps::revoked_at).for_update().first(conn).optional()?;
        match found {
            None => Err(ApiError::not_found("portal session")),
            Some(Some(at)) => Ok(at),
            Some(None) => {
                diesel::update(row).set(ps::revoked_at.eq(Some(now))).execute(conn)?;
                Ok(now)
            }
        }
    })
    .await?;
    Ok(RevokedPortalSession { id, revoked_at })
}

/// A signed-in customer.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: PortalSessionId,
    pub scope: Scope,
    pub customer: CustomerId,
    pub return_url: Option<String>,
}

impl Session {
    /// What the services the portal calls see: the tenant's scope, acting for this customer.
    pub fn auth(&self) -> Auth {
        Auth { scope: self.scope, actor: crate::auth::Actor::Portal(self.customer) }
    }
}

type Row = (uuid::Uuid, uuid::Uuid, String, uuid::Uuid, Option<String>);

fn session_of((tenant, id, mode, customer, return_url): Row) -> Option<Session> {
    Some(Session {
        id: PortalSessionId(id),
        scope: Scope { tenant_id: crate::ids::TenantId(tenant), mode: Mode::parse(&mode)? },
        customer: CustomerId(customer),
        return_url,
    })
}

/// Why a link gave no session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRefused {
    /// No such link (or a mistyped one).
    Unknown,
    /// Used before, expired, or revoked: the tenant must make a new one.
    Spent,
}

/// The session of the link whose token hashes to `hash`, if the link can still be used at
/// `now`; with `lock`, its row stays locked to the end of the transaction (it is being spent).
fn usable_link(
    conn: &mut crate::db::PgConn,
    hash: &[u8],
    now: DateTime<Utc>,
    lock: bool,
) -> QueryResult<Result<Row, LinkRefused>> {
    type Found = (Row, DateTime<Utc>, Option<DateTime<Utc>>, Option<DateTime<Utc>>);
    let q = ps::table.filter(ps::link_hash.eq(hash)).select((
        (ps::tenant_id, ps::id, ps::mode, ps::customer_id, ps::return_url),
        ps::link_expires_at,
        ps::used_at,
        ps::revoked_at,
    ));
    let found: Option<Found> = if lock { q.for_update().first(conn) } else { q.first(conn) }.optional()?;
    let Some((row, expires_at, used_at, revoked_at)) = found else { return Ok(Err(LinkRefused::Unknown)) };
    if used_at.is_some() || revoked_at.is_some() || expires_at <= now {
        return Ok(Err(LinkRefused::Spent));
    }
    Ok(Ok(row))
}

/// Whose a link is (the tenant's name and the customer's), if it can still be used; changes
/// nothing (a link preview or a mail scanner that fetches it does not spend it).
pub async fn peek(state: &AppState, token: String) -> ApiResult<Result<(String, String), LinkRefused>> {
    let hash = crate::crypto::sha256(token.as_bytes()).to_vec();
    let now = state.clock.now();
    crate::db::run(&state.pool, move |conn| {
        let row = match usable_link(conn, &hash, now, false)? {
            Ok(row) => row,
            Err(refused) => return Ok(Err(refused)),
        };
        let Some(s) = session_of(row) else { return Ok(Err(LinkRefused::Unknown)) };
        let tenant = crate::accounts::repo::find_tenant(conn, s.scope.tenant_id)?.map(|t| t.name).unwrap_or_default();
        let customer = crate::customers::repo::find(conn, s.scope, s.customer)?;
        let Some(c) = customer else { return Ok(Err(LinkRefused::Unknown)) };
        Ok(Ok((tenant, c.name.unwrap_or(c.email))))
    })
    .await
}

/// Exchanges a link's token for a new cookie secret: the session's, returned once.
pub async fn enter(state: &AppState, token: String) -> ApiResult<Result<(Session, String), LinkRefused>> {
    let hash = crate::crypto::sha256(token.as_bytes()).to_vec();
    let cookie = crate::crypto::random_base62(43);
    let cookie_hash = crate::crypto::sha256(cookie.as_bytes()).to_vec();
    let now = state.clock.now();
    crate::db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let row = match usable_link(conn, &hash, now, true)? {
                Ok(row) => row,
                Err(refused) => return Ok(Err(refused)),
            };
            let (tenant, id, mode) = (row.0, row.1, row.2.clone());
            diesel::update(ps::table.find((tenant, mode, id)))
                .set((ps::used_at.eq(Some(now)), ps::cookie_hash.eq(Some(cookie_hash)), ps::last_seen_at.eq(Some(now))))
                .execute(conn)?;
            Ok(session_of(row).map(|s| (s, cookie)).ok_or(LinkRefused::Unknown))
        })
    })
    .await
}

/// Marks a form of a web session (the portal's or the dashboard's: their ids are UUIDv7s, never
/// equal) as sent; false if it was sent before (a double submission, a reload).
async fn first_use(state: &AppState, session: uuid::Uuid, form_id: String) -> ApiResult<bool> {
    use crate::schema::portal_form_uses as u;
    let now = state.clock.now();
    crate::db::run(&state.pool, move |conn| {
        let n = diesel::insert_into(u::table)
            .values((u::session_id.eq(session), u::form_id.eq(form_id), u::created_at.eq(now)))
            .on_conflict_do_nothing()
            .execute(conn)?;
        Ok(n == 1)
    })
    .await
}

/// Runs `create` once per `form_id` of a web session: a form sent again (a double click, a
/// reload of the page it answered) gets None and creates nothing. A refused `create` frees the
/// id, so the form can be corrected and sent again. Without a form id, `create` just runs.
pub async fn once<T>(
    state: &AppState,
    session: uuid::Uuid,
    form_id: Option<&str>,
    create: impl std::future::Future<Output = ApiResult<T>>,
) -> ApiResult<Option<T>> {
    let Some(form_id) = form_id.filter(|f| !f.is_empty()) else { return create.await.map(Some) };
    if !first_use(state, session, form_id.to_string()).await? {
        return Ok(None);
    }
    match create.await {
        Ok(v) => Ok(Some(v)),
        Err(e) => {
            forget_use(state, session, form_id.to_string()).await?;
            Err(e)
        }
    }
}

/// Forgets a form's use (what it asked for failed: it may be sent again).
async fn forget_use(state: &AppState, session: uuid::Uuid, form_id: String) -> ApiResult<()> {
    use crate::schema::portal_form_uses as u;
    crate::db::run(&state.pool, move |conn| {
        diesel::delete(u::table.find((session, form_id))).execute(conn)?;
        Ok(())
    })
    .await
}

/// Deleting sessions ended a day ago or more, and their forms' marks, every hour.
pub const PRUNE: crate::jobs::Chore =
    crate::jobs::Chore { name: "prune_portal_sessions", every: TimeDelta::hours(1), run: prune };

fn prune(conn: &mut crate::db::PgConn, now: DateTime<Utc>) -> QueryResult<usize> {
    use crate::schema::portal_form_uses as u;
    let old = now - LONGEST - TimeDelta::days(1);
    let forms = diesel::delete(u::table.filter(u::created_at.lt(old))).execute(conn)?;
    let sessions = diesel::delete(ps::table.filter(ps::created_at.lt(old))).execute(conn)?;
    Ok(forms + sessions)
}

/// The session a cookie secret belongs to, if it is still open (and marks it seen).
pub async fn find(state: &AppState, cookie: String) -> ApiResult<Option<Session>> {
    let hash = crate::crypto::sha256(cookie.as_bytes()).to_vec();
    let now = state.clock.now();
    crate::db::run(&state.pool, move |conn| {
        let found: Option<(Row, Option<DateTime<Utc>>)> = ps::table
            .filter(ps::cookie_hash.eq(&hash))
            .filter(ps::revoked_at.is_null())
            .filter(ps::last_seen_at.gt(now - IDLE))
            .filter(ps::created_at.gt(now - LONGEST))
            .select(((ps::tenant_id, ps::id, ps::mode, ps::customer_id, ps::return_url), ps::last_seen_at))
            .first(conn)
            .optional()?;
        let Some((row, seen)) = found else { return Ok(None) };
        if seen.is_none_or(|s| now - s >= TOUCH_EVERY) {
            diesel::update(ps::table.find((row.0, row.2.clone(), row.1)))
                .set(ps::last_seen_at.eq(Some(now)))
                .execute(conn)?;
        }
        Ok(session_of(row))
    })
    .await
}
