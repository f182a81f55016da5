//! The dashboard's pages: sign-in, the overview, the mode switch, sign-out.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, FromRequest, HttpRequest, HttpResponse};
use askama::Template;
use diesel::prelude::*;

use super::sessions::{self, Signed, COOKIE};
use crate::accounts::throttle::LoginThrottle;
use crate::error::{ApiError, ApiResult};
use crate::portal::web::{csrf_token_for, error_page, form_fields, html, message, see_other, state_of, Refusal};
use crate::state::AppState;
use crate::tenancy::Mode;

fn cookie(state: &AppState, value: &str) -> actix_web::cookie::Cookie<'static> {
    crate::portal::web::cookie(state, COOKIE, "/dashboard", value)
}

fn csrf_token(state: &AppState, s: &Signed) -> String {
    csrf_token_for(state, b"tollgate/dashboard-csrf/v1", s.id.as_bytes())
}

/// A signed-in person; without a session, a 303 to the sign-in page.
impl FromRequest for Signed {
    type Error = Refusal;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Signed, Refusal>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let state = state_of(req);
        let cookie = req.cookie(COOKIE).map(|c| c.value().to_string());
        Box::pin(async move {
            let state = state?;
            let Some(cookie) = cookie else { return Err(Refusal::to("/dashboard/sign-in")) };
            match sessions::find(&state, cookie).await {
                Ok(Some(s)) => Ok(s),
                Ok(None) => Err(Refusal::to("/dashboard/sign-in")),
                Err(e) => Err(Refusal::of(error_page(e, "/dashboard"))),
            }
        })
    }
}

/// A form a signed-in person sent, its CSRF token checked.
pub struct Posted {
    pub signed: Signed,
    pub fields: HashMap<String, String>,
}

impl FromRequest for Posted {
    type Error = Refusal;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Posted, Refusal>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let signed = Signed::from_request(req, payload);
        let body = web::Bytes::from_request(req, payload);
        let state = state_of(req);
        Box::pin(async move {
            let signed = signed.await?;
            let state = state?;
            let refused = || {
                Refusal::of(message(
                    StatusCode::BAD_REQUEST,
                    "That did not work",
                    "The form could not be read.",
                    Some("/dashboard"),
                ))
            };
            let fields = form_fields(&body.await.map_err(|_| refused())?).ok_or_else(refused)?;
            let given = fields.get("csrf").map(String::as_str).unwrap_or_default();
            if !crate::crypto::constant_time_eq(given.as_bytes(), csrf_token(&state, &signed).as_bytes()) {
                return Err(Refusal::of(message(
                    StatusCode::FORBIDDEN,
                    "This form has expired",
                    "Reload the page and try again.",
                    Some("/dashboard"),
                )));
            }
            Ok(Posted { signed, fields })
        })
    }
}

// ---- Sign-in ----

#[derive(Template)]
#[template(path = "dashboard/sign_in.html")]
struct SignIn<'a> {
    error: Option<&'a str>,
    email: &'a str,
}

fn sign_in_form(status: StatusCode, error: Option<&str>, email: &str) -> HttpResponse {
    match (SignIn { error, email }).render() {
        Ok(body) => html(status, body),
        Err(e) => error_page(ApiError::internal(anyhow::anyhow!(e)), "/dashboard/sign-in"),
    }
}

#[get("/dashboard/sign-in")]
pub async fn sign_in_page() -> HttpResponse {
    sign_in_form(StatusCode::OK, None, "")
}

/// A sign-in form must come from this site, so another site cannot sign a visitor in to its own
/// account: browsers say where a request comes from in `Sec-Fetch-Site`, and in `Origin` (which
/// is `null` under our `Referrer-Policy: no-referrer`, so only a named origin is compared).
fn same_origin(req: &HttpRequest) -> bool {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    if header("sec-fetch-site").is_some_and(|s| s != "same-origin" && s != "none") {
        return false;
    }
    match header("origin") {
        None | Some("null") => true,
        Some(origin) => {
            let host = req.connection_info().host().to_string();
            origin.split_once("://").is_some_and(|(_, h)| h == host)
        }
    }
}

#[post("/dashboard/sign-in")]
pub async fn sign_in(
    state: web::Data<AppState>,
    throttle: web::Data<LoginThrottle>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    if !same_origin(&req) {
        return message(
            StatusCode::FORBIDDEN,
            "Sign-in refused",
            "The form came from another site.",
            Some("/dashboard/sign-in"),
        );
    }
    let Some(fields) = form_fields(&body) else {
        return sign_in_form(StatusCode::BAD_REQUEST, Some("The form could not be read."), "");
    };
    let email = fields.get("email").map(|e| e.trim().to_ascii_lowercase()).unwrap_or_default();
    let password = fields.get("password").cloned().unwrap_or_default();
    let address = req.peer_addr().map(|a| a.ip());
    match crate::accounts::service::check_credentials(&state, &throttle, email.clone(), password, address).await {
        Ok(user) => match sessions::start(&state, user.tenant_id, user.id).await {
            Ok(secret) => {
                let mut res = see_other("/dashboard");
                let _ = res.add_cookie(&cookie(&state, &secret));
                res
            }
            Err(e) => error_page(e, "/dashboard/sign-in"),
        },
        Err(e) if e.status() == StatusCode::TOO_MANY_REQUESTS => {
            sign_in_form(e.status(), Some("Too many attempts: wait a minute and try again."), &email)
        }
        Err(e) if e.status().is_client_error() => {
            sign_in_form(StatusCode::UNAUTHORIZED, Some("The email or password is incorrect."), &email)
        }
        Err(e) => error_page(e, "/dashboard/sign-in"),
    }
}

#[post("/dashboard/sign-out")]
pub async fn sign_out(state: web::Data<AppState>, p: Posted) -> HttpResponse {
    if let Err(e) = sessions::end(&state, p.signed.id).await {
        return error_page(e, "/dashboard");
    }
    let mut res = see_other("/dashboard/sign-in");
    let mut gone = cookie(&state, "");
    gone.make_removal();
    let _ = res.add_cookie(&gone);
    res
}

#[post("/dashboard/mode")]
pub async fn switch_mode(state: web::Data<AppState>, p: Posted) -> HttpResponse {
    let mode = p.fields.get("mode").and_then(|m| Mode::parse(m)).unwrap_or(Mode::Test);
    match sessions::set_mode(&state, p.signed.id, mode).await {
        Ok(()) => see_other("/dashboard"),
        Err(e) => error_page(e, "/dashboard"),
    }
}

// ---- Overview ----

/// What every dashboard page shows.
pub struct Layout {
    pub tenant: String,
    pub mode: &'static str,
    pub csrf: String,
}

async fn layout(state: &AppState, s: &Signed) -> ApiResult<Layout> {
    let id = s.scope.tenant_id;
    let tenant = crate::db::run(&state.pool, move |conn| Ok(crate::accounts::repo::find_tenant(conn, id)?))
        .await?
        .ok_or_else(|| ApiError::not_found("tenant"))?;
    Ok(Layout { tenant: tenant.name, mode: s.scope.mode.as_str(), csrf: csrf_token(state, s) })
}

/// One currency's figures: the tiles, and MRR over the last 12 months with its movements.
pub struct CurrencyView {
    pub summary: crate::analytics::models::Summary,
    pub months: Vec<crate::analytics::models::MrrBucket>,
    /// The chart's data (JSON, `<` escaped), drawn by `portal.js`.
    pub chart_json: String,
}

#[derive(Template)]
#[template(path = "dashboard/overview.html")]
struct Overview {
    l: Layout,
    tiles: Vec<CurrencyView>,
}

#[get("/dashboard")]
pub async fn overview(state: web::Data<AppState>, s: Signed) -> HttpResponse {
    let t = async {
        let l = layout(&state, &s).await?;
        // One row of tiles per currency the tenant's plans use in this mode.
        let scope = s.scope;
        let currencies: Vec<String> = crate::db::run(&state.pool, move |conn| {
            use crate::schema::plan_versions as pv;
            Ok(pv::table
                .filter(pv::tenant_id.eq(scope.tenant_id))
                .filter(pv::mode.eq(scope.mode))
                .select(pv::currency)
                .distinct()
                .order(pv::currency)
                .load(conn)?)
        })
        .await?;
        let mut tiles = Vec::new();
        for code in currencies {
            let Ok(currency) = crate::money::Currency::parse(&code) else { continue };
            let p = crate::analytics::models::SummaryParams { currency };
            let summary = crate::analytics::service::summary(&state, s.auth(), p).await?;
            let p = crate::analytics::models::MrrParams { currency, from: None, to: None, interval: None };
            let months = crate::analytics::service::mrr(&state, s.auth(), p).await?.data;
            let chart = serde_json::json!({
                "name": format!("MRR ({})", currency.code()),
                "labels": months.iter().map(|m| m.start.timestamp()).collect::<Vec<_>>(),
                // Decimal strings: the browser turns them into numbers to draw them, nothing here.
                "values": months.iter().map(|m| m.mrr.as_str()).collect::<Vec<_>>(),
                "limit": null,
            });
            let chart_json = chart.to_string().replace('<', "\\u003c");
            tiles.push(CurrencyView { summary, months, chart_json });
        }
        Ok::<_, ApiError>(Overview { l, tiles })
    }
    .await;
    match t.and_then(|t| t.render().map_err(|e| ApiError::internal(anyhow::anyhow!(e)))) {
        Ok(body) => html(StatusCode::OK, body),
        Err(e) => error_page(e, "/dashboard"),
    }
}
