//! The payments' background work, as kinds of job that call Stripe (see [`crate::jobs`]):
//! collecting an invoice, and processing a Stripe event from the inbox.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use diesel::QueryResult;

use super::gateway::Gateway;
use crate::db::PgConn;
use crate::error::{ApiError, ApiResult};
use crate::ids::InvoiceId;
use crate::invoices::models::Invoice;
use crate::jobs::{Job, Kind, Queue, Ran, Registry, Runner};
use crate::tenancy::Scope;

/// An attempt to collect an invoice; subject `{invoice}/{attempt number}`, so every retry is a
/// job of its own.
pub const COLLECT_INVOICE: Kind = crate::invoices::jobs::COLLECT_INVOICE;
/// A Stripe event from the inbox; subject: the event id.
pub const STRIPE_EVENT: Kind = Kind { name: "stripe_event", priority: 4 };

pub fn register(registry: &mut Registry, gateway: Arc<Gateway>) {
    registry.provide(gateway);
    registry.register_external(COLLECT_INVOICE, |q, job, now| {
        Box::pin(async move { run_collect(q, job, now).await.map(|()| Ran::Done) })
    });
    registry.register_external(STRIPE_EVENT, |q, job, now| {
        Box::pin(async move { run_event(q, job, now).await.map(|()| Ran::Done) })
    });
    registry.register(END_DUNNING, run_end_dunning);
    registry.register_external(RECONCILE, |q, job, now| {
        Box::pin(async move { run_reconcile(q, job, now).await.map(|()| Ran::Done) })
    });
    registry.register_external(PAYMENT_EMAIL, |q, job, now| {
        Box::pin(async move { run_payment_email(q, job, now).await.map(|()| Ran::Done) })
    });
    registry.register_external(REFUND, |q, job, now| {
        Box::pin(async move { run_refund(q, job, now).await.map(|()| Ran::Done) })
    });
}

/// Schedules the invoice's next attempt at `at` (sooner, if one is already scheduled later).
pub fn collect(conn: &mut PgConn, scope: Scope, inv: &Invoice, at: DateTime<Utc>) -> QueryResult<()> {
    crate::jobs::enqueue_or_advance(conn, scope, COLLECT_INVOICE, format!("{}/{}", inv.id, inv.attempt_count + 1), at)
}

/// Reconciling one connection with Stripe; subject `{connection}/{run time}`, each run
/// scheduling the next.
pub const RECONCILE: Kind = Kind { name: "reconcile_stripe", priority: 8 };

pub fn reconcile(
    conn: &mut PgConn,
    scope: Scope,
    row: crate::ids::StripeAccountId,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    crate::jobs::enqueue(conn, scope, RECONCILE, format!("{row}/{}", at.timestamp()), at)
}

async fn run_reconcile(q: Arc<Queue>, job: Job, now: DateTime<Utc>) -> ApiResult<()> {
    let gw = gateway(&q)?;
    let row: crate::ids::StripeAccountId = job.subject_part_as(job.subject.split('/').next().unwrap_or_default())?;
    let scope = job.scope();
    super::reconcile::run(&q.pool, &gw, scope, row, now, q.clock.now()).await?;
    // The next run, if the connection is still this one.
    let next = now.max(job.run_at) + super::reconcile::every(scope.mode);
    crate::db::run(&q.pool, move |conn| {
        if super::repo::account(conn, scope)?.is_some_and(|a| a.id == row) {
            reconcile(conn, scope, row, next)?;
        }
        Ok(())
    })
    .await
}

/// Telling the customer a payment failed or needs them; subject: the payment id.
pub const PAYMENT_EMAIL: Kind = Kind { name: "payment_email", priority: 7 };

pub fn payment_email(
    conn: &mut PgConn,
    scope: Scope,
    payment: crate::ids::PaymentId,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    crate::jobs::enqueue(conn, scope, PAYMENT_EMAIL, payment.to_string(), at)
}

async fn run_payment_email(q: Arc<Queue>, job: Job, _: DateTime<Utc>) -> ApiResult<()> {
    let gw = gateway(&q)?;
    let cx = super::email::Context {
        pool: &q.pool,
        gateway: &gw,
        mailer: &q.mailer,
        from: &q.email_from,
        public_url: &q.public_url,
    };
    super::email::send(cx, job.scope(), job.subject_as()?).await
}

/// Sending a credit note's refund to Stripe; subject: the refund id.
pub const REFUND: Kind = Kind { name: "refund", priority: 6 };

pub fn refund(conn: &mut PgConn, scope: Scope, refund: crate::ids::RefundId, at: DateTime<Utc>) -> QueryResult<()> {
    crate::jobs::enqueue(conn, scope, REFUND, refund.to_string(), at)
}

async fn run_refund(q: Arc<Queue>, job: Job, now: DateTime<Utc>) -> ApiResult<()> {
    let gw = gateway(&q)?;
    super::credit_notes::send_refund(&q.pool, &gw, job.scope(), job.subject_as()?, now).await.map(drop)
}

/// The end of dunning for an invoice; subject: the invoice id.
pub const END_DUNNING: Kind = Kind { name: "end_dunning", priority: 5 };

pub fn end_dunning(conn: &mut PgConn, scope: Scope, invoice: InvoiceId, at: DateTime<Utc>) -> QueryResult<()> {
    crate::jobs::enqueue(conn, scope, END_DUNNING, invoice.to_string(), at)
}

fn run_end_dunning(conn: &mut PgConn, _: &Runner<'_>, job: &Job) -> ApiResult<()> {
    let invoice = job.subject_as()?;
    crate::cache::announcing(conn, |conn, changes| {
        super::service::end_dunning(conn, changes, job.scope(), invoice, job.run_at)
    })
    .map(drop)
}

pub fn process_event(conn: &mut PgConn, scope: Scope, event: &str, at: DateTime<Utc>) -> QueryResult<()> {
    crate::jobs::enqueue(conn, scope, STRIPE_EVENT, event.to_string(), at)
}

fn gateway(q: &Queue) -> ApiResult<Arc<Gateway>> {
    q.extension::<Gateway>()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("payments are not set up on this instance")))
}

async fn run_collect(q: Arc<Queue>, job: Job, now: DateTime<Utc>) -> ApiResult<()> {
    let gw = gateway(&q)?;
    let invoice = job.subject_part_as(job.subject.split('/').next().unwrap_or_default())?;
    super::service::collect(&q.pool, &gw, job.scope(), invoice, (now, q.clock.now()), true).await.map(drop)
}

async fn run_event(q: Arc<Queue>, job: Job, now: DateTime<Utc>) -> ApiResult<()> {
    let gw = gateway(&q)?;
    super::webhooks::process(&q.pool, &gw, job.scope(), &job.subject, now).await
}
