use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::{CustomerId, InvoiceId, PaymentId, StripeAccountId, TenantId};
use crate::schema::{payments, stripe_accounts};
use crate::tenancy::Mode;
use crate::types::text_enum;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = stripe_accounts, check_for_backend(diesel::pg::Pg))]
pub struct StripeAccount {
    pub tenant_id: TenantId,
    pub mode: Mode,
    pub id: StripeAccountId,
    pub stripe_account: String,
    pub livemode: bool,
    pub api_key_sealed: Vec<u8>,
    pub api_key_hint: String,
    pub connect_account: Option<String>,
    pub webhook_endpoint: String,
    pub webhook_secret_sealed: Vec<u8>,
    pub webhook_api_version: String,
    pub connected_at: DateTime<Utc>,
}

text_enum!(
    /// An attempt as stored: `created` is written before Stripe is called and stays until its
    /// answer is recorded (shown as `processing`).
    AttemptStatus {
        Created => "created", Processing => "processing", RequiresAction => "requires_action",
        Succeeded => "succeeded", Failed => "failed", Canceled => "canceled"
    }
);
text_enum!(
    /// `processing` until Stripe's answer is known; `requires_action` while the customer must
    /// authenticate (3-D Secure); then `succeeded`, `failed` or `canceled`.
    PaymentStatus {
        Processing => "processing", RequiresAction => "requires_action", Succeeded => "succeeded",
        Failed => "failed", Canceled => "canceled"
    }
);

impl AttemptStatus {
    /// Still waiting for an outcome (at most one such attempt per invoice: the
    /// `payments_in_flight` index lists the same).
    pub const IN_FLIGHT: [AttemptStatus; 3] =
        [AttemptStatus::Created, AttemptStatus::Processing, AttemptStatus::RequiresAction];

    /// A status only moves forward: nothing goes back to `created`, and a success is final.
    /// A failed or canceled attempt whose PaymentIntent Stripe later reports as succeeded
    /// becomes `succeeded`: money moved, and the record says so.
    pub fn may_become(self, next: AttemptStatus) -> bool {
        match self {
            AttemptStatus::Succeeded => false,
            AttemptStatus::Failed | AttemptStatus::Canceled => next == AttemptStatus::Succeeded,
            _ => next != AttemptStatus::Created && next != self,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = payments, check_for_backend(diesel::pg::Pg), treat_none_as_null = true)]
pub struct Payment {
    pub tenant_id: TenantId,
    pub mode: Mode,
    pub id: PaymentId,
    pub invoice_id: InvoiceId,
    pub customer_id: CustomerId,
    pub stripe_account: String,
    pub amount: Decimal,
    pub currency: String,
    pub status: AttemptStatus,
    pub payment_method: Option<String>,
    pub stripe_payment_intent: Option<String>,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    pub hard_decline: bool,
    pub dispute_status: Option<String>,
    pub dispute_reason: Option<String>,
    pub sent_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Payment {
    /// Stripe's idempotency key for this attempt's PaymentIntent.
    pub fn idempotency_key(&self) -> String {
        format!("tg_pi_{}", self.id)
    }
}

// ---- API ----

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"api_key": "rk_test_51Qx3bT2eZvKYlo2C0a1b2c3d"}))]
pub struct ConnectRequest {
    /// A secret (`sk_…`) or restricted (`rk_…`) key of the mode you act in.
    #[schema(min_length = 8, max_length = 255, pattern = r"^(sk|rk)_(test|live)_[0-9A-Za-z_]+$")]
    pub api_key: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StripeAccountResponse {
    /// Stripe's account id.
    #[schema(example = "acct_1Qx3bT2eZvKYlo2C")]
    pub stripe_account: String,
    pub livemode: bool,
    /// The webhook endpoint registered on the account (`we_…`).
    #[schema(example = "we_1Qx3bT2eZvKYlo2C")]
    pub webhook_endpoint: String,
    /// Where Stripe sends its events.
    pub webhook_url: String,
    /// The key, shortened past use.
    #[schema(example = "rk_test_…2c3d")]
    pub api_key_hint: String,
    /// The Stripe API version of the events sent to the endpoint.
    pub api_version: String,
    pub connected_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DisconnectedStripeAccount {
    #[schema(example = "acct_1Qx3bT2eZvKYlo2C")]
    pub stripe_account: String,
    pub deleted: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"payment_method": "pm_1Qx3bT2eZvKYlo2C"}))]
pub struct AttachPaymentMethodRequest {
    /// A PaymentMethod made client-side with Stripe.js (or a test one, such as `pm_card_visa`).
    #[schema(min_length = 3, max_length = 255, pattern = r"^pm_[0-9A-Za-z_]+$")]
    pub payment_method: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"success_url": "https://example.com/billing?done=1", "cancel_url": "https://example.com/billing"}))]
pub struct CheckoutSessionRequest {
    /// Where Stripe sends the customer once the card is saved.
    #[schema(max_length = 2048, pattern = r"^https?://[^\s]+$")]
    pub success_url: String,
    /// Where Stripe sends the customer who gives up.
    #[schema(max_length = 2048, pattern = r"^https?://[^\s]+$")]
    pub cancel_url: String,
    /// The currency the card will be charged in (Stripe offers the payment methods that take
    /// it); USD when absent.
    #[schema(value_type = Option<crate::money::Currency>)]
    pub currency: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckoutSessionResponse {
    /// Stripe's Checkout Session id.
    #[schema(example = "cs_test_a1b2c3")]
    pub id: String,
    /// Stripe's page, where the customer enters a card.
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentResponse {
    pub id: PaymentId,
    pub invoice: InvoiceId,
    #[schema(example = "99.00")]
    pub amount: String,
    #[schema(example = "USD")]
    pub currency: String,
    pub status: PaymentStatus,
    /// Stripe's `decline_code` when there is one, else its error `code`.
    #[schema(example = "insufficient_funds")]
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    #[schema(example = "pi_3Qx3bT2eZvKYlo2C")]
    pub stripe_payment_intent: Option<String>,
    /// A dispute (chargeback) of the payment, as Stripe reports it.
    pub dispute: Option<DisputeResponse>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DisputeResponse {
    /// Stripe's dispute status: `needs_response`, `under_review`, `won`, `lost`, …
    #[schema(example = "needs_response")]
    pub status: String,
    /// Stripe's reason, e.g. `fraudulent`.
    #[schema(example = "fraudulent")]
    pub reason: Option<String>,
}

impl From<Payment> for PaymentResponse {
    fn from(p: Payment) -> Self {
        PaymentResponse {
            id: p.id,
            invoice: p.invoice_id,
            amount: crate::money::Currency::parse(&p.currency)
                .map_or_else(|_| p.amount.to_string(), |c| c.format(p.amount)),
            currency: p.currency,
            status: match p.status {
                AttemptStatus::Created | AttemptStatus::Processing => PaymentStatus::Processing,
                AttemptStatus::RequiresAction => PaymentStatus::RequiresAction,
                AttemptStatus::Succeeded => PaymentStatus::Succeeded,
                AttemptStatus::Failed => PaymentStatus::Failed,
                AttemptStatus::Canceled => PaymentStatus::Canceled,
            },
            failure_code: p.failure_code,
            failure_message: p.failure_message,
            stripe_payment_intent: p.stripe_payment_intent,
            dispute: p.dispute_status.map(|status| DisputeResponse { status, reason: p.dispute_reason }),
            created_at: p.created_at,
        }
    }
}
