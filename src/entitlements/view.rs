//! The resolved view of a customer: what their plan grants, loaded once and cached
//! ([`super::Resolutions`]), from which verify, the usage API and the entitlements endpoints all
//! answer. Also where limit windows start and end, and the one builder of a window's counter key.

use std::collections::HashMap;

use chrono::{DateTime, TimeZone, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;

use crate::catalog::models::{Aggregation, EntitlementSpec, FeatureType, Overage, Reset};
use crate::catalog::period::{next_utc_day, next_utc_month, Cadence};
use crate::db::PgConn;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::ids::{CustomerId, SubscriptionId};
use crate::ledger::{CounterKey, CounterReq};
use crate::subscriptions::models::Status;
use crate::tenancy::Scope;

#[derive(Debug, Clone)]
pub struct SubscriptionInfo {
    pub id: SubscriptionId,
    pub status: Status,
    pub plan_key: String,
    pub plan_version: i32,
    pub billing_anchor: DateTime<Utc>,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    pub cadence: Cadence,
    /// Dunning blocks access from this instant until the overdue invoice is paid.
    pub payment_blocked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy)]
pub struct FeatureInfo {
    pub kind: FeatureType,
    pub aggregation: Option<Aggregation>,
}

impl FeatureInfo {
    /// Whether usage of this feature adds up in a counter (and so can be limited exactly).
    pub fn counted(&self) -> bool {
        matches!(self.aggregation, Some(Aggregation::Sum | Aggregation::Count))
    }
}

#[derive(Debug, Clone)]
pub struct Resolution {
    pub customer_id: CustomerId,
    pub external_id: Option<String>,
    /// The subscription in force (not canceled), if any.
    pub subscription: Option<SubscriptionInfo>,
    /// The tenant's features in this mode, by key.
    pub features: HashMap<String, FeatureInfo>,
    /// The plan version's entitlements, by feature key.
    pub grants: HashMap<String, EntitlementSpec>,
    /// The tenant's pricing page, for `upgrade_url`.
    pub upgrade_url: Option<String>,
    /// Usage before this instant is on a finalized invoice.
    pub billed_through: Option<DateTime<Utc>>,
}

impl Resolution {
    /// Refuses an event that falls in a period whose invoice is already finalized.
    pub fn check_open_period(&self, at: DateTime<Utc>, param: &str) -> ApiResult<()> {
        match self.billed_through {
            Some(closed) if at < closed => Err(ApiError::bad_request(
                ErrorCode::PeriodClosed,
                format!("usage before {} is on a finalized invoice; record it in a later period", closed.to_rfc3339()),
            )
            .with_param(param)),
            _ => Ok(()),
        }
    }
}

impl Resolution {
    /// What an event of `quantity` of `feature` at `at` charges: the counter of its limit window,
    /// when the plan in force grants the feature and its usage adds up in a counter.
    pub fn charge(&self, scope: Scope, feature: &str, at: DateTime<Utc>, quantity: Decimal) -> Option<CounterReq> {
        let (info, grant, sub) = (self.features.get(feature)?, self.grants.get(feature)?, self.subscription.as_ref()?);
        if !info.counted() {
            return None;
        }
        Some(CounterReq {
            key: counter_key(scope, self.customer_id, feature, grant.reset(), at, sub),
            limit: grant.limit.map(Decimal::from),
            allow_overage: grant.overage == Some(Overage::Allow),
            increment: if info.aggregation == Some(Aggregation::Count) { Decimal::ONE } else { quantity },
        })
    }
}

/// The counter of `feature`'s limit window that holds `at`.
pub fn counter_key(
    scope: Scope,
    customer: CustomerId,
    feature: &str,
    reset: Reset,
    at: DateTime<Utc>,
    sub: &SubscriptionInfo,
) -> CounterKey {
    CounterKey {
        tenant_id: scope.tenant_id,
        mode: scope.mode,
        customer_id: customer,
        feature: feature.to_string(),
        window_start: window_start(reset, at, sub),
    }
}

/// When the limit window that holds `at` ends (`None` for `never`).
pub fn resets_at(reset: Reset, at: DateTime<Utc>, sub: &SubscriptionInfo) -> Option<DateTime<Utc>> {
    match reset {
        Reset::Day => Some(next_utc_day(at)),
        Reset::Month => Some(next_utc_month(at)),
        Reset::BillingPeriod => {
            if at >= sub.period_start && at < sub.period_end {
                Some(sub.period_end)
            } else {
                sub.cadence.period_containing(sub.billing_anchor, at).map(|(_, end)| end)
            }
        }
        Reset::Never => None,
    }
}

/// Where the limit window that contains `at` starts: a UTC day or month, the billing period,
/// or the beginning of time.
pub fn window_start(reset: Reset, at: DateTime<Utc>, sub: &SubscriptionInfo) -> DateTime<Utc> {
    use chrono::Datelike;
    match reset {
        Reset::Day => at.date_naive().and_hms_opt(0, 0, 0).expect("midnight").and_utc(),
        Reset::Month => at.date_naive().with_day(1).expect("day 1").and_hms_opt(0, 0, 0).expect("midnight").and_utc(),
        Reset::BillingPeriod => {
            if at >= sub.period_start && at < sub.period_end {
                sub.period_start
            } else {
                sub.cadence.period_containing(sub.billing_anchor, at).map_or(sub.period_start, |(s, _)| s)
            }
        }
        Reset::Never => Utc.timestamp_opt(0, 0).single().expect("the epoch"),
    }
}

/// Loads a customer's resolution; `None` when the customer does not exist (or was deleted).
pub fn load(conn: &mut PgConn, scope: Scope, customer: CustomerId) -> ApiResult<Option<Resolution>> {
    use crate::schema::features;
    let Some(c) = crate::customers::repo::find(conn, scope, customer)? else {
        return Ok(None);
    };
    let rows: Vec<(String, FeatureType, Option<Aggregation>)> = features::table
        .filter(features::tenant_id.eq(scope.tenant_id))
        .filter(features::mode.eq(scope.mode))
        .select((features::key, features::kind, features::aggregation))
        .load(conn)?;
    let features = rows.into_iter().map(|(k, kind, aggregation)| (k, FeatureInfo { kind, aggregation })).collect();
    let mut grants = HashMap::new();
    let mut subscription = None;
    if let Some(s) = crate::subscriptions::repo::open_for_customer(conn, scope, customer)? {
        let version = crate::catalog::repo::referenced_version(conn, scope, s.plan_id, s.plan_version)?;
        let plan_key =
            crate::catalog::repo::find_plan_by_id(conn, scope, s.plan_id)?.map(|p| p.key).unwrap_or_default();
        grants = version.entitlement_specs().into_iter().map(|e| (e.feature.clone(), e)).collect();
        subscription = Some(SubscriptionInfo {
            id: s.id,
            status: s.status,
            plan_key,
            plan_version: s.plan_version,
            billing_anchor: s.billing_anchor,
            period_start: s.current_period_start,
            period_end: s.current_period_end,
            cadence: version.cadence(),
            payment_blocked_at: s.payment_blocked_at,
        });
    }
    let upgrade_url = crate::accounts::repo::find_tenant(conn, scope.tenant_id)?.and_then(|t| t.pricing_url);
    Ok(Some(Resolution {
        customer_id: c.id,
        external_id: c.external_id,
        subscription,
        features,
        grants,
        upgrade_url,
        billed_through: c.billed_through,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::period::Interval;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn windows_start_where_the_reset_says() {
        let sub = SubscriptionInfo {
            id: SubscriptionId::new(),
            status: Status::Active,
            plan_key: "pro".into(),
            plan_version: 1,
            billing_anchor: t("2026-01-31T10:00:00Z"),
            period_start: t("2026-03-31T10:00:00Z"),
            period_end: t("2026-04-30T10:00:00Z"),
            cadence: Cadence::new(Interval::Month, 1),
            payment_blocked_at: None,
        };
        let at = t("2026-04-15T18:30:00Z");
        assert_eq!(window_start(Reset::Day, at, &sub), t("2026-04-15T00:00:00Z"));
        assert_eq!(window_start(Reset::Month, at, &sub), t("2026-04-01T00:00:00Z"));
        assert_eq!(window_start(Reset::BillingPeriod, at, &sub), t("2026-03-31T10:00:00Z"));
        assert_eq!(
            window_start(Reset::BillingPeriod, t("2026-03-01T00:00:00Z"), &sub),
            t("2026-02-28T10:00:00Z"),
            "a backdated event"
        );
        assert_eq!(window_start(Reset::Never, at, &sub), t("1970-01-01T00:00:00Z"));
    }
}
