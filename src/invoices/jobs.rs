//! The background work of invoices, as kinds of job: finalizing a draft when its grace period is
//! over, and emailing a finalized invoice. Registered with the queue at start-up ([`register`]).
//! (Closing a period is the subscriptions' job: [`crate::subscriptions::jobs`].)

use chrono::{DateTime, Utc};
use diesel::QueryResult;

use crate::db::PgConn;
use crate::error::ApiResult;
use crate::ids::InvoiceId;
use crate::jobs::{Job, Kind, Registry, Runner};
use crate::tenancy::Scope;

/// Jobs due at the same instant run in this order: close a period (priority 0), then finalize,
/// then email.
pub const FINALIZE_INVOICE: Kind = Kind { name: "finalize_invoice", priority: 1 };
pub const SEND_INVOICE: Kind = Kind { name: "send_invoice", priority: 2 };

pub fn register(registry: &mut Registry) {
    registry.register(FINALIZE_INVOICE, run_finalize_invoice);
    registry.register(SEND_INVOICE, run_send_invoice);
}

pub fn finalize_invoice(conn: &mut PgConn, scope: Scope, inv: InvoiceId, at: DateTime<Utc>) -> QueryResult<()> {
    crate::jobs::enqueue(conn, scope, FINALIZE_INVOICE, inv.to_string(), at)
}

/// The first attempt to collect a finalized invoice: a job the payments register
/// ([`crate::payments::jobs::COLLECT_INVOICE`]), named here so invoices need not know payments.
pub const COLLECT_INVOICE: Kind = Kind { name: "collect_invoice", priority: 3 };

pub fn collect_invoice(
    conn: &mut PgConn,
    scope: Scope,
    inv: &super::models::Invoice,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    crate::jobs::enqueue(conn, scope, COLLECT_INVOICE, format!("{}/{}", inv.id, inv.attempt_count + 1), at)
}

/// An invoice was settled by hand (marked paid, voided): the subscriptions end its dunning
/// unless another invoice is overdue. Registered by them ([`crate::subscriptions::jobs`]), so
/// invoices need not know subscriptions.
pub const SETTLED: Kind = Kind { name: "invoice_settled", priority: 1 };

pub fn settled(conn: &mut PgConn, scope: Scope, inv: &super::models::Invoice, at: DateTime<Utc>) -> QueryResult<()> {
    match inv.subscription_id {
        Some(sub) => crate::jobs::enqueue(conn, scope, SETTLED, format!("{sub}@{}", inv.id), at),
        None => Ok(()),
    }
}

pub fn send_invoice(conn: &mut PgConn, scope: Scope, inv: InvoiceId, at: DateTime<Utc>) -> QueryResult<()> {
    crate::jobs::enqueue(conn, scope, SEND_INVOICE, inv.to_string(), at)
}

fn run_finalize_invoice(conn: &mut PgConn, _: &Runner<'_>, job: &Job) -> ApiResult<()> {
    let id = job.subject_as()?;
    crate::cache::announcing(conn, |conn, changes| {
        super::build::finalize_due(conn, changes, job.scope(), id, job.run_at)
    })
    .map(drop)
}

fn run_send_invoice(conn: &mut PgConn, runner: &Runner<'_>, job: &Job) -> ApiResult<()> {
    super::email::send(conn, runner.mailer, runner.email_from, runner.public_url, job.scope(), job.subject_as()?)
}
