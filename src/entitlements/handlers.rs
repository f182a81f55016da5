use actix_web::{get, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::service::{self, EntitlementList, EntitlementResponse};
use crate::auth::{Auth, PathId};
use crate::error::{ApiResult, ErrorEnvelope};
use crate::ids::CustomerId;
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_entitlements).service(get_entitlement);
}

/// What the customer's plan grants now.
///
/// From the plan version of the customer's subscription that is not canceled; an empty list
/// without one.
#[utoipa::path(
    tag = "Customers",
    params(("id" = CustomerId, Path, description = "`cus_…`")),
    responses(
        (status = 200, description = "The entitlements", body = EntitlementList),
        (status = 404, description = "No such customer in this mode", body = ErrorEnvelope),
    )
)]
#[get("/v1/customers/{id}/entitlements")]
pub async fn list_entitlements(
    state: web::Data<AppState>,
    auth: Auth,
    PathId(id): PathId<CustomerId>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::list(&state, auth, id).await?))
}

/// One feature for the customer: granted or not, with its limit and what is left.
#[utoipa::path(
    tag = "Customers",
    params(("id" = CustomerId, Path, description = "`cus_…`"), ("feature" = String, Path, description = "The feature's key", min_length = 1, max_length = 64, pattern = r"^[A-Za-z0-9_.:-]+$")),
    responses(
        (status = 200, description = "The entitlement (`has_access: false` when the plan lacks it)", body = EntitlementResponse),
        (status = 404, description = "No such customer or feature in this mode", body = ErrorEnvelope),
    )
)]
#[get("/v1/customers/{id}/entitlements/{feature}")]
pub async fn get_entitlement(
    state: web::Data<AppState>,
    auth: Auth,
    PathId(id): PathId<CustomerId>,
    path: web::Path<FeaturePath>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::get(&state, auth, id, path.into_inner().feature).await?))
}

/// The `{feature}` of the path (its `{id}` is read by [`PathId`]).
#[derive(serde::Deserialize)]
pub struct FeaturePath {
    feature: String,
}
