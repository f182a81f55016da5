//! Entitlements as docs/api.md shows them, from the same resolution verify uses, with `used` read
//! from the quota counters.

use chrono::{DateTime, Utc};
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use utoipa::ToSchema;

use super::view::{counter_key, load, resets_at, FeatureInfo, Resolution, SubscriptionInfo};
use crate::auth::Auth;
use crate::catalog::models::{EntitlementSpec, FeatureType, Overage, RateLimitSpec};
use crate::error::{ApiError, ApiResult};
use crate::ids::CustomerId;
use crate::ledger::counter_value;
use crate::state::AppState;
use crate::tenancy::Scope;

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"feature": "api_calls", "type": "metered", "has_access": true, "limit": 100000,
    "used": 1234, "remaining": 98766, "resets_at": "2026-11-25T00:00:00Z", "value": null,
    "rate_limit": {"limit": 50, "window_seconds": 1}, "overage": "block"}))]
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
    #[schema(value_type = Option<crate::catalog::models::ConfigValue>)]
    pub value: Option<serde_json::Value>,
    pub rate_limit: Option<RateLimitSpec>,
    /// Metered: what happens past the limit.
    pub overage: Option<Overage>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EntitlementList {
    pub data: Vec<EntitlementResponse>,
}

fn granted(
    conn: &mut crate::db::PgConn,
    scope: Scope,
    res: &Resolution,
    spec: &EntitlementSpec,
    info: FeatureInfo,
    sub: &SubscriptionInfo,
    now: DateTime<Utc>,
) -> ApiResult<EntitlementResponse> {
    let metered = info.kind == FeatureType::Metered;
    let reset = spec.reset();
    let used = if metered && info.counted() {
        let key = counter_key(scope, res.customer_id, &spec.feature, reset, now, sub);
        Some(counter_value(conn, &key)?.ceil().to_i64().unwrap_or(i64::MAX))
    } else if metered {
        Some(0)
    } else {
        None
    };
    let remaining = spec.limit.zip(used).map(|(l, u)| (l - u).max(0));
    let exhausted = remaining == Some(0) && spec.overage != Some(Overage::Allow);
    Ok(EntitlementResponse {
        feature: spec.feature.clone(),
        kind: info.kind,
        has_access: !exhausted,
        limit: spec.limit,
        used,
        remaining,
        resets_at: if metered && spec.limit.is_some() { resets_at(reset, now, sub) } else { None },
        value: spec.value.clone(),
        rate_limit: spec.rate_limit,
        overage: spec.overage,
    })
}

fn not_granted(feature: &str, kind: FeatureType) -> EntitlementResponse {
    EntitlementResponse {
        feature: feature.to_string(),
        kind,
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

/// Everything the customer's plan grants now (empty without a subscription in force).
pub async fn list(state: &AppState, auth: Auth, customer: CustomerId) -> ApiResult<EntitlementList> {
    let scope = auth.scope;
    let now = crate::testclock::now_for(state, scope).await?;
    crate::db::run(&state.pool, move |conn| {
        let res = load(conn, scope, customer)?.ok_or_else(|| ApiError::not_found("customer"))?;
        let Some(sub) = &res.subscription else { return Ok(EntitlementList { data: vec![] }) };
        let mut specs: Vec<&EntitlementSpec> = res.grants.values().collect();
        specs.sort_by(|a, b| a.feature.cmp(&b.feature));
        let mut data = Vec::with_capacity(specs.len());
        for spec in specs {
            if let Some(info) = res.features.get(&spec.feature) {
                data.push(granted(conn, scope, &res, spec, *info, sub, now)?);
            }
        }
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
    let now = crate::testclock::now_for(state, scope).await?;
    crate::db::run(&state.pool, move |conn| {
        let res = load(conn, scope, customer)?.ok_or_else(|| ApiError::not_found("customer"))?;
        let info = *res.features.get(&feature).ok_or_else(|| ApiError::not_found("feature"))?;
        match (&res.subscription, res.grants.get(&feature)) {
            (Some(sub), Some(spec)) => granted(conn, scope, &res, spec, info, sub, now),
            _ => Ok(not_granted(&feature, info.kind)),
        }
    })
    .await
}
