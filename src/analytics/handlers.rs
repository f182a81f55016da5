use actix_web::{get, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::models::*;
use super::service;
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::extract::Query;
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(summary).service(mrr).service(revenue).service(usage);
}

/// MRR, ARR, subscribers, ARPU and what is overdue, now, in one currency.
#[utoipa::path(tag = "Analytics", params(SummaryParams), responses((status = 200, description = "The figures", body = Summary)))]
#[get("/v1/analytics/summary")]
pub async fn summary(
    state: web::Data<AppState>,
    auth: Auth,
    Query(p): Query<SummaryParams>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::summary(&state, auth, p).await?))
}

/// MRR over time, with its movements per bucket: new, expansion, contraction, churn,
/// reactivation. In every bucket, `mrr` = the previous bucket's `mrr` + new + reactivation +
/// expansion − contraction − churn.
#[utoipa::path(tag = "Analytics", params(MrrParams), responses((status = 200, description = "One bucket per interval", body = MrrSeries)))]
#[get("/v1/analytics/mrr")]
pub async fn mrr(state: web::Data<AppState>, auth: Auth, Query(p): Query<MrrParams>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::mrr(&state, auth, p).await?))
}

/// Revenue by month: invoiced, collected and usage.
#[utoipa::path(tag = "Analytics", params(RevenueParams), responses((status = 200, description = "One row per month", body = RevenueSeries)))]
#[get("/v1/analytics/revenue")]
pub async fn revenue(
    state: web::Data<AppState>,
    auth: Auth,
    Query(p): Query<RevenueParams>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::revenue(&state, auth, p).await?))
}

/// Usage billed per feature: the usage lines of the invoices finalized in `[from, to)` (default
/// the 12 months up to the end of the present one), void ones excepted.
#[utoipa::path(tag = "Analytics", params(RevenueParams), responses((status = 200, description = "One row per feature", body = UsageByFeature)))]
#[get("/v1/analytics/usage")]
pub async fn usage(state: web::Data<AppState>, auth: Auth, Query(p): Query<RevenueParams>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::usage(&state, auth, p).await?))
}
