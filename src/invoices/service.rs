//! Invoice use cases behind the API.

use super::build;
use super::document::Loaded;
use super::models::*;
use super::repo;
use crate::auth::Auth;
use crate::cache::Changes;
use crate::db::PgConn;
use crate::error::{ApiError, ApiResult, ErrorCode};
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
    F: FnOnce(&mut PgConn, &mut Changes, &mut Invoice, chrono::DateTime<chrono::Utc>) -> ApiResult<()> + Send + 'static,
{
    let scope = auth.scope;
    let now = crate::testclock::now_for(state, scope).await?;
    state
        .caches
        .write(&state.pool, move |conn, changes| {
            let mut inv = repo::lock(conn, scope, id)?.ok_or_else(|| ApiError::not_found("invoice"))?;
            f(conn, changes, &mut inv, now)?;
            respond(conn, &inv)
        })
        .await
}

/// Finalizes a draft now, without waiting for the end of its grace period.
pub async fn finalize(state: &AppState, auth: Auth, id: InvoiceId) -> ApiResult<InvoiceResponse> {
    let scope = auth.scope;
    transition(state, auth, id, move |conn, changes, inv, now| {
        build::finalize(conn, changes, scope, inv, now).map(drop)
    })
    .await
}

/// An attempt to collect the invoice is waiting for Stripe: settling it by hand now could make
/// the customer pay twice.
fn refuse_while_collecting(conn: &mut PgConn, inv: &Invoice) -> ApiResult<()> {
    if repo::payment_in_flight(conn, crate::tenancy::Scope { tenant_id: inv.tenant_id, mode: inv.mode }, inv.id)? {
        return Err(ApiError::conflict(
            ErrorCode::PaymentInProgress,
            "a payment of this invoice is in progress; wait for its outcome",
        ));
    }
    Ok(())
}

/// The invoice is settled one way or another: no attempt is scheduled any more, and a job tells
/// the subscriptions, which end its dunning unless another invoice is still overdue.
fn settled(conn: &mut PgConn, inv: &mut Invoice, now: chrono::DateTime<chrono::Utc>) -> ApiResult<()> {
    let scope = crate::tenancy::Scope { tenant_id: inv.tenant_id, mode: inv.mode };
    inv.next_payment_attempt = None;
    repo::save(conn, inv)?;
    Ok(super::jobs::settled(conn, scope, inv, now)?)
}

/// Writes the event of an invoice's change, the invoice as the API shows it.
pub fn announce(
    conn: &mut PgConn,
    inv: &Invoice,
    kind: &'static str,
    at: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    let scope = crate::tenancy::Scope { tenant_id: inv.tenant_id, mode: inv.mode };
    let answer = InvoiceResponse::new(inv, &repo::lines(conn, inv)?);
    crate::events::emit(conn, scope, kind, &answer, at)?;
    Ok(())
}

pub async fn void(state: &AppState, auth: Auth, id: InvoiceId) -> ApiResult<InvoiceResponse> {
    transition(state, auth, id, |conn, _, inv, now| {
        if !matches!(inv.status, InvoiceStatus::Draft | InvoiceStatus::Open | InvoiceStatus::Uncollectible) {
            return Err(ApiError::conflict(
                ErrorCode::InvoiceNotVoidable,
                format!("a {} invoice cannot be voided", inv.status),
            ));
        }
        refuse_while_collecting(conn, inv)?;
        inv.status = InvoiceStatus::Void;
        inv.voided_at = Some(now);
        inv.finalize_at = None;
        settled(conn, inv, now)?;
        announce(conn, inv, "invoice.voided", now)
    })
    .await
}

pub async fn mark_paid(state: &AppState, auth: Auth, id: InvoiceId) -> ApiResult<InvoiceResponse> {
    transition(state, auth, id, |conn, _, inv, now| {
        if !matches!(inv.status, InvoiceStatus::Open | InvoiceStatus::Uncollectible) {
            return Err(ApiError::conflict(
                ErrorCode::InvoiceNotOpen,
                format!("only an open invoice can be marked paid; this one is {}", inv.status),
            ));
        }
        refuse_while_collecting(conn, inv)?;
        inv.status = InvoiceStatus::Paid;
        inv.paid_at = Some(now);
        settled(conn, inv, now)?;
        announce(conn, inv, "invoice.paid", now)
    })
    .await
}

pub async fn mark_uncollectible(state: &AppState, auth: Auth, id: InvoiceId) -> ApiResult<InvoiceResponse> {
    transition(state, auth, id, |conn, _, inv, now| {
        if inv.status != InvoiceStatus::Open {
            return Err(ApiError::conflict(
                ErrorCode::InvoiceNotOpen,
                format!("only an open invoice can be marked uncollectible; this one is {}", inv.status),
            ));
        }
        inv.status = InvoiceStatus::Uncollectible;
        repo::save(conn, inv)?;
        announce(conn, inv, "invoice.uncollectible", now)
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
