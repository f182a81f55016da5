use chrono::{DateTime, TimeDelta, Utc};
use rust_decimal::Decimal;

use super::models::*;
use super::resolve::{resolve, window_start, SubscriptionInfo};
use crate::auth::Auth;
use crate::cache::ApiKeyEntry;
use crate::catalog::models::{Aggregation, FeatureType, Overage, Reset};
use crate::error::{ApiError, ApiResult};
use crate::ids::{CustomerId, TenantId};
use crate::money::Quantity;
use crate::ratelimit::Decision;
use crate::state::AppState;
use crate::subscriptions::period::{next_utc_day, next_utc_month};
use crate::tenancy::{Mode, Scope};
use crate::usage::ledger::{CounterKey, CounterReq, Entry, NewEvent};

/// Whose bucket a verify with a rate limit draws from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RateKey {
    pub tenant: TenantId,
    pub mode: Mode,
    pub customer: CustomerId,
    pub feature: String,
}

/// How far back and ahead an event's timestamp may be.
pub const MAX_BACKDATE: TimeDelta = TimeDelta::days(35);
pub const MAX_AHEAD: TimeDelta = TimeDelta::minutes(5);
/// The largest `properties` object accepted, serialised.
pub const MAX_PROPERTIES_BYTES: usize = 4096;

/// The verdict and the rate limit that applied (for the response headers).
pub struct Verdict {
    pub body: VerifyResponse,
    pub rate: Option<(String, u32, Decision)>,
}

pub fn check_timestamp(t: Option<DateTime<Utc>>, now: DateTime<Utc>, param: &str) -> ApiResult<DateTime<Utc>> {
    let Some(t) = t else { return Ok(now) };
    if t < now - MAX_BACKDATE {
        return Err(ApiError::bad_request("timestamp_out_of_range", "events may be backdated at most 35 days")
            .with_param(param));
    }
    if t > now + MAX_AHEAD {
        return Err(ApiError::bad_request("timestamp_out_of_range", "events may be at most 5 minutes in the future")
            .with_param(param));
    }
    Ok(t)
}

pub fn check_properties(
    p: Option<serde_json::Map<String, serde_json::Value>>,
    param: &str,
) -> ApiResult<Option<serde_json::Value>> {
    let Some(p) = p else { return Ok(None) };
    let v = serde_json::Value::Object(p);
    if v.to_string().len() > MAX_PROPERTIES_BYTES {
        return Err(
            ApiError::bad_request("parameter_invalid", "properties must be at most 4 KiB of JSON").with_param(param)
        );
    }
    Ok(Some(v))
}

/// A new event id for events that come without one.
pub fn generated_event_id() -> String {
    format!("evt_{}", crate::ids::encode_base62(uuid::Uuid::now_v7()))
}

/// The cached API key, loaded on a miss (and remembered when there is no such key).
async fn api_key(state: &AppState, hash: [u8; 32]) -> ApiResult<Option<ApiKeyEntry>> {
    if let Some(hit) = state.caches.api_keys.get(&hash) {
        return Ok(hit);
    }
    let generation = state.caches.generation();
    let row = crate::db::run(&state.pool, move |conn| Ok(crate::keys::repo::find_by_hash(conn, &hash)?)).await?;
    let entry = row.map(|k| ApiKeyEntry {
        tenant_id: k.tenant_id,
        mode: k.mode,
        id: k.id,
        customer_id: k.customer_id,
        expires_at: k.expires_at,
        revoked_at: k.revoked_at,
    });
    if state.caches.generation() == generation {
        state.caches.api_keys.insert(hash, entry);
    }
    Ok(entry)
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

pub async fn verify(state: &AppState, auth: Auth, req: VerifyRequest) -> ApiResult<Verdict> {
    let scope: Scope = auth.scope;
    let now = state.now_for(scope).await?;
    let occurred_at = check_timestamp(req.timestamp, now, "timestamp")?;
    let properties = check_properties(req.properties, "properties")?;
    let deny = |code| Ok(Verdict { body: VerifyResponse::denied(code), rate: None });

    // The key: hashed and looked up the same way whatever it looks like, so a malformed or
    // unknown key answers in the time a known one does.
    let hash = crate::crypto::sha256(req.key.as_bytes());
    let key = api_key(state, hash).await?;
    let Some(key) = key.filter(|k| k.tenant_id == scope.tenant_id && k.mode == scope.mode) else {
        return deny(VerifyCode::KeyNotFound);
    };
    if key.revoked_at.is_some_and(|at| at <= now) {
        return deny(VerifyCode::KeyRevoked);
    }
    if key.expires_at.is_some_and(|at| at <= now) {
        return deny(VerifyCode::KeyExpired);
    }

    let Some(res) = resolve(state, scope, key.customer_id).await? else {
        return deny(VerifyCode::KeyNotFound);
    };
    res.check_open_period(occurred_at, "timestamp")?;
    let mut body = VerifyResponse::denied(VerifyCode::NoSubscription);
    body.customer = Some(VerifiedCustomer { id: res.customer_id, external_id: res.external_id.clone() });
    let Some(sub) = &res.subscription else {
        return Ok(Verdict { body, rate: None });
    };
    body.subscription = Some(VerifiedSubscription { id: sub.id, plan: sub.plan_key.clone(), status: sub.status });

    let Some(feature) = req.feature else {
        body.valid = true;
        body.code = VerifyCode::Valid;
        return Ok(Verdict { body, rate: None });
    };
    let (Some(info), Some(grant)) = (res.features.get(&feature).copied(), res.grants.get(&feature)) else {
        body.code = VerifyCode::FeatureNotInPlan;
        body.feature = Some(VerifiedFeature {
            key: feature,
            has_access: false,
            limit: None,
            used: None,
            remaining: None,
            resets_at: None,
        });
        body.upgrade_url = res.upgrade_url.clone();
        return Ok(Verdict { body, rate: None });
    };

    let mut rate = None;
    if let Some(rl) = grant.rate_limit {
        let rate_key =
            RateKey { tenant: scope.tenant_id, mode: scope.mode, customer: res.customer_id, feature: feature.clone() };
        // Rate limits run on the instance clock: a test clock standing still must not freeze them.
        let d = state.rate_limiter.check(&rate_key, rl.limit, rl.window_seconds, state.clock.now().timestamp_micros());
        body.rate_limit = Some(VerifiedRateLimit {
            limit: d.limit,
            remaining: d.remaining,
            reset_at: now + TimeDelta::microseconds(d.reset_after_us),
        });
        rate = Some((feature.clone(), rl.window_seconds, d));
        if !d.allowed {
            body.code = VerifyCode::RateLimited;
            body.feature = Some(VerifiedFeature {
                key: feature,
                has_access: true,
                limit: grant.limit,
                used: None,
                remaining: None,
                resets_at: None,
            });
            return Ok(Verdict { body, rate });
        }
    }

    if info.kind != FeatureType::Metered {
        body.valid = true;
        body.code = VerifyCode::Valid;
        body.feature = Some(VerifiedFeature {
            key: feature,
            has_access: true,
            limit: None,
            used: None,
            remaining: None,
            resets_at: None,
        });
        return Ok(Verdict { body, rate });
    }

    let quantity = req.quantity.map_or(Decimal::ONE, |q| q.value());
    let reset = grant.reset.unwrap_or(Reset::BillingPeriod);
    let counter = info.counted().then(|| CounterReq {
        key: CounterKey {
            tenant_id: scope.tenant_id,
            mode: scope.mode,
            customer_id: res.customer_id,
            feature: feature.clone(),
            window_start: window_start(reset, occurred_at, sub),
        },
        limit: grant.limit.map(Decimal::from),
        allow_overage: grant.overage == Some(Overage::Allow),
        increment: if info.aggregation == Some(Aggregation::Count) { Decimal::ONE } else { quantity },
    });
    let event = (!quantity.is_zero()).then(|| {
        let (event_id, client_id) = match &req.event_id {
            Some(id) => (id.clone().into_inner(), true),
            None => (generated_event_id(), false),
        };
        NewEvent {
            tenant_id: scope.tenant_id,
            mode: scope.mode,
            event_id,
            client_id,
            customer_id: res.customer_id,
            feature: feature.clone(),
            quantity,
            occurred_at,
            properties,
            received_at: now,
        }
    });
    let event_id = event.as_ref().map(|e| e.event_id.clone());
    let outcome = if event.is_none() && counter.is_none() {
        crate::usage::ledger::Outcome { granted: true, duplicate: false, used: None }
    } else {
        state.batcher.submit(Entry { event, counter, force: false }).await?
    };

    body.valid = outcome.granted;
    body.code = if outcome.granted { VerifyCode::Valid } else { VerifyCode::UsageExceeded };
    let limit = if info.counted() { grant.limit } else { None };
    body.feature = Some(VerifiedFeature {
        key: feature,
        has_access: outcome.granted,
        limit,
        used: outcome.used.map(Quantity),
        remaining: limit.zip(outcome.used).map(|(l, u)| Quantity((Decimal::from(l) - u).max(Decimal::ZERO))),
        resets_at: if limit.is_some() { resets_at(reset, occurred_at, sub) } else { None },
    });
    // The event block names what is in the ledger: nothing for a refusal.
    if let (Some(id), true) = (event_id, outcome.granted) {
        body.event = Some(VerifiedEvent { id, duplicate: outcome.duplicate });
    }
    if !outcome.granted {
        body.upgrade_url = res.upgrade_url.clone();
    }
    Ok(Verdict { body, rate })
}
