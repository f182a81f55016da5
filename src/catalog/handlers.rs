use actix_web::{get, patch, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::models::*;
use super::service;
use crate::auth::Auth;
use crate::error::{ApiResult, ErrorEnvelope};
use crate::extract::{Json, Query};
use crate::pagination::{List, Page, PageParams};
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_feature)
        .service(list_features)
        .service(get_feature)
        .service(create_plan)
        .service(list_plans)
        .service(get_plan)
        .service(update_plan)
        .service(archive_plan);
}

/// Create a feature.
///
/// A metered feature is also its meter: `aggregation` says how its usage events add up.
#[utoipa::path(
    tag = "Catalog",
    request_body = CreateFeatureRequest,
    responses(
        (status = 201, description = "Created", body = FeatureResponse),
        (status = 409, description = "`resource_already_exists`: the key is taken", body = ErrorEnvelope),
    )
)]
#[post("/v1/features")]
pub async fn create_feature(
    state: web::Data<AppState>,
    auth: Auth,
    Json(req): Json<CreateFeatureRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created().json(service::create_feature(&state, auth, req).await?))
}

/// List features, newest first.
#[utoipa::path(
    tag = "Catalog",
    params(PageParams),
    responses(
        (status = 200, description = "A page of features", body = List<FeatureResponse>),
    )
)]
#[get("/v1/features")]
pub async fn list_features(
    state: web::Data<AppState>,
    auth: Auth,
    Query(p): Query<PageParams>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::list_features(&state, auth, p.try_into()?).await?))
}

/// Get a feature by its key.
#[utoipa::path(
    tag = "Catalog",
    params(("key" = String, Path, description = "The feature's key", min_length = 1, max_length = 64, pattern = r"^[A-Za-z0-9_.:-]+$")),
    responses(
        (status = 200, description = "The feature", body = FeatureResponse),
        (status = 404, description = "No such feature in this mode", body = ErrorEnvelope),
    )
)]
#[get("/v1/features/{key}")]
pub async fn get_feature(state: web::Data<AppState>, auth: Auth, key: web::Path<String>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::get_feature(&state, auth, key.into_inner()).await?))
}

/// Create a plan.
///
/// Entitlements say what a subscriber may use; charges say what usage costs. Every pricing
/// model of the README's "Model your pricing" is a plan.
#[utoipa::path(
    tag = "Catalog",
    request_body = CreatePlanRequest,
    responses(
        (status = 201, description = "Created, as version 1", body = PlanResponse),
        (status = 400, description = "A term is missing or invalid; `param` names it", body = ErrorEnvelope),
        (status = 409, description = "`resource_already_exists`: the key is taken", body = ErrorEnvelope),
    )
)]
#[post("/v1/plans")]
pub async fn create_plan(
    state: web::Data<AppState>,
    auth: Auth,
    Json(req): Json<CreatePlanRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created().json(service::create_plan(&state, auth, req).await?))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListPlansParams {
    /// `true`: only archived plans; `false`: only plans open to new subscriptions.
    archived: Option<bool>,
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
    #[param(pattern = r"^([a-z]+_[0-6][0-9A-Za-z]{21})?$")]
    cursor: Option<String>,
}

/// List plans (their newest versions), newest first.
#[utoipa::path(
    tag = "Catalog",
    params(ListPlansParams),
    responses(
        (status = 200, description = "A page of plans", body = List<PlanResponse>),
    )
)]
#[get("/v1/plans")]
pub async fn list_plans(
    state: web::Data<AppState>,
    auth: Auth,
    Query(p): Query<ListPlansParams>,
) -> ApiResult<HttpResponse> {
    let page = Page::from_params(p.limit, p.cursor.as_deref())?;
    Ok(HttpResponse::Ok().json(service::list_plans(&state, auth, page, p.archived).await?))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GetPlanParams {
    /// A version other than the newest.
    #[param(minimum = 1, maximum = 2_147_483_647)]
    version: Option<i32>,
}

/// Get a plan by its key: the newest version, or `?version=N`.
#[utoipa::path(
    tag = "Catalog",
    params(("key" = String, Path, description = "The plan's key", min_length = 1, max_length = 64, pattern = r"^[A-Za-z0-9_.:-]+$"), GetPlanParams),
    responses(
        (status = 200, description = "The plan", body = PlanResponse),
        (status = 404, description = "No such plan (or version) in this mode", body = ErrorEnvelope),
    )
)]
#[get("/v1/plans/{key}")]
pub async fn get_plan(
    state: web::Data<AppState>,
    auth: Auth,
    key: web::Path<String>,
    Query(p): Query<GetPlanParams>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::get_plan(&state, auth, key.into_inner(), p.version).await?))
}

/// Change a plan's terms.
///
/// While no subscription refers to the newest version it is changed in place; otherwise the
/// change becomes version N+1 and existing subscriptions keep the version they have.
#[utoipa::path(
    tag = "Catalog",
    params(("key" = String, Path, description = "The plan's key", min_length = 1, max_length = 64, pattern = r"^[A-Za-z0-9_.:-]+$")),
    request_body = UpdatePlanRequest,
    responses(
        (status = 200, description = "The plan's newest version", body = PlanResponse),
        (status = 400, description = "A term is invalid; `param` names it", body = ErrorEnvelope),
        (status = 404, description = "No such plan in this mode", body = ErrorEnvelope),
    )
)]
#[patch("/v1/plans/{key}")]
pub async fn update_plan(
    state: web::Data<AppState>,
    auth: Auth,
    key: web::Path<String>,
    Json(req): Json<UpdatePlanRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::update_plan(&state, auth, key.into_inner(), req).await?))
}

/// Archive a plan: it takes no new subscriptions; existing ones go on.
#[utoipa::path(
    tag = "Catalog",
    params(("key" = String, Path, description = "The plan's key", min_length = 1, max_length = 64, pattern = r"^[A-Za-z0-9_.:-]+$")),
    responses(
        (status = 200, description = "Archived (again, if it already was)", body = PlanResponse),
        (status = 404, description = "No such plan in this mode", body = ErrorEnvelope),
    )
)]
#[post("/v1/plans/{key}/archive")]
pub async fn archive_plan(state: web::Data<AppState>, auth: Auth, key: web::Path<String>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::archive_plan(&state, auth, key.into_inner()).await?))
}
