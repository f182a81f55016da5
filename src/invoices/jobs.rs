//! The background work of billing, as kinds of job: closing a period when it ends, finalizing a
//! draft when its grace period is over, and emailing a finalized invoice. Registered with the
//! queue at start-up ([`register`]); scheduled by [`super::cycle`].

use chrono::{DateTime, Utc};
use diesel::QueryResult;

use crate::db::PgConn;
use crate::error::ApiResult;
use crate::ids::{InvoiceId, SubscriptionId};
use crate::jobs::{Job, Kind, Registry, Runner};
use crate::tenancy::Scope;

/// Jobs due at the same instant run in this order: close, then finalize, then email.
pub const CLOSE_PERIOD: Kind = Kind { name: "close_period", priority: 0 };
pub const FINALIZE_INVOICE: Kind = Kind { name: "finalize_invoice", priority: 1 };
pub const SEND_INVOICE: Kind = Kind { name: "send_invoice", priority: 2 };

pub fn register(registry: &mut Registry) {
    registry.register(CLOSE_PERIOD, run_close_period);
    registry.register(FINALIZE_INVOICE, run_finalize_invoice);
    registry.register(SEND_INVOICE, run_send_invoice);
}

/// The subject of a closing names the subscription and the instant, so each period has its
/// own job.
pub fn close_period(conn: &mut PgConn, scope: Scope, sub: SubscriptionId, at: DateTime<Utc>) -> QueryResult<()> {
    crate::jobs::enqueue(conn, scope, CLOSE_PERIOD, format!("{sub}@{}", at.timestamp_micros()), at)
}

pub fn finalize_invoice(conn: &mut PgConn, scope: Scope, inv: InvoiceId, at: DateTime<Utc>) -> QueryResult<()> {
    crate::jobs::enqueue(conn, scope, FINALIZE_INVOICE, inv.to_string(), at)
}

pub fn send_invoice(conn: &mut PgConn, scope: Scope, inv: InvoiceId, at: DateTime<Utc>) -> QueryResult<()> {
    crate::jobs::enqueue(conn, scope, SEND_INVOICE, inv.to_string(), at)
}

fn run_close_period(conn: &mut PgConn, _: &Runner<'_>, job: &Job) -> ApiResult<()> {
    let sub = job.subject.split_once('@').map_or(job.subject.as_str(), |(sub, _)| sub);
    super::cycle::close_period(conn, job.scope(), job.subject_part_as(sub)?, job.run_at)
}

fn run_finalize_invoice(conn: &mut PgConn, _: &Runner<'_>, job: &Job) -> ApiResult<()> {
    super::cycle::finalize_due(conn, job.scope(), job.subject_as()?, job.run_at)
}

fn run_send_invoice(conn: &mut PgConn, runner: &Runner<'_>, job: &Job) -> ApiResult<()> {
    super::email::send(conn, runner.mailer, runner.email_from, runner.public_url, job.scope(), job.subject_as()?)
}
