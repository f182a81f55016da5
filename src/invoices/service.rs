//! Invoice use cases behind the API.

use diesel::Connection;

use super::cycle;
use super::document::Loaded;
use super::models::*;
use super::rating;
use super::repo;
use crate::auth::Auth;
use crate::db::PgConn;
use crate::error::{ApiError, ApiResult};
use crate::ids::{CustomerId, InvoiceId};
use crate::pagination::{List, Page};
use crate::state::AppState;

fn respond(conn: &mut PgConn, inv: &Invoice) -> ApiResult<InvoiceResponse> {
    Ok(InvoiceResponse::new(inv, &repo::lines(conn, inv)?))
}

pub async fn list(
    state: &AppState,
    auth: Auth,
    customer: Option<CustomerId>,
    status: Option<InvoiceStatus>,
    page: Page,
) -> ApiResult<List<InvoiceResponse>> {
    let scope = auth.scope;
    crate::db::run(&state.pool, move |conn| {
        let rows = repo::list(conn, scope, customer, status, page)?;
        let ids: Vec<InvoiceId> = rows.iter().map(|i| i.id).collect();
        let mut lines = repo::lines_of(conn, scope, &ids)?;
        Ok(List::from_rows(
            rows,
            page,
            |i| i.id.to_string(),
            |i| {
                let l = lines.remove(&i.id).unwrap_or_default();
                InvoiceResponse::new(&i, &l)
            },
        ))
    })
    .await
}

pub async fn get(state: &AppState, auth: Auth, id: InvoiceId) -> ApiResult<InvoiceResponse> {
    let scope = auth.scope;
    crate::db::run(&state.pool, move |conn| {
        let inv = repo::find(conn, scope, id)?.ok_or_else(|| ApiError::not_found("invoice"))?;
        respond(conn, &inv)
    })
    .await
}

/// Runs `f` on the invoice under its row lock, saves it and answers it.
async fn transition<F>(state: &AppState, auth: Auth, id: InvoiceId, f: F) -> ApiResult<InvoiceResponse>
where
    F: FnOnce(&mut PgConn, &mut Invoice, chrono::DateTime<chrono::Utc>) -> ApiResult<()> + Send + 'static,
{
    let scope = auth.scope;
    let now = crate::testclock::now_for(state, scope).await?;
    let (r, customer) = crate::db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let mut inv = repo::lock(conn, scope, id)?.ok_or_else(|| ApiError::not_found("invoice"))?;
            f(conn, &mut inv, now)?;
            Ok((respond(conn, &inv)?, inv.customer_id))
        })
    })
    .await?;
    // Finalizing moves the customer's "billed through" mark, which verify and usage check.
    state.caches.apply(&crate::cache::Invalidation::Customer(scope, customer));
    Ok(r)
}

/// Finalizes a draft now, without waiting for the end of its grace period.
pub async fn finalize(state: &AppState, auth: Auth, id: InvoiceId) -> ApiResult<InvoiceResponse> {
    let scope = auth.scope;
    transition(state, auth, id, move |conn, inv, now| cycle::finalize(conn, scope, inv, now).map(drop)).await
}

pub async fn void(state: &AppState, auth: Auth, id: InvoiceId) -> ApiResult<InvoiceResponse> {
    transition(state, auth, id, |conn, inv, now| {
        if !matches!(inv.status, InvoiceStatus::Draft | InvoiceStatus::Open | InvoiceStatus::Uncollectible) {
            return Err(ApiError::conflict(
                "invoice_not_voidable",
                format!("a {} invoice cannot be voided", inv.status),
            ));
        }
        inv.status = InvoiceStatus::Void;
        inv.voided_at = Some(now);
        inv.finalize_at = None;
        Ok(repo::save(conn, inv)?)
    })
    .await
}

pub async fn mark_paid(state: &AppState, auth: Auth, id: InvoiceId) -> ApiResult<InvoiceResponse> {
    transition(state, auth, id, |conn, inv, now| {
        if !matches!(inv.status, InvoiceStatus::Open | InvoiceStatus::Uncollectible) {
            return Err(ApiError::conflict(
                "invoice_not_open",
                format!("only an open invoice can be marked paid; this one is {}", inv.status),
            ));
        }
        inv.status = InvoiceStatus::Paid;
        inv.paid_at = Some(now);
        Ok(repo::save(conn, inv)?)
    })
    .await
}

pub async fn mark_uncollectible(state: &AppState, auth: Auth, id: InvoiceId) -> ApiResult<InvoiceResponse> {
    transition(state, auth, id, |conn, inv, _| {
        if inv.status != InvoiceStatus::Open {
            return Err(ApiError::conflict(
                "invoice_not_open",
                format!("only an open invoice can be marked uncollectible; this one is {}", inv.status),
            ));
        }
        inv.status = InvoiceStatus::Uncollectible;
        Ok(repo::save(conn, inv)?)
    })
    .await
}

/// The invoice as a printable HTML page.
pub async fn document(state: &AppState, auth: Auth, id: InvoiceId) -> ApiResult<String> {
    let scope = auth.scope;
    crate::db::run(&state.pool, move |conn| {
        Loaded::load(conn, scope, id)?.ok_or_else(|| ApiError::not_found("invoice"))?.html()
    })
    .await
}

/// What the customer's current period would bill if it closed now: the number a usage
/// dashboard shows. Nothing is written.
pub async fn upcoming(state: &AppState, auth: Auth, customer: CustomerId) -> ApiResult<InvoiceResponse> {
    let scope = auth.scope;
    let now = crate::testclock::now_for(state, scope).await?;
    crate::db::run(&state.pool, move |conn| {
        let c = crate::customers::repo::find(conn, scope, customer)?.ok_or_else(|| ApiError::not_found("customer"))?;
        let sub = crate::subscriptions::repo::open_for_customer(conn, scope, customer)?.ok_or_else(|| {
            ApiError::new(
                actix_web::http::StatusCode::NOT_FOUND,
                "no_upcoming_invoice",
                "the customer has no subscription to invoice",
            )
        })?;
        let current = crate::catalog::repo::referenced_version(conn, scope, sub.plan_id, sub.plan_version)?;
        let next = cycle::next_period(conn, scope, &sub, &current)?;
        let (mut lines, usage) = cycle::closing_lines(&sub, &current, next.as_ref());
        if let Some(u) = usage {
            // Everything recorded for the period so far, as closing it now would bill: an event
            // stamped with the current instant counts (test clocks stand still, so "now" is
            // often exactly the time of the usage just recorded).
            lines.extend(cycle::usage_lines(conn, scope, customer, &current, u.from, u.to)?);
        }
        let currency = current.currency();
        let t = rating::totals(currency, lines.iter().map(|l| l.amount), c.tax_rate);
        let credit = repo::credit(conn, scope, customer, &current.currency, false)?;
        let (due, applied, _) = rating::settle(t.total, credit);
        let inv = Invoice {
            tenant_id: scope.tenant_id,
            mode: scope.mode,
            id: InvoiceId::new(),
            customer_id: customer,
            subscription_id: Some(sub.id),
            number: None,
            status: InvoiceStatus::Upcoming,
            reason: Reason::SubscriptionCycle,
            currency: current.currency.clone(),
            period_start: sub.current_period_start,
            period_end: sub.current_period_end,
            usage_plan_id: None,
            usage_plan_version: None,
            usage_from: None,
            usage_to: None,
            tax_rate: c.tax_rate,
            subtotal: t.subtotal,
            tax: t.tax,
            total: t.total,
            credit_applied: applied,
            amount_due: due,
            created_at: now,
            finalize_at: None,
            issued_at: None,
            due_at: None,
            paid_at: None,
            voided_at: None,
        };
        Ok(InvoiceResponse::new(&inv, &lines))
    })
    .await
}
