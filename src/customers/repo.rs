use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::models::{Customer, CustomerChangeset, PaymentProfile};
use crate::db::PgConn;
use crate::ids::CustomerId;
use crate::pagination::Page;
use crate::schema::{customers, stripe_accounts, stripe_customers};
use crate::tenancy::Scope;

pub fn insert(conn: &mut PgConn, c: &Customer) -> QueryResult<()> {
    diesel::insert_into(customers::table).values(c).execute(conn).map(drop)
}

/// A customer of the scope that is not deleted.
pub fn find(conn: &mut PgConn, scope: Scope, id: CustomerId) -> QueryResult<Option<Customer>> {
    customers::table
        .filter(customers::tenant_id.eq(scope.tenant_id))
        .filter(customers::mode.eq(scope.mode))
        .filter(customers::id.eq(id))
        .filter(customers::deleted_at.is_null())
        .select(Customer::as_select())
        .first(conn)
        .optional()
}

/// A customer of the scope, deleted or not (invoices outlive customers).
pub fn find_any(conn: &mut PgConn, scope: Scope, id: CustomerId) -> QueryResult<Option<Customer>> {
    customers::table
        .filter(customers::tenant_id.eq(scope.tenant_id))
        .filter(customers::mode.eq(scope.mode))
        .filter(customers::id.eq(id))
        .select(Customer::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_external_id(conn: &mut PgConn, scope: Scope, external_id: &str) -> QueryResult<Option<Customer>> {
    customers::table
        .filter(customers::tenant_id.eq(scope.tenant_id))
        .filter(customers::mode.eq(scope.mode))
        .filter(customers::external_id.eq(external_id))
        .filter(customers::deleted_at.is_null())
        .select(Customer::as_select())
        .first(conn)
        .optional()
}

/// What a customer list is narrowed to.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    /// This email exactly (stored lower-cased).
    pub email: Option<String>,
    pub external_id: Option<String>,
    /// Case-insensitive: an email or name starting with it, or this external id.
    pub search: Option<String>,
}

/// `text` as a literal `LIKE` prefix (its `%`, `_` and `\` escaped), then `%`.
fn like_prefix(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

pub fn list(conn: &mut PgConn, scope: Scope, filter: &Filter, page: Page) -> QueryResult<Vec<Customer>> {
    let mut q = customers::table
        .filter(customers::tenant_id.eq(scope.tenant_id))
        .filter(customers::mode.eq(scope.mode))
        .filter(customers::deleted_at.is_null())
        .select(Customer::as_select())
        .into_boxed();
    if let Some(email) = &filter.email {
        q = q.filter(customers::email.eq(email.clone()));
    }
    if let Some(external_id) = &filter.external_id {
        q = q.filter(customers::external_id.eq(external_id.clone()));
    }
    if let Some(text) = filter.search.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let prefix = like_prefix(text);
        q = q.filter(
            customers::email
                .ilike(prefix.clone())
                .or(customers::name.ilike(prefix).assume_not_null())
                .or(customers::external_id.eq(text.to_owned()).assume_not_null()),
        );
    }
    if let Some(before) = page.before {
        q = q.filter(customers::id.lt(before));
    }
    q.order(customers::id.desc()).limit(page.fetch()).load(conn)
}

/// The emails of the scope's customers among `ids` (deleted ones too: a list may still name
/// them).
pub fn emails(conn: &mut PgConn, scope: Scope, ids: &[CustomerId]) -> QueryResult<Vec<(CustomerId, String)>> {
    customers::table
        .filter(customers::tenant_id.eq(scope.tenant_id))
        .filter(customers::mode.eq(scope.mode))
        .filter(customers::id.eq_any(ids))
        .select((customers::id, customers::email))
        .load(conn)
}

pub fn update(
    conn: &mut PgConn,
    scope: Scope,
    id: CustomerId,
    changes: &CustomerChangeset,
) -> QueryResult<Option<Customer>> {
    diesel::update(
        customers::table
            .filter(customers::tenant_id.eq(scope.tenant_id))
            .filter(customers::mode.eq(scope.mode))
            .filter(customers::id.eq(id))
            .filter(customers::deleted_at.is_null()),
    )
    .set(changes)
    .returning(Customer::as_returning())
    .get_result(conn)
    .optional()
}

pub fn soft_delete(conn: &mut PgConn, scope: Scope, id: CustomerId, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::update(
        customers::table
            .filter(customers::tenant_id.eq(scope.tenant_id))
            .filter(customers::mode.eq(scope.mode))
            .filter(customers::id.eq(id))
            .filter(customers::deleted_at.is_null()),
    )
    .set(customers::deleted_at.eq(now))
    .execute(conn)
}

/// Whether the customer has a subscription in force (not canceled): the predicate of the index
/// that allows one per customer.
pub fn has_open_subscription(conn: &mut PgConn, scope: Scope, id: CustomerId) -> QueryResult<bool> {
    use crate::schema::subscriptions as s;
    diesel::select(diesel::dsl::exists(
        s::table
            .filter(s::tenant_id.eq(scope.tenant_id))
            .filter(s::mode.eq(scope.mode))
            .filter(s::customer_id.eq(id))
            .filter(s::status.ne("canceled")),
    ))
    .get_result(conn)
}

/// The customers' payment profiles in the Stripe account the scope has connected now (a
/// customer of an account connected before has none in this one).
pub fn payment_profiles(
    conn: &mut PgConn,
    scope: Scope,
    ids: &[CustomerId],
) -> QueryResult<std::collections::HashMap<CustomerId, PaymentProfile>> {
    let rows: Vec<PaymentProfile> = stripe_customers::table
        .inner_join(
            stripe_accounts::table.on(stripe_accounts::tenant_id
                .eq(stripe_customers::tenant_id)
                .and(stripe_accounts::mode.eq(stripe_customers::mode))
                .and(stripe_accounts::stripe_account.eq(stripe_customers::stripe_account))),
        )
        .filter(stripe_customers::tenant_id.eq(scope.tenant_id))
        .filter(stripe_customers::mode.eq(scope.mode))
        .filter(stripe_customers::customer_id.eq_any(ids.iter().map(|id| id.0).collect::<Vec<_>>()))
        .select((
            stripe_customers::customer_id,
            stripe_customers::stripe_customer,
            stripe_customers::pm_id,
            stripe_customers::pm_brand,
            stripe_customers::pm_last4,
            stripe_customers::pm_exp_month,
            stripe_customers::pm_exp_year,
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(|p| (p.customer_id, p)).collect())
}

/// A customer as the API shows it, with its payment profile.
pub fn respond(conn: &mut PgConn, scope: Scope, c: Customer) -> QueryResult<super::models::CustomerResponse> {
    let mut profiles = payment_profiles(conn, scope, &[c.id])?;
    let profile = profiles.remove(&c.id);
    Ok(super::models::CustomerResponse::new(c, profile))
}
