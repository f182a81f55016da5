//! Settings (billing terms, dunning, emails, secret keys, Stripe) and webhook endpoints with
//! their deliveries. Each form becomes the API's request (the same type, so the same
//! validation) and goes to the API's service as the signed-in person.

use std::collections::HashMap;

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;
use serde_json::{json, Value};

use super::sessions::Signed;
use super::web::{done, done_query, field, layout, query, Layout, Posted};
use crate::accounts::models::{CreateSecretKeyRequest, SecretKeyObject, TenantResponse, UpdateTenantRequest};
use crate::auth::id_from_path;
use crate::error::{ApiError, ApiResult};
use crate::ids::{SecretKeyId, WebhookEndpointId};
use crate::pagination::Page;
use crate::payments::gateway::Gateway;
use crate::payments::models::StripeAccountResponse;
use crate::portal::web::page;
use crate::state::AppState;
use crate::webhooks::delivery::Sender;
use crate::webhooks::models::{DeliveryResponse, EndpointResponse};

/// A form's value as the JSON the API would have been sent: a whole number stays a number (so
/// its range is checked by the request type), anything else a string (refused there).
fn number(v: &str) -> Value {
    v.parse::<i64>().map_or_else(|_| Value::String(v.to_string()), Value::from)
}

/// The API's request from a form's JSON: the request type checks it, and a refusal names the
/// field.
fn request<T: serde::de::DeserializeOwned>(body: Value) -> ApiResult<T> {
    serde_path_to_error::deserialize(body).map_err(|e| {
        let field = e.path().to_string();
        ApiError::bad_request(crate::error::ErrorCode::ParameterInvalid, format!("{field}: {}", e.inner()))
            .with_param(field)
    })
}

/// The emails a tenant can switch, with their labels.
const EMAILS: &[(&str, &str)] = &[
    ("invoice", "Invoices when they are issued"),
    ("receipt", "Receipts when a payment succeeds"),
    ("payment_failed", "A failed payment (with a link to pay)"),
    ("usage_threshold", "Usage at 80 % and 100 % of a limit"),
    ("trial_ending", "A trial ending in three days"),
    ("subscription_canceled", "A canceled subscription"),
];

pub struct EmailSwitch {
    pub key: &'static str,
    pub label: &'static str,
    pub on: bool,
}

#[derive(Template)]
#[template(path = "dashboard/settings.html")]
struct Settings {
    l: Layout,
    t: TenantResponse,
    emails: Vec<EmailSwitch>,
    keys: Vec<SecretKeyObject>,
    /// A secret key just created: shown this once.
    created_key: Option<String>,
    stripe: Option<StripeAccountResponse>,
    /// The key form's one-use id: sent again (a reload), it creates nothing.
    form_id: String,
}

async fn settings_page(
    state: &AppState,
    s: &Signed,
    q: &HashMap<String, String>,
    created_key: Option<String>,
) -> ApiResult<Settings> {
    let l = layout(state, s, "settings").await?.with_notice(q);
    let t = crate::accounts::service::get_tenant(state, s.auth()).await?;
    // Each switch by its name in the API, as `emails` of `GET /v1/tenant` has it.
    let on = serde_json::to_value(&t.emails).map_err(ApiError::internal)?;
    let emails = EMAILS.iter().map(|&(key, label)| EmailSwitch { key, label, on: on[key] == true }).collect();
    let page = Page::from_params(Some(100), None)?;
    let keys = crate::accounts::service::list_secret_keys(state, s.person(), Some(s.scope.mode), page).await?.data;
    let keys = keys.into_iter().filter(|k| k.revoked_at.is_none()).collect();
    let stripe = match crate::payments::service::get(state, s.auth()).await {
        Ok(a) => Some(a),
        Err(e) if e.status() == actix_web::http::StatusCode::NOT_FOUND => None,
        Err(e) => return Err(e),
    };
    Ok(Settings { l, t, emails, keys, created_key, stripe, form_id: crate::crypto::random_base62(22) })
}

#[get("/dashboard/settings")]
pub async fn settings(state: web::Data<AppState>, s: Signed, req: HttpRequest) -> HttpResponse {
    page(settings_page(&state, &s, &query(&req), None).await, "/dashboard")
}

/// The billing terms, dunning and emails, in one form.
#[post("/dashboard/settings")]
pub async fn save_settings(state: web::Data<AppState>, p: Posted) -> HttpResponse {
    let f = &p.fields;
    let opt = |name: &str| field(f, name).map_or(Value::Null, number);
    let retry_days = field(f, "retry_days")
        .map_or(Value::Null, |v| Value::Array(v.split([',', ' ']).filter(|d| !d.is_empty()).map(number).collect()));
    let emails: serde_json::Map<String, Value> =
        EMAILS.iter().map(|(key, _)| (key.to_string(), Value::Bool(f.contains_key(*key)))).collect();
    let mut body = json!({
        "pricing_url": field(f, "pricing_url"),
        "dunning": {"retry_days": retry_days, "block_after_days": opt("block_after_days"), "cancel_after_days": opt("cancel_after_days")},
        "emails": emails,
    });
    // These two have no "none": left empty, they keep their present value.
    for key in ["invoice_due_days", "invoice_grace_period_seconds"] {
        if let Some(v) = field(f, key) {
            body[key] = number(v);
        }
    }
    let t = async {
        let req: UpdateTenantRequest = request(body)?;
        crate::accounts::service::update_tenant(&state, p.signed.person(), req).await
    }
    .await;
    done(t, "/dashboard/settings", "settings")
}

#[post("/dashboard/settings/secret-keys")]
pub async fn create_secret_key(state: web::Data<AppState>, p: Posted) -> HttpResponse {
    let s = &p.signed;
    let t = async {
        let req: CreateSecretKeyRequest =
            request(json!({"name": field(&p.fields, "name").unwrap_or_default(), "mode": s.scope.mode.as_str()}))?;
        let create = crate::accounts::service::create_secret_key(&state, s.person(), req);
        match crate::portal::sessions::once(&state, s.id, field(&p.fields, "form_id"), create).await? {
            Some(created) => settings_page(&state, s, &HashMap::new(), Some(created.key)).await,
            None => settings_page(&state, s, &done_query("sent-again"), None).await,
        }
    }
    .await;
    page(t, "/dashboard/settings")
}

#[post("/dashboard/settings/secret-keys/{id}/revoke")]
pub async fn revoke_secret_key(state: web::Data<AppState>, id: web::Path<String>, p: Posted) -> HttpResponse {
    let t = async {
        let id: SecretKeyId = id_from_path(&id)?;
        crate::accounts::service::revoke_secret_key(&state, p.signed.person(), id).await
    }
    .await;
    done(t, "/dashboard/settings", "key-revoked")
}

#[post("/dashboard/settings/stripe")]
pub async fn connect_stripe(state: web::Data<AppState>, gw: web::Data<Gateway>, p: Posted) -> HttpResponse {
    let t = async {
        let req = request(json!({"api_key": field(&p.fields, "api_key").unwrap_or_default()}))?;
        crate::payments::service::connect(&state, &gw, p.signed.person(), req).await?;
        settings_page(&state, &p.signed, &HashMap::new(), None).await
    }
    .await;
    page(t, "/dashboard/settings")
}

#[post("/dashboard/settings/stripe/disconnect")]
pub async fn disconnect_stripe(state: web::Data<AppState>, gw: web::Data<Gateway>, p: Posted) -> HttpResponse {
    done(
        crate::payments::service::disconnect(&state, &gw, p.signed.person()).await,
        "/dashboard/settings",
        "stripe-disconnected",
    )
}

// ---- Webhooks ----

pub struct EndpointView {
    pub e: EndpointResponse,
    /// The most recent deliveries to it.
    pub deliveries: Vec<DeliveryResponse>,
}

#[derive(Template)]
#[template(path = "dashboard/webhooks.html")]
struct Webhooks {
    l: Layout,
    endpoints: Vec<EndpointView>,
    /// The signing secret of an endpoint just added: shown this once.
    created_secret: Option<String>,
    /// The add form's one-use id.
    form_id: String,
}

async fn webhooks_page(
    state: &AppState,
    s: &Signed,
    q: &HashMap<String, String>,
    created_secret: Option<String>,
) -> ApiResult<Webhooks> {
    let l = layout(state, s, "webhooks").await?.with_notice(q);
    let list = crate::webhooks::service::list(state, s.auth(), Page::from_params(Some(100), None)?).await?;
    let mut endpoints = Vec::new();
    for e in list.data {
        let recent = Page::from_params(Some(10), None)?;
        let deliveries = crate::webhooks::service::deliveries(state, s.auth(), e.id, recent).await?.data;
        endpoints.push(EndpointView { e, deliveries });
    }
    Ok(Webhooks { l, endpoints, created_secret, form_id: crate::crypto::random_base62(22) })
}

#[get("/dashboard/webhooks")]
pub async fn webhooks(state: web::Data<AppState>, s: Signed, req: HttpRequest) -> HttpResponse {
    page(webhooks_page(&state, &s, &query(&req), None).await, "/dashboard")
}

#[post("/dashboard/webhooks")]
pub async fn add_endpoint(state: web::Data<AppState>, sender: web::Data<Sender>, p: Posted) -> HttpResponse {
    let s = &p.signed;
    let t = async {
        let req = request(json!({
            "url": field(&p.fields, "url").unwrap_or_default(),
            "events": ["*"],
            "description": field(&p.fields, "description"),
        }))?;
        let create = crate::webhooks::service::create(&state, &sender, s.auth(), req);
        match crate::portal::sessions::once(&state, s.id, field(&p.fields, "form_id"), create).await? {
            Some(created) => webhooks_page(&state, s, &done_query("endpoint-added"), Some(created.secret)).await,
            None => webhooks_page(&state, s, &done_query("sent-again"), None).await,
        }
    }
    .await;
    page(t, "/dashboard/webhooks")
}

#[post("/dashboard/webhooks/{id}/delete")]
pub async fn delete_endpoint(state: web::Data<AppState>, id: web::Path<String>, p: Posted) -> HttpResponse {
    let t = async {
        let id: WebhookEndpointId = id_from_path(&id)?;
        crate::webhooks::service::delete(&state, p.signed.auth(), id).await
    }
    .await;
    done(t, "/dashboard/webhooks", "endpoint-deleted")
}
