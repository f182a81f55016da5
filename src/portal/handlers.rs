use actix_web::{post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::sessions::{self, CreatePortalSessionRequest, PortalSessionResponse, RevokedPortalSession};
use crate::auth::{Auth, PathId};
use crate::error::{ApiResult, ErrorEnvelope};
use crate::extract::Json;
use crate::ids::PortalSessionId;
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_portal_session).service(revoke_portal_session);
}

/// Open the customer portal for a customer: redirect them to `url`.
///
/// The link works once, within 15 minutes; its first visit signs the customer in to the portal
/// for up to an hour of inactivity (an HttpOnly cookie), and the token leaves the address bar.
#[utoipa::path(
    tag = "Customer portal",
    request_body = CreatePortalSessionRequest,
    responses(
        (status = 201, description = "The session's link", body = PortalSessionResponse),
        (status = 404, description = "No such customer", body = ErrorEnvelope),
    )
)]
#[post("/v1/portal-sessions")]
pub async fn create_portal_session(
    state: web::Data<AppState>,
    auth: Auth,
    Json(req): Json<CreatePortalSessionRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created().json(sessions::create(&state, auth, req).await?))
}

/// End a portal session (or a link not used yet) at once.
#[utoipa::path(
    tag = "Customer portal",
    params(("id" = PortalSessionId, Path, description = "`bps_…`")),
    responses(
        (status = 200, description = "Revoked", body = RevokedPortalSession),
        (status = 404, description = "No such session", body = ErrorEnvelope),
    )
)]
#[post("/v1/portal-sessions/{id}/revoke")]
pub async fn revoke_portal_session(
    state: web::Data<AppState>,
    auth: Auth,
    PathId(id): PathId<PortalSessionId>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(sessions::revoke(&state, auth, id).await?))
}
