use chrono::TimeDelta;
use rust_decimal::Decimal;

use super::models::*;
use crate::auth::Auth;
use crate::cache::ApiKeyEntry;
use crate::catalog::models::FeatureType;
use crate::entitlements::view::resets_at;
use crate::entitlements::Resolutions;
use crate::error::ApiResult;
use crate::ledger::event::{check_properties, check_timestamp, generated_event_id};
use crate::ledger::{Entry, NewEvent, Outcome};
use crate::money::Quantity;
use crate::ratelimit::Decision;
use crate::state::AppState;
use crate::tenancy::Scope;
use crate::usage::thresholds::{self, Watch};

/// The verdict and the rate limit that applied (for the response headers).
pub struct Verdict {
    pub body: VerifyResponse,
    pub rate: Option<(String, u32, Decision)>,
}

/// The cached API key, loaded on a miss (and remembered when there is no such key).
async fn api_key(state: &AppState, hash: [u8; 32]) -> ApiResult<Option<ApiKeyEntry>> {
    let pool = &state.pool;
    state
        .caches
        .get_or_load(&state.caches.api_keys, hash, || {
            crate::db::run(pool, move |conn| {
                Ok(crate::keys::repo::find_by_hash(conn, &hash)?.map(|k| ApiKeyEntry {
                    tenant_id: k.tenant_id,
                    mode: k.mode,
                    id: k.id,
                    customer_id: k.customer_id,
                    expires_at: k.expires_at,
                    revoked_at: k.revoked_at,
                }))
            })
        })
        .await
}

pub async fn verify(state: &AppState, resolutions: &Resolutions, auth: Auth, req: VerifyRequest) -> ApiResult<Verdict> {
    let scope: Scope = auth.scope;
    let now = crate::testclock::now_for(state, scope).await?;
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

    let Some(res) = resolutions.get(&state.caches, &state.pool, scope, key.customer_id).await? else {
        return deny(VerifyCode::KeyNotFound);
    };
    res.check_open_period(occurred_at, "timestamp")?;
    let mut body = VerifyResponse::denied(VerifyCode::NoSubscription);
    body.customer = Some(VerifiedCustomer { id: res.customer_id, external_id: res.external_id.clone() });
    let Some(sub) = &res.subscription else {
        return Ok(Verdict { body, rate: None });
    };
    body.subscription = Some(VerifiedSubscription { id: sub.id, plan: sub.plan_key.clone(), status: sub.status });
    if sub.payment_blocked_at.is_some_and(|at| at <= now) {
        body.code = VerifyCode::PaymentRequired;
        body.upgrade_url = res.upgrade_url.clone();
        return Ok(Verdict { body, rate: None });
    }

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
        let rate_key = crate::ratelimit::RateKey {
            tenant: scope.tenant_id,
            mode: scope.mode,
            customer: res.customer_id,
            feature: feature.clone(),
        };
        // Rate limits run on the instance clock: a test clock standing still must not freeze them.
        let d =
            state.rate_limits.check(&rate_key, rl.limit, rl.window_seconds, state.clock.now().timestamp_micros()).await;
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
    let reset = grant.reset();
    let counter = res.charge(scope, &feature, occurred_at, quantity);
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
    let limit = if info.counted() { grant.limit } else { None };
    // When the limit's window ends: for the answer, and for a threshold's event.
    let window_end = if limit.is_some() { resets_at(reset, occurred_at, sub) } else { None };
    let watch = Watch::of(counter.as_ref(), || window_end);
    let outcome = if event.is_none() && counter.is_none() {
        Outcome { granted: true, duplicate: false, used: None }
    } else {
        state.writer.submit(Entry { event, counter, force: false }).await?
    };

    if let Some(crossed) = watch.and_then(|w| w.crossed(&outcome)) {
        thresholds::report(state, scope, now, vec![(res.customer_id, feature.clone(), crossed)]);
    }
    body.valid = outcome.granted;
    body.code = if outcome.granted { VerifyCode::Valid } else { VerifyCode::UsageExceeded };
    body.feature = Some(VerifiedFeature {
        key: feature,
        has_access: outcome.granted,
        limit,
        used: outcome.used.map(Quantity),
        remaining: limit.zip(outcome.used).map(|(l, u)| Quantity((Decimal::from(l) - u).max(Decimal::ZERO))),
        resets_at: window_end,
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
