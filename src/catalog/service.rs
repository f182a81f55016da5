//! Catalog use cases.

use diesel::Connection;

use super::models::*;
use super::repo;
use super::validate::{validate_terms, TermsInput, ValidTerms};
use crate::auth::Auth;
use crate::error::{on_unique_violation, ApiError, ApiResult, ErrorCode};
use crate::ids::{FeatureId, PlanId};
use crate::pagination::{List, Page};
use crate::state::AppState;
use crate::tenancy::Scope;

fn taken(what: &'static str) -> impl FnOnce(diesel::result::Error) -> ApiError {
    on_unique_violation(ErrorCode::ResourceAlreadyExists, format!("a {what} with this key already exists"), "key")
}

pub async fn create_feature(state: &AppState, auth: Auth, req: CreateFeatureRequest) -> ApiResult<FeatureResponse> {
    let invalid =
        |param: &str, msg: &str| ApiError::bad_request(ErrorCode::ParameterInvalid, msg.to_string()).with_param(param);
    let (aggregation, property) = match req.kind {
        FeatureType::Metered => {
            let aggregation = req.aggregation.unwrap_or(Aggregation::Sum);
            let needs_property =
                matches!(aggregation, Aggregation::Max | Aggregation::UniqueCount | Aggregation::Latest);
            match (needs_property, &req.property) {
                (true, None) => {
                    return Err(ApiError::bad_request(
                        ErrorCode::ParameterMissing,
                        format!("property is required: {} reads an event property", aggregation.as_str()),
                    )
                    .with_param("property"))
                }
                (false, Some(_)) => {
                    return Err(invalid(
                        "property",
                        "sum adds up quantities and count counts events; neither reads a property",
                    ))
                }
                _ => {}
            }
            (Some(aggregation), req.property.map(|p| p.into_inner()))
        }
        FeatureType::Boolean | FeatureType::Config => {
            if req.aggregation.is_some() {
                return Err(invalid("aggregation", "only metered features have an aggregation"));
            }
            if req.property.is_some() {
                return Err(invalid("property", "only metered features read a property"));
            }
            if req.unit.is_some() {
                return Err(invalid("unit", "only metered features have a unit"));
            }
            (None, None)
        }
    };
    let feature = Feature {
        tenant_id: auth.scope.tenant_id,
        mode: auth.scope.mode,
        id: FeatureId::new(),
        key: req.key.into_inner(),
        name: req.name.into_inner(),
        kind: req.kind,
        unit: req.unit.map(|u| u.into_inner()),
        aggregation,
        property,
        created_at: crate::testclock::now_for(state, auth.scope).await?,
    };
    let scope = auth.scope;
    let feature = state
        .caches
        .write(&state.pool, move |conn, changes| {
            repo::insert_feature(conn, &feature).map_err(taken("feature"))?;
            // Cached resolutions list the scope's features.
            changes.invalidate(crate::cache::Invalidation::Scope(scope));
            Ok(feature)
        })
        .await?;
    Ok(feature.into())
}

pub async fn get_feature(state: &AppState, auth: Auth, key: String) -> ApiResult<FeatureResponse> {
    let scope = auth.scope;
    let f = crate::db::run(&state.pool, move |conn| Ok(repo::find_feature(conn, scope, &key)?)).await?;
    f.map(Into::into).ok_or_else(|| ApiError::not_found("feature"))
}

pub async fn list_features(state: &AppState, auth: Auth, page: Page) -> ApiResult<List<FeatureResponse>> {
    let scope = auth.scope;
    let rows = crate::db::run(&state.pool, move |conn| Ok(repo::list_features(conn, scope, page)?)).await?;
    Ok(List::from_rows(rows, page, |f| f.id.to_string(), FeatureResponse::from))
}

fn version_row(
    scope: Scope,
    plan_id: PlanId,
    version: i32,
    t: ValidTerms,
    now: chrono::DateTime<chrono::Utc>,
) -> PlanVersion {
    PlanVersion {
        tenant_id: scope.tenant_id,
        mode: scope.mode,
        plan_id,
        version,
        name: t.name,
        currency: t.currency.code().to_string(),
        interval: t.interval,
        interval_count: t.interval_count,
        amount: t.amount,
        billing: t.billing,
        trial_days: t.trial_days,
        entitlements: serde_json::to_value(&t.entitlements).expect("specs serialise"),
        charges: serde_json::to_value(&t.charges).expect("specs serialise"),
        created_at: now,
    }
}

pub async fn create_plan(state: &AppState, auth: Auth, req: CreatePlanRequest) -> ApiResult<PlanResponse> {
    let scope = auth.scope;
    let now = crate::testclock::now_for(state, scope).await?;
    crate::db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let features = repo::feature_types(conn, scope)?;
            let (key, terms) = req.into_terms();
            let terms = validate_terms(terms, &features)?;
            let plan = Plan {
                tenant_id: scope.tenant_id,
                mode: scope.mode,
                id: PlanId::new(),
                key: key.into_inner(),
                latest_version: 1,
                archived_at: None,
                created_at: now,
            };
            let version = version_row(scope, plan.id, 1, terms, now);
            repo::insert_plan(conn, &plan, &version).map_err(taken("plan"))?;
            Ok(PlanResponse::new(&plan, version))
        })
    })
    .await
}

pub async fn get_plan(state: &AppState, auth: Auth, key: String, version: Option<i32>) -> ApiResult<PlanResponse> {
    let scope = auth.scope;
    crate::db::run(&state.pool, move |conn| {
        let plan = repo::find_plan(conn, scope, &key)?.ok_or_else(|| ApiError::not_found("plan"))?;
        let v = repo::find_version(conn, scope, plan.id, version.unwrap_or(plan.latest_version))?
            .ok_or_else(|| ApiError::not_found("plan version").with_param("version"))?;
        Ok(PlanResponse::new(&plan, v))
    })
    .await
}

pub async fn list_plans(
    state: &AppState,
    auth: Auth,
    page: Page,
    archived: Option<bool>,
) -> ApiResult<List<PlanResponse>> {
    let scope = auth.scope;
    let rows = crate::db::run(&state.pool, move |conn| Ok(repo::list_plans(conn, scope, page, archived)?)).await?;
    Ok(List::from_rows(rows, page, |(p, _)| p.id.to_string(), |(p, v)| PlanResponse::new(&p, v)))
}

/// Reads a stored canonical document back as input (the canonical form is valid input).
fn stored<T: serde::de::DeserializeOwned>(v: &serde_json::Value) -> ApiResult<T> {
    serde_json::from_value(v.clone()).map_err(ApiError::internal)
}

/// Changes a plan's terms: in place while no subscription refers to its newest version, else
/// as version N+1 (existing subscriptions keep theirs).
pub async fn update_plan(state: &AppState, auth: Auth, key: String, req: UpdatePlanRequest) -> ApiResult<PlanResponse> {
    let scope = auth.scope;
    let now = crate::testclock::now_for(state, scope).await?;
    crate::db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let mut plan = repo::lock_plan(conn, scope, &key)?.ok_or_else(|| ApiError::not_found("plan"))?;
            let current = repo::find_version(conn, scope, plan.id, plan.latest_version)?
                .ok_or_else(|| ApiError::internal(anyhow::anyhow!("plan without its latest version")))?;
            let terms = TermsInput {
                name: req.name.map(|n| n.into_inner()).unwrap_or(current.name.clone()),
                currency: req.currency.unwrap_or(current.currency()),
                interval: req.interval.unwrap_or(current.interval),
                interval_count: Some(
                    req.interval_count.unwrap_or(crate::money::Quantity(current.interval_count.into())),
                ),
                amount: req.amount.unwrap_or(crate::money::Amount(current.amount)),
                billing: Some(req.billing.unwrap_or(current.billing)),
                trial_days: Some(req.trial_days.unwrap_or(crate::money::Quantity(current.trial_days.into()))),
                entitlements: match req.entitlements {
                    Some(e) => e,
                    None => stored(&current.entitlements)?,
                },
                charges: match req.charges {
                    Some(c) => c,
                    None => stored(&current.charges)?,
                },
            };
            let features = repo::feature_types(conn, scope)?;
            let terms = validate_terms(terms, &features)?;
            let version = if repo::version_in_use(conn, scope, plan.id, current.version)? {
                let next = version_row(scope, plan.id, current.version + 1, terms, now);
                repo::add_version(conn, &next)?;
                plan.latest_version = next.version;
                next
            } else {
                let mut same = version_row(scope, plan.id, current.version, terms, now);
                same.created_at = current.created_at;
                repo::replace_version(conn, &same)?;
                same
            };
            Ok(PlanResponse::new(&plan, version))
        })
    })
    .await
}

pub async fn archive_plan(state: &AppState, auth: Auth, key: String) -> ApiResult<PlanResponse> {
    let scope = auth.scope;
    let now = crate::testclock::now_for(state, scope).await?;
    crate::db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let plan = repo::lock_plan(conn, scope, &key)?.ok_or_else(|| ApiError::not_found("plan"))?;
            repo::archive_plan(conn, scope, plan.id, now)?;
            let plan = repo::find_plan_by_id(conn, scope, plan.id)?.ok_or_else(|| ApiError::not_found("plan"))?;
            let v = repo::find_version(conn, scope, plan.id, plan.latest_version)?
                .ok_or_else(|| ApiError::not_found("plan"))?;
            Ok(PlanResponse::new(&plan, v))
        })
    })
    .await
}
