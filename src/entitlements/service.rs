use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Auth;
use crate::catalog::models::{EntitlementSpec, Feature, FeatureType, Overage, RateLimitSpec, Reset};
use crate::error::{ApiError, ApiResult};
use crate::ids::CustomerId;
use crate::state::AppState;
use crate::subscriptions::models::{Status, Subscription};
use crate::subscriptions::period::{next_utc_day, next_utc_month};

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"feature": "api_calls", "type": "metered", "has_access": true, "limit": 100000,
    "used": 0, "remaining": 100000, "resets_at": "2026-11-25T00:00:00Z", "value": null,
    "rate_limit": {"limit": 50, "window_seconds": 1}}))]
pub struct EntitlementResponse {
    #[schema(example = "api_calls")]
    pub feature: String,
    #[serde(rename = "type")]
    pub kind: FeatureType,
    pub has_access: bool,
    /// Metered: the limit per window, null when unlimited.
    pub limit: Option<i64>,
    /// Metered: usage in the current window.
    pub used: Option<i64>,
    /// Metered: what is left in the window, null when unlimited.
    pub remaining: Option<i64>,
    /// Metered: when the window starts over (null for `never` or unlimited).
    pub resets_at: Option<DateTime<Utc>>,
    /// Config: the value.
    #[schema(value_type = Option<Object>)]
    pub value: Option<serde_json::Value>,
    pub rate_limit: Option<RateLimitSpec>,
    /// Metered: what happens past the limit.
    pub overage: Option<Overage>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EntitlementList {
    pub data: Vec<EntitlementResponse>,
}

/// When a metered window that contains `now` ends.
pub fn window_end(reset: Reset, now: DateTime<Utc>, sub: &Subscription) -> Option<DateTime<Utc>> {
    match reset {
        Reset::Day => Some(next_utc_day(now)),
        Reset::Month => Some(next_utc_month(now)),
        Reset::BillingPeriod => Some(sub.current_period_end),
        Reset::Never => None,
    }
}

fn granted(spec: &EntitlementSpec, kind: FeatureType, sub: &Subscription, now: DateTime<Utc>) -> EntitlementResponse {
    let metered = kind == FeatureType::Metered;
    let used = 0; // usage accounting arrives with the usage ledger
    let remaining = spec.limit.map(|l| (l - used).max(0));
    let over = remaining == Some(0) && spec.overage != Some(Overage::Allow);
    EntitlementResponse {
        feature: spec.feature.clone(),
        kind,
        has_access: !over,
        limit: spec.limit,
        used: metered.then_some(used),
        remaining,
        resets_at: if metered && spec.limit.is_some() {
            spec.reset.and_then(|r| window_end(r, now, sub))
        } else {
            None
        },
        value: spec.value.clone(),
        rate_limit: spec.rate_limit,
        overage: spec.overage,
    }
}

fn not_granted(feature: &Feature) -> EntitlementResponse {
    EntitlementResponse {
        feature: feature.key.clone(),
        kind: feature.kind,
        has_access: false,
        limit: None,
        used: None,
        remaining: None,
        resets_at: None,
        value: None,
        rate_limit: None,
        overage: None,
    }
}

/// Everything the customer's plan grants (empty without a subscription in force).
pub async fn list(state: &AppState, auth: Auth, customer: CustomerId) -> ApiResult<EntitlementList> {
    let scope = auth.scope;
    let now = state.now_for(scope);
    crate::db::run(&state.pool, move |conn| {
        crate::customers::repo::find(conn, scope, customer)?.ok_or_else(|| ApiError::not_found("customer"))?;
        let Some((sub, specs)) = in_force(conn, scope, customer)? else {
            return Ok(EntitlementList { data: vec![] });
        };
        let kinds = crate::catalog::repo::feature_types(conn, scope)?;
        let data = specs
            .iter()
            .filter_map(|spec| kinds.get(&spec.feature).map(|&kind| granted(spec, kind, &sub, now)))
            .collect();
        Ok(EntitlementList { data })
    })
    .await
}

/// One feature, whether the plan grants it or not.
pub async fn get(
    state: &AppState,
    auth: Auth,
    customer: CustomerId,
    feature: String,
) -> ApiResult<EntitlementResponse> {
    let scope = auth.scope;
    let now = state.now_for(scope);
    crate::db::run(&state.pool, move |conn| {
        crate::customers::repo::find(conn, scope, customer)?.ok_or_else(|| ApiError::not_found("customer"))?;
        let f =
            crate::catalog::repo::find_feature(conn, scope, &feature)?.ok_or_else(|| ApiError::not_found("feature"))?;
        let found = in_force(conn, scope, customer)?
            .and_then(|(sub, specs)| specs.into_iter().find(|s| s.feature == f.key).map(|spec| (sub, spec)));
        Ok(match found {
            Some((sub, spec)) => granted(&spec, f.kind, &sub, now),
            None => not_granted(&f),
        })
    })
    .await
}

/// The subscription that grants access now (trialing, active or past due) and its plan
/// version's entitlements.
fn in_force(
    conn: &mut crate::db::PgConn,
    scope: crate::tenancy::Scope,
    customer: CustomerId,
) -> ApiResult<Option<(Subscription, Vec<EntitlementSpec>)>> {
    let Some(sub) = crate::subscriptions::repo::open_for_customer(conn, scope, customer)? else {
        return Ok(None);
    };
    debug_assert_ne!(sub.status, Status::Canceled);
    let version = crate::catalog::repo::find_version(conn, scope, sub.plan_id, sub.plan_version)?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("subscription without its plan version")))?;
    let specs = version.entitlement_specs();
    Ok(Some((sub, specs)))
}
