//! Subscription use cases. Each runs in one transaction, on the subscription's row lock.

use diesel::Connection;

use super::lifecycle;
use super::models::*;
use super::repo;
use crate::auth::Auth;
use crate::cache::{Changes, Invalidation};
use crate::catalog::models::{Plan, PlanVersion};
use crate::db::PgConn;
use crate::error::{on_unique_violation, ApiError, ApiResult, ErrorCode};
use crate::ids::{CustomerId, SubscriptionId};
use crate::invoices::models::UpcomingInvoice;
use crate::pagination::{List, Page};
use crate::state::AppState;
use crate::tenancy::Scope;

use super::events::respond;

fn respond_one(conn: &mut PgConn, scope: Scope, s: Subscription) -> ApiResult<SubscriptionResponse> {
    Ok(respond(conn, scope, vec![s])?.pop().expect("one in, one out"))
}

/// A plan that takes new subscriptions, with its newest version (the plan share-locked, so its
/// newest version cannot be edited in place meanwhile).
fn open_plan(conn: &mut PgConn, scope: Scope, key: &str) -> ApiResult<(Plan, PlanVersion)> {
    use crate::catalog::repo as catalog;
    let plan = catalog::share_plan(conn, scope, key)?.ok_or_else(|| ApiError::not_found("plan").with_param("plan"))?;
    if plan.archived_at.is_some() {
        return Err(ApiError::bad_request(
            ErrorCode::PlanArchived,
            format!("the plan {key:?} is archived and takes no new subscriptions"),
        )
        .with_param("plan"));
    }
    let version = catalog::find_version(conn, scope, plan.id, plan.latest_version)?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("plan without its latest version")))?;
    Ok((plan, version))
}

use super::cycle::{self, out_of_range};

pub async fn create(state: &AppState, auth: Auth, req: CreateSubscriptionRequest) -> ApiResult<SubscriptionResponse> {
    let scope = auth.scope;
    let now = crate::testclock::now_for(state, scope).await?;
    let trial_override = match req.trial_days {
        None => None,
        Some(q) => {
            Some(u32::try_from(q.whole_in(0, crate::catalog::validate::MAX_TRIAL_DAYS, "trial_days")?).unwrap_or(0))
        }
    };
    state
        .caches
        .write(&state.pool, move |conn, changes| {
            crate::customers::repo::find(conn, scope, req.customer)?
                .ok_or_else(|| ApiError::not_found("customer").with_param("customer"))?;
            let (plan, version) = open_plan(conn, scope, &req.plan)?;
            let trial_days = trial_override.unwrap_or(u32::try_from(version.trial_days).unwrap_or(0));
            let start = lifecycle::start(now, version.cadence(), trial_days).ok_or_else(out_of_range)?;
            let sub = Subscription {
                tenant_id: scope.tenant_id,
                mode: scope.mode,
                id: SubscriptionId::new(),
                customer_id: req.customer,
                plan_id: plan.id,
                plan_version: version.version,
                status: start.status,
                billing_anchor: start.billing_anchor,
                current_period_start: start.period_start,
                current_period_end: start.period_end,
                trial_end: start.trial_end,
                cancel_at_period_end: false,
                canceled_at: None,
                ended_at: None,
                pending_plan_id: None,
                pending_plan_version: None,
                created_at: now,
                segment_start: start.period_start,
                payment_blocked_at: None,
            };
            changes.invalidate(Invalidation::Customer(scope, req.customer));
            repo::insert(conn, &sub).map_err(on_unique_violation(
                ErrorCode::CustomerAlreadySubscribed,
                "the customer already has a subscription that is not canceled",
                "customer",
            ))?;
            cycle::started(conn, changes, scope, &sub, &version, now)?;
            super::events::announce(conn, scope, None, &sub, now)?;
            respond_one(conn, scope, sub)
        })
        .await
}

pub async fn get(state: &AppState, auth: Auth, id: SubscriptionId) -> ApiResult<SubscriptionResponse> {
    let scope = auth.scope;
    crate::db::run(&state.pool, move |conn| {
        let s = repo::find(conn, scope, id)?.ok_or_else(|| ApiError::not_found("subscription"))?;
        respond_one(conn, scope, s)
    })
    .await
}

pub async fn list(
    state: &AppState,
    auth: Auth,
    customer: Option<CustomerId>,
    status: Option<Status>,
    page: Page,
) -> ApiResult<List<SubscriptionResponse>> {
    let scope = auth.scope;
    crate::db::run(&state.pool, move |conn| {
        let rows = repo::list(conn, scope, customer, status, page)?;
        Ok(List::from_rows(respond(conn, scope, rows)?, page, |s| s.id.to_string(), |s| s))
    })
    .await
}

/// Loads the subscription for a change, refusing one that has ended.
fn lock_open(conn: &mut PgConn, scope: Scope, id: SubscriptionId) -> ApiResult<Subscription> {
    let s = repo::lock(conn, scope, id)?.ok_or_else(|| ApiError::not_found("subscription"))?;
    if s.status == Status::Canceled {
        return Err(ApiError::conflict(ErrorCode::SubscriptionCanceled, "the subscription is canceled"));
    }
    Ok(s)
}

/// Changes a subscription that is not canceled: `f` edits it under its row lock; the result is
/// saved, announced to every instance's cache, and answered.
async fn update<F>(state: &AppState, scope: Scope, id: SubscriptionId, f: F) -> ApiResult<SubscriptionResponse>
where
    F: FnOnce(&mut PgConn, &mut Changes, &mut Subscription) -> ApiResult<()> + Send + 'static,
{
    let now = crate::testclock::now_for(state, scope).await?;
    state
        .caches
        .write(&state.pool, move |conn, changes| {
            let mut s = lock_open(conn, scope, id)?;
            let before = s.clone();
            f(conn, changes, &mut s)?;
            repo::save(conn, &s)?;
            super::events::announce(conn, scope, Some(&before), &s, now)?;
            changes.invalidate(Invalidation::Customer(scope, s.customer_id));
            respond_one(conn, scope, s)
        })
        .await
}

pub async fn change(
    state: &AppState,
    auth: Auth,
    id: SubscriptionId,
    req: ChangeSubscriptionRequest,
) -> ApiResult<SubscriptionResponse> {
    let scope = auth.scope;
    let now = crate::testclock::now_for(state, scope).await?;
    update(state, scope, id, move |conn, changes, s| apply_change(conn, changes, scope, s, &req, now)).await
}

/// What a plan change would do, without doing it: the subscription as it would be and the
/// invoice it would bill now (an upgrade's proration), if any. The change itself runs, by the
/// same code as [`change`], in a transaction that is then rolled back, so the preview cannot
/// drift from the change.
pub async fn preview_change(
    state: &AppState,
    auth: Auth,
    id: SubscriptionId,
    req: ChangeSubscriptionRequest,
) -> ApiResult<ChangePreview> {
    let scope = auth.scope;
    let now = crate::testclock::now_for(state, scope).await?;
    crate::db::run(&state.pool, move |conn| {
        let mut preview = None;
        let outcome = conn.transaction::<(), ApiError, _>(|conn| {
            let mut s = lock_open(conn, scope, id)?;
            let before = crate::invoices::repo::newest_of_subscription(conn, scope, id)?;
            apply_change(conn, &mut Changes::default(), scope, &mut s, &req, now)?;
            repo::save(conn, &s)?;
            let after = crate::invoices::repo::newest_of_subscription(conn, scope, id)?;
            let invoice = match after {
                Some(inv) if before.as_ref().is_none_or(|b| b.id != inv.id) => {
                    let lines = crate::invoices::repo::lines(conn, &inv)?;
                    Some(crate::invoices::models::InvoiceResponse::new(&inv, &lines))
                }
                _ => None,
            };
            preview = Some(ChangePreview { subscription: respond_one(conn, scope, s)?, invoice });
            // Undo all of it.
            Err(diesel::result::Error::RollbackTransaction.into())
        });
        match (preview, outcome) {
            (Some(p), _) => Ok(p),
            (None, Err(e)) => Err(e),
            (None, Ok(())) => Err(ApiError::internal(anyhow::anyhow!("a preview that neither failed nor ran"))),
        }
    })
    .await
}

/// A plan change, on the locked subscription: at the period's end, or now with its proration.
fn apply_change(
    conn: &mut PgConn,
    changes: &mut Changes,
    scope: Scope,
    s: &mut Subscription,
    req: &ChangeSubscriptionRequest,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    let (plan, version) = open_plan(conn, scope, &req.plan)?;
    if plan.id == s.plan_id && version.version == s.plan_version {
        return Err(ApiError::bad_request(
            ErrorCode::PlanUnchanged,
            "the subscription is already on this plan version",
        )
        .with_param("plan"));
    }
    let old = crate::catalog::repo::referenced_version(conn, scope, s.plan_id, s.plan_version)?;
    if old.currency != version.currency {
        return Err(ApiError::bad_request(
            ErrorCode::CurrencyMismatch,
            format!("the subscription bills in {}; the plan {:?} is in {}", old.currency, req.plan, version.currency),
        )
        .with_param("plan"));
    }
    match req.timing {
        Timing::PeriodEnd => {
            s.pending_plan_id = Some(plan.id);
            s.pending_plan_version = Some(version.version);
        }
        Timing::Now => cycle::change_now(conn, changes, scope, s, &old, &version, now)?,
    }
    Ok(())
}

pub async fn cancel(
    state: &AppState,
    auth: Auth,
    id: SubscriptionId,
    req: CancelSubscriptionRequest,
) -> ApiResult<SubscriptionResponse> {
    let scope = auth.scope;
    let now = crate::testclock::now_for(state, scope).await?;
    update(state, scope, id, move |conn, changes, s| {
        if req.at_period_end.unwrap_or(true) {
            s.cancel_at_period_end = true;
        } else {
            cycle::cancel_now(conn, changes, scope, s, now)?;
            s.status = Status::Canceled;
            s.canceled_at = Some(now);
            s.ended_at = Some(now);
            s.cancel_at_period_end = false;
            s.pending_plan_id = None;
            s.pending_plan_version = None;
        }
        Ok(())
    })
    .await
}

pub async fn resume(state: &AppState, auth: Auth, id: SubscriptionId) -> ApiResult<SubscriptionResponse> {
    update(state, auth.scope, id, |_, _, s| {
        if !s.cancel_at_period_end {
            return Err(ApiError::conflict(
                ErrorCode::NotScheduledToCancel,
                "the subscription is not scheduled to cancel",
            ));
        }
        s.cancel_at_period_end = false;
        Ok(())
    })
    .await
}

/// What the customer's current period would bill if it closed now: the number a usage
/// dashboard shows. Nothing is written.
pub async fn upcoming(state: &AppState, auth: Auth, customer: CustomerId) -> ApiResult<UpcomingInvoice> {
    let scope = auth.scope;
    let now = crate::testclock::now_for(state, scope).await?;
    crate::db::run(&state.pool, move |conn| {
        crate::customers::repo::find(conn, scope, customer)?.ok_or_else(|| ApiError::not_found("customer"))?;
        let sub = repo::open_for_customer(conn, scope, customer)?.ok_or_else(|| {
            ApiError::new(
                actix_web::http::StatusCode::NOT_FOUND,
                ErrorCode::NoUpcomingInvoice,
                "the customer has no subscription to invoice",
            )
        })?;
        cycle::upcoming(conn, scope, &sub, now)
    })
    .await
}
