use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::models::*;
use super::service;
use super::throttle::LoginThrottle;
use crate::auth::{Auth, PathId, Person};
use crate::error::{ApiResult, ErrorEnvelope};
use crate::extract::{Json, Query};
use crate::ids::SecretKeyId;
use crate::pagination::{List, Page};
use crate::state::AppState;
use crate::tenancy::Mode;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(signup)
        .service(login)
        .service(get_tenant)
        .service(update_tenant)
        .service(create_secret_key)
        .service(list_secret_keys)
        .service(revoke_secret_key);
}

/// Create a tenant account.
///
/// Creates the tenant, its first user, and one secret key per mode. The keys are shown only in
/// this answer.
#[utoipa::path(
    tag = "Accounts",
    security(()),
    request_body = SignupRequest,
    responses(
        (status = 201, description = "Account created", body = SignupResponse),
        (status = 409, description = "`email_taken`", body = ErrorEnvelope),
    )
)]
#[post("/v1/signup")]
pub async fn signup(state: web::Data<AppState>, Json(req): Json<SignupRequest>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created().json(service::signup(&state, req).await?))
}

/// Log in and get an access token.
///
/// An unknown email and a wrong password answer alike, in about the same time.
#[utoipa::path(
    tag = "Accounts",
    security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = LoginResponse),
        (status = 401, description = "`invalid_credentials`", body = ErrorEnvelope),
        (status = 429, description = "`rate_limited`: too many attempts for this email or from this address; see `Retry-After`",
         body = ErrorEnvelope, headers(("Retry-After" = u32, description = "Seconds to wait"))),
    )
)]
#[post("/v1/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    throttle: web::Data<LoginThrottle>,
    http: HttpRequest,
    Json(req): Json<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let address = http.peer_addr().map(|a| a.ip());
    Ok(HttpResponse::Ok().json(service::login(&state, &throttle, req, address).await?))
}

/// The tenant the credentials act for, and the mode of this request.
#[utoipa::path(
    tag = "Accounts",
    responses(
        (status = 200, description = "The tenant", body = TenantResponse),
    )
)]
#[get("/v1/tenant")]
pub async fn get_tenant(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::get_tenant(&state, auth).await?))
}

/// Change the tenant's name or pricing page.
///
/// Needs a user's access token. `pricing_url` is what verify returns as `upgrade_url` when a
/// customer's plan lacks a feature or its limit is reached.
#[utoipa::path(
    security(("userToken" = [])),
    tag = "Accounts",
    request_body = UpdateTenantRequest,
    responses(
        (status = 200, description = "The tenant", body = TenantResponse),
    )
)]
#[patch("/v1/tenant")]
pub async fn update_tenant(
    state: web::Data<AppState>,
    auth: Person,
    Json(req): Json<UpdateTenantRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::update_tenant(&state, auth, req).await?))
}

/// Create a secret key.
///
/// Needs a user's access token. The key is shown only in this answer; store it in your API
/// server's secrets.
#[utoipa::path(
    security(("userToken" = [])),
    tag = "Accounts",
    request_body = CreateSecretKeyRequest,
    responses(
        (status = 201, description = "Key created", body = CreatedSecretKey),
    )
)]
#[post("/v1/secret-keys")]
pub async fn create_secret_key(
    state: web::Data<AppState>,
    auth: Person,
    Json(req): Json<CreateSecretKeyRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created().json(service::create_secret_key(&state, auth, req).await?))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListSecretKeysParams {
    /// Only keys of this mode.
    mode: Option<Mode>,
    /// 1 to 100, default 20.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(pattern = r"^([a-z]+_[0-6][0-9A-Za-z]{21})?$")]
    cursor: Option<String>,
}

/// List the tenant's secret keys, newest first (both modes unless `mode` is given).
#[utoipa::path(
    security(("userToken" = [])),
    tag = "Accounts",
    params(ListSecretKeysParams),
    responses(
        (status = 200, description = "A page of keys", body = List<SecretKeyObject>),
    )
)]
#[get("/v1/secret-keys")]
pub async fn list_secret_keys(
    state: web::Data<AppState>,
    auth: Person,
    Query(p): Query<ListSecretKeysParams>,
) -> ApiResult<HttpResponse> {
    let page = Page::from_params(p.limit, p.cursor.as_deref())?;
    Ok(HttpResponse::Ok().json(service::list_secret_keys(&state, auth, p.mode, page).await?))
}

/// Revoke a secret key, with immediate effect.
#[utoipa::path(
    security(("userToken" = [])),
    tag = "Accounts",
    params(("id" = SecretKeyId, Path, description = "The key's id, `skey_…`")),
    responses(
        (status = 200, description = "Revoked (again, if it already was)", body = RevokedSecretKey),
        (status = 404, description = "No such key in this tenant", body = ErrorEnvelope),
    )
)]
#[delete("/v1/secret-keys/{id}")]
pub async fn revoke_secret_key(
    state: web::Data<AppState>,
    auth: Person,
    PathId(id): PathId<SecretKeyId>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::revoke_secret_key(&state, auth, id).await?))
}
