//! The billing cycle: what happens to a subscription and what it bills when time passes or it
//! changes. The invoices themselves are built by [`crate::invoices::build`]. Every function here runs inside the caller's transaction, with the
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

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::jobs;
use super::lifecycle::{self, Periods};
use super::models::{Status, Subscription};
use crate::cache::{Changes, Invalidation};
use crate::catalog::models::{Billing, PlanVersion};
use crate::db::PgConn;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::ids::SubscriptionId;
use crate::invoices::build::{create, create_and_finalize, fee_line, finalize, terms, NewInvoice, UsageSpan};
use crate::invoices::document::{day, span};
use crate::invoices::models::{InvoiceStatus, LineDraft, LineKind, Reason, UpcomingInvoice};
use crate::tenancy::Scope;

pub fn out_of_range() -> ApiError {
    ApiError::bad_request(ErrorCode::ParameterInvalid, "the period would end beyond the supported calendar")
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
    let anchor = if next.cadence() != current.cadence() { at } else { sub.billing_anchor };
    // `at` is a boundary of the anchor's periods, so the next period runs from it to the next one.
    let (_, end) = next.cadence().period_containing(anchor, at).ok_or_else(out_of_range)?;
    Ok(Some(Next { version: next, anchor, start: at, end }))
}

/// The lines of the invoice that closes the subscription's current period at its end, with the
/// usage span to rate (usage itself is rated by the caller, up to the span's end).
pub fn closing_lines(
    sub: &Subscription,
    current: &PlanVersion,
    next: Option<&Next>,
) -> (Vec<LineDraft>, Option<UsageSpan>) {
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

/// A subscription was just created: schedule its first closing and, for a plan billed in
/// advance without a trial, invoice the first period's fee at once.
pub fn started(
    conn: &mut PgConn,
    changes: &mut Changes,
    scope: Scope,
    sub: &Subscription,
    v: &PlanVersion,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    jobs::close_period(conn, scope, sub.id, sub.current_period_end)?;
    if let (Status::Trialing, Some(end)) = (sub.status, sub.trial_end) {
        jobs::trial_will_end(conn, scope, sub.id, end, now)?;
    }
    if sub.status == Status::Trialing || v.billing != Billing::InAdvance {
        return Ok(());
    }
    let period = (sub.current_period_start, sub.current_period_end);
    let line = fee_line(
        v,
        LineKind::Subscription,
        format!("{}: {}", v.name, span(period.0, period.1)),
        period,
        period,
        Decimal::ONE,
    );
    let new = NewInvoice {
        customer: sub.customer_id,
        subscription: sub.id,
        reason: Reason::SubscriptionCreate,
        period,
        lines: line.into_iter().collect(),
        usage: None,
        currency: v.currency.clone(),
    };
    create_and_finalize(conn, changes, scope, new, now)
}

/// The close-period job: the subscription's period ends at `at`. A job for a period that is no
/// longer current (the plan changed cadence, the subscription was canceled) does nothing.
pub fn close_period(
    conn: &mut PgConn,
    changes: &mut Changes,
    scope: Scope,
    id: SubscriptionId,
    at: DateTime<Utc>,
) -> ApiResult<()> {
    let Some(mut sub) = super::repo::lock(conn, scope, id)? else { return Ok(()) };
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
            jobs::close_period(conn, scope, sub.id, n.end)?;
        }
    }
    super::repo::save(conn, &sub)?;
    super::events::announce(conn, scope, Some(&closing), &sub, at)?;
    changes.invalidate(Invalidation::Customer(scope, sub.customer_id));
    let new = NewInvoice {
        customer: closing.customer_id,
        subscription: closing.id,
        reason: Reason::SubscriptionCycle,
        period,
        lines,
        usage,
        currency: current.currency.clone(),
    };
    if let Some(mut inv) = create(conn, scope, new, at)? {
        let (grace, _) = terms(conn, scope)?;
        if grace.is_zero() {
            finalize(conn, changes, scope, &mut inv, at)?;
        } else {
            inv.finalize_at = Some(at + grace);
            crate::invoices::repo::save(conn, &inv)?;
            crate::invoices::jobs::finalize_invoice(conn, scope, inv.id, at + grace)?;
        }
    }
    Ok(())
}

/// An immediate plan change at `now`: closes the current segment on an invoice finalized at
/// once, and moves the subscription to `new` (see the module's rules).
pub fn change_now(
    conn: &mut PgConn,
    changes: &mut Changes,
    scope: Scope,
    sub: &mut Subscription,
    old: &PlanVersion,
    new: &PlanVersion,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let trialing = sub.status == Status::Trialing;
    let current = Periods {
        billing_anchor: sub.billing_anchor,
        period_start: sub.current_period_start,
        period_end: sub.current_period_end,
    };
    let p = lifecycle::periods_after_change(current, trialing, old.cadence(), new.cadence(), now)
        .ok_or_else(out_of_range)?;
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
        jobs::close_period(conn, scope, sub.id, p.period_end)?;
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
        customer: closing.customer_id,
        subscription: closing.id,
        reason: Reason::SubscriptionUpdate,
        period: segment,
        lines,
        usage,
        currency: old.currency.clone(),
    };
    create_and_finalize(conn, changes, scope, new_invoice, now)
}

/// An immediate cancellation at `now`: bills the usage so far (and an in-arrears fee for the
/// time used) on an invoice finalized at once.
pub fn cancel_now(
    conn: &mut PgConn,
    changes: &mut Changes,
    scope: Scope,
    sub: &Subscription,
    now: DateTime<Utc>,
) -> ApiResult<()> {
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
    let new = NewInvoice {
        customer: sub.customer_id,
        subscription: sub.id,
        reason: Reason::SubscriptionCancel,
        period: segment,
        lines,
        usage,
        currency: v.currency.clone(),
    };
    create_and_finalize(conn, changes, scope, new, now)
}

/// What the subscription's current period would bill if it closed now, built by the same code
/// as the real closing invoice ([`closing_lines`], [`NewInvoice::build`]), with the customer's
/// credit applied as finalizing would. Nothing is written.
pub fn upcoming(conn: &mut PgConn, scope: Scope, sub: &Subscription, now: DateTime<Utc>) -> ApiResult<UpcomingInvoice> {
    let current = crate::catalog::repo::referenced_version(conn, scope, sub.plan_id, sub.plan_version)?;
    let next = next_period(conn, scope, sub, &current)?;
    let (lines, usage) = closing_lines(sub, &current, next.as_ref());
    let new = NewInvoice {
        customer: sub.customer_id,
        subscription: sub.id,
        reason: Reason::SubscriptionCycle,
        period: (sub.current_period_start, sub.current_period_end),
        lines,
        // Everything recorded for the period so far, as closing it now would bill: an event
        // stamped with the current instant counts (test clocks stand still, so "now" is often
        // exactly the time of the usage just recorded).
        usage,
        currency: current.currency.clone(),
    };
    let (mut inv, lines): (_, Vec<LineDraft>) = new.build(conn, scope, now)?;
    let credit = crate::invoices::repo::credit(conn, scope, sub.customer_id, &inv.currency, false)?;
    let (due, applied, _) = crate::invoices::rating::settle(inv.total, credit);
    inv.status = InvoiceStatus::Upcoming;
    inv.credit_applied = applied;
    inv.amount_due = due;
    Ok(UpcomingInvoice::new(&inv, &lines))
}
