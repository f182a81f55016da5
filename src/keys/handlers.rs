use actix_web::{get, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::models::*;
use super::service;
use crate::auth::{Auth, PathId};
use crate::error::{ApiResult, ErrorEnvelope};
use crate::extract::{Json, Query};
use crate::ids::{ApiKeyId, CustomerId};
use crate::pagination::{List, PageParams};
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_api_key).service(list_api_keys).service(revoke_api_key).service(rotate_api_key);
}

/// Issue an API key to a customer.
///
/// The key is shown only in this answer. Its mode is visible in it (`tg_test_…`, `tg_live_…`).
#[utoipa::path(
    tag = "API keys",
    params(("id" = CustomerId, Path, description = "The customer, `cus_…`")),
    request_body = CreateApiKeyRequest,
    responses(
        (status = 201, description = "Created", body = CreatedApiKey),
        (status = 404, description = "No such customer in this mode", body = ErrorEnvelope),
    )
)]
#[post("/v1/customers/{id}/api-keys")]
pub async fn create_api_key(
    state: web::Data<AppState>,
    auth: Auth,
    PathId(id): PathId<CustomerId>,
    Json(req): Json<CreateApiKeyRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created().json(service::create(&state, auth, id, req).await?))
}

/// List a customer's API keys, newest first (never the keys themselves).
#[utoipa::path(
    tag = "API keys",
    params(("id" = CustomerId, Path, description = "The customer, `cus_…`"), PageParams),
    responses(
        (status = 200, description = "A page of keys", body = List<ApiKeyObject>),
        (status = 404, description = "No such customer in this mode", body = ErrorEnvelope),
    )
)]
#[get("/v1/customers/{id}/api-keys")]
pub async fn list_api_keys(
    state: web::Data<AppState>,
    auth: Auth,
    PathId(id): PathId<CustomerId>,
    Query(p): Query<PageParams>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::list(&state, auth, id, p.try_into()?).await?))
}

/// Revoke an API key: `verify` answers `KEY_REVOKED` for it within a second, on every instance.
#[utoipa::path(
    tag = "API keys",
    params(("id" = ApiKeyId, Path, description = "`key_…`")),
    responses(
        (status = 200, description = "Revoked (again, if it already was)", body = RevokedApiKey),
        (status = 404, description = "No such key in this mode", body = ErrorEnvelope),
    )
)]
#[post("/v1/api-keys/{id}/revoke")]
pub async fn revoke_api_key(
    state: web::Data<AppState>,
    auth: Auth,
    PathId(id): PathId<ApiKeyId>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::revoke(&state, auth, id).await?))
}

/// Replace an API key with a new one; the old one keeps working for `grace_seconds`.
#[utoipa::path(
    tag = "API keys",
    params(("id" = ApiKeyId, Path, description = "`key_…`")),
    request_body = RotateApiKeyRequest,
    responses(
        (status = 201, description = "The new key", body = CreatedApiKey),
        (status = 404, description = "No such key in this mode", body = ErrorEnvelope),
        (status = 409, description = "`api_key_inactive`: revoked or expired", body = ErrorEnvelope),
    )
)]
#[post("/v1/api-keys/{id}/rotate")]
pub async fn rotate_api_key(
    state: web::Data<AppState>,
    auth: Auth,
    PathId(id): PathId<ApiKeyId>,
    Json(req): Json<RotateApiKeyRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created().json(service::rotate(&state, auth, id, req).await?))
}
