use actix_web::{get, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::models::*;
use super::service;
use crate::auth::{Auth, PathId};
use crate::entitlements::Resolutions;
use crate::error::{ApiResult, ErrorEnvelope};
use crate::extract::{Json, JsonItems, Query};
use crate::ids::CustomerId;
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(record_usage).service(record_usage_batch).service(get_usage);
}

/// Record a usage event, whatever the limits say (limits are enforced by verify).
///
/// 201 for a new event, 200 with `duplicate: true` for an `event_id` recorded before.
#[utoipa::path(
    tag = "Usage",
    request_body = UsageEventRequest,
    responses(
        (status = 201, description = "Recorded", body = UsageRecorded),
        (status = 200, description = "Recorded before (`duplicate: true`)", body = UsageRecorded),
        (status = 400, description = "A field is invalid; `timestamp_out_of_range` outside 35 days back to 5 minutes ahead", body = ErrorEnvelope),
        (status = 404, description = "No such customer in this mode", body = ErrorEnvelope),
    )
)]
#[post("/v1/usage")]
pub async fn record_usage(
    state: web::Data<AppState>,
    resolutions: web::Data<Resolutions>,
    auth: Auth,
    Json(req): Json<UsageEventRequest>,
) -> ApiResult<HttpResponse> {
    let recorded = service::record(&state, &resolutions, auth, req).await?;
    Ok(if recorded.duplicate { HttpResponse::Ok() } else { HttpResponse::Created() }.json(recorded))
}

/// Record up to 1,000 usage events in one call.
///
/// Valid events are recorded; invalid ones are reported by index and record nothing. A batch
/// of more than 1,000 events is refused whole. Recording is not all-or-nothing: should the
/// database fail midway, the call answers 503 with some events perhaps recorded. Retrying the
/// whole batch is safe, as each `event_id` is recorded once (the repeats count as `duplicates`).
///
/// Batches arriving faster than they can be written wait their turn; one that waits longer than
/// the database pool's timeout answers 503 `database_unavailable` having recorded nothing.
#[utoipa::path(
    tag = "Usage",
    request_body = UsageBatchRequest,
    responses(
        (status = 200, description = "What was recorded", body = UsageBatchResponse),
        (status = 400, description = "`too_many_events`, or not a batch", body = ErrorEnvelope),
    )
)]
#[post("/v1/usage/batch")]
pub async fn record_usage_batch(
    state: web::Data<AppState>,
    resolutions: web::Data<Resolutions>,
    auth: Auth,
    JsonItems(req): JsonItems<UsageBatchRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::record_batch(&state, &resolutions, auth, req).await?))
}

/// A customer's usage of a feature over time, for a usage dashboard.
#[utoipa::path(
    tag = "Usage",
    params(("id" = CustomerId, Path, description = "`cus_…`"), UsageSeriesParams),
    responses(
        (status = 200, description = "One point per bucket, empty buckets included", body = UsageSeries),
        (status = 404, description = "No such customer or feature in this mode", body = ErrorEnvelope),
    )
)]
#[get("/v1/customers/{id}/usage")]
pub async fn get_usage(
    state: web::Data<AppState>,
    auth: Auth,
    PathId(id): PathId<CustomerId>,
    Query(p): Query<UsageSeriesParams>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::series(&state, auth, id, p).await?))
}
