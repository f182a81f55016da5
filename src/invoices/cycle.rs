//! The billing cycle: what happens to a subscription and its invoices when time passes or the
//! subscription changes. Every function here runs inside the caller's transaction, with the
//! subscription's row locked, and takes "now" as an argument: jobs pass the instant they were
//! due, so a late worker or a test clock jumping a year bills exactly what was due then.
//!
//! The rules (README.md "Billing cycle"):
//! - The invoice that closes period N carries period N's usage (rated on the plan in force) and,
//!   for `in_advance` plans, period N+1's base fee; `in_arrears` plans bill period N's fee at
//!   its end instead. A subscription without a trial that bills in advance is invoiced its
//!   first fee when it starts.
//! - A trial is free: neither its base fee nor its usage is billed. The invoice at its end
//!   carries the first paid period's fee (in advance).
//! - An immediate plan change closes the current *segment*: usage so far rated on the old plan,
//!   the old plan's unused fee credited (or, in arrears, its used part charged) and the new
//!   plan's remainder charged, to the second, on an invoice finalized at once. Usage after the
//!   change is rated on the new plan when the period closes.
//! - An immediate cancellation bills the usage so far (and an `in_arrears` fee for the time
//!   used); an `in_advance` fee already paid is not refunded.
//! - Period-closing invoices stay `draft` for the tenant's grace period, then finalize
//!   (re-rated from the ledger first, so late usage lands on them).

use chrono::{DateTime, TimeDelta, Utc};
use rust_decimal::Decimal;

use super::models::*;
use super::rating;
use super::repo;
use crate::cache::Invalidation;
use crate::catalog::models::{Billing, PlanVersion};
use crate::db::PgConn;
use crate::error::{ApiError, ApiResult};
use crate::ids::{InvoiceId, PlanId, SubscriptionId};
use crate::subscriptions::lifecycle::{self, Periods};
use crate::subscriptions::models::{Status, Subscription};
use crate::subscriptions::period::Cadence;
use crate::tenancy::Scope;

pub fn cadence(v: &PlanVersion) -> Cadence {
    Cadence::new(v.interval, v.interval_count.max(1) as u32)
}

fn out_of_range() -> ApiError {
    ApiError::bad_request("parameter_invalid", "the period would end beyond the supported calendar")
}

/// A base-fee line for the part `[from, to)` of the billing period `[start, end)`; `None` for a
/// free plan. `sign` is -1 for a credit.
fn fee_line(
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
    fn of(v: &PlanVersion, from: DateTime<Utc>, to: DateTime<Utc>) -> Option<UsageSpan> {
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

/// The plan, period and status a subscription moves to when its current period ends at `at`;
/// `None` when it ends there (canceled at period end).
pub struct Next {
    pub version: PlanVersion,
    pub anchor: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

pub fn next_period(
    conn: &mut PgConn,
    scope: Scope,
    sub: &Subscription,
    current: &PlanVersion,
) -> ApiResult<Option<Next>> {
    if sub.cancel_at_period_end {
        return Ok(None);
    }
    let at = sub.current_period_end;
    let next = match (sub.pending_plan_id, sub.pending_plan_version) {
        (Some(p), Some(v)) => crate::catalog::repo::referenced_version(conn, scope, p, v)?,
        _ => current.clone(),
    };
    // A new cadence (or the end of a trial, whose anchor is already its end) counts from here.
    let anchor = if cadence(&next) != cadence(current) { at } else { sub.billing_anchor };
    // `at` is a boundary of the anchor's periods, so the next period runs from it to the next one.
    let (_, end) = cadence(&next).period_containing(anchor, at).ok_or_else(out_of_range)?;
    Ok(Some(Next { version: next, anchor, start: at, end }))
}

/// The lines of the invoice that closes the subscription's current period at its end, with the
/// usage span to rate (usage itself is rated by the caller, up to the span's end).
pub fn closing_lines(
    sub: &Subscription,
    current: &PlanVersion,
    next: Option<&Next>,
) -> (Vec<LineDraft>, Option<UsageSpan>) {
    use super::document::span;
    let (start, end) = (sub.current_period_start, sub.current_period_end);
    let trialing = sub.status == Status::Trialing;
    let mut lines = Vec::new();
    if !trialing && current.billing == Billing::InArrears {
        lines.extend(fee_line(
            current,
            LineKind::Subscription,
            format!("{}: {}", current.name, span(sub.segment_start, end)),
            (start, end),
            (sub.segment_start, end),
            Decimal::ONE,
        ));
    }
    if let Some(n) = next {
        if n.version.billing == Billing::InAdvance {
            lines.extend(fee_line(
                &n.version,
                LineKind::Subscription,
                format!("{}: {}", n.version.name, span(n.start, n.end)),
                (n.start, n.end),
                (n.start, n.end),
                Decimal::ONE,
            ));
        }
    }
    let usage = if trialing { None } else { UsageSpan::of(current, sub.segment_start, end) };
    (lines, usage)
}

/// What billing the tenant set up: (grace period, days to pay).
fn terms(conn: &mut PgConn, scope: Scope) -> ApiResult<(TimeDelta, TimeDelta)> {
    let t = crate::accounts::repo::find_tenant(conn, scope.tenant_id)?.ok_or_else(|| ApiError::not_found("tenant"))?;
    Ok((TimeDelta::seconds(i64::from(t.invoice_grace_seconds)), TimeDelta::days(i64::from(t.invoice_due_days))))
}

struct NewInvoice {
    reason: Reason,
    period: (DateTime<Utc>, DateTime<Utc>),
    lines: Vec<LineDraft>,
    usage: Option<UsageSpan>,
    currency: String,
}

/// Writes a draft invoice (its usage rated as of now); `None` when there is nothing to bill.
fn create(
    conn: &mut PgConn,
    scope: Scope,
    sub: &Subscription,
    new: NewInvoice,
    now: DateTime<Utc>,
) -> ApiResult<Option<Invoice>> {
    let mut lines = new.lines;
    if let Some(u) = new.usage {
        let v = crate::catalog::repo::referenced_version(conn, scope, u.plan_id, u.plan_version)?;
        lines.extend(usage_lines(conn, scope, sub.customer_id, &v, u.from, u.to)?);
    }
    if lines.is_empty() {
        return Ok(None);
    }
    let currency = crate::money::Currency::parse(&new.currency).map_err(|e| ApiError::internal(anyhow::anyhow!(e)))?;
    let tax_rate = crate::customers::repo::find_any(conn, scope, sub.customer_id)?.and_then(|c| c.tax_rate);
    let t = rating::totals(currency, lines.iter().map(|l| l.amount), tax_rate);
    let inv = Invoice {
        tenant_id: scope.tenant_id,
        mode: scope.mode,
        id: InvoiceId::new(),
        customer_id: sub.customer_id,
        subscription_id: Some(sub.id),
        number: None,
        status: InvoiceStatus::Draft,
        reason: new.reason,
        currency: new.currency,
        period_start: new.period.0,
        period_end: new.period.1,
        usage_plan_id: new.usage.map(|u| u.plan_id),
        usage_plan_version: new.usage.map(|u| u.plan_version),
        usage_from: new.usage.map(|u| u.from),
        usage_to: new.usage.map(|u| u.to),
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
    };
    repo::insert(conn, &inv, &lines)?;
    Ok(Some(inv))
}

/// Finalizes a draft: re-rates its usage from the ledger, computes tax and totals, applies the
/// customer's credit, gives it the next number, and schedules its email. From here on the
/// invoice cannot change (the database refuses).
pub fn finalize(conn: &mut PgConn, scope: Scope, inv: &mut Invoice, now: DateTime<Utc>) -> ApiResult<Vec<LineDraft>> {
    if inv.status != InvoiceStatus::Draft {
        return Err(ApiError::conflict("invoice_not_draft", format!("the invoice is {}, not draft", inv.status)));
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
        crate::cache::notify(conn, &Invalidation::Customer(scope, inv.customer_id))?;
    }
    super::jobs::send_invoice(conn, scope, inv.id, now)?;
    Ok(lines)
}

/// The finalize job: a draft whose grace period is over. Finalized or voided meanwhile by hand:
/// nothing to do.
pub fn finalize_due(conn: &mut PgConn, scope: Scope, id: InvoiceId, at: DateTime<Utc>) -> ApiResult<()> {
    let Some(mut inv) = repo::lock(conn, scope, id)? else { return Ok(()) };
    if inv.status != InvoiceStatus::Draft {
        return Ok(());
    }
    finalize(conn, scope, &mut inv, at).map(drop)
}

fn create_and_finalize(
    conn: &mut PgConn,
    scope: Scope,
    sub: &Subscription,
    new: NewInvoice,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    if let Some(mut inv) = create(conn, scope, sub, new, now)? {
        finalize(conn, scope, &mut inv, now)?;
    }
    Ok(())
}

/// A subscription was just created: schedule its first closing and, for a plan billed in
/// advance without a trial, invoice the first period's fee at once.
pub fn started(
    conn: &mut PgConn,
    scope: Scope,
    sub: &Subscription,
    v: &PlanVersion,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    super::jobs::close_period(conn, scope, sub.id, sub.current_period_end)?;
    if sub.status == Status::Trialing || v.billing != Billing::InAdvance {
        return Ok(());
    }
    let period = (sub.current_period_start, sub.current_period_end);
    let line = fee_line(
        v,
        LineKind::Subscription,
        format!("{}: {}", v.name, super::document::span(period.0, period.1)),
        period,
        period,
        Decimal::ONE,
    );
    let new = NewInvoice {
        reason: Reason::SubscriptionCreate,
        period,
        lines: line.into_iter().collect(),
        usage: None,
        currency: v.currency.clone(),
    };
    create_and_finalize(conn, scope, sub, new, now)
}

/// The close-period job: the subscription's period ends at `at`. A job for a period that is no
/// longer current (the plan changed cadence, the subscription was canceled) does nothing.
pub fn close_period(conn: &mut PgConn, scope: Scope, id: SubscriptionId, at: DateTime<Utc>) -> ApiResult<()> {
    let Some(mut sub) = crate::subscriptions::repo::lock(conn, scope, id)? else { return Ok(()) };
    if sub.status == Status::Canceled || sub.current_period_end != at {
        return Ok(());
    }
    let current = crate::catalog::repo::referenced_version(conn, scope, sub.plan_id, sub.plan_version)?;
    let next = next_period(conn, scope, &sub, &current)?;
    let (lines, usage) = closing_lines(&sub, &current, next.as_ref());
    let period = (sub.current_period_start, at);
    let closing = sub.clone();
    match next {
        None => {
            sub.status = Status::Canceled;
            sub.canceled_at.get_or_insert(at);
            sub.ended_at = Some(at);
            sub.pending_plan_id = None;
            sub.pending_plan_version = None;
        }
        Some(n) => {
            sub.plan_id = n.version.plan_id;
            sub.plan_version = n.version.version;
            sub.pending_plan_id = None;
            sub.pending_plan_version = None;
            sub.billing_anchor = n.anchor;
            sub.current_period_start = n.start;
            sub.current_period_end = n.end;
            sub.segment_start = n.start;
            if sub.status == Status::Trialing {
                sub.status = Status::Active;
            }
            super::jobs::close_period(conn, scope, sub.id, n.end)?;
        }
    }
    crate::subscriptions::repo::save(conn, &sub)?;
    crate::cache::notify(conn, &Invalidation::Customer(scope, sub.customer_id))?;
    let new =
        NewInvoice { reason: Reason::SubscriptionCycle, period, lines, usage, currency: current.currency.clone() };
    if let Some(mut inv) = create(conn, scope, &closing, new, at)? {
        let (grace, _) = terms(conn, scope)?;
        if grace.is_zero() {
            finalize(conn, scope, &mut inv, at)?;
        } else {
            inv.finalize_at = Some(at + grace);
            repo::save(conn, &inv)?;
            super::jobs::finalize_invoice(conn, scope, inv.id, at + grace)?;
        }
    }
    Ok(())
}

/// An immediate plan change at `now`: closes the current segment on an invoice finalized at
/// once, and moves the subscription to `new` (see the module's rules).
pub fn change_now(
    conn: &mut PgConn,
    scope: Scope,
    sub: &mut Subscription,
    old: &PlanVersion,
    new: &PlanVersion,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    use super::document::{day, span};
    let trialing = sub.status == Status::Trialing;
    let current = Periods {
        billing_anchor: sub.billing_anchor,
        period_start: sub.current_period_start,
        period_end: sub.current_period_end,
    };
    let p =
        lifecycle::periods_after_change(current, trialing, cadence(old), cadence(new), now).ok_or_else(out_of_range)?;
    let closing = sub.clone();
    let (start, end) = (sub.current_period_start, sub.current_period_end);
    let segment = (sub.segment_start, now);

    sub.plan_id = new.plan_id;
    sub.plan_version = new.version;
    sub.pending_plan_id = None;
    sub.pending_plan_version = None;
    if trialing {
        // A trial is free on any plan: nothing to settle.
        return Ok(());
    }
    sub.billing_anchor = p.billing_anchor;
    sub.current_period_start = p.period_start;
    sub.current_period_end = p.period_end;
    sub.segment_start = now;
    if p.period_end != end {
        super::jobs::close_period(conn, scope, sub.id, p.period_end)?;
    }

    let mut lines = Vec::new();
    match old.billing {
        Billing::InArrears => lines.extend(fee_line(
            old,
            LineKind::Proration,
            format!("{}: {}", old.name, span(segment.0, now)),
            (start, end),
            segment,
            Decimal::ONE,
        )),
        Billing::InAdvance => lines.extend(fee_line(
            old,
            LineKind::Proration,
            format!("Unused time on {} from {}", old.name, day(now)),
            (start, end),
            (now, end),
            -Decimal::ONE,
        )),
    }
    if new.billing == Billing::InAdvance {
        lines.extend(fee_line(
            new,
            LineKind::Proration,
            format!("Remaining time on {} until {}", new.name, day(p.period_end)),
            (p.period_start, p.period_end),
            (now, p.period_end),
            Decimal::ONE,
        ));
    }
    let usage = UsageSpan::of(old, segment.0, now);
    let new_invoice = NewInvoice {
        reason: Reason::SubscriptionUpdate,
        period: segment,
        lines,
        usage,
        currency: old.currency.clone(),
    };
    create_and_finalize(conn, scope, &closing, new_invoice, now)
}

/// An immediate cancellation at `now`: bills the usage so far (and an in-arrears fee for the
/// time used) on an invoice finalized at once.
pub fn cancel_now(conn: &mut PgConn, scope: Scope, sub: &Subscription, now: DateTime<Utc>) -> ApiResult<()> {
    use super::document::span;
    if sub.status == Status::Trialing {
        return Ok(());
    }
    let v = crate::catalog::repo::referenced_version(conn, scope, sub.plan_id, sub.plan_version)?;
    let segment = (sub.segment_start, now);
    let mut lines = Vec::new();
    if v.billing == Billing::InArrears {
        lines.extend(fee_line(
            &v,
            LineKind::Subscription,
            format!("{}: {}", v.name, span(segment.0, now)),
            (sub.current_period_start, sub.current_period_end),
            segment,
            Decimal::ONE,
        ));
    }
    let usage = UsageSpan::of(&v, segment.0, now);
    let new =
        NewInvoice { reason: Reason::SubscriptionCancel, period: segment, lines, usage, currency: v.currency.clone() };
    create_and_finalize(conn, scope, sub, new, now)
}
