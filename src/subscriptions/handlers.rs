use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::models::*;
use super::service;
use crate::auth::{Auth, PathId};
use crate::error::{ApiError, ApiResult, ErrorCode, ErrorEnvelope};
use crate::extract::{Json, Query};
use crate::ids::{CustomerId, SubscriptionId};
use crate::invoices::models::UpcomingInvoice;
use crate::pagination::{List, Page};
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_subscription)
        .service(list_subscriptions)
        .service(get_subscription)
        .service(change_subscription)
        .service(preview_change)
        .service(cancel_subscription)
        .service(resume_subscription)
        .service(upcoming_invoice);
}

/// Subscribe a customer to a plan.
///
/// The subscription takes the plan's newest version and keeps it until moved. A customer has at
/// most one subscription that is not canceled.
#[utoipa::path(
    tag = "Subscriptions",
    request_body = CreateSubscriptionRequest,
    responses(
        (status = 201, description = "Created", body = SubscriptionResponse),
        (status = 400, description = "A field is invalid, or `plan_archived`", body = ErrorEnvelope),
        (status = 404, description = "No such customer or plan in this mode (`param` says which)", body = ErrorEnvelope),
        (status = 409, description = "`customer_already_subscribed`", body = ErrorEnvelope),
    )
)]
#[post("/v1/subscriptions")]
pub async fn create_subscription(
    state: web::Data<AppState>,
    auth: Auth,
    Json(req): Json<CreateSubscriptionRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created().json(service::create(&state, auth, req).await?))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListSubscriptionsParams {
    /// Only this customer's subscriptions.
    #[param(value_type = Option<CustomerId>)]
    customer: Option<String>,
    /// Only subscriptions in this status.
    status: Option<Status>,
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
    #[param(pattern = r"^([a-z]+_[0-6][0-9A-Za-z]{21})?$")]
    cursor: Option<String>,
}

/// List subscriptions, newest first.
#[utoipa::path(
    tag = "Subscriptions",
    params(ListSubscriptionsParams),
    responses(
        (status = 200, description = "A page of subscriptions", body = List<SubscriptionResponse>),
    )
)]
#[get("/v1/subscriptions")]
pub async fn list_subscriptions(
    state: web::Data<AppState>,
    auth: Auth,
    Query(p): Query<ListSubscriptionsParams>,
) -> ApiResult<HttpResponse> {
    let page = Page::from_params(p.limit, p.cursor.as_deref())?;
    let customer = match p.customer {
        None => None,
        Some(c) => Some(c.parse::<CustomerId>().map_err(|_| {
            ApiError::bad_request(ErrorCode::ParameterInvalid, "customer must be a customer id (cus_…)")
                .with_param("customer")
        })?),
    };
    Ok(HttpResponse::Ok().json(service::list(&state, auth, customer, p.status, page).await?))
}

/// Get a subscription.
#[utoipa::path(
    tag = "Subscriptions",
    params(("id" = SubscriptionId, Path, description = "`sub_…`")),
    responses(
        (status = 200, description = "The subscription", body = SubscriptionResponse),
        (status = 404, description = "No such subscription in this mode", body = ErrorEnvelope),
    )
)]
#[get("/v1/subscriptions/{id}")]
pub async fn get_subscription(
    state: web::Data<AppState>,
    auth: Auth,
    PathId(id): PathId<SubscriptionId>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::get(&state, auth, id).await?))
}

/// Move a subscription to another plan, now or at the end of the period.
#[utoipa::path(
    tag = "Subscriptions",
    params(("id" = SubscriptionId, Path, description = "`sub_…`")),
    request_body = ChangeSubscriptionRequest,
    responses(
        (status = 200, description = "The subscription", body = SubscriptionResponse),
        (status = 400, description = "`plan_unchanged`, `plan_archived` or an invalid field", body = ErrorEnvelope),
        (status = 404, description = "No such subscription or plan in this mode", body = ErrorEnvelope),
        (status = 409, description = "`subscription_canceled`", body = ErrorEnvelope),
    )
)]
#[post("/v1/subscriptions/{id}/change")]
pub async fn change_subscription(
    state: web::Data<AppState>,
    auth: Auth,
    PathId(id): PathId<SubscriptionId>,
    Json(req): Json<ChangeSubscriptionRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::change(&state, auth, id, req).await?))
}

/// What a plan change would do, without doing it: the subscription after it and the invoice it
/// would bill now (an upgrade's prorated amount). Computed by the code that makes the change.
#[utoipa::path(
    tag = "Subscriptions",
    params(("id" = SubscriptionId, Path, description = "`sub_…`")),
    request_body = ChangeSubscriptionRequest,
    responses(
        (status = 200, description = "The change, previewed", body = ChangePreview),
        (status = 400, description = "`plan_unchanged`, `plan_archived` or an invalid field", body = ErrorEnvelope),
        (status = 404, description = "No such subscription or plan in this mode", body = ErrorEnvelope),
        (status = 409, description = "`subscription_canceled`", body = ErrorEnvelope),
    )
)]
#[post("/v1/subscriptions/{id}/preview-change")]
pub async fn preview_change(
    state: web::Data<AppState>,
    auth: Auth,
    PathId(id): PathId<SubscriptionId>,
    Json(req): Json<ChangeSubscriptionRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::preview_change(&state, auth, id, req).await?))
}

/// Cancel a subscription at the end of the period (default) or now.
#[utoipa::path(
    tag = "Subscriptions",
    params(("id" = SubscriptionId, Path, description = "`sub_…`")),
    request_body = CancelSubscriptionRequest,
    responses(
        (status = 200, description = "The subscription", body = SubscriptionResponse),
        (status = 404, description = "No such subscription in this mode", body = ErrorEnvelope),
        (status = 409, description = "`subscription_canceled`", body = ErrorEnvelope),
    )
)]
#[post("/v1/subscriptions/{id}/cancel")]
pub async fn cancel_subscription(
    state: web::Data<AppState>,
    auth: Auth,
    PathId(id): PathId<SubscriptionId>,
    Json(req): Json<CancelSubscriptionRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::cancel(&state, auth, id, req).await?))
}

/// Undo a cancellation scheduled for the end of the period.
#[utoipa::path(
    tag = "Subscriptions",
    params(("id" = SubscriptionId, Path, description = "`sub_…`")),
    responses(
        (status = 200, description = "The subscription", body = SubscriptionResponse),
        (status = 404, description = "No such subscription in this mode", body = ErrorEnvelope),
        (status = 409, description = "`subscription_canceled` or `not_scheduled_to_cancel`", body = ErrorEnvelope),
    )
)]
#[post("/v1/subscriptions/{id}/resume")]
pub async fn resume_subscription(
    state: web::Data<AppState>,
    auth: Auth,
    PathId(id): PathId<SubscriptionId>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::resume(&state, auth, id).await?))
}

/// What the customer's current period would bill if it closed now (`status: "upcoming"`).
#[utoipa::path(
    tag = "Invoices",
    params(("id" = CustomerId, Path, description = "`cus_…`")),
    responses(
        (status = 200, description = "The upcoming invoice", body = UpcomingInvoice),
        (status = 404, description = "No such customer, or `no_upcoming_invoice`", body = ErrorEnvelope),
    )
)]
#[get("/v1/customers/{id}/upcoming-invoice")]
pub async fn upcoming_invoice(
    state: web::Data<AppState>,
    auth: Auth,
    PathId(id): PathId<CustomerId>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::upcoming(&state, auth, id).await?))
}
