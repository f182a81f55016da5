use actix_web::http::header::{HeaderName, HeaderValue, RETRY_AFTER};
use actix_web::{post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::models::*;
use super::service;
use crate::auth::Auth;
use crate::entitlements::Resolutions;
use crate::error::{ApiResult, ErrorEnvelope};
use crate::extract::Json;
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(verify);
}

const RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");
const RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");

/// Verify a customer's API key, enforce the plan, and record usage: the per-request call.
///
/// Answers 200 for every well-formed request, with `valid` and a `code`: `VALID`,
/// `KEY_NOT_FOUND`, `KEY_REVOKED`, `KEY_EXPIRED`, `NO_SUBSCRIPTION`, `FEATURE_NOT_IN_PLAN`,
/// `USAGE_EXCEEDED` or `RATE_LIMITED`. Usage is recorded (durably, before the answer) only when
/// the verdict is `VALID`. Where a rate limit applies, the IETF `RateLimit-Policy` and
/// `RateLimit` headers say where the caller stands, and `Retry-After` when `RATE_LIMITED`.
#[utoipa::path(
    tag = "Verify",
    request_body = VerifyRequest,
    responses(
        (status = 200, description = "The verdict", body = VerifyResponse,
         headers(
            ("RateLimit-Policy" = String, description = "`\"<feature>\";q=<limit>;w=<window seconds>`"),
            ("RateLimit" = String, description = "`\"<feature>\";r=<remaining>;t=<seconds until full>`"),
            ("Retry-After" = u32, description = "Seconds to wait, when RATE_LIMITED"))),
        (status = 400, description = "Malformed: a negative or absurd quantity, a timestamp out of range", body = ErrorEnvelope),
    )
)]
#[post("/v1/verify")]
pub async fn verify(
    state: web::Data<AppState>,
    resolutions: web::Data<Resolutions>,
    auth: Auth,
    Json(req): Json<VerifyRequest>,
) -> ApiResult<HttpResponse> {
    let verdict = service::verify(&state, &resolutions, auth, req).await?;
    let mut res = HttpResponse::Ok();
    if let Some((feature, window, d)) = verdict.rate {
        let seconds = |us: i64| ((us + 999_999) / 1_000_000).max(0);
        let policy = format!("\"{feature}\";q={};w={window}", d.limit);
        let now = format!("\"{feature}\";r={};t={}", d.remaining, seconds(d.reset_after_us));
        if let (Ok(p), Ok(n)) = (HeaderValue::from_str(&policy), HeaderValue::from_str(&now)) {
            res.insert_header((RATELIMIT_POLICY, p)).insert_header((RATELIMIT, n));
        }
        if !d.allowed {
            res.insert_header((RETRY_AFTER, d.retry_after_seconds().to_string()));
        }
    }
    Ok(res.json(verdict.body))
}
