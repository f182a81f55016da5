//! The subscriptions' background work: closing a period when it ends ([`super::cycle`]).
//! Registered with the queue at start-up ([`register`]).

use chrono::{DateTime, Utc};
use diesel::QueryResult;

use crate::db::PgConn;
use crate::error::ApiResult;
use crate::ids::SubscriptionId;
use crate::jobs::{Job, Kind, Registry, Runner};
use crate::tenancy::Scope;

/// Runs before the invoices' jobs due at the same instant (finalize, then email).
pub const CLOSE_PERIOD: Kind = Kind { name: "close_period", priority: 0 };

pub fn register(registry: &mut Registry) {
    registry.register(CLOSE_PERIOD, run_close_period);
}

/// The subject of a closing names the subscription and the instant, so each period has its
/// own job.
pub fn close_period(conn: &mut PgConn, scope: Scope, sub: SubscriptionId, at: DateTime<Utc>) -> QueryResult<()> {
    crate::jobs::enqueue(conn, scope, CLOSE_PERIOD, format!("{sub}@{}", at.timestamp_micros()), at)
}

fn run_close_period(conn: &mut PgConn, _: &Runner<'_>, job: &Job) -> ApiResult<()> {
    let sub = job.subject.split_once('@').map_or(job.subject.as_str(), |(sub, _)| sub);
    let id = job.subject_part_as(sub)?;
    crate::cache::announcing(conn, |conn, changes| {
        super::cycle::close_period(conn, changes, job.scope(), id, job.run_at)
    })
    .map(drop)
}
