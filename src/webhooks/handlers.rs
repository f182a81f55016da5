use actix_web::{delete, get, patch, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::delivery::Sender;
use super::models::*;
use super::service;
use crate::auth::{Auth, PathId};
use crate::error::{ApiResult, ErrorEnvelope};
use crate::extract::{Json, Query};
use crate::ids::{EventId, WebhookEndpointId};
use crate::pagination::{List, Page, PageParams};
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_endpoint)
        .service(list_endpoints)
        .service(get_endpoint)
        .service(update_endpoint)
        .service(delete_endpoint)
        .service(rotate_secret)
        .service(list_deliveries)
        .service(list_events)
        .service(get_event)
        .service(redeliver_event);
}

/// Register an endpoint for events. The answer shows its signing secret, this once.
#[utoipa::path(
    tag = "Webhooks",
    request_body = CreateEndpointRequest,
    responses(
        (status = 201, description = "The endpoint, with its secret", body = CreatedEndpoint),
        (status = 400, description = "`url_not_allowed`", body = ErrorEnvelope),
    )
)]
#[post("/v1/webhook-endpoints")]
pub async fn create_endpoint(
    state: web::Data<AppState>,
    sender: web::Data<Sender>,
    auth: Auth,
    Json(req): Json<CreateEndpointRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created().json(service::create(&state, &sender, auth, req).await?))
}

/// List endpoints, newest first.
#[utoipa::path(tag = "Webhooks", params(PageParams), responses((status = 200, description = "A page of endpoints", body = List<EndpointResponse>)))]
#[get("/v1/webhook-endpoints")]
pub async fn list_endpoints(
    state: web::Data<AppState>,
    auth: Auth,
    Query(p): Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let page = Page::try_from(p)?;
    Ok(HttpResponse::Ok().json(service::list(&state, auth, page).await?))
}

/// Get an endpoint (never its secret).
#[utoipa::path(
    tag = "Webhooks",
    params(("id" = WebhookEndpointId, Path, description = "`whep_…`")),
    responses(
        (status = 200, description = "The endpoint", body = EndpointResponse),
        (status = 404, description = "No such endpoint", body = ErrorEnvelope),
    )
)]
#[get("/v1/webhook-endpoints/{id}")]
pub async fn get_endpoint(
    state: web::Data<AppState>,
    auth: Auth,
    PathId(id): PathId<WebhookEndpointId>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::get(&state, auth, id).await?))
}

/// Change an endpoint's URL, events, description or status (enabling it again starts afresh).
#[utoipa::path(
    tag = "Webhooks",
    params(("id" = WebhookEndpointId, Path, description = "`whep_…`")),
    request_body = UpdateEndpointRequest,
    responses(
        (status = 200, description = "The endpoint", body = EndpointResponse),
        (status = 400, description = "`url_not_allowed`", body = ErrorEnvelope),
        (status = 404, description = "No such endpoint", body = ErrorEnvelope),
    )
)]
#[patch("/v1/webhook-endpoints/{id}")]
pub async fn update_endpoint(
    state: web::Data<AppState>,
    sender: web::Data<Sender>,
    auth: Auth,
    PathId(id): PathId<WebhookEndpointId>,
    Json(req): Json<UpdateEndpointRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::update(&state, &sender, auth, id, req).await?))
}

/// Delete an endpoint: it receives nothing more.
#[utoipa::path(
    tag = "Webhooks",
    params(("id" = WebhookEndpointId, Path, description = "`whep_…`")),
    responses(
        (status = 200, description = "Deleted", body = DeletedEndpoint),
        (status = 404, description = "No such endpoint", body = ErrorEnvelope),
    )
)]
#[delete("/v1/webhook-endpoints/{id}")]
pub async fn delete_endpoint(
    state: web::Data<AppState>,
    auth: Auth,
    PathId(id): PathId<WebhookEndpointId>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::delete(&state, auth, id).await?))
}

/// A new signing secret; the old one signs alongside it for 24 hours.
#[utoipa::path(
    tag = "Webhooks",
    params(("id" = WebhookEndpointId, Path, description = "`whep_…`")),
    responses(
        (status = 200, description = "The new secret", body = RotatedSecret),
        (status = 404, description = "No such endpoint", body = ErrorEnvelope),
    )
)]
#[post("/v1/webhook-endpoints/{id}/rotate-secret")]
pub async fn rotate_secret(
    state: web::Data<AppState>,
    sender: web::Data<Sender>,
    auth: Auth,
    PathId(id): PathId<WebhookEndpointId>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::rotate(&state, &sender, auth, id).await?))
}

/// The endpoint's delivery attempts, newest first.
#[utoipa::path(
    tag = "Webhooks",
    params(("id" = WebhookEndpointId, Path, description = "`whep_…`"), PageParams),
    responses(
        (status = 200, description = "A page of attempts", body = List<DeliveryResponse>),
        (status = 404, description = "No such endpoint", body = ErrorEnvelope),
    )
)]
#[get("/v1/webhook-endpoints/{id}/deliveries")]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    auth: Auth,
    PathId(id): PathId<WebhookEndpointId>,
    Query(p): Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let page = Page::try_from(p)?;
    Ok(HttpResponse::Ok().json(service::deliveries(&state, auth, id, page).await?))
}

/// Events of the last 30 days, newest first.
#[utoipa::path(tag = "Webhooks", params(EventListParams), responses((status = 200, description = "A page of events", body = List<EventResponse>)))]
#[get("/v1/events")]
pub async fn list_events(
    state: web::Data<AppState>,
    auth: Auth,
    Query(p): Query<EventListParams>,
) -> ApiResult<HttpResponse> {
    let page = Page::from_params(p.limit, p.cursor.as_deref())?;
    Ok(HttpResponse::Ok().json(service::list_events(&state, auth, p.kind, page).await?))
}

/// Get an event, as delivered.
#[utoipa::path(
    tag = "Webhooks",
    params(("id" = EventId, Path, description = "`evt_…`")),
    responses(
        (status = 200, description = "The event", body = EventResponse),
        (status = 404, description = "No such event", body = ErrorEnvelope),
    )
)]
#[get("/v1/events/{id}")]
pub async fn get_event(state: web::Data<AppState>, auth: Auth, PathId(id): PathId<EventId>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::get_event(&state, auth, id).await?))
}

/// Deliver an event to an endpoint again, now.
#[utoipa::path(
    tag = "Webhooks",
    params(("id" = EventId, Path, description = "`evt_…`")),
    request_body = RedeliverRequest,
    responses(
        (status = 200, description = "The event, on its way", body = EventResponse),
        (status = 404, description = "No such event or endpoint", body = ErrorEnvelope),
    )
)]
#[post("/v1/events/{id}/redeliver")]
pub async fn redeliver_event(
    state: web::Data<AppState>,
    auth: Auth,
    PathId(id): PathId<EventId>,
    Json(req): Json<RedeliverRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::redeliver(&state, auth, id, req).await?))
}
