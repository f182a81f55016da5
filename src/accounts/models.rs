use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::{SecretKeyId, TenantId, UserId};
use crate::schema::{secret_keys, tenants, users};
use crate::tenancy::Mode;
use crate::types::{Email, Text};

// ---- rows ----

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = tenants, check_for_backend(diesel::pg::Pg))]
pub struct Tenant {
    pub id: TenantId,
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// Your pricing page: verify passes it on as `upgrade_url` when a plan falls short.
    pub pricing_url: Option<String>,
    /// How long a closed period's invoice stays a draft before it is finalized.
    pub invoice_grace_seconds: i32,
    /// Days from finalization to an invoice's due date.
    pub invoice_due_days: i32,
    /// Dunning: see [`crate::accounts::repo::Dunning`].
    pub dunning_retry_days: Vec<i32>,
    pub dunning_block_after_days: Option<i32>,
    pub dunning_cancel_after_days: Option<i32>,
    /// The kinds of customer email turned off ([`crate::notices::EmailKind`]).
    pub emails_off: Vec<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct User {
    pub tenant_id: TenantId,
    pub id: UserId,
    pub email: String,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = secret_keys, check_for_backend(diesel::pg::Pg))]
pub struct SecretKey {
    pub tenant_id: TenantId,
    pub mode: Mode,
    pub id: SecretKeyId,
    pub name: String,
    pub prefix: String,
    pub key_hash: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

// ---- API ----

pub type OrganizationName = Text<1, 200>;
pub type KeyName = Text<1, 100>;

/// A password of 10 to 256 characters.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl<'de> Deserialize<'de> for Password {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use crate::crypto::password::{MAX_PASSWORD_LEN, MIN_PASSWORD_LEN};
        let s = String::deserialize(d)?;
        let n = s.chars().count();
        if n < MIN_PASSWORD_LEN {
            return Err(serde::de::Error::custom(format!("must be at least {MIN_PASSWORD_LEN} characters")));
        }
        if n > MAX_PASSWORD_LEN {
            return Err(serde::de::Error::custom(format!("must be at most {MAX_PASSWORD_LEN} characters")));
        }
        Ok(Password(s))
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"organization": "Acme Weather API", "email": "ada@acme.dev", "password": "correct horse battery"}))]
pub struct SignupRequest {
    /// The company's name, 1 to 200 characters.
    #[schema(pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$", value_type = String, min_length = 1, max_length = 200)]
    pub organization: OrganizationName,
    #[schema(value_type = String, format = Email)]
    pub email: Email,
    /// At least 10 characters.
    #[schema(value_type = String, min_length = 10, max_length = 256, format = Password)]
    pub password: Password,
}

#[derive(Serialize, ToSchema)]
pub struct TenantSummary {
    pub id: TenantId,
    #[schema(example = "Acme Weather API")]
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct UserSummary {
    pub id: UserId,
    #[schema(value_type = String, example = "ada@acme.dev")]
    pub email: String,
}

/// The two secret keys every new tenant starts with; shown only here.
#[derive(Serialize, ToSchema)]
pub struct InitialSecretKeys {
    #[schema(example = "sk_test_4eC39HqLyjWDarjtT1zdp7dc0A1b2C3d")]
    pub test: String,
    #[schema(example = "sk_live_9xQ2mVb7Lk0PzR4sT8uW1yA3cE5gI7kM")]
    pub live: String,
}

#[derive(Serialize, ToSchema)]
pub struct SignupResponse {
    pub tenant: TenantSummary,
    pub user: UserSummary,
    #[schema(example = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…")]
    pub access_token: String,
    pub secret_keys: InitialSecretKeys,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "ada@acme.dev", "password": "correct horse battery"}))]
pub struct LoginRequest {
    #[schema(value_type = String, format = Email)]
    pub email: Email,
    /// Any string; a wrong password and an unknown email answer alike.
    #[schema(format = Password)]
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    #[schema(example = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…")]
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the token expires.
    #[schema(example = 3600)]
    pub expires_in: i64,
}

#[derive(Serialize, ToSchema)]
pub struct TenantResponse {
    pub id: TenantId,
    #[schema(example = "Acme Weather API")]
    pub name: String,
    /// The mode this request acts in.
    pub mode: Mode,
    #[schema(example = "https://acme.dev/pricing")]
    pub pricing_url: Option<String>,
    /// How long a closed period's invoice stays a draft (late usage still lands on it).
    #[schema(example = 3600)]
    pub invoice_grace_period_seconds: i32,
    /// Days from an invoice's finalization to its due date.
    #[schema(example = 30)]
    pub invoice_due_days: i32,
    pub dunning: DunningSettings,
    /// Which emails your customers get.
    pub emails: EmailSettings,
}

/// Which emails your customers get (all, unless turned off).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EmailSettings {
    /// A finalized invoice, with its document.
    pub invoice: bool,
    /// A payment receipt.
    pub receipt: bool,
    /// A failed payment, with a link to update the payment method.
    pub payment_failed: bool,
    /// Usage at 80 % and 100 % of a limit.
    pub usage_threshold: bool,
    /// A trial ending in 3 days.
    pub trial_ending: bool,
    /// A subscription canceled.
    pub subscription_canceled: bool,
}

impl EmailSettings {
    fn new(off: &[String]) -> EmailSettings {
        let on = |k: crate::notices::EmailKind| !off.iter().any(|o| o == k.as_str());
        use crate::notices::EmailKind as K;
        EmailSettings {
            invoice: on(K::Invoice),
            receipt: on(K::Receipt),
            payment_failed: on(K::PaymentFailed),
            usage_threshold: on(K::UsageThreshold),
            trial_ending: on(K::TrialEnding),
            subscription_canceled: on(K::SubscriptionCanceled),
        }
    }
}

/// Turns kinds of customer email on (`true`) or off (`false`); absent ones stay.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"usage_threshold": false}))]
pub struct EmailsUpdate {
    pub invoice: Option<bool>,
    pub receipt: Option<bool>,
    pub payment_failed: Option<bool>,
    pub usage_threshold: Option<bool>,
    pub trial_ending: Option<bool>,
    pub subscription_canceled: Option<bool>,
}

/// What happens after an invoice's first failed payment, each step in days from it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DunningSettings {
    /// When the invoice is tried again.
    #[schema(example = json!([1, 3, 5, 7]))]
    pub retry_days: Vec<i32>,
    /// From when `verify` answers `PAYMENT_REQUIRED`; null: never.
    #[schema(example = 14)]
    pub block_after_days: Option<i32>,
    /// When the subscription is canceled and the invoice marked uncollectible; null: never.
    #[schema(example = 21)]
    pub cancel_after_days: Option<i32>,
}

/// Days after the first failed payment on which the invoice is tried again: up to 10 distinct
/// days, each 1 to 365 (kept in order). `[]` (or `null`): no retries.
pub struct RetryDays;

impl utoipa::PartialSchema for RetryDays {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
        ArrayBuilder::new()
            .description(Some(
                "Days after the first failed payment on which the invoice is tried again: up to 10 distinct days, each 1 to 365 (kept in order); [] or null: none.",
            ))
            .items(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1)).maximum(Some(365)))
            .max_items(Some(10))
            .unique_items(true)
            .examples([serde_json::json!([1, 3, 5, 7])])
            .into()
    }
}

impl utoipa::ToSchema for RetryDays {}

/// Changes to the dunning policy; an absent field stays, `null` turns a step off.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"retry_days": [1, 3, 5, 7], "block_after_days": 14, "cancel_after_days": 21}))]
pub struct DunningUpdate {
    #[serde(default, deserialize_with = "crate::types::double_option")]
    #[schema(value_type = Option<RetryDays>)]
    pub retry_days: Option<Option<Vec<crate::money::Quantity>>>,
    /// 1 to 365.
    #[serde(default, deserialize_with = "crate::types::double_option")]
    #[schema(value_type = Option<u32>, minimum = 1, maximum = 365)]
    pub block_after_days: Option<Option<crate::money::Quantity>>,
    /// 1 to 365.
    #[serde(default, deserialize_with = "crate::types::double_option")]
    #[schema(value_type = Option<u32>, minimum = 1, maximum = 365)]
    pub cancel_after_days: Option<Option<crate::money::Quantity>>,
}

impl TenantResponse {
    pub fn new(t: Tenant, mode: Mode) -> TenantResponse {
        TenantResponse {
            id: t.id,
            name: t.name,
            mode,
            pricing_url: t.pricing_url,
            invoice_grace_period_seconds: t.invoice_grace_seconds,
            invoice_due_days: t.invoice_due_days,
            dunning: DunningSettings {
                retry_days: t.dunning_retry_days,
                block_after_days: t.dunning_block_after_days,
                cancel_after_days: t.dunning_cancel_after_days,
            },
            emails: EmailSettings::new(&t.emails_off),
        }
    }
}

/// The tenant's settings to change; `null` clears `pricing_url`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"pricing_url": "https://acme.dev/pricing", "invoice_due_days": 14}))]
pub struct UpdateTenantRequest {
    #[schema(min_length = 1, max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$", value_type = Option<String>)]
    pub name: Option<OrganizationName>,
    /// An https:// (or http://) URL, at most 500 characters.
    #[serde(default, deserialize_with = "crate::types::double_option")]
    #[schema(value_type = Option<String>, max_length = 500, pattern = r"^https?://[^\s\u0000-\u001f\u007f-\u009f]{2,}$")]
    pub pricing_url: Option<Option<crate::types::Url>>,
    /// 0 to 2,592,000 (30 days); default 3,600.
    #[schema(value_type = Option<u32>, minimum = 0, maximum = 2_592_000, example = 3600)]
    pub invoice_grace_period_seconds: Option<crate::money::Quantity>,
    /// 0 to 365; default 30.
    #[schema(value_type = Option<u32>, minimum = 0, maximum = 365, example = 30)]
    pub invoice_due_days: Option<crate::money::Quantity>,
    /// After a failed payment: retries, blocking access, cancellation.
    #[serde(default, deserialize_with = "crate::types::object")]
    pub dunning: Option<DunningUpdate>,
    /// Which emails your customers get.
    #[serde(default, deserialize_with = "crate::types::object")]
    pub emails: Option<EmailsUpdate>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "production server", "mode": "live"}))]
pub struct CreateSecretKeyRequest {
    /// 1 to 100 characters.
    #[schema(pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$", value_type = String, min_length = 1, max_length = 100)]
    pub name: KeyName,
    pub mode: Mode,
}

/// A secret key as listed: never the key itself.
#[derive(Serialize, ToSchema)]
pub struct SecretKeyObject {
    pub id: SecretKeyId,
    #[schema(example = "production server")]
    pub name: String,
    pub mode: Mode,
    /// The key's first characters, to recognise it.
    #[schema(example = "sk_live_9xQ2")]
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<SecretKey> for SecretKeyObject {
    fn from(k: SecretKey) -> Self {
        SecretKeyObject {
            id: k.id,
            name: k.name,
            mode: k.mode,
            prefix: k.prefix,
            created_at: k.created_at,
            revoked_at: k.revoked_at,
        }
    }
}

/// A secret key just created: the only time `key` is shown.
#[derive(Serialize, ToSchema)]
pub struct CreatedSecretKey {
    pub id: SecretKeyId,
    #[schema(example = "production server")]
    pub name: String,
    pub mode: Mode,
    #[schema(example = "sk_live_9xQ2mVb7Lk0PzR4sT8uW1yA3cE5gI7kM")]
    pub key: String,
    #[schema(example = "sk_live_9xQ2")]
    pub prefix: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct RevokedSecretKey {
    pub id: SecretKeyId,
    pub revoked_at: DateTime<Utc>,
}
