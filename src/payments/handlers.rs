use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::credit_notes::{self, CreditNoteListParams, CreditNoteRequest, CreditNoteResponse};
use super::gateway::Gateway;
use super::models::*;
use super::service;
use super::webhooks::{self, Received};
use crate::auth::{Auth, PathId, Person};
use crate::customers::models::CustomerResponse;
use crate::error::{ApiResult, ErrorEnvelope};
use crate::extract::{Json, Query};
use crate::ids::{CustomerId, InvoiceId, StripeAccountId};
use crate::invoices::models::InvoiceResponse;
use crate::pagination::{List, Page};
use crate::state::AppState;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(connect_stripe)
        .service(get_stripe_account)
        .service(disconnect_stripe)
        .service(stripe_webhook)
        .service(attach_payment_method)
        .service(create_checkout_session)
        .service(pay_invoice)
        .service(list_invoice_payments)
        .service(create_credit_note)
        .service(list_credit_notes);
}

/// Connect your Stripe account for the mode you act in: the key is checked with Stripe, a
/// webhook endpoint is registered on the account, and both the key and the endpoint's secret
/// are kept encrypted. Connecting again replaces the connection.
#[utoipa::path(
    tag = "Payments",
    security(("userToken" = [])),
    request_body = ConnectRequest,
    responses(
        (status = 200, description = "The connection", body = StripeAccountResponse),
        (status = 400, description = "`stripe_key_invalid` (with Stripe's message), `stripe_mode_mismatch`", body = ErrorEnvelope),
        (status = 503, description = "`stripe_unavailable`", body = ErrorEnvelope),
    )
)]
#[put("/v1/stripe-account")]
pub async fn connect_stripe(
    state: web::Data<AppState>,
    gw: web::Data<Gateway>,
    person: Person,
    Json(req): Json<ConnectRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::connect(&state, &gw, person, req).await?))
}

/// The Stripe account connected in this mode.
#[utoipa::path(
    tag = "Payments",
    responses(
        (status = 200, description = "The connection", body = StripeAccountResponse),
        (status = 404, description = "`stripe_not_connected`", body = ErrorEnvelope),
    )
)]
#[get("/v1/stripe-account")]
pub async fn get_stripe_account(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::get(&state, auth).await?))
}

/// Disconnect the Stripe account of this mode (its webhook endpoint is deleted at Stripe).
/// Invoices are no longer collected until an account is connected again.
#[utoipa::path(
    tag = "Payments",
    security(("userToken" = [])),
    responses(
        (status = 200, description = "Disconnected", body = DisconnectedStripeAccount),
        (status = 404, description = "`stripe_not_connected`", body = ErrorEnvelope),
    )
)]
#[delete("/v1/stripe-account")]
pub async fn disconnect_stripe(
    state: web::Data<AppState>,
    gw: web::Data<Gateway>,
    person: Person,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::disconnect(&state, &gw, person).await?))
}

/// Stripe's calls to us (no bearer): the `Stripe-Signature` header is checked on the raw
/// body with the endpoint's secret; each event is processed once, whatever the number of
/// deliveries and their order.
#[utoipa::path(
    tag = "Payments",
    security(()),
    params(("id" = StripeAccountId, Path, description = "`sa_…`, from the connection's `webhook_url`")),
    request_body(content = Object, description = "A Stripe event, as Stripe sends it"),
    responses(
        (status = 200, description = "Filed", body = Received),
        (status = 400, description = "`signature_invalid`", body = ErrorEnvelope),
        (status = 404, description = "No such endpoint", body = ErrorEnvelope),
    )
)]
#[post("/v1/stripe/webhooks/{id}")]
pub async fn stripe_webhook(
    state: web::Data<AppState>,
    gw: web::Data<Gateway>,
    id: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    // No credential: Stripe's signature, checked with the endpoint's secret, is the proof.
    let id: StripeAccountId = id.parse().map_err(|_| crate::error::ApiError::not_found("webhook endpoint"))?;
    let signature = req.headers().get("stripe-signature").and_then(|v| v.to_str().ok()).map(str::to_string);
    Ok(HttpResponse::Ok().json(webhooks::receive(&state, &gw, id, signature, &body).await?))
}

/// Give the customer a payment method made client-side (Stripe.js), which becomes the one
/// invoices are charged to; the customer's unpaid invoices are tried again at once.
#[utoipa::path(
    tag = "Payments",
    params(("id" = CustomerId, Path, description = "`cus_…`")),
    request_body = AttachPaymentMethodRequest,
    responses(
        (status = 200, description = "The customer, with its payment method", body = CustomerResponse),
        (status = 402, description = "`card_declined`, with Stripe's message", body = ErrorEnvelope),
        (status = 404, description = "No such customer; `stripe_not_connected`", body = ErrorEnvelope),
    )
)]
#[post("/v1/customers/{id}/payment-method")]
pub async fn attach_payment_method(
    state: web::Data<AppState>,
    gw: web::Data<Gateway>,
    auth: Auth,
    PathId(id): PathId<CustomerId>,
    Json(req): Json<AttachPaymentMethodRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::attach_payment_method(&state, &gw, auth, id, req).await?))
}

/// A Stripe Checkout page (setup mode) where the customer saves a card; once done, it becomes
/// the customer's payment method.
#[utoipa::path(
    tag = "Payments",
    params(("id" = CustomerId, Path, description = "`cus_…`")),
    request_body = CheckoutSessionRequest,
    responses(
        (status = 201, description = "The session: send the customer to `url`", body = CheckoutSessionResponse),
        (status = 404, description = "No such customer; `stripe_not_connected`", body = ErrorEnvelope),
    )
)]
#[post("/v1/customers/{id}/checkout-sessions")]
pub async fn create_checkout_session(
    state: web::Data<AppState>,
    gw: web::Data<Gateway>,
    auth: Auth,
    PathId(id): PathId<CustomerId>,
    Json(req): Json<CheckoutSessionRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created().json(service::checkout_session(&state, &gw, auth, id, req).await?))
}

/// Try to collect an open invoice now, with the customer's payment method.
#[utoipa::path(
    tag = "Payments",
    params(("id" = InvoiceId, Path, description = "`in_…`")),
    responses(
        (status = 200, description = "The invoice after the attempt (see its payments)", body = InvoiceResponse),
        (status = 400, description = "`no_payment_method`, `amount_not_chargeable`", body = ErrorEnvelope),
        (status = 404, description = "No such invoice; `stripe_not_connected`", body = ErrorEnvelope),
        (status = 409, description = "`invoice_not_open`, `payment_in_progress`", body = ErrorEnvelope),
        (status = 503, description = "`stripe_unavailable`: the attempt is retried in the background", body = ErrorEnvelope),
    )
)]
#[post("/v1/invoices/{id}/pay")]
pub async fn pay_invoice(
    state: web::Data<AppState>,
    gw: web::Data<Gateway>,
    auth: Auth,
    PathId(id): PathId<InvoiceId>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::pay(&state, &gw, auth, id).await?))
}

/// The attempts to collect an invoice, oldest first.
#[utoipa::path(
    tag = "Payments",
    params(("id" = InvoiceId, Path, description = "`in_…`")),
    responses(
        (status = 200, description = "The attempts", body = List<PaymentResponse>),
        (status = 404, description = "No such invoice", body = ErrorEnvelope),
    )
)]
#[get("/v1/invoices/{id}/payments")]
pub async fn list_invoice_payments(
    state: web::Data<AppState>,
    auth: Auth,
    PathId(id): PathId<InvoiceId>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(service::list_payments(&state, auth, id).await?))
}

/// Issue a credit note on an open or paid invoice (finalized invoices never change; this is
/// how they are corrected). On an open invoice it lowers `amount_due`; on a paid one it is
/// refunded to the card with `refund: true`, else it becomes the customer's credit.
#[utoipa::path(
    tag = "Payments",
    params(("id" = InvoiceId, Path, description = "`in_…`")),
    request_body = CreditNoteRequest,
    responses(
        (status = 201, description = "The credit note", body = CreditNoteResponse),
        (status = 400, description = "`credit_exceeds_invoice`", body = ErrorEnvelope),
        (status = 404, description = "No such invoice", body = ErrorEnvelope),
        (status = 409, description = "`invoice_not_open` (a draft, void or uncollectible invoice), `payment_in_progress`", body = ErrorEnvelope),
    )
)]
#[post("/v1/invoices/{id}/credit-notes")]
pub async fn create_credit_note(
    state: web::Data<AppState>,
    gw: web::Data<Gateway>,
    auth: Auth,
    PathId(id): PathId<InvoiceId>,
    Json(req): Json<CreditNoteRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created().json(credit_notes::create(&state, &gw, auth, id, req).await?))
}

/// List credit notes, newest first.
#[utoipa::path(
    tag = "Payments",
    params(CreditNoteListParams),
    responses((status = 200, description = "A page of credit notes", body = List<CreditNoteResponse>))
)]
#[get("/v1/credit-notes")]
pub async fn list_credit_notes(
    state: web::Data<AppState>,
    auth: Auth,
    Query(p): Query<CreditNoteListParams>,
) -> ApiResult<HttpResponse> {
    let page = Page::from_params(p.limit, p.cursor.as_deref())?;
    Ok(HttpResponse::Ok().json(credit_notes::list(&state, auth, p.invoice, page).await?))
}
