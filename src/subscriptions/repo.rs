use std::collections::HashMap;

use diesel::prelude::*;

use super::models::{Status, Subscription};
use crate::db::PgConn;
use crate::ids::{CustomerId, PlanId, SubscriptionId};
use crate::pagination::Page;
use crate::schema::{plans, subscriptions};
use crate::tenancy::Scope;

pub fn insert(conn: &mut PgConn, s: &Subscription) -> QueryResult<()> {
    diesel::insert_into(subscriptions::table).values(s).execute(conn).map(drop)
}

pub fn find(conn: &mut PgConn, scope: Scope, id: SubscriptionId) -> QueryResult<Option<Subscription>> {
    subscriptions::table
        .filter(subscriptions::tenant_id.eq(scope.tenant_id))
        .filter(subscriptions::mode.eq(scope.mode))
        .filter(subscriptions::id.eq(id))
        .select(Subscription::as_select())
        .first(conn)
        .optional()
}

pub fn lock(conn: &mut PgConn, scope: Scope, id: SubscriptionId) -> QueryResult<Option<Subscription>> {
    subscriptions::table
        .filter(subscriptions::tenant_id.eq(scope.tenant_id))
        .filter(subscriptions::mode.eq(scope.mode))
        .filter(subscriptions::id.eq(id))
        .select(Subscription::as_select())
        .for_update()
        .first(conn)
        .optional()
}

/// The customer's subscription that is not canceled, if any (there is at most one).
pub fn open_for_customer(conn: &mut PgConn, scope: Scope, customer: CustomerId) -> QueryResult<Option<Subscription>> {
    subscriptions::table
        .filter(subscriptions::tenant_id.eq(scope.tenant_id))
        .filter(subscriptions::mode.eq(scope.mode))
        .filter(subscriptions::customer_id.eq(customer))
        .filter(subscriptions::status.ne(Status::Canceled))
        .select(Subscription::as_select())
        .first(conn)
        .optional()
}

pub fn list(
    conn: &mut PgConn,
    scope: Scope,
    customer: Option<CustomerId>,
    status: Option<Status>,
    page: Page,
) -> QueryResult<Vec<Subscription>> {
    let mut q = subscriptions::table
        .filter(subscriptions::tenant_id.eq(scope.tenant_id))
        .filter(subscriptions::mode.eq(scope.mode))
        .select(Subscription::as_select())
        .into_boxed();
    if let Some(c) = customer {
        q = q.filter(subscriptions::customer_id.eq(c));
    }
    if let Some(status) = status {
        q = q.filter(subscriptions::status.eq(status));
    }
    if let Some(before) = page.before {
        q = q.filter(subscriptions::id.lt(before));
    }
    q.order(subscriptions::id.desc()).limit(page.fetch()).load(conn)
}

pub fn save(conn: &mut PgConn, s: &Subscription) -> QueryResult<()> {
    diesel::update(
        subscriptions::table
            .filter(subscriptions::tenant_id.eq(s.tenant_id))
            .filter(subscriptions::mode.eq(s.mode))
            .filter(subscriptions::id.eq(s.id)),
    )
    .set(s)
    .execute(conn)
    .map(drop)
}

/// The keys of the given plans.
pub fn plan_keys(conn: &mut PgConn, scope: Scope, ids: &[PlanId]) -> QueryResult<HashMap<PlanId, String>> {
    let rows: Vec<(PlanId, String)> = plans::table
        .filter(plans::tenant_id.eq(scope.tenant_id))
        .filter(plans::mode.eq(scope.mode))
        .filter(plans::id.eq_any(ids))
        .select((plans::id, plans::key))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}
