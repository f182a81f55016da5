use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;

use super::models::*;
use crate::db::PgConn;
use crate::ids::{CustomerId, InvoiceId, SubscriptionId};
use crate::pagination::Page;
use crate::schema::{customer_balances, customers, invoice_lines, invoices};
use crate::tenancy::{Mode, Scope};

pub fn insert(conn: &mut PgConn, inv: &Invoice, lines: &[LineDraft]) -> QueryResult<()> {
    diesel::insert_into(invoices::table).values(inv).execute(conn)?;
    insert_lines(conn, inv, 0, lines)
}

fn insert_lines(conn: &mut PgConn, inv: &Invoice, first: i32, lines: &[LineDraft]) -> QueryResult<()> {
    if lines.is_empty() {
        return Ok(());
    }
    let rows: Vec<Line> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| Line {
            tenant_id: inv.tenant_id,
            mode: inv.mode,
            invoice_id: inv.id,
            // An invoice has a few dozen lines at most.
            position: first + i32::try_from(i).unwrap_or(i32::MAX),
            kind: l.kind,
            description: l.description.clone(),
            feature: l.feature.clone(),
            quantity: l.quantity,
            unit_amount: l.unit_amount,
            amount: l.amount,
            tiers: (!l.tiers.is_empty()).then(|| serde_json::to_value(&l.tiers).unwrap_or_default()),
            period_start: l.period_start,
            period_end: l.period_end,
        })
        .collect();
    diesel::insert_into(invoice_lines::table).values(&rows).execute(conn).map(drop)
}

/// Replaces a draft's usage lines (the other lines stay, first).
pub fn replace_usage_lines(conn: &mut PgConn, inv: &Invoice, usage: &[LineDraft]) -> QueryResult<Vec<LineDraft>> {
    let target = invoice_lines::table
        .filter(invoice_lines::tenant_id.eq(inv.tenant_id))
        .filter(invoice_lines::mode.eq(inv.mode))
        .filter(invoice_lines::invoice_id.eq(inv.id));
    diesel::delete(target.filter(invoice_lines::kind.eq(LineKind::Usage))).execute(conn)?;
    let kept: Vec<Line> = target.select(Line::as_select()).order(invoice_lines::position).load(conn)?;
    let next = kept.last().map_or(0, |l| l.position + 1);
    insert_lines(conn, inv, next, usage)?;
    let mut all: Vec<LineDraft> = kept.into_iter().map(LineDraft::from).collect();
    all.extend(usage.iter().cloned());
    Ok(all)
}

pub fn lines(conn: &mut PgConn, inv: &Invoice) -> QueryResult<Vec<LineDraft>> {
    let rows: Vec<Line> = invoice_lines::table
        .filter(invoice_lines::tenant_id.eq(inv.tenant_id))
        .filter(invoice_lines::mode.eq(inv.mode))
        .filter(invoice_lines::invoice_id.eq(inv.id))
        .select(Line::as_select())
        .order(invoice_lines::position)
        .load(conn)?;
    Ok(rows.into_iter().map(LineDraft::from).collect())
}

pub fn lines_of(conn: &mut PgConn, scope: Scope, ids: &[InvoiceId]) -> QueryResult<HashMap<InvoiceId, Vec<LineDraft>>> {
    let rows: Vec<Line> = invoice_lines::table
        .filter(invoice_lines::tenant_id.eq(scope.tenant_id))
        .filter(invoice_lines::mode.eq(scope.mode))
        .filter(invoice_lines::invoice_id.eq_any(ids))
        .select(Line::as_select())
        .order((invoice_lines::invoice_id, invoice_lines::position))
        .load(conn)?;
    let mut out: HashMap<InvoiceId, Vec<LineDraft>> = HashMap::new();
    for l in rows {
        out.entry(l.invoice_id).or_default().push(l.into());
    }
    Ok(out)
}

pub fn find(conn: &mut PgConn, scope: Scope, id: InvoiceId) -> QueryResult<Option<Invoice>> {
    invoices::table
        .filter(invoices::tenant_id.eq(scope.tenant_id))
        .filter(invoices::mode.eq(scope.mode))
        .filter(invoices::id.eq(id))
        .select(Invoice::as_select())
        .first(conn)
        .optional()
}

pub fn lock(conn: &mut PgConn, scope: Scope, id: InvoiceId) -> QueryResult<Option<Invoice>> {
    invoices::table
        .filter(invoices::tenant_id.eq(scope.tenant_id))
        .filter(invoices::mode.eq(scope.mode))
        .filter(invoices::id.eq(id))
        .select(Invoice::as_select())
        .for_update()
        .first(conn)
        .optional()
}

pub fn list(
    conn: &mut PgConn,
    scope: Scope,
    customer: Option<CustomerId>,
    status: Option<InvoiceStatus>,
    page: Page,
) -> QueryResult<Vec<Invoice>> {
    let mut q = invoices::table
        .filter(invoices::tenant_id.eq(scope.tenant_id))
        .filter(invoices::mode.eq(scope.mode))
        .select(Invoice::as_select())
        .into_boxed();
    if let Some(c) = customer {
        q = q.filter(invoices::customer_id.eq(c));
    }
    if let Some(s) = status {
        q = q.filter(invoices::status.eq(s));
    }
    if let Some(before) = page.before {
        q = q.filter(invoices::id.lt(before));
    }
    q.order(invoices::id.desc()).limit(page.fetch()).load(conn)
}

/// The subscription's newest invoice (ids are time-ordered).
pub fn newest_of_subscription(conn: &mut PgConn, scope: Scope, sub: SubscriptionId) -> QueryResult<Option<Invoice>> {
    invoices::table
        .filter(invoices::tenant_id.eq(scope.tenant_id))
        .filter(invoices::mode.eq(scope.mode))
        .filter(invoices::subscription_id.eq(sub))
        .order(invoices::id.desc())
        .select(Invoice::as_select())
        .first(conn)
        .optional()
}

pub fn save(conn: &mut PgConn, inv: &Invoice) -> QueryResult<()> {
    diesel::update(
        invoices::table
            .filter(invoices::tenant_id.eq(inv.tenant_id))
            .filter(invoices::mode.eq(inv.mode))
            .filter(invoices::id.eq(inv.id)),
    )
    .set(inv)
    .execute(conn)
    .map(drop)
}

#[derive(QueryableByName)]
struct LastNumber {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    last: Option<i64>,
}

/// The next invoice number of a tenant and mode: the largest given plus one. A transaction-scoped
/// advisory lock makes concurrent finalizations take turns, and a rollback returns the number.
pub fn next_number(conn: &mut PgConn, scope: Scope) -> QueryResult<String> {
    // Finalizations of one tenant's mode take turns until their transactions end.
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1::text || ':' || $2, 0))::text AS locked")
        .bind::<diesel::sql_types::Uuid, _>(scope.tenant_id.0)
        .bind::<diesel::sql_types::Text, _>(scope.mode.as_str())
        .execute(conn)?;
    // `ORDER BY … DESC LIMIT 1`, not `max()`: the index's order gives the largest at once,
    // whatever the statistics say. With `max()`, a plan made while the tenant had few invoices
    // (a test-clock advance numbers thousands in one transaction, unanalyzed) aggregated over
    // every numbered invoice, each time: quadratic.
    let last: Option<i64> = diesel::sql_query(
        "SELECT substring(number FROM '[0-9]+$')::bigint AS last FROM invoices \
         WHERE tenant_id = $1 AND mode = $2 AND number IS NOT NULL \
         ORDER BY substring(number FROM '[0-9]+$')::bigint DESC LIMIT 1",
    )
    .bind::<diesel::sql_types::Uuid, _>(scope.tenant_id.0)
    .bind::<diesel::sql_types::Text, _>(scope.mode.as_str())
    .get_result::<LastNumber>(conn)
    .optional()?
    .and_then(|r| r.last);
    let n = last.unwrap_or(0) + 1;
    let prefix = match scope.mode {
        Mode::Test => "TEST",
        Mode::Live => "INV",
    };
    Ok(format!("{prefix}-{n:06}"))
}

/// The customer's credit in a currency; `lock` keeps it locked for the rest of the transaction.
pub fn credit(
    conn: &mut PgConn,
    scope: Scope,
    customer: CustomerId,
    currency: &str,
    lock: bool,
) -> QueryResult<Decimal> {
    let q = customer_balances::table
        .filter(customer_balances::tenant_id.eq(scope.tenant_id))
        .filter(customer_balances::mode.eq(scope.mode))
        .filter(customer_balances::customer_id.eq(customer))
        .filter(customer_balances::currency.eq(currency))
        .select(customer_balances::credit);
    let found = if lock { q.for_update().first(conn).optional()? } else { q.first(conn).optional()? };
    Ok(found.unwrap_or_default())
}

pub fn set_credit(
    conn: &mut PgConn,
    scope: Scope,
    customer: CustomerId,
    currency: &str,
    credit: Decimal,
) -> QueryResult<()> {
    diesel::insert_into(customer_balances::table)
        .values((
            customer_balances::tenant_id.eq(scope.tenant_id),
            customer_balances::mode.eq(scope.mode),
            customer_balances::customer_id.eq(customer),
            customer_balances::currency.eq(currency),
            customer_balances::credit.eq(credit),
        ))
        .on_conflict((
            customer_balances::tenant_id,
            customer_balances::mode,
            customer_balances::customer_id,
            customer_balances::currency,
        ))
        .do_update()
        .set(customer_balances::credit.eq(credit))
        .execute(conn)
        .map(drop)
}

/// Moves the customer's "billed through" mark forward (never back).
pub fn mark_billed_through(
    conn: &mut PgConn,
    scope: Scope,
    customer: CustomerId,
    to: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(
        customers::table
            .filter(customers::tenant_id.eq(scope.tenant_id))
            .filter(customers::mode.eq(scope.mode))
            .filter(customers::id.eq(customer))
            .filter(customers::billed_through.is_null().or(customers::billed_through.lt(to))),
    )
    .set(customers::billed_through.eq(to))
    .execute(conn)
    .map(drop)
}

/// Whether the customer has a payment method in the scope's connected Stripe account (so a
/// finalized invoice is collected at once).
pub fn has_payment_method(conn: &mut PgConn, scope: Scope, customer: CustomerId) -> QueryResult<bool> {
    let profiles = crate::customers::repo::payment_profiles(conn, scope, &[customer])?;
    Ok(profiles.get(&customer).is_some_and(|p| p.pm_id.is_some()))
}

/// Whether the subscription has an open invoice whose payment failed (it is in dunning).
pub fn has_failed_open(conn: &mut PgConn, scope: Scope, subscription: crate::ids::SubscriptionId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        invoices::table
            .filter(invoices::tenant_id.eq(scope.tenant_id))
            .filter(invoices::mode.eq(scope.mode))
            .filter(invoices::subscription_id.eq(subscription))
            .filter(invoices::status.eq(InvoiceStatus::Open))
            .filter(invoices::payment_failed_at.is_not_null()),
    ))
    .get_result(conn)
}

/// Whether an attempt to collect the invoice is waiting for its outcome (payments' table, read
/// as plain data).
pub fn payment_in_flight(conn: &mut PgConn, scope: Scope, invoice: InvoiceId) -> QueryResult<bool> {
    use crate::schema::payments;
    diesel::select(diesel::dsl::exists(
        payments::table
            .filter(payments::tenant_id.eq(scope.tenant_id))
            .filter(payments::mode.eq(scope.mode))
            .filter(payments::invoice_id.eq(invoice))
            .filter(payments::status.eq_any(["created", "processing", "requires_action"])),
    ))
    .get_result(conn)
}
