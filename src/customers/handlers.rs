use actix_web::{delete, get, patch, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::models::*;
use super::service;
use crate::auth::{Auth, PathId};
use crate::error::{ApiResult, ErrorEnvelope};
use crate::extract::{Json, Query};
use crate::ids::CustomerId;
use crate::pagination::{List, Page};
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_customer)
        .service(list_customers)
        .service(get_customer)
        .service(update_customer)
        .service(delete_customer);
}

/// Create a customer.
#[utoipa::path(
    tag = "Customers",
    request_body = CreateCustomerRequest,
    responses(
        (status = 201, description = "Created", body = CustomerResponse),
        (status = 409, description = "`external_id_taken`", body = ErrorEnvelope),
    )
)]
#[post("/v1/customers")]
pub async fn create_customer(
    state: web::Data<AppState>,
    auth: Auth,
    Json(req): Json<CreateCustomerRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created().json(service::create(&state, auth, req).await?))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListCustomersParams {
    /// Only customers with this email (case-insensitive).
    email: Option<String>,
    /// Only the customer with this external id.
    external_id: Option<String>,
    /// Case-insensitive: customers whose email or name starts with it, or whose external id
    /// it is.
    #[param(max_length = 200, pattern = r"^[^\u0000]*$")]
    search: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
    #[param(pattern = r"^([a-z]+_[0-6][0-9A-Za-z]{21})?$")]
    cursor: Option<String>,
}

/// List customers, newest first.
#[utoipa::path(
    tag = "Customers",
    params(ListCustomersParams),
    responses(
        (status = 200, description = "A page of customers", body = List<CustomerResponse>),
    )
)]
#[get("/v1/customers")]
pub async fn list_customers(
    state: web::Data<AppState>,
    auth: Auth,
    Query(p): Query<ListCustomersParams>,
) -> ApiResult<HttpResponse> {
    let page = Page::from_params(p.limit, p.cursor.as_deref())?;
    if p.search.as_ref().is_some_and(|s| s.chars().count() > 200 || s.contains('\0')) {
        return Err(crate::error::ApiError::bad_request(
            crate::error::ErrorCode::ParameterInvalid,
            "search takes at most 200 characters, without NUL",
        )
        .with_param("search"));
    }
    let filter = super::repo::Filter { email: p.email, external_id: p.external_id, search: p.search };
    Ok(HttpResponse::Ok().json(service::list(&state, auth, filter, page).await?))
}

/// Get a customer.
#[utoipa::path(
    tag = "Customers",
    params(("id" = CustomerId, Path, description = "`cus_…`")),
    responses(
        (status = 200, description = "The customer", body = CustomerResponse),
        (status = 404, description = "No such customer in this mode", body = ErrorEnvelope),
    )
)]
#[get("/v1/customers/{id}")]
pub async fn get_customer(
    state: web::Data<AppState>,
    auth: Auth,
    PathId(id): PathId<CustomerId>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::get(&state, auth, id).await?))
}

/// Change a customer.
#[utoipa::path(
    tag = "Customers",
    params(("id" = CustomerId, Path, description = "`cus_…`")),
    request_body = UpdateCustomerRequest,
    responses(
        (status = 200, description = "The customer", body = CustomerResponse),
        (status = 404, description = "No such customer in this mode", body = ErrorEnvelope),
        (status = 409, description = "`external_id_taken`", body = ErrorEnvelope),
    )
)]
#[patch("/v1/customers/{id}")]
pub async fn update_customer(
    state: web::Data<AppState>,
    auth: Auth,
    PathId(id): PathId<CustomerId>,
    Json(req): Json<UpdateCustomerRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::update(&state, auth, id, req).await?))
}

/// Delete a customer that has no subscription in force.
#[utoipa::path(
    tag = "Customers",
    params(("id" = CustomerId, Path, description = "`cus_…`")),
    responses(
        (status = 200, description = "Deleted", body = DeletedCustomer),
        (status = 404, description = "No such customer in this mode", body = ErrorEnvelope),
        (status = 409, description = "`customer_has_subscription`", body = ErrorEnvelope),
    )
)]
#[delete("/v1/customers/{id}")]
pub async fn delete_customer(
    state: web::Data<AppState>,
    auth: Auth,
    PathId(id): PathId<CustomerId>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::delete(&state, auth, id).await?))
}
