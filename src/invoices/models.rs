use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::rating::TierUse;
use crate::ids::{CustomerId, InvoiceId, PlanId, SubscriptionId, TenantId};
use crate::money::{format_min_scale, Currency};
use crate::schema::{invoice_lines, invoices};
use crate::tenancy::Mode;
use crate::types::text_enum;

text_enum!(
    /// `draft` while the grace period after the period's end runs (late usage lands on it);
    /// `open` once finalized: numbered and immutable; then `paid`, `void` or `uncollectible`.
    /// `upcoming` only on the upcoming-invoice preview.
    InvoiceStatus {
        Draft => "draft", Open => "open", Paid => "paid", Void => "void", Uncollectible => "uncollectible",
        Upcoming => "upcoming"
    }
);
text_enum!(
    /// Why the invoice exists: a subscription started, a period closed, the plan changed
    /// immediately, or the subscription was canceled immediately.
    Reason {
        SubscriptionCreate => "subscription_create", SubscriptionCycle => "subscription_cycle",
        SubscriptionUpdate => "subscription_update", SubscriptionCancel => "subscription_cancel"
    }
);
text_enum!(
    /// `subscription`: a base fee; `usage`: a usage charge; `proration`: a plan change's credit or charge.
    LineKind { Subscription => "subscription", Usage => "usage", Proration => "proration" }
);

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = invoices, check_for_backend(diesel::pg::Pg), treat_none_as_null = true)]
pub struct Invoice {
    pub tenant_id: TenantId,
    pub mode: Mode,
    pub id: InvoiceId,
    pub customer_id: CustomerId,
    pub subscription_id: Option<SubscriptionId>,
    pub number: Option<String>,
    pub status: InvoiceStatus,
    pub reason: Reason,
    pub currency: String,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    pub usage_plan_id: Option<PlanId>,
    pub usage_plan_version: Option<i32>,
    pub usage_from: Option<DateTime<Utc>>,
    pub usage_to: Option<DateTime<Utc>>,
    pub tax_rate: Option<Decimal>,
    pub subtotal: Decimal,
    pub tax: Decimal,
    pub total: Decimal,
    pub credit_applied: Decimal,
    pub amount_due: Decimal,
    pub created_at: DateTime<Utc>,
    pub finalize_at: Option<DateTime<Utc>>,
    pub issued_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub paid_at: Option<DateTime<Utc>>,
    pub voided_at: Option<DateTime<Utc>>,
    /// Collected through payments (Stripe); `amount_due` is what was asked.
    pub amount_paid: Decimal,
    /// Payments tried (a retry of the same attempt after a lost answer is not a new one).
    pub attempt_count: i32,
    /// When dunning tries again; none when no retry is scheduled.
    pub next_payment_attempt: Option<DateTime<Utc>>,
    /// The first failed payment, from which dunning counts its days.
    pub payment_failed_at: Option<DateTime<Utc>>,
    /// The total of the invoice's credit notes.
    pub amount_credited: Decimal,
}

impl Invoice {
    pub fn currency(&self) -> Currency {
        Currency::parse(&self.currency).expect("stored currencies were validated")
    }
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = invoice_lines, check_for_backend(diesel::pg::Pg))]
pub struct Line {
    pub tenant_id: TenantId,
    pub mode: Mode,
    pub invoice_id: InvoiceId,
    pub position: i32,
    pub kind: LineKind,
    pub description: String,
    pub feature: Option<String>,
    pub quantity: Decimal,
    pub unit_amount: Option<Decimal>,
    pub amount: Decimal,
    pub tiers: Option<serde_json::Value>,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
}

/// A line before it belongs to an invoice: what rating produces.
#[derive(Debug, Clone, PartialEq)]
pub struct LineDraft {
    pub kind: LineKind,
    pub description: String,
    pub feature: Option<String>,
    pub quantity: Decimal,
    pub unit_amount: Option<Decimal>,
    /// Rounded to the currency's minor unit.
    pub amount: Decimal,
    pub tiers: Vec<TierUse>,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
}

// ---- API ----

#[derive(Debug, Serialize, ToSchema)]
pub struct LineResponse {
    pub kind: LineKind,
    #[schema(example = "API calls: 120,000 used, 50,000 included")]
    pub description: String,
    #[schema(example = "api_calls")]
    pub feature: Option<String>,
    #[schema(example = "70000")]
    pub quantity: String,
    /// Price of one unit of `quantity`; null for graduated charges (see `tiers`).
    #[schema(example = "0.002")]
    pub unit_amount: Option<String>,
    #[schema(example = "140.00")]
    pub amount: String,
    /// Graduated and volume charges: the tiers, spelled out.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<TierResponse>,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TierResponse {
    /// Units above `from` up to and including `up_to` (null: no upper bound).
    pub from: String,
    pub up_to: Option<String>,
    pub quantity: String,
    pub unit_amount: String,
    pub flat_amount: String,
    /// Before rounding: the line's amount is rounded once.
    pub amount: String,
}

pub fn decimal(d: Decimal) -> String {
    d.normalize().to_string()
}

impl LineResponse {
    pub fn new(currency: Currency, l: &LineDraft) -> LineResponse {
        LineResponse {
            kind: l.kind,
            description: l.description.clone(),
            feature: l.feature.clone(),
            quantity: decimal(l.quantity),
            unit_amount: l.unit_amount.map(|u| format_min_scale(u, currency.minor_units())),
            amount: currency.format(l.amount),
            tiers: l
                .tiers
                .iter()
                .map(|t| TierResponse {
                    from: decimal(t.from),
                    up_to: t.up_to.map(decimal),
                    quantity: decimal(t.quantity),
                    unit_amount: format_min_scale(t.unit_amount, currency.minor_units()),
                    flat_amount: currency.format(t.flat_amount),
                    amount: format_min_scale(t.amount, currency.minor_units()),
                })
                .collect(),
            period_start: l.period_start,
            period_end: l.period_end,
        }
    }
}

impl From<Line> for LineDraft {
    fn from(l: Line) -> LineDraft {
        LineDraft {
            kind: l.kind,
            description: l.description,
            feature: l.feature,
            quantity: l.quantity,
            unit_amount: l.unit_amount,
            amount: l.amount,
            tiers: l.tiers.and_then(|t| serde_json::from_value(t).ok()).unwrap_or_default(),
            period_start: l.period_start,
            period_end: l.period_end,
        }
    }
}

/// What every invoice shows, the upcoming preview's included: who, which period, the lines and
/// the amounts.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceSummary {
    pub customer: CustomerId,
    pub subscription: Option<SubscriptionId>,
    pub status: InvoiceStatus,
    pub reason: Reason,
    pub currency: Currency,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    pub lines: Vec<LineResponse>,
    #[schema(example = "239.00")]
    pub subtotal: String,
    /// The customer's `tax_rate` (percent) when the invoice was rated.
    #[schema(example = "20")]
    pub tax_rate: Option<String>,
    #[schema(example = "47.80")]
    pub tax: String,
    #[schema(example = "286.80")]
    pub total: String,
    /// Credit from earlier invoices (a downgrade's unused time) used on this one.
    #[schema(example = "0.00")]
    pub credit_applied: String,
    #[schema(example = "286.80")]
    pub amount_due: String,
}

impl InvoiceSummary {
    fn new(inv: &Invoice, lines: &[LineDraft]) -> InvoiceSummary {
        let c = inv.currency();
        InvoiceSummary {
            customer: inv.customer_id,
            subscription: inv.subscription_id,
            status: inv.status,
            reason: inv.reason,
            currency: c,
            period_start: inv.period_start,
            period_end: inv.period_end,
            lines: lines.iter().map(|l| LineResponse::new(c, l)).collect(),
            subtotal: c.format(inv.subtotal),
            tax_rate: inv.tax_rate.map(decimal),
            tax: c.format(inv.tax),
            total: c.format(inv.total),
            credit_applied: c.format(inv.credit_applied),
            amount_due: c.format(inv.amount_due),
        }
    }
}

/// An invoice: a draft, or finalized (numbered and immutable).
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceResponse {
    pub id: InvoiceId,
    /// `TEST-000001` / `INV-000001`, gapless per tenant and mode; null while `draft`.
    #[schema(example = "INV-000042")]
    pub number: Option<String>,
    #[serde(flatten)]
    pub summary: InvoiceSummary,
    pub created_at: DateTime<Utc>,
    /// When a draft finalizes by itself.
    pub finalize_at: Option<DateTime<Utc>>,
    pub issued_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub paid_at: Option<DateTime<Utc>>,
    pub voided_at: Option<DateTime<Utc>>,
    /// Collected through Stripe so far.
    #[schema(example = "0.00")]
    pub amount_paid: String,
    /// The total of the invoice's credit notes.
    #[schema(example = "0.00")]
    pub amount_credited: String,
    /// Attempts to collect it (a retry after a lost answer is the same attempt).
    pub attempt_count: i32,
    /// When dunning tries again; null when no attempt is scheduled.
    pub next_payment_attempt: Option<DateTime<Utc>>,
}

impl InvoiceResponse {
    pub fn new(inv: &Invoice, lines: &[LineDraft]) -> InvoiceResponse {
        InvoiceResponse {
            id: inv.id,
            number: inv.number.clone(),
            summary: InvoiceSummary::new(inv, lines),
            created_at: inv.created_at,
            finalize_at: inv.finalize_at,
            issued_at: inv.issued_at,
            due_at: inv.due_at,
            paid_at: inv.paid_at,
            voided_at: inv.voided_at,
            amount_paid: inv.currency().format(inv.amount_paid),
            amount_credited: inv.currency().format(inv.amount_credited),
            attempt_count: inv.attempt_count,
            next_payment_attempt: inv.next_payment_attempt,
        }
    }
}

/// What the customer's current period would bill if it closed now: not an invoice yet, so no
/// id, number or dates of its own; `status` is `upcoming`.
#[derive(Debug, Serialize, ToSchema)]
pub struct UpcomingInvoice {
    #[serde(flatten)]
    pub summary: InvoiceSummary,
}

impl UpcomingInvoice {
    pub fn new(inv: &Invoice, lines: &[LineDraft]) -> UpcomingInvoice {
        debug_assert_eq!(inv.status, InvoiceStatus::Upcoming);
        UpcomingInvoice { summary: InvoiceSummary::new(inv, lines) }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InvoiceListParams {
    /// Only this customer's invoices.
    pub customer: Option<CustomerId>,
    pub status: Option<InvoiceStatus>,
    /// 1 to 100; default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// From the previous page's `next_cursor`.
    #[param(pattern = r"^([a-z]+_[0-6][0-9A-Za-z]{21})?$")]
    pub cursor: Option<String>,
}
