//! The dashboard's pages: sign-in, the overview, the mode switch, sign-out.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;

use super::sessions::{self, Signed};
use super::web::{cookie, layout, Layout, Posted};
use crate::accounts::throttle::LoginThrottle;
use crate::analytics::models::*;
use crate::analytics::service as analytics;
use crate::error::{ApiError, ApiResult};
use crate::money::Currency;
use crate::portal::web::{error_page, form_fields, html, message, page, see_other};
use crate::state::AppState;
use crate::tenancy::Mode;

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

/// One currency's figures: the tiles, MRR over the last 12 months with its movements, revenue
/// invoiced and collected, and usage billed by feature.
pub struct CurrencyView {
    pub summary: Summary,
    pub months: Vec<MrrBucket>,
    pub revenue: Vec<RevenueMonth>,
    pub usage: Vec<FeatureUsage>,
    /// The charts' data (JSON, `<` escaped), drawn by `portal.js`.
    pub mrr_chart: String,
    pub revenue_chart: String,
}

/// A chart's data for `portal.js`: values travel as decimal strings (the browser turns them
/// into numbers to draw them; nothing here does).
fn chart(labels: Vec<i64>, series: &[(&str, Vec<&str>)]) -> String {
    let (name, values) = &series[0];
    let extra: Vec<_> = series[1..].iter().map(|(n, v)| serde_json::json!({"name": n, "values": v})).collect();
    let data = serde_json::json!({"name": name, "labels": labels, "values": values, "limit": null, "extra": extra});
    crate::portal::web::script_json(&data)
}

/// The currencies of the tenant's plans in this mode (figures are never summed across them).
async fn currencies(state: &AppState, s: &Signed) -> ApiResult<Vec<Currency>> {
    let scope = s.scope;
    let codes = crate::db::run(&state.pool, move |conn| Ok(crate::catalog::repo::currencies(conn, scope)?)).await?;
    Ok(codes.iter().filter_map(|c| Currency::parse(c).ok()).collect())
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
        let l = layout(&state, &s, "overview").await?;
        let mut tiles = Vec::new();
        for currency in currencies(&state, &s).await? {
            let summary = analytics::summary(&state, s.auth(), SummaryParams { currency }).await?;
            let p = MrrParams { currency, from: None, to: None, interval: None };
            let months = analytics::mrr(&state, s.auth(), p).await?.data;
            let p = || RevenueParams { currency, from: None, to: None };
            let revenue = analytics::revenue(&state, s.auth(), p()).await?.data;
            let usage = analytics::usage(&state, s.auth(), p()).await?.data;
            let mrr_chart = chart(
                months.iter().map(|m| m.start.timestamp()).collect(),
                &[(&format!("MRR ({})", currency.code()), months.iter().map(|m| m.mrr.as_str()).collect())],
            );
            let revenue_chart = chart(
                revenue.iter().map(|m| m.month.timestamp()).collect(),
                &[
                    (&format!("Invoiced ({})", currency.code()), revenue.iter().map(|m| m.invoiced.as_str()).collect()),
                    (
                        &format!("Collected ({})", currency.code()),
                        revenue.iter().map(|m| m.collected.as_str()).collect(),
                    ),
                ],
            );
            tiles.push(CurrencyView { summary, months, revenue, usage, mrr_chart, revenue_chart });
        }
        Ok(Overview { l, tiles })
    }
    .await;
    page(t, "/dashboard")
}
