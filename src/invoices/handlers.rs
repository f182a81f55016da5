use actix_web::http::header::ContentType;
use actix_web::{get, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::models::*;
use super::service;
use crate::auth::{Auth, PathId};
use crate::error::{ApiResult, ErrorEnvelope};
use crate::extract::Query;
use crate::ids::InvoiceId;
use crate::pagination::{List, Page};
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_invoices)
        .service(get_invoice)
        .service(finalize_invoice)
        .service(void_invoice)
        .service(mark_invoice_paid)
        .service(mark_invoice_uncollectible)
        .service(invoice_document);
}

/// List invoices, newest first.
#[utoipa::path(
    tag = "Invoices",
    params(InvoiceListParams),
    responses(
        (status = 200, description = "A page of invoices", body = List<InvoiceResponse>),
    )
)]
#[get("/v1/invoices")]
pub async fn list_invoices(
    state: web::Data<AppState>,
    auth: Auth,
    Query(p): Query<InvoiceListParams>,
) -> ApiResult<HttpResponse> {
    let page = Page::from_params(p.limit, p.cursor.as_deref())?;
    Ok(HttpResponse::Ok().json(service::list(&state, auth, p.customer, p.status, page).await?))
}

/// Get an invoice.
#[utoipa::path(
    tag = "Invoices",
    params(("id" = InvoiceId, Path, description = "`in_…`")),
    responses(
        (status = 200, description = "The invoice", body = InvoiceResponse),
        (status = 404, description = "No such invoice in this mode", body = ErrorEnvelope),
    )
)]
#[get("/v1/invoices/{id}")]
pub async fn get_invoice(
    state: web::Data<AppState>,
    auth: Auth,
    PathId(id): PathId<InvoiceId>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::get(&state, auth, id).await?))
}

/// Finalize a draft now, without waiting for its grace period: its usage is rated one last
/// time, it gets its number and becomes immutable, and it is emailed to the customer.
#[utoipa::path(
    tag = "Invoices",
    params(("id" = InvoiceId, Path, description = "`in_…`")),
    responses(
        (status = 200, description = "The finalized invoice", body = InvoiceResponse),
        (status = 404, description = "No such invoice in this mode", body = ErrorEnvelope),
        (status = 409, description = "`invoice_not_draft`", body = ErrorEnvelope),
    )
)]
#[post("/v1/invoices/{id}/finalize")]
pub async fn finalize_invoice(
    state: web::Data<AppState>,
    auth: Auth,
    PathId(id): PathId<InvoiceId>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::finalize(&state, auth, id).await?))
}

/// Void a draft or open invoice. A voided invoice keeps its number; nothing is owed.
#[utoipa::path(
    tag = "Invoices",
    params(("id" = InvoiceId, Path, description = "`in_…`")),
    responses(
        (status = 200, description = "The voided invoice", body = InvoiceResponse),
        (status = 404, description = "No such invoice in this mode", body = ErrorEnvelope),
        (status = 409, description = "`invoice_not_voidable`", body = ErrorEnvelope),
    )
)]
#[post("/v1/invoices/{id}/void")]
pub async fn void_invoice(
    state: web::Data<AppState>,
    auth: Auth,
    PathId(id): PathId<InvoiceId>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::void(&state, auth, id).await?))
}

/// Record that an open invoice was paid outside Tollgate.
#[utoipa::path(
    tag = "Invoices",
    params(("id" = InvoiceId, Path, description = "`in_…`")),
    responses(
        (status = 200, description = "The paid invoice", body = InvoiceResponse),
        (status = 404, description = "No such invoice in this mode", body = ErrorEnvelope),
        (status = 409, description = "`invoice_not_open`", body = ErrorEnvelope),
    )
)]
#[post("/v1/invoices/{id}/mark-paid")]
pub async fn mark_invoice_paid(
    state: web::Data<AppState>,
    auth: Auth,
    PathId(id): PathId<InvoiceId>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::mark_paid(&state, auth, id).await?))
}

/// Give up on collecting an open invoice.
#[utoipa::path(
    tag = "Invoices",
    params(("id" = InvoiceId, Path, description = "`in_…`")),
    responses(
        (status = 200, description = "The invoice, now uncollectible", body = InvoiceResponse),
        (status = 404, description = "No such invoice in this mode", body = ErrorEnvelope),
        (status = 409, description = "`invoice_not_open`", body = ErrorEnvelope),
    )
)]
#[post("/v1/invoices/{id}/mark-uncollectible")]
pub async fn mark_invoice_uncollectible(
    state: web::Data<AppState>,
    auth: Auth,
    PathId(id): PathId<InvoiceId>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::mark_uncollectible(&state, auth, id).await?))
}

/// The invoice as a printable HTML page.
#[utoipa::path(
    tag = "Invoices",
    params(("id" = InvoiceId, Path, description = "`in_…`")),
    responses(
        (status = 200, description = "The invoice document", content_type = "text/html", body = String),
        (status = 404, description = "No such invoice in this mode", body = ErrorEnvelope),
    )
)]
#[get("/v1/invoices/{id}/document")]
pub async fn invoice_document(
    state: web::Data<AppState>,
    auth: Auth,
    PathId(id): PathId<InvoiceId>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().content_type(ContentType::html()).body(service::document(&state, auth, id).await?))
}
