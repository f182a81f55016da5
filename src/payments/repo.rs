//! The payments tables. Every function takes the scope first and filters on it, except the
//! webhook's lookup by connection id (Stripe's calls carry nothing else; the signature then
//! proves the caller).

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::models::{AttemptStatus, Payment, StripeAccount};
use crate::db::PgConn;
use crate::ids::{CustomerId, InvoiceId, PaymentId, StripeAccountId};
use crate::schema::{payments, stripe_accounts, stripe_customers, stripe_events};
use crate::tenancy::Scope;

pub fn account(conn: &mut PgConn, scope: Scope) -> QueryResult<Option<StripeAccount>> {
    stripe_accounts::table.find((scope.tenant_id, scope.mode)).select(StripeAccount::as_select()).first(conn).optional()
}

pub fn account_by_id(conn: &mut PgConn, id: StripeAccountId) -> QueryResult<Option<StripeAccount>> {
    stripe_accounts::table.filter(stripe_accounts::id.eq(id)).select(StripeAccount::as_select()).first(conn).optional()
}

/// Replaces the scope's connection; the one replaced, if any.
pub fn replace_account(conn: &mut PgConn, a: &StripeAccount) -> QueryResult<Option<StripeAccount>> {
    let scope = Scope { tenant_id: a.tenant_id, mode: a.mode };
    // Two connects at once take turns: the second replaces the first (whose endpoint it then
    // removes) instead of colliding with it.
    diesel::sql_query(
        "SELECT pg_advisory_xact_lock(hashtextextended('stripe:' || $1::text || ':' || $2, 0))::text AS locked",
    )
    .bind::<diesel::sql_types::Uuid, _>(scope.tenant_id.0)
    .bind::<diesel::sql_types::Text, _>(scope.mode.as_str())
    .execute(conn)?;
    let old = account(conn, scope)?;
    diesel::delete(stripe_accounts::table.find((scope.tenant_id, scope.mode))).execute(conn)?;
    diesel::insert_into(stripe_accounts::table).values(a).execute(conn)?;
    Ok(old)
}

pub fn delete_account(conn: &mut PgConn, scope: Scope) -> QueryResult<usize> {
    diesel::delete(stripe_accounts::table.find((scope.tenant_id, scope.mode))).execute(conn)
}

/// Our customer's id in a Stripe account, and its default payment method.
#[derive(Debug, Clone, Queryable)]
pub struct StripeCustomer {
    pub stripe_customer: String,
    pub pm_id: Option<String>,
}

pub fn stripe_customer(
    conn: &mut PgConn,
    scope: Scope,
    customer: CustomerId,
    account: &str,
) -> QueryResult<Option<StripeCustomer>> {
    stripe_customers::table
        .find((scope.tenant_id, scope.mode, customer.0, account))
        .select((stripe_customers::stripe_customer, stripe_customers::pm_id))
        .first(conn)
        .optional()
}

/// Whose customer `stripe_customer` is in the account.
pub fn customer_of(
    conn: &mut PgConn,
    scope: Scope,
    account: &str,
    stripe_customer: &str,
) -> QueryResult<Option<CustomerId>> {
    stripe_customers::table
        .filter(stripe_customers::tenant_id.eq(scope.tenant_id))
        .filter(stripe_customers::mode.eq(scope.mode))
        .filter(stripe_customers::stripe_account.eq(account))
        .filter(stripe_customers::stripe_customer.eq(stripe_customer))
        .select(stripe_customers::customer_id)
        .first::<uuid::Uuid>(conn)
        .optional()
        .map(|id| id.map(CustomerId))
}

pub fn insert_stripe_customer(
    conn: &mut PgConn,
    scope: Scope,
    customer: CustomerId,
    account: &str,
    stripe_customer: &str,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(stripe_customers::table)
        .values((
            stripe_customers::tenant_id.eq(scope.tenant_id),
            stripe_customers::mode.eq(scope.mode),
            stripe_customers::customer_id.eq(customer.0),
            stripe_customers::stripe_account.eq(account),
            stripe_customers::stripe_customer.eq(stripe_customer),
            stripe_customers::updated_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .map(drop)
}

/// A card as Stripe describes it.
#[derive(Debug, Clone, Default)]
pub struct Card {
    pub id: String,
    pub brand: Option<String>,
    pub last4: Option<String>,
    pub exp_month: Option<i32>,
    pub exp_year: Option<i32>,
}

/// The default-payment-method columns, set from a card or (`None`) cleared.
#[derive(AsChangeset)]
#[diesel(table_name = stripe_customers, treat_none_as_null = true)]
struct CardColumns {
    pm_id: Option<String>,
    pm_brand: Option<String>,
    pm_last4: Option<String>,
    pm_exp_month: Option<i32>,
    pm_exp_year: Option<i32>,
    updated_at: DateTime<Utc>,
}

impl CardColumns {
    fn new(card: Option<&Card>, now: DateTime<Utc>) -> CardColumns {
        let c = card.cloned().unwrap_or_default();
        CardColumns {
            pm_id: card.map(|c| c.id.clone()),
            pm_brand: c.brand,
            pm_last4: c.last4,
            pm_exp_month: c.exp_month,
            pm_exp_year: c.exp_year,
            updated_at: now,
        }
    }
}

/// Sets (or with `None` clears) the customer's default payment method.
pub fn set_payment_method(
    conn: &mut PgConn,
    scope: Scope,
    customer: CustomerId,
    account: &str,
    card: Option<&Card>,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(stripe_customers::table.find((scope.tenant_id, scope.mode, customer.0, account)))
        .set(CardColumns::new(card, now))
        .execute(conn)
}

pub fn insert_payment(conn: &mut PgConn, p: &Payment) -> QueryResult<()> {
    diesel::insert_into(payments::table).values(p).execute(conn).map(drop)
}

pub fn save_payment(conn: &mut PgConn, p: &Payment) -> QueryResult<()> {
    diesel::update(payments::table.find((p.tenant_id, p.mode, p.id))).set(p).execute(conn).map(drop)
}

/// The invoice's attempt still waiting for an outcome, locked.
pub fn in_flight(conn: &mut PgConn, scope: Scope, invoice: InvoiceId) -> QueryResult<Option<Payment>> {
    payments::table
        .filter(payments::tenant_id.eq(scope.tenant_id))
        .filter(payments::mode.eq(scope.mode))
        .filter(payments::invoice_id.eq(invoice))
        .filter(payments::status.eq_any(AttemptStatus::IN_FLIGHT))
        .select(Payment::as_select())
        .for_update()
        .first(conn)
        .optional()
}

/// The customer's attempts waiting for them to authenticate (3-D Secure).
pub fn waiting_for_customer(conn: &mut PgConn, scope: Scope, customer: CustomerId) -> QueryResult<Vec<Payment>> {
    payments::table
        .filter(payments::tenant_id.eq(scope.tenant_id))
        .filter(payments::mode.eq(scope.mode))
        .filter(payments::customer_id.eq(customer))
        .filter(payments::status.eq(AttemptStatus::RequiresAction))
        .select(Payment::as_select())
        .load(conn)
}

/// An attempt as it is, unlocked (to learn its invoice before locking both in order).
pub fn find_payment(conn: &mut PgConn, scope: Scope, id: PaymentId) -> QueryResult<Option<Payment>> {
    payments::table.find((scope.tenant_id, scope.mode, id)).select(Payment::as_select()).first(conn).optional()
}

pub fn lock_payment(conn: &mut PgConn, scope: Scope, id: PaymentId) -> QueryResult<Option<Payment>> {
    payments::table
        .find((scope.tenant_id, scope.mode, id))
        .select(Payment::as_select())
        .for_update()
        .first(conn)
        .optional()
}

pub fn payment_by_intent(conn: &mut PgConn, scope: Scope, intent: &str) -> QueryResult<Option<Payment>> {
    payments::table
        .filter(payments::tenant_id.eq(scope.tenant_id))
        .filter(payments::mode.eq(scope.mode))
        .filter(payments::stripe_payment_intent.eq(intent))
        .select(Payment::as_select())
        .for_update()
        .first(conn)
        .optional()
}

pub fn payments_of(conn: &mut PgConn, scope: Scope, invoice: InvoiceId) -> QueryResult<Vec<Payment>> {
    payments::table
        .filter(payments::tenant_id.eq(scope.tenant_id))
        .filter(payments::mode.eq(scope.mode))
        .filter(payments::invoice_id.eq(invoice))
        .order(payments::id.asc())
        .select(Payment::as_select())
        .load(conn)
}

/// Failed attempts, newest first, with their customer: a page of them.
pub fn failed(conn: &mut PgConn, scope: Scope, page: crate::pagination::Page) -> QueryResult<Vec<Payment>> {
    let mut q = payments::table
        .filter(payments::tenant_id.eq(scope.tenant_id))
        .filter(payments::mode.eq(scope.mode))
        .filter(payments::status.eq(AttemptStatus::Failed))
        .select(Payment::as_select())
        .into_boxed();
    if let Some(before) = page.before {
        q = q.filter(payments::id.lt(before));
    }
    q.order(payments::id.desc()).limit(page.fetch()).load(conn)
}

/// A Stripe event as received.
pub struct NewEvent<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub object_id: Option<&'a str>,
    pub livemode: bool,
    pub payload: &'a serde_json::Value,
}

/// Files a received event; false when it was already there (a redelivery).
pub fn insert_event(conn: &mut PgConn, scope: Scope, e: &NewEvent<'_>, now: DateTime<Utc>) -> QueryResult<bool> {
    let n = diesel::insert_into(stripe_events::table)
        .values((
            stripe_events::tenant_id.eq(scope.tenant_id),
            stripe_events::mode.eq(scope.mode),
            stripe_events::id.eq(e.id),
            stripe_events::type_.eq(e.kind),
            stripe_events::object_id.eq(e.object_id),
            stripe_events::livemode.eq(e.livemode),
            stripe_events::payload.eq(e.payload),
            stripe_events::received_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    Ok(n == 1)
}

/// An event's type and object id.
pub fn event(conn: &mut PgConn, scope: Scope, id: &str) -> QueryResult<Option<(String, Option<String>)>> {
    stripe_events::table
        .find((scope.tenant_id, scope.mode, id))
        .select((stripe_events::type_, stripe_events::object_id))
        .first(conn)
        .optional()
}

/// Updates (or with `None` clears) whichever customer has `pm_id` as its default.
pub fn update_card(
    conn: &mut PgConn,
    scope: Scope,
    account: &str,
    pm_id: &str,
    card: Option<&Card>,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        stripe_customers::table
            .filter(stripe_customers::tenant_id.eq(scope.tenant_id))
            .filter(stripe_customers::mode.eq(scope.mode))
            .filter(stripe_customers::stripe_account.eq(account))
            .filter(stripe_customers::pm_id.eq(pm_id)),
    )
    .set(CardColumns::new(card, now))
    .execute(conn)
}
