//! How an invoice is built and finalized, whatever asked for it: base-fee lines, usage rated
//! from the ledger, tax and totals, credit, numbering. The subscription's billing cycle
//! ([`crate::subscriptions::cycle`]) decides *what* to bill and calls these; the upcoming-invoice
//! preview is built by the same [`NewInvoice::build`] as a real invoice.
//!
//! Every function runs inside the caller's transaction and takes "now" as an argument.

use chrono::{DateTime, TimeDelta, Utc};
use rust_decimal::Decimal;

use super::models::*;
use super::rating;
use super::repo;
use crate::cache::{Changes, Invalidation};
use crate::catalog::models::PlanVersion;
use crate::db::PgConn;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::ids::{CustomerId, InvoiceId, PlanId, SubscriptionId};
use crate::tenancy::Scope;

/// A base-fee line for the part `[from, to)` of the billing period `[start, end)`; `None` for a
/// free plan. `sign` is -1 for a credit.
pub fn fee_line(
    v: &PlanVersion,
    kind: LineKind,
    description: String,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    sign: Decimal,
) -> Option<LineDraft> {
    if v.amount.is_zero() {
        return None;
    }
    let share = rating::fraction(start, end, from, to);
    let amount = rating::round_line(v.currency(), sign * v.amount * share);
    let whole = share == Decimal::ONE && sign == Decimal::ONE;
    Some(LineDraft {
        kind,
        description,
        feature: None,
        quantity: Decimal::ONE,
        unit_amount: Some(if whole { v.amount } else { amount }),
        amount,
        tiers: Vec::new(),
        period_start: from,
        period_end: to,
    })
}

/// The usage an invoice bills: rated from the ledger until the invoice is finalized.
#[derive(Debug, Clone, Copy)]
pub struct UsageSpan {
    pub plan_id: PlanId,
    pub plan_version: i32,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl UsageSpan {
    /// The usage of `[from, to)` rated on `v`; `None` when the plan has no usage charges.
    pub fn of(v: &PlanVersion, from: DateTime<Utc>, to: DateTime<Utc>) -> Option<UsageSpan> {
        (!v.charge_specs().is_empty()).then_some(UsageSpan { plan_id: v.plan_id, plan_version: v.version, from, to })
    }
}

/// One line per usage charge of the plan version, rated over `[from, to)`.
pub fn usage_lines(
    conn: &mut PgConn,
    scope: Scope,
    customer: crate::ids::CustomerId,
    v: &PlanVersion,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> ApiResult<Vec<LineDraft>> {
    use super::document::group;
    let currency = v.currency();
    let mut lines = Vec::new();
    for charge in v.charge_specs() {
        let Some(feature) = crate::catalog::repo::find_feature(conn, scope, charge.feature())? else { continue };
        let Some(metered) = feature.metered() else { continue };
        let used = crate::ledger::aggregate::total(conn, scope, customer, metered, from, to)?;
        let r = rating::rate(&charge, used);
        let unit = feature.unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default();
        let description = match &charge {
            crate::catalog::models::ChargeSpec::PerUnit { .. } if !r.included.is_zero() => {
                format!("{}: {}{unit} used, {} included", feature.name, group(r.used), group(r.included))
            }
            crate::catalog::models::ChargeSpec::Package { package_size, .. } => {
                let included =
                    if r.included.is_zero() { String::new() } else { format!(", {} included", group(r.included)) };
                format!(
                    "{}: {}{unit} used{included}, in packages of {}",
                    feature.name,
                    group(r.used),
                    group(package_size.value())
                )
            }
            crate::catalog::models::ChargeSpec::Graduated { .. } => {
                format!("{}: {}{unit} (graduated tiers)", feature.name, group(r.used))
            }
            crate::catalog::models::ChargeSpec::Volume { .. } => {
                format!("{}: {}{unit} (volume tiers)", feature.name, group(r.used))
            }
            _ => format!("{}: {}{unit}", feature.name, group(r.used)),
        };
        lines.push(LineDraft {
            kind: LineKind::Usage,
            description,
            feature: Some(feature.key),
            quantity: r.quantity,
            unit_amount: r.unit_amount,
            amount: rating::round_line(currency, r.amount),
            tiers: r.tiers,
            period_start: from,
            period_end: to,
        });
    }
    Ok(lines)
}

/// What billing the tenant set up: (grace period, days to pay).
pub fn terms(conn: &mut PgConn, scope: Scope) -> ApiResult<(TimeDelta, TimeDelta)> {
    let t = crate::accounts::repo::find_tenant(conn, scope.tenant_id)?.ok_or_else(|| ApiError::not_found("tenant"))?;
    Ok((TimeDelta::seconds(i64::from(t.invoice_grace_seconds)), TimeDelta::days(i64::from(t.invoice_due_days))))
}

/// An invoice to bill: what the cycle decided, before usage is rated.
pub struct NewInvoice {
    pub customer: CustomerId,
    pub subscription: SubscriptionId,
    pub reason: Reason,
    pub period: (DateTime<Utc>, DateTime<Utc>),
    /// Lines decided by the caller (fees, prorations).
    pub lines: Vec<LineDraft>,
    /// Usage to rate from the ledger and add.
    pub usage: Option<UsageSpan>,
    pub currency: String,
}

impl NewInvoice {
    /// The draft and its lines, usage rated as of now and totals computed; nothing is written.
    pub fn build(self, conn: &mut PgConn, scope: Scope, now: DateTime<Utc>) -> ApiResult<(Invoice, Vec<LineDraft>)> {
        let mut lines = self.lines;
        if let Some(u) = self.usage {
            let v = crate::catalog::repo::referenced_version(conn, scope, u.plan_id, u.plan_version)?;
            lines.extend(usage_lines(conn, scope, self.customer, &v, u.from, u.to)?);
        }
        let currency =
            crate::money::Currency::parse(&self.currency).map_err(|e| ApiError::internal(anyhow::anyhow!(e)))?;
        let tax_rate = crate::customers::repo::find_any(conn, scope, self.customer)?.and_then(|c| c.tax_rate);
        let t = rating::totals(currency, lines.iter().map(|l| l.amount), tax_rate);
        let inv = Invoice {
            tenant_id: scope.tenant_id,
            mode: scope.mode,
            id: InvoiceId::new(),
            customer_id: self.customer,
            subscription_id: Some(self.subscription),
            number: None,
            status: InvoiceStatus::Draft,
            reason: self.reason,
            currency: self.currency,
            period_start: self.period.0,
            period_end: self.period.1,
            usage_plan_id: self.usage.map(|u| u.plan_id),
            usage_plan_version: self.usage.map(|u| u.plan_version),
            usage_from: self.usage.map(|u| u.from),
            usage_to: self.usage.map(|u| u.to),
            tax_rate,
            subtotal: t.subtotal,
            tax: t.tax,
            total: t.total,
            credit_applied: Decimal::ZERO,
            amount_due: t.total.max(Decimal::ZERO),
            created_at: now,
            finalize_at: None,
            issued_at: None,
            due_at: None,
            paid_at: None,
            voided_at: None,
            amount_paid: Decimal::ZERO,
            attempt_count: 0,
            next_payment_attempt: None,
            payment_failed_at: None,
            amount_credited: Decimal::ZERO,
        };
        Ok((inv, lines))
    }
}

/// Writes a draft invoice (its usage rated as of now); `None` when there is nothing to bill.
pub fn create(conn: &mut PgConn, scope: Scope, new: NewInvoice, now: DateTime<Utc>) -> ApiResult<Option<Invoice>> {
    let (inv, lines) = new.build(conn, scope, now)?;
    if lines.is_empty() {
        return Ok(None);
    }
    repo::insert(conn, &inv, &lines)?;
    crate::events::emit(conn, scope, "invoice.created", &super::models::InvoiceResponse::new(&inv, &lines), now)?;
    Ok(Some(inv))
}

/// Finalizes a draft: re-rates its usage from the ledger, computes tax and totals, applies the
/// customer's credit, gives it the next number, and schedules its email. From here on the
/// invoice cannot change (the database refuses).
pub fn finalize(
    conn: &mut PgConn,
    changes: &mut Changes,
    scope: Scope,
    inv: &mut Invoice,
    now: DateTime<Utc>,
) -> ApiResult<Vec<LineDraft>> {
    if inv.status != InvoiceStatus::Draft {
        return Err(ApiError::conflict(
            ErrorCode::InvoiceNotDraft,
            format!("the invoice is {}, not draft", inv.status),
        ));
    }
    let lines = match (inv.usage_plan_id, inv.usage_plan_version, inv.usage_from, inv.usage_to) {
        (Some(p), Some(v), Some(from), Some(to)) => {
            let v = crate::catalog::repo::referenced_version(conn, scope, p, v)?;
            let usage = usage_lines(conn, scope, inv.customer_id, &v, from, to)?;
            repo::replace_usage_lines(conn, inv, &usage)?
        }
        _ => repo::lines(conn, inv)?,
    };
    let customer = crate::customers::repo::find_any(conn, scope, inv.customer_id)?;
    let tax_rate = customer.and_then(|c| c.tax_rate);
    let currency = inv.currency();
    let t = rating::totals(currency, lines.iter().map(|l| l.amount), tax_rate);
    let credit = repo::credit(conn, scope, inv.customer_id, &inv.currency, true)?;
    let (due, applied, left) = rating::settle(t.total, credit);
    if left != credit {
        repo::set_credit(conn, scope, inv.customer_id, &inv.currency, left)?;
    }
    let (_, days_to_pay) = terms(conn, scope)?;
    inv.tax_rate = tax_rate;
    inv.subtotal = t.subtotal;
    inv.tax = t.tax;
    inv.total = t.total;
    inv.credit_applied = applied;
    inv.amount_due = due;
    inv.number = Some(repo::next_number(conn, scope)?);
    inv.status = if due.is_zero() { InvoiceStatus::Paid } else { InvoiceStatus::Open };
    inv.issued_at = Some(now);
    inv.due_at = Some(now + days_to_pay);
    inv.paid_at = due.is_zero().then_some(now);
    inv.finalize_at = None;
    repo::save(conn, inv)?;
    if let Some(to) = inv.usage_to {
        repo::mark_billed_through(conn, scope, inv.customer_id, to)?;
        // Verify and the usage API refuse usage before it now.
        changes.invalidate(Invalidation::Customer(scope, inv.customer_id));
    }
    super::jobs::send_invoice(conn, scope, inv.id, now)?;
    let answer = super::models::InvoiceResponse::new(inv, &lines);
    crate::events::emit(conn, scope, "invoice.finalized", &answer, now)?;
    if inv.status == InvoiceStatus::Paid {
        crate::events::emit(conn, scope, "invoice.paid", &answer, now)?;
    }
    if inv.status == InvoiceStatus::Open && super::repo::has_payment_method(conn, scope, inv.customer_id)? {
        inv.next_payment_attempt = Some(now);
        repo::save(conn, inv)?;
        super::jobs::collect_invoice(conn, scope, inv, now)?;
    }
    Ok(lines)
}

/// The finalize job: a draft whose grace period is over. Finalized or voided meanwhile by hand:
/// nothing to do.
pub fn finalize_due(
    conn: &mut PgConn,
    changes: &mut Changes,
    scope: Scope,
    id: InvoiceId,
    at: DateTime<Utc>,
) -> ApiResult<()> {
    let Some(mut inv) = repo::lock(conn, scope, id)? else { return Ok(()) };
    if inv.status != InvoiceStatus::Draft {
        return Ok(());
    }
    finalize(conn, changes, scope, &mut inv, at).map(drop)
}

/// Writes the invoice and finalizes it at once (changes and cancellations bill immediately).
pub fn create_and_finalize(
    conn: &mut PgConn,
    changes: &mut Changes,
    scope: Scope,
    new: NewInvoice,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    if let Some(mut inv) = create(conn, scope, new, now)? {
        finalize(conn, changes, scope, &mut inv, now)?;
    }
    Ok(())
}
