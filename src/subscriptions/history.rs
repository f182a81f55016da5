//! MRR history: an append-only row for every change that can move a subscription's MRR, in
//! the change's transaction (see the migration `subscription_history` and [`crate::analytics`]).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;

use super::models::{Status, Subscription};
use crate::catalog::models::PlanVersion;
use crate::db::PgConn;
use crate::error::ApiResult;
use crate::schema::subscription_changes as sc;
use crate::tenancy::Scope;

/// A subscription's MRR on `version` in `status`: its monthly amount, rounded once to the
/// currency's minor unit, while `active` or `past_due`; 0 in a trial or once canceled.
pub fn mrr(version: &PlanVersion, status: Status) -> Decimal {
    match status {
        Status::Active | Status::PastDue => version.currency().round(version.monthly_amount()),
        Status::Trialing | Status::Canceled => Decimal::ZERO,
    }
}

/// Whether going from `before` to `after` can move MRR (and so is recorded).
pub fn moves_mrr(before: Option<&Subscription>, after: &Subscription) -> bool {
    before
        .is_none_or(|b| b.status != after.status || b.plan_id != after.plan_id || b.plan_version != after.plan_version)
}

/// Appends the subscription's state from `at` on.
pub fn record(conn: &mut PgConn, scope: Scope, sub: &Subscription, at: DateTime<Utc>) -> ApiResult<()> {
    let v = crate::catalog::repo::referenced_version(conn, scope, sub.plan_id, sub.plan_version)?;
    diesel::insert_into(sc::table)
        .values((
            sc::tenant_id.eq(scope.tenant_id),
            sc::mode.eq(scope.mode),
            sc::subscription_id.eq(sub.id),
            sc::customer_id.eq(sub.customer_id),
            sc::at.eq(at),
            sc::status.eq(sub.status),
            sc::plan_id.eq(sub.plan_id),
            sc::plan_version.eq(sub.plan_version),
            sc::currency.eq(&v.currency),
            sc::mrr.eq(mrr(&v, sub.status)),
        ))
        .execute(conn)?;
    Ok(())
}
