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

/// Telling the tenant's systems a trial ends in three days (`subscription.trial_will_end`).
pub const TRIAL_WILL_END: Kind = Kind { name: "trial_will_end", priority: 10 };

/// How long before a trial's end `subscription.trial_will_end` is sent.
pub const TRIAL_NOTICE: chrono::TimeDelta = chrono::TimeDelta::days(3);

pub fn register(registry: &mut Registry) {
    registry.register(CLOSE_PERIOD, run_close_period);
    registry.register(TRIAL_WILL_END, run_trial_will_end);
    registry.register(crate::invoices::jobs::SETTLED, run_settled);
}

/// Schedules the notice of a trial's end (at once, if the trial is shorter than the notice).
pub fn trial_will_end(
    conn: &mut PgConn,
    scope: Scope,
    sub: SubscriptionId,
    trial_end: DateTime<Utc>,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    let at = (trial_end - TRIAL_NOTICE).max(now);
    crate::jobs::enqueue(conn, scope, TRIAL_WILL_END, format!("{sub}@{}", trial_end.timestamp_micros()), at)
}

fn run_settled(conn: &mut PgConn, _: &Runner<'_>, job: &Job) -> ApiResult<()> {
    let sub = job.subject.split_once('@').map_or(job.subject.as_str(), |(sub, _)| sub);
    let id = job.subject_part_as(sub)?;
    crate::cache::announcing(conn, |conn, changes| {
        super::events::end_dunning_if_settled(conn, changes, job.scope(), Some(id), job.run_at)
    })
    .map(drop)
}

fn run_trial_will_end(conn: &mut PgConn, _: &Runner<'_>, job: &Job) -> ApiResult<()> {
    let sub = job.subject.split_once('@').map_or(job.subject.as_str(), |(sub, _)| sub);
    let id = job.subject_part_as(sub)?;
    let scope = job.scope();
    let Some(s) = super::repo::find(conn, scope, id)? else { return Ok(()) };
    // Only while it is still the same trial.
    if s.status != super::models::Status::Trialing
        || s.trial_end.map(|t| t.timestamp_micros()).map(|t| format!("{id}@{t}")) != Some(job.subject.clone())
    {
        return Ok(());
    }
    let answer = super::events::respond(conn, scope, vec![s])?.pop().expect("one in, one out");
    crate::events::emit(conn, scope, "subscription.trial_will_end", &answer, job.run_at)?;
    crate::notices::notice(conn, scope, crate::notices::EmailKind::TrialEnding, id, job.run_at)?;
    Ok(())
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
