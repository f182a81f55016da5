use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::models::{Feature, FeatureType, Plan, PlanVersion};
use crate::db::PgConn;
use crate::error::{ApiError, ApiResult};
use crate::ids::PlanId;
use crate::pagination::Page;
use crate::schema::{features, plan_versions, plans, subscriptions};
use crate::tenancy::Scope;

pub fn insert_feature(conn: &mut PgConn, f: &Feature) -> QueryResult<()> {
    diesel::insert_into(features::table).values(f).execute(conn).map(drop)
}

pub fn find_feature(conn: &mut PgConn, scope: Scope, key: &str) -> QueryResult<Option<Feature>> {
    features::table
        .filter(features::tenant_id.eq(scope.tenant_id))
        .filter(features::mode.eq(scope.mode))
        .filter(features::key.eq(key))
        .select(Feature::as_select())
        .first(conn)
        .optional()
}

pub fn list_features(conn: &mut PgConn, scope: Scope, page: Page) -> QueryResult<Vec<Feature>> {
    let mut q = features::table
        .filter(features::tenant_id.eq(scope.tenant_id))
        .filter(features::mode.eq(scope.mode))
        .select(Feature::as_select())
        .into_boxed();
    if let Some(before) = page.before {
        q = q.filter(features::id.lt(before));
    }
    q.order(features::id.desc()).limit(page.fetch()).load(conn)
}

/// The type of each of the scope's features, by key.
pub fn feature_types(conn: &mut PgConn, scope: Scope) -> QueryResult<HashMap<String, FeatureType>> {
    let rows: Vec<(String, FeatureType)> = features::table
        .filter(features::tenant_id.eq(scope.tenant_id))
        .filter(features::mode.eq(scope.mode))
        .select((features::key, features::kind))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Each feature's display name, by key.
pub fn feature_names(conn: &mut PgConn, scope: Scope) -> QueryResult<HashMap<String, String>> {
    let rows: Vec<(String, String)> = features::table
        .filter(features::tenant_id.eq(scope.tenant_id))
        .filter(features::mode.eq(scope.mode))
        .select((features::key, features::name))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// The currencies the scope's plans (any version) are priced in, in order.
pub fn currencies(conn: &mut PgConn, scope: Scope) -> QueryResult<Vec<String>> {
    plan_versions::table
        .filter(plan_versions::tenant_id.eq(scope.tenant_id))
        .filter(plan_versions::mode.eq(scope.mode))
        .select(plan_versions::currency)
        .distinct()
        .order(plan_versions::currency)
        .load(conn)
}

pub fn insert_plan(conn: &mut PgConn, plan: &Plan, version: &PlanVersion) -> QueryResult<()> {
    diesel::insert_into(plans::table).values(plan).execute(conn)?;
    diesel::insert_into(plan_versions::table).values(version).execute(conn).map(drop)
}

pub fn find_plan(conn: &mut PgConn, scope: Scope, key: &str) -> QueryResult<Option<Plan>> {
    plans::table
        .filter(plans::tenant_id.eq(scope.tenant_id))
        .filter(plans::mode.eq(scope.mode))
        .filter(plans::key.eq(key))
        .select(Plan::as_select())
        .first(conn)
        .optional()
}

/// The plan, locked until the transaction ends (versioning is serialised per plan).
pub fn lock_plan(conn: &mut PgConn, scope: Scope, key: &str) -> QueryResult<Option<Plan>> {
    plans::table
        .filter(plans::tenant_id.eq(scope.tenant_id))
        .filter(plans::mode.eq(scope.mode))
        .filter(plans::key.eq(key))
        .select(Plan::as_select())
        .for_update()
        .first(conn)
        .optional()
}

/// The plan, share-locked until the transaction ends: a subscription being created on it and an
/// in-place edit of it (which takes the row exclusively) cannot interleave.
pub fn share_plan(conn: &mut PgConn, scope: Scope, key: &str) -> QueryResult<Option<Plan>> {
    plans::table
        .filter(plans::tenant_id.eq(scope.tenant_id))
        .filter(plans::mode.eq(scope.mode))
        .filter(plans::key.eq(key))
        .select(Plan::as_select())
        .for_share()
        .first(conn)
        .optional()
}

pub fn find_plan_by_id(conn: &mut PgConn, scope: Scope, id: PlanId) -> QueryResult<Option<Plan>> {
    plans::table
        .filter(plans::tenant_id.eq(scope.tenant_id))
        .filter(plans::mode.eq(scope.mode))
        .filter(plans::id.eq(id))
        .select(Plan::as_select())
        .first(conn)
        .optional()
}

pub fn find_version(conn: &mut PgConn, scope: Scope, plan: PlanId, version: i32) -> QueryResult<Option<PlanVersion>> {
    plan_versions::table
        .filter(plan_versions::tenant_id.eq(scope.tenant_id))
        .filter(plan_versions::mode.eq(scope.mode))
        .filter(plan_versions::plan_id.eq(plan))
        .filter(plan_versions::version.eq(version))
        .select(PlanVersion::as_select())
        .first(conn)
        .optional()
}

/// A version that a subscription or an invoice refers to. Its absence breaks an invariant (the
/// foreign keys forbid it), so it is a 500, not a 404.
pub fn referenced_version(conn: &mut PgConn, scope: Scope, plan: PlanId, version: i32) -> ApiResult<PlanVersion> {
    find_version(conn, scope, plan, version)?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("a reference to a missing plan version")))
}

/// Plans with their newest versions, newest plan first.
pub fn list_plans(
    conn: &mut PgConn,
    scope: Scope,
    page: Page,
    archived: Option<bool>,
) -> QueryResult<Vec<(Plan, PlanVersion)>> {
    let mut q = plans::table
        .inner_join(
            plan_versions::table.on(plan_versions::tenant_id
                .eq(plans::tenant_id)
                .and(plan_versions::mode.eq(plans::mode))
                .and(plan_versions::plan_id.eq(plans::id))
                .and(plan_versions::version.eq(plans::latest_version))),
        )
        .filter(plans::tenant_id.eq(scope.tenant_id))
        .filter(plans::mode.eq(scope.mode))
        .select((Plan::as_select(), PlanVersion::as_select()))
        .into_boxed();
    match archived {
        Some(true) => q = q.filter(plans::archived_at.is_not_null()),
        Some(false) => q = q.filter(plans::archived_at.is_null()),
        None => {}
    }
    if let Some(before) = page.before {
        q = q.filter(plans::id.lt(before));
    }
    q.order(plans::id.desc()).limit(page.fetch()).load(conn)
}

/// Whether any subscription refers (or is scheduled to move) to this version.
pub fn version_in_use(conn: &mut PgConn, scope: Scope, plan: PlanId, version: i32) -> QueryResult<bool> {
    let scoped = subscriptions::tenant_id.eq(scope.tenant_id).and(subscriptions::mode.eq(scope.mode));
    let current = subscriptions::plan_id.eq(plan).and(subscriptions::plan_version.eq(version));
    let pending = subscriptions::pending_plan_id.eq(plan).and(subscriptions::pending_plan_version.eq(version));
    diesel::select(diesel::dsl::exists(subscriptions::table.filter(scoped).filter(current.or(pending))))
        .get_result(conn)
}

pub fn replace_version(conn: &mut PgConn, v: &PlanVersion) -> QueryResult<()> {
    diesel::update(
        plan_versions::table
            .filter(plan_versions::tenant_id.eq(v.tenant_id))
            .filter(plan_versions::mode.eq(v.mode))
            .filter(plan_versions::plan_id.eq(v.plan_id))
            .filter(plan_versions::version.eq(v.version)),
    )
    .set(v)
    .execute(conn)
    .map(drop)
}

pub fn add_version(conn: &mut PgConn, v: &PlanVersion) -> QueryResult<()> {
    diesel::insert_into(plan_versions::table).values(v).execute(conn)?;
    diesel::update(
        plans::table
            .filter(plans::tenant_id.eq(v.tenant_id))
            .filter(plans::mode.eq(v.mode))
            .filter(plans::id.eq(v.plan_id)),
    )
    .set(plans::latest_version.eq(v.version))
    .execute(conn)
    .map(drop)
}

pub fn archive_plan(conn: &mut PgConn, scope: Scope, plan: PlanId, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(
        plans::table
            .filter(plans::tenant_id.eq(scope.tenant_id))
            .filter(plans::mode.eq(scope.mode))
            .filter(plans::id.eq(plan))
            .filter(plans::archived_at.is_null()),
    )
    .set(plans::archived_at.eq(now))
    .execute(conn)
    .map(drop)
}
