//! Dashboard sessions: made at sign-in, found by the cookie's secret (stored as SHA-256).

use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;

use crate::error::ApiResult;
use crate::ids::{TenantId, UserId};
use crate::portal::web::{IDLE, LONGEST, TOUCH_EVERY};
use crate::schema::dashboard_sessions as ds;
use crate::state::AppState;
use crate::tenancy::{Mode, Scope};

pub const COOKIE: &str = "tollgate_dashboard";

/// A signed-in person, in the mode the switch is on.
#[derive(Debug, Clone)]
pub struct Signed {
    pub id: uuid::Uuid,
    pub scope: Scope,
    pub user: UserId,
}

impl Signed {
    /// What the services see: the person, in the tenant and mode.
    pub fn auth(&self) -> crate::auth::Auth {
        crate::auth::Auth { scope: self.scope, actor: crate::auth::Actor::User(self.user) }
    }

    /// The person, for the services only a person (not a secret key) may call.
    pub fn person(&self) -> crate::auth::Person {
        crate::auth::Person { scope: self.scope, user: self.user }
    }
}

/// Starts a session for `user` (test mode first); returns the cookie's secret, shown once.
pub async fn start(state: &AppState, tenant: TenantId, user: UserId) -> ApiResult<String> {
    let cookie = crate::crypto::random_base62(43);
    let hash = crate::crypto::sha256(cookie.as_bytes()).to_vec();
    let now = state.clock.now();
    crate::db::run(&state.pool, move |conn| {
        diesel::insert_into(ds::table)
            .values((
                ds::id.eq(uuid::Uuid::now_v7()),
                ds::tenant_id.eq(tenant.0),
                ds::user_id.eq(user.0),
                ds::cookie_hash.eq(hash),
                ds::mode.eq(Mode::Test),
                ds::last_seen_at.eq(now),
                ds::created_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    })
    .await?;
    Ok(cookie)
}

/// The open session of a cookie secret (marked seen).
pub async fn find(state: &AppState, cookie: String) -> ApiResult<Option<Signed>> {
    let hash = crate::crypto::sha256(cookie.as_bytes()).to_vec();
    let now = state.clock.now();
    crate::db::run(&state.pool, move |conn| {
        let found: Option<(uuid::Uuid, uuid::Uuid, uuid::Uuid, String, DateTime<Utc>)> = ds::table
            .filter(ds::cookie_hash.eq(&hash))
            .filter(ds::ended_at.is_null())
            .filter(ds::last_seen_at.gt(now - IDLE))
            .filter(ds::created_at.gt(now - LONGEST))
            .select((ds::id, ds::tenant_id, ds::user_id, ds::mode, ds::last_seen_at))
            .first(conn)
            .optional()?;
        let Some((id, tenant, user, mode, seen)) = found else { return Ok(None) };
        // The person may have been removed since.
        let exists: Option<uuid::Uuid> = crate::schema::users::table
            .filter(crate::schema::users::id.eq(user))
            .filter(crate::schema::users::tenant_id.eq(tenant))
            .select(crate::schema::users::id)
            .first(conn)
            .optional()?;
        if exists.is_none() {
            return Ok(None);
        }
        if now - seen >= TOUCH_EVERY {
            diesel::update(ds::table.find(id)).set(ds::last_seen_at.eq(now)).execute(conn)?;
        }
        let Some(mode) = Mode::parse(&mode) else { return Ok(None) };
        Ok(Some(Signed { id, scope: Scope { tenant_id: TenantId(tenant), mode }, user: UserId(user) }))
    })
    .await
}

/// Deleting sessions that ended (or ran out) a day ago or more, every hour.
pub const PRUNE: crate::jobs::Chore =
    crate::jobs::Chore { name: "prune_dashboard_sessions", every: TimeDelta::hours(1), run: prune };

fn prune(conn: &mut crate::db::PgConn, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(ds::table.filter(ds::created_at.lt(now - LONGEST - TimeDelta::days(1)))).execute(conn)
}

pub async fn set_mode(state: &AppState, id: uuid::Uuid, mode: Mode) -> ApiResult<()> {
    crate::db::run(&state.pool, move |conn| {
        diesel::update(ds::table.find(id)).set(ds::mode.eq(mode)).execute(conn)?;
        Ok(())
    })
    .await
}

pub async fn end(state: &AppState, id: uuid::Uuid) -> ApiResult<()> {
    let now = state.clock.now();
    crate::db::run(&state.pool, move |conn| {
        diesel::update(ds::table.find(id)).set(ds::ended_at.eq(Some(now))).execute(conn)?;
        Ok(())
    })
    .await
}
