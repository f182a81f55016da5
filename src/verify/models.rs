use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::{CustomerId, SubscriptionId};
use crate::money::Quantity;
use crate::subscriptions::models::Status;
use crate::types::{text_enum, Text};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"key": "tg_live_9xQ2mVb7Lk0PzR4sT8uW1yA3cE5gI7kM", "feature": "api_calls", "quantity": 1,
    "event_id": "req_7f3a9c"}))]
pub struct VerifyRequest {
    /// The customer's API key, as your API received it.
    #[schema(example = "tg_live_9xQ2mVb7Lk0PzR4sT8uW1yA3cE5gI7kM")]
    pub key: String,
    /// The feature the request uses; without it only the key and subscription are checked.
    #[schema(example = "api_calls")]
    pub feature: Option<String>,
    /// Units consumed (metered features; default 1). 0 checks without consuming.
    #[schema(value_type = Option<Quantity>, example = 1)]
    pub quantity: Option<Quantity>,
    /// Your id for this request: a retry with the same id consumes nothing more.
    #[schema(min_length = 1, max_length = 255, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$", value_type = Option<String>, example = "req_7f3a9c")]
    pub event_id: Option<Text<1, 255>>,
    /// When the usage happened (default now); up to 35 days back and 5 minutes ahead.
    #[serde(default, deserialize_with = "crate::types::time_opt")]
    pub timestamp: Option<DateTime<Utc>>,
    /// Event properties, for `max`, `unique_count` and `latest` features.
    #[schema(value_type = Option<crate::types::Properties>)]
    pub properties: Option<serde_json::Map<String, serde_json::Value>>,
}

text_enum!(
    /// The verdict: `VALID`, or why not.
    VerifyCode {
        Valid => "VALID", KeyNotFound => "KEY_NOT_FOUND", KeyRevoked => "KEY_REVOKED", KeyExpired => "KEY_EXPIRED",
        NoSubscription => "NO_SUBSCRIPTION", FeatureNotInPlan => "FEATURE_NOT_IN_PLAN",
        UsageExceeded => "USAGE_EXCEEDED", RateLimited => "RATE_LIMITED", PaymentRequired => "PAYMENT_REQUIRED"
    }
);

#[derive(Debug, Serialize, ToSchema)]
pub struct VerifiedCustomer {
    pub id: CustomerId,
    pub external_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerifiedSubscription {
    pub id: SubscriptionId,
    #[schema(example = "pro")]
    pub plan: String,
    pub status: Status,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerifiedFeature {
    #[schema(example = "api_calls")]
    pub key: String,
    pub has_access: bool,
    pub limit: Option<i64>,
    #[schema(value_type = Option<u64>)]
    pub used: Option<Quantity>,
    #[schema(value_type = Option<u64>)]
    pub remaining: Option<Quantity>,
    pub resets_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerifiedRateLimit {
    pub limit: u32,
    pub remaining: u32,
    pub reset_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerifiedEvent {
    #[schema(example = "req_7f3a9c")]
    pub id: String,
    pub duplicate: bool,
}

/// The verdict. Always 200 for a well-formed request: look at `valid` and `code`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"valid": true, "code": "VALID",
    "customer": {"id": "cus_0PYr3fWn4fTq0wKfM8sQ2f", "external_id": "globex-42"},
    "subscription": {"id": "sub_0PYr3fWn4fTq0wKfM8sQ2g", "plan": "pro", "status": "active"},
    "feature": {"key": "api_calls", "has_access": true, "limit": 100000, "used": 1234, "remaining": 98766, "resets_at": "2026-11-25T00:00:00Z"},
    "rate_limit": {"limit": 50, "remaining": 49, "reset_at": "2026-11-24T10:00:01Z"},
    "event": {"id": "req_7f3a9c", "duplicate": false}}))]
pub struct VerifyResponse {
    pub valid: bool,
    pub code: VerifyCode,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<VerifiedCustomer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription: Option<VerifiedSubscription>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature: Option<VerifiedFeature>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<VerifiedRateLimit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<VerifiedEvent>,
    /// Where to upgrade, when the tenant has set a pricing page and the plan falls short.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upgrade_url: Option<String>,
}

impl VerifyResponse {
    pub fn denied(code: VerifyCode) -> VerifyResponse {
        VerifyResponse {
            valid: false,
            code,
            customer: None,
            subscription: None,
            feature: None,
            rate_limit: None,
            event: None,
            upgrade_url: None,
        }
    }
}
