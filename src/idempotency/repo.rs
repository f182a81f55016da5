use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;

use crate::db::PgConn;
use crate::schema::idempotency_keys as ik;
use crate::tenancy::Scope;

/// What to do with a request that carries an Idempotency-Key.
#[derive(Debug)]
pub enum Begin {
    /// This request owns the key: run it and record its answer.
    Proceed,
    /// The key has an answer: send it again.
    Replay { status: u16, sealed: Vec<u8> },
    /// The key was used with a different request.
    Mismatch,
    /// The first request with this key is still running.
    InProgress,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = ik, check_for_backend(diesel::pg::Pg))]
struct Record {
    request_digest: Vec<u8>,
    status: Option<i16>,
    response: Option<Vec<u8>>,
    locked_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
}

/// Claims the key, or reports who has it. `stale_after`: an unfinished claim older than this
/// (its server died) may be taken over. `expire_after`: a record older than this is forgotten.
pub fn begin(
    conn: &mut PgConn,
    scope: Scope,
    key: &[u8],
    request: &[u8],
    now: DateTime<Utc>,
    stale_after: TimeDelta,
    expire_after: TimeDelta,
) -> QueryResult<Begin> {
    conn.transaction(|conn| {
        let inserted = diesel::insert_into(ik::table)
            .values((
                ik::tenant_id.eq(scope.tenant_id),
                ik::mode.eq(scope.mode),
                ik::key_digest.eq(key),
                ik::request_digest.eq(request),
                ik::locked_at.eq(now),
                ik::created_at.eq(now),
            ))
            .on_conflict_do_nothing()
            .execute(conn)?;
        if inserted == 1 {
            return Ok(Begin::Proceed);
        }
        let Record { request_digest, status, response: sealed, locked_at, created_at } = ik::table
            .filter(ik::tenant_id.eq(scope.tenant_id))
            .filter(ik::mode.eq(scope.mode))
            .filter(ik::key_digest.eq(key))
            .select(Record::as_select())
            .for_update()
            .first(conn)?;
        let claim = |conn: &mut PgConn, fresh: bool| {
            let target = ik::table
                .filter(ik::tenant_id.eq(scope.tenant_id))
                .filter(ik::mode.eq(scope.mode))
                .filter(ik::key_digest.eq(key));
            if fresh {
                diesel::update(target)
                    .set((
                        ik::request_digest.eq(request),
                        ik::status.eq(None::<i16>),
                        ik::response.eq(None::<Vec<u8>>),
                        ik::locked_at.eq(now),
                        ik::created_at.eq(now),
                    ))
                    .execute(conn)
            } else {
                diesel::update(target).set(ik::locked_at.eq(now)).execute(conn)
            }
        };
        if created_at < now - expire_after {
            claim(conn, true)?;
            return Ok(Begin::Proceed);
        }
        if !crate::crypto::constant_time_eq(&request_digest, request) {
            return Ok(Begin::Mismatch);
        }
        match (status, sealed) {
            (Some(status), Some(sealed)) => Ok(Begin::Replay { status: status as u16, sealed }),
            _ if locked_at < now - stale_after => {
                claim(conn, false)?;
                Ok(Begin::Proceed)
            }
            _ => Ok(Begin::InProgress),
        }
    })
}

pub fn complete(conn: &mut PgConn, scope: Scope, key: &[u8], status: u16, sealed: &[u8]) -> QueryResult<()> {
    diesel::update(
        ik::table
            .filter(ik::tenant_id.eq(scope.tenant_id))
            .filter(ik::mode.eq(scope.mode))
            .filter(ik::key_digest.eq(key)),
    )
    .set((ik::status.eq(status as i16), ik::response.eq(sealed)))
    .execute(conn)
    .map(drop)
}

/// Forgets an unfinished claim, so the client may retry (after a 5xx nothing was committed).
pub fn release(conn: &mut PgConn, scope: Scope, key: &[u8]) -> QueryResult<()> {
    diesel::delete(
        ik::table
            .filter(ik::tenant_id.eq(scope.tenant_id))
            .filter(ik::mode.eq(scope.mode))
            .filter(ik::key_digest.eq(key))
            .filter(ik::status.is_null()),
    )
    .execute(conn)
    .map(drop)
}

pub fn purge(conn: &mut PgConn, older_than: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(ik::table.filter(ik::created_at.lt(older_than))).execute(conn)
}
