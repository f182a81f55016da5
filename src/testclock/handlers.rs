use actix_web::{get, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::service::{self, AdvanceRequest, TestClockResponse};
use crate::auth::Auth;
use crate::error::{ApiResult, ErrorEnvelope};
use crate::extract::Json;
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(get_test_clock).service(advance_test_clock);
}

/// The test clock's time (test mode only).
#[utoipa::path(
    tag = "Test clock",
    responses(
        (status = 200, description = "Now, in this tenant's test mode", body = TestClockResponse),
        (status = 403, description = "`test_mode_only`", body = ErrorEnvelope),
    )
)]
#[get("/v1/test-clock")]
pub async fn get_test_clock(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::get(&state, auth).await?))
}

/// Move the test clock forward to `to`. Before answering, every piece of billing work due on
/// the way runs in time order: periods close, trials end, scheduled changes and cancellations
/// take effect, drafts are finalized and emailed. It commits as it goes, each piece of work
/// whole, 16 at a time, with the clock at the last one run: if the call is cut short, the same
/// call again finishes it.
#[utoipa::path(
    tag = "Test clock",
    request_body = AdvanceRequest,
    responses(
        (status = 200, description = "The new time", body = TestClockResponse),
        (status = 400, description = "`clock_cannot_go_back`, or more than ten years at once", body = ErrorEnvelope),
        (status = 403, description = "`test_mode_only`", body = ErrorEnvelope),
    )
)]
#[post("/v1/test-clock/advance")]
pub async fn advance_test_clock(
    state: web::Data<AppState>,
    auth: Auth,
    Json(req): Json<AdvanceRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::advance(&state, auth, req).await?))
}
