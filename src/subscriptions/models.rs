use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::{CustomerId, PlanId, SubscriptionId, TenantId};
use crate::money::Quantity;
use crate::schema::subscriptions;
use crate::tenancy::Mode;
use crate::types::text_enum;

text_enum!(
    /// `trialing` and `active` grant the plan; `past_due` still does while payment is retried;
    /// `canceled` is final.
    Status { Trialing => "trialing", Active => "active", PastDue => "past_due", Canceled => "canceled" }
);

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = subscriptions, check_for_backend(diesel::pg::Pg), treat_none_as_null = true)]
pub struct Subscription {
    pub tenant_id: TenantId,
    pub mode: Mode,
    pub id: SubscriptionId,
    pub customer_id: CustomerId,
    pub plan_id: PlanId,
    pub plan_version: i32,
    pub status: Status,
    pub billing_anchor: DateTime<Utc>,
    pub current_period_start: DateTime<Utc>,
    pub current_period_end: DateTime<Utc>,
    pub trial_end: Option<DateTime<Utc>>,
    pub cancel_at_period_end: bool,
    pub canceled_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub pending_plan_id: Option<PlanId>,
    pub pending_plan_version: Option<i32>,
    pub created_at: DateTime<Utc>,
    /// Where the current period's usage is rated from (its start, or an immediate change).
    pub segment_start: DateTime<Utc>,
    /// Dunning: from this instant access is blocked (`verify` answers `PAYMENT_REQUIRED`)
    /// until the overdue invoice is paid.
    pub payment_blocked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"customer": "cus_0PYr3fWn4fTq0wKfM8sQ2f", "plan": "pro", "trial_days": 14}))]
pub struct CreateSubscriptionRequest {
    pub customer: CustomerId,
    /// The plan's key; the subscription takes its newest version.
    #[schema(example = "pro")]
    pub plan: String,
    /// Overrides the plan's trial; 0 for none.
    #[schema(value_type = Option<u32>, minimum = 0, maximum = 730, example = 14)]
    pub trial_days: Option<Quantity>,
}

text_enum!(
    /// `now`: switch at once (the rest of the period is prorated); `period_end`: at renewal.
    Timing { Now => "now", PeriodEnd => "period_end" }
);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"plan": "business", "timing": "now"}))]
pub struct ChangeSubscriptionRequest {
    #[schema(example = "business")]
    pub plan: String,
    pub timing: Timing,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"at_period_end": true}))]
pub struct CancelSubscriptionRequest {
    /// `true` (default): at the end of the period, still resumable; `false`: now.
    pub at_period_end: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChangePreview {
    /// The subscription as the change would leave it.
    pub subscription: SubscriptionResponse,
    /// What the change would bill at once (an upgrade's proration, finalized); null when it
    /// bills nothing now (a change at the period's end, a trial).
    pub invoice: Option<crate::invoices::models::InvoiceResponse>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PendingChange {
    #[schema(example = "business")]
    pub plan: String,
    pub plan_version: i32,
    pub effective_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "sub_0PYr3fWn4fTq0wKfM8sQ2g", "customer": "cus_0PYr3fWn4fTq0wKfM8sQ2f",
    "plan": "pro", "plan_version": 1, "status": "active",
    "current_period_start": "2026-01-31T09:00:00Z", "current_period_end": "2026-02-28T09:00:00Z",
    "trial_end": null, "cancel_at_period_end": false, "pending_change": null, "canceled_at": null,
    "ended_at": null, "created_at": "2026-01-31T09:00:00Z"}))]
pub struct SubscriptionResponse {
    pub id: SubscriptionId,
    pub customer: CustomerId,
    pub plan: String,
    pub plan_version: i32,
    pub status: Status,
    pub current_period_start: DateTime<Utc>,
    pub current_period_end: DateTime<Utc>,
    pub trial_end: Option<DateTime<Utc>>,
    pub cancel_at_period_end: bool,
    pub pending_change: Option<PendingChange>,
    pub canceled_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}
