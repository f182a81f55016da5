//! The way to Stripe: a client per connected account (its key opened from the database), the
//! sealing of keys and secrets at rest, and what a failed call means.

use std::time::Duration;

use stripe::{IdempotencyKey, RequestStrategy, StripeError};

use crate::config::Settings;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::ids::StripeAccountId;
use crate::tenancy::Scope;

/// Settings and keys for talking to Stripe; shared by handlers and jobs.
pub struct Gateway {
    api_base: String,
    timeout: Duration,
    seal_key: [u8; 32],
}

impl Gateway {
    pub fn new(settings: &Settings) -> Gateway {
        let root = settings.jwt_secret.expose().as_bytes();
        Gateway {
            api_base: settings.stripe_api_base.clone(),
            timeout: settings.stripe_timeout,
            seal_key: crate::crypto::hmac_sha256(root, &[b"tollgate/stripe-secrets/v1"]),
        }
    }

    /// A client acting with `api_key`. Every call it makes is tried once: retries are the
    /// jobs', with the same idempotency key.
    pub fn client(&self, api_key: &str) -> ApiResult<stripe::Client> {
        stripe::ClientBuilder::new(api_key)
            .url(self.api_base.clone())
            .timeout(self.timeout)
            .request_strategy(RequestStrategy::Once)
            .build()
            .map_err(|e| ApiError::internal(anyhow::anyhow!("cannot build a Stripe client: {e}")))
    }

    fn context(scope: Scope, row: StripeAccountId, field: &str) -> Vec<u8> {
        format!("tollgate/stripe/{}/{}/{row}/{field}", scope.tenant_id, scope.mode).into_bytes()
    }

    /// Seals a secret for one field of one tenant's connection.
    pub fn seal(&self, scope: Scope, row: StripeAccountId, field: &str, secret: &str) -> Vec<u8> {
        crate::crypto::seal_bound(&self.seal_key, &Self::context(scope, row, field), secret.as_bytes())
    }

    /// Opens what [`Gateway::seal`] sealed for the same field, tenant, mode and row.
    pub fn open(&self, scope: Scope, row: StripeAccountId, field: &str, sealed: &[u8]) -> ApiResult<String> {
        crate::crypto::open_bound(&self.seal_key, &Self::context(scope, row, field), sealed)
            .and_then(|v| String::from_utf8(v).ok())
            .ok_or_else(|| {
                ApiError::internal(anyhow::anyhow!(
                    "a sealed Stripe secret does not open (was the server secret changed?)"
                ))
            })
    }
}

/// Calls keyed by a row written before them: a retry sends the same key, and Stripe answers
/// with what the first call did.
pub fn idempotent(key: String) -> ApiResult<RequestStrategy> {
    let key = IdempotencyKey::new(key).map_err(|e| ApiError::internal(anyhow::anyhow!("idempotency key: {e:?}")))?;
    Ok(RequestStrategy::Idempotent(key))
}

/// What a failed call to Stripe means.
#[derive(Debug)]
pub enum Failure {
    /// Stripe answered and refused (4xx other than 401, 403, 409 and 429): trying again
    /// changes nothing.
    Refused(Refusal),
    /// No usable answer (network, timeout, 409, 429, 5xx, an answer we cannot read), or the
    /// connection's key no longer works (401, 403: the tenant must act): the call may or may
    /// not have taken effect, so it is retried later with the same idempotency key.
    Unknown(String),
}

#[derive(Debug, Clone)]
pub struct Refusal {
    pub status: u16,
    /// `card_error`, `invalid_request_error`, …
    pub kind: String,
    pub code: Option<String>,
    pub decline_code: Option<String>,
    pub message: String,
    /// The PaymentIntent a card error left behind.
    pub payment_intent: Option<String>,
}

impl Refusal {
    /// The failure code shown on a payment: the issuer's reason when there is one.
    pub fn failure_code(&self) -> String {
        self.decline_code.clone().or_else(|| self.code.clone()).unwrap_or_else(|| self.kind.clone())
    }
}

pub fn classify(e: StripeError) -> Failure {
    match e {
        StripeError::Stripe(err, status) if (400..500).contains(&status) && ![401, 403, 409, 429].contains(&status) => {
            Failure::Refused(Refusal {
                status,
                kind: err.type_.as_str().to_string(),
                code: err.code.as_ref().map(|c| c.as_str().to_string()),
                decline_code: err.decline_code.clone(),
                message: err.message.clone().unwrap_or_else(|| "Stripe refused the request".into()),
                payment_intent: err.payment_intent.as_ref().map(|pi| pi.id.as_str().to_string()),
            })
        }
        StripeError::Stripe(err, status) => {
            Failure::Unknown(format!("Stripe answered {status}: {}", err.message.as_deref().unwrap_or("")))
        }
        other => Failure::Unknown(other.to_string()),
    }
}

impl Failure {
    /// As an answer to an API call that needed Stripe.
    pub fn into_api_error(self) -> ApiError {
        match self {
            Failure::Refused(r) if r.kind == "card_error" => {
                ApiError::new(actix_web::http::StatusCode::PAYMENT_REQUIRED, ErrorCode::CardDeclined, r.message)
            }
            Failure::Refused(r) => ApiError::bad_request(ErrorCode::StripeRefused, format!("Stripe: {}", r.message)),
            Failure::Unknown(why) => {
                tracing::warn!(error = %why, "Stripe could not be reached");
                ApiError::unavailable(ErrorCode::StripeUnavailable, "Stripe could not be reached; try again")
            }
        }
    }
}
