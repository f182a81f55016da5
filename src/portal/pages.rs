//! The portal's pages. Each reads through the same services as the API, with the session's
//! customer, and checks that whatever an address names (a key, an invoice) is that customer's.
//! Every action is a plain form that answers with a page or a 303, so all of it works without
//! JavaScript; htmx only boosts navigation.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use askama::Template;
use chrono::{DateTime, TimeDelta, Utc};
use rust_decimal::Decimal;

use super::sessions::{LinkRefused, Session};
use super::web::{error_page, html, page, see_other, Posted};
use crate::auth::id_from_path;
use crate::catalog::models::Reset;
use crate::error::{ApiError, ApiResult};
use crate::ids::{ApiKeyId, CustomerId};
use crate::invoices::document::{day, group};
use crate::money::Currency;
use crate::state::AppState;

/// What the layout shows on every page.
pub struct Layout {
    pub tenant: String,
    pub customer: String,
    pub return_url: Option<String>,
    pub csrf: String,
    pub active: &'static str,
    pub notice: Option<String>,
}

pub async fn layout(state: &AppState, s: &Session, active: &'static str) -> ApiResult<Layout> {
    let (scope, customer) = (s.scope, s.customer);
    let (tenant, email) = crate::db::run(&state.pool, move |conn| {
        let t =
            crate::accounts::repo::find_tenant(conn, scope.tenant_id)?.ok_or_else(|| ApiError::not_found("tenant"))?;
        let c = crate::customers::repo::find(conn, scope, customer)?.ok_or_else(|| ApiError::not_found("customer"))?;
        Ok((t.name, c.name.unwrap_or(c.email)))
    })
    .await?;
    Ok(Layout {
        tenant,
        customer: email,
        return_url: s.return_url.clone(),
        csrf: super::web::csrf_token(state, s),
        active,
        notice: None,
    })
}

/// An amount as the portal shows it: `USD 1,234.50` (the text as given if it is not a number).
pub fn money(currency: &str, amount: &str) -> String {
    match Currency::parse(currency) {
        Ok(c) => match amount.parse::<Decimal>() {
            Ok(a) => format!("{} {}", c.code(), c.format(a)),
            Err(_) => format!("{} {amount}", c.code()),
        },
        Err(_) => format!("{currency} {amount}"),
    }
}

// ---- Entering ----

#[derive(Template)]
#[template(path = "portal/enter.html")]
struct Enter {
    tenant: String,
    customer: String,
    token: String,
}

/// The link: a page that says whose billing it opens, with a button that spends it. A GET
/// changes nothing, so link previews and mail scanners do not use it up, and the customer sees
/// whose account they are entering before they do.
#[get("/portal/enter/{token}")]
pub async fn enter_page(state: web::Data<AppState>, token: web::Path<String>) -> HttpResponse {
    let token = token.into_inner();
    if token.len() > 100 {
        return refused_link(LinkRefused::Unknown);
    }
    match super::sessions::peek(&state, token.clone()).await {
        Ok(Ok((tenant, customer))) => page(Ok(Enter { tenant, customer, token }), "/portal"),
        Ok(Err(refused)) => refused_link(refused),
        Err(e) => error_page(e, "/portal"),
    }
}

/// Spends the link: exchanges its token for the session cookie and moves on to a clean address,
/// so the token leaves the address bar and the history.
#[post("/portal/enter/{token}")]
pub async fn enter(state: web::Data<AppState>, token: web::Path<String>) -> HttpResponse {
    let token = token.into_inner();
    if token.len() > 100 {
        return refused_link(LinkRefused::Unknown);
    }
    match super::sessions::enter(&state, token).await {
        Ok(Ok((_, cookie))) => {
            let mut res = see_other("/portal");
            if let Err(e) = res.add_cookie(&super::web::session_cookie(&state, &cookie)) {
                return error_page(ApiError::internal(anyhow::anyhow!(e)), "/portal");
            }
            res
        }
        Ok(Err(refused)) => refused_link(refused),
        Err(e) => error_page(e, "/portal"),
    }
}

/// The page for a link that opens nothing: 404 for one that never was, 410 for one used,
/// expired or revoked.
fn refused_link(refused: LinkRefused) -> HttpResponse {
    let status = match refused {
        LinkRefused::Unknown => StatusCode::NOT_FOUND,
        LinkRefused::Spent => StatusCode::GONE,
    };
    super::web::message(
        status,
        "This link has expired",
        "Billing portal links work once, within 15 minutes. Go back to the site you came from and open the billing portal again.",
        None,
    )
}

#[post("/portal/sign-out")]
pub async fn sign_out(state: web::Data<AppState>, p: Posted) -> HttpResponse {
    let s = p.session;
    if let Err(e) = super::sessions::revoke(&state, s.auth(), s.id).await {
        return error_page(e, "/portal");
    }
    let mut res = super::web::message(StatusCode::OK, "Signed out", "You are signed out of the billing portal.", None);
    let mut gone = super::web::session_cookie(&state, "");
    gone.make_removal();
    let _ = res.add_cookie(&gone);
    res
}

// ---- Overview ----

pub struct SubView {
    pub plan_name: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub price: String,
    pub renewal_label: &'static str,
    pub renewal: String,
    pub pending: Option<String>,
}

pub struct UsageView {
    pub feature: String,
    pub name: String,
    pub used: String,
    pub limit: String,
    pub resets: Option<String>,
    pub percent: u32,
    /// `percent` rounded down to a multiple of 5 (the meter's width class: no inline styles).
    pub percent_step: u32,
    pub chart_json: String,
    pub days: Vec<(String, String)>,
}

pub struct UpcomingView {
    pub lines: Vec<(String, String)>,
    pub total: String,
}

#[derive(Template)]
#[template(path = "portal/overview.html")]
struct Overview {
    l: Layout,
    sub: Option<SubView>,
    usage: Vec<UsageView>,
    upcoming: Option<UpcomingView>,
}

fn status_of(s: crate::subscriptions::models::Status) -> (&'static str, &'static str) {
    use crate::subscriptions::models::Status::*;
    match s {
        Active => ("active", "Active"),
        Trialing => ("trialing", "Trial"),
        PastDue => ("past_due", "Past due"),
        Canceled => ("canceled", "Canceled"),
    }
}

/// The customer's open subscription, the plan version it is on, and how the pages show it.
pub struct Current {
    pub sub: crate::subscriptions::models::Subscription,
    pub version: crate::catalog::models::PlanVersion,
    pub view: SubView,
}

/// The customer's open subscription, if any (one look-up for every page that needs it).
pub async fn subscription_view(state: &AppState, s: &Session) -> ApiResult<Option<Current>> {
    let (scope, customer) = (s.scope, s.customer);
    crate::db::run(&state.pool, move |conn| {
        let Some(sub) = crate::subscriptions::repo::open_for_customer(conn, scope, customer)? else { return Ok(None) };
        let v = crate::catalog::repo::referenced_version(conn, scope, sub.plan_id, sub.plan_version)?;
        let pending = match (sub.pending_plan_id, sub.pending_plan_version) {
            (Some(p), Some(n)) => {
                let pv = crate::catalog::repo::referenced_version(conn, scope, p, n)?;
                Some(format!("Changes to {} on {}", pv.name, day(sub.current_period_end)))
            }
            _ if sub.cancel_at_period_end => Some(format!("Ends on {}", day(sub.current_period_end))),
            _ => None,
        };
        let (status, status_label) = status_of(sub.status);
        let (renewal_label, renewal) = match (sub.status, sub.trial_end) {
            (crate::subscriptions::models::Status::Trialing, Some(end)) => ("Trial ends", day(end)),
            _ if sub.cancel_at_period_end => ("Ends", day(sub.current_period_end)),
            _ => ("Renews", day(sub.current_period_end)),
        };
        let view = SubView {
            plan_name: v.name.clone(),
            status,
            status_label,
            price: v.price_label(),
            renewal_label,
            renewal,
            pending,
        };
        Ok(Some(Current { sub, version: v, view }))
    })
    .await
}

async fn usage_views(
    state: &AppState,
    s: &Session,
    current: &Current,
    now: DateTime<Utc>,
) -> ApiResult<Vec<UsageView>> {
    let auth = s.auth();
    let sub = &current.sub;
    let entitlements = crate::entitlements::service::list(state, auth, s.customer).await?.data;
    let scope = s.scope;
    let names = crate::db::run(&state.pool, move |conn| Ok(crate::catalog::repo::feature_names(conn, scope)?)).await?;
    let resets: std::collections::HashMap<String, Reset> =
        current.version.entitlement_specs().into_iter().map(|e| (e.feature.clone(), e.reset())).collect();
    let mut out = Vec::new();
    for e in entitlements {
        let (Some(limit), Some(used)) = (e.limit, e.used) else { continue };
        // The chart covers the limit's window, adding up from its start; a daily limit shows the
        // last two weeks, day by day.
        let reset = resets.get(&e.feature).copied().unwrap_or(Reset::BillingPeriod);
        let daily = reset == Reset::Day;
        let from = match reset {
            Reset::Day => now - TimeDelta::days(13),
            Reset::Month => chrono::Datelike::with_day(&now.date_naive(), 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map_or(now, |t| t.and_utc()),
            Reset::BillingPeriod => sub.current_period_start,
            // The series has at most 1,000 buckets.
            Reset::Never => sub.created_at.max(now - TimeDelta::days(900)),
        }
        .min(now - TimeDelta::days(1));
        // Through the end of today: usage recorded at this very instant counts (a test clock
        // stands still at it).
        let to = (now + TimeDelta::days(1)).date_naive().and_hms_opt(0, 0, 0).map_or(now, |t| t.and_utc());
        let params = crate::usage::models::UsageSeriesParams {
            feature: e.feature.clone(),
            from: Some(from),
            to: Some(to),
            granularity: Some(crate::usage::models::Granularity::Day),
        };
        let series = crate::usage::service::series(state, auth, s.customer, params).await?;
        let mut running = Decimal::ZERO;
        let mut labels = Vec::new();
        let mut values = Vec::new();
        let mut days = Vec::new();
        for p in &series.data {
            running += p.value.0;
            labels.push(p.start.timestamp());
            let shown = if daily { p.value.0 } else { running };
            values.push(shown.normalize().to_string());
            days.push((p.start.format("%b %-d").to_string(), p.value.0.normalize().to_string()));
        }
        let name = names.get(&e.feature).cloned().unwrap_or_else(|| e.feature.clone());
        let chart = serde_json::json!({"name": name, "labels": labels, "values": values, "limit": limit});
        let percent = if limit > 0 { (used.saturating_mul(100) / limit).clamp(0, 100) as u32 } else { 100 };
        out.push(UsageView {
            feature: e.feature,
            name,
            used: group(Decimal::from(used)),
            limit: group(Decimal::from(limit)),
            resets: e.resets_at.map(day),
            percent,
            percent_step: percent / 5 * 5,
            chart_json: super::web::script_json(&chart),
            days,
        });
    }
    Ok(out)
}

#[get("/portal")]
pub async fn overview_page(state: web::Data<AppState>, s: Session) -> HttpResponse {
    let t = async {
        let l = layout(&state, &s, "overview").await?;
        let now = crate::testclock::now_for(&state, s.scope).await?;
        let found = subscription_view(&state, &s).await?;
        let (sub, usage, upcoming) = match found {
            None => (None, Vec::new(), None),
            Some(current) => {
                let usage = usage_views(&state, &s, &current, now).await?;
                let upcoming = match crate::subscriptions::service::upcoming(&state, s.auth(), s.customer).await {
                    Ok(u) => {
                        let c = u.summary.currency.code().to_string();
                        Some(UpcomingView {
                            lines: u
                                .summary
                                .lines
                                .iter()
                                .map(|l| (l.description.clone(), money(&c, &l.amount)))
                                .collect(),
                            total: money(&c, &u.summary.total),
                        })
                    }
                    Err(e) if e.status() == StatusCode::NOT_FOUND => None,
                    Err(e) => return Err(e),
                };
                (Some(current.view), usage, upcoming)
            }
        };
        Ok(Overview { l, sub, usage, upcoming })
    }
    .await;
    page(t, "/portal")
}

// ---- API keys ----

pub struct KeyView {
    pub id: ApiKeyId,
    pub name: String,
    pub prefix: String,
    pub last4: String,
    pub created: String,
    pub status: String,
    /// Can be revoked.
    pub active: bool,
    /// Can be rotated: active and not already on its way out (a rotated key in its grace).
    pub rotatable: bool,
}

#[derive(Template)]
#[template(path = "portal/keys.html")]
struct Keys {
    l: Layout,
    keys: Vec<KeyView>,
    created: Option<String>,
    /// Names this rendering of the create form: sent twice, it creates one key.
    form_id: String,
}

async fn keys_page(state: &AppState, s: &Session, created: Option<String>, notice: Option<String>) -> ApiResult<Keys> {
    let mut l = layout(state, s, "keys").await?;
    l.notice = notice;
    let now = crate::testclock::now_for(state, s.scope).await?;
    let page = crate::pagination::Page { limit: 100, before: None };
    let list = crate::keys::service::list(state, s.auth(), s.customer, page).await?;
    let keys = list
        .data
        .into_iter()
        .map(|k| {
            let revoked = k.revoked_at.is_some_and(|at| at <= now);
            let expired = k.expires_at.is_some_and(|at| at <= now);
            // A rotated key works on until its grace ends: its `expires_at`.
            let ends = k.revoked_at.or(k.expires_at).filter(|at| *at > now);
            let status = match (revoked, expired, ends) {
                (true, _, _) => "Revoked".to_string(),
                (_, true, _) => "Expired".to_string(),
                (false, false, Some(at)) => format!("Works until {}", at.format("%b %-d, %H:%M UTC")),
                _ => "Active".to_string(),
            };
            KeyView {
                id: k.id,
                name: k.name.unwrap_or_else(|| "—".into()),
                prefix: k.prefix,
                last4: k.last4,
                created: day(k.created_at),
                active: !revoked && !expired,
                rotatable: ends.is_none() && !revoked && !expired,
                status,
            }
        })
        .collect();
    Ok(Keys { l, keys, created, form_id: crate::crypto::random_base62(22) })
}

#[get("/portal/keys")]
pub async fn keys_list(state: web::Data<AppState>, s: Session) -> HttpResponse {
    page(keys_page(&state, &s, None, None).await, "/portal/keys")
}

#[post("/portal/keys")]
pub async fn create_key(state: web::Data<AppState>, p: Posted) -> HttpResponse {
    let (s, fields) = (p.session, p.fields);
    let name = fields.get("name").map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    let form_id = fields.get("form_id").cloned().unwrap_or_default();
    let t = async {
        let name = match name {
            Some(n) => Some(
                serde_json::from_value::<crate::types::Text<1, 100>>(serde_json::Value::String(n))
                    .map_err(|e| ApiError::invalid_param("name", e.to_string()))?,
            ),
            None => None,
        };
        let req = crate::keys::models::CreateApiKeyRequest { name, expires_at: None };
        let create = crate::keys::service::create(&state, s.auth(), s.customer, req);
        match super::sessions::once(&state, s.id.0, Some(&form_id), create).await? {
            Some(created) => keys_page(&state, &s, Some(created.key), Some("Key created.".into())).await,
            None => {
                let notice = "This form was already sent: the key was created then, and is shown only once.";
                keys_page(&state, &s, None, Some(notice.into())).await
            }
        }
    }
    .await;
    page(t, "/portal/keys")
}

/// The key `id`, if it is the session's customer's (else a 404, whoever's it is).
async fn own_key(state: &AppState, s: &Session, id: ApiKeyId) -> ApiResult<()> {
    let (scope, customer) = (s.scope, s.customer);
    let owner: Option<CustomerId> =
        crate::db::run(&state.pool, move |conn| Ok(crate::keys::repo::owner(conn, scope, id)?)).await?;
    match owner {
        Some(c) if c == customer => Ok(()),
        _ => Err(ApiError::not_found("API key")),
    }
}

#[post("/portal/keys/{id}/rotate")]
pub async fn rotate_key(state: web::Data<AppState>, id: web::Path<String>, p: Posted) -> HttpResponse {
    let (s, fields) = (p.session, p.fields);
    let form_id = fields.get("form_id").cloned().unwrap_or_default();
    let t = async {
        let id: ApiKeyId = id_from_path(&id)?;
        own_key(&state, &s, id).await?;
        let grace = match fields.get("grace_seconds").map(String::as_str) {
            None | Some("") => None,
            Some(g) => Some(
                g.parse::<Decimal>()
                    .map(crate::money::Quantity)
                    .map_err(|_| ApiError::invalid_param("grace_seconds", "a whole number of seconds"))?,
            ),
        };
        let req = crate::keys::models::RotateApiKeyRequest { grace_seconds: grace };
        let rotate = crate::keys::service::rotate(&state, s.auth(), id, req);
        match super::sessions::once(&state, s.id.0, Some(&form_id), rotate).await? {
            Some(created) => keys_page(&state, &s, Some(created.key), Some("Key rotated.".into())).await,
            None => {
                let notice =
                    "This form was already sent: the key was rotated then, and the new key is shown only once.";
                keys_page(&state, &s, None, Some(notice.into())).await
            }
        }
    }
    .await;
    page(t, "/portal/keys")
}

#[post("/portal/keys/{id}/revoke")]
pub async fn revoke_key(state: web::Data<AppState>, id: web::Path<String>, p: Posted) -> HttpResponse {
    let s = p.session;
    let done = async {
        let id: ApiKeyId = id_from_path(&id)?;
        own_key(&state, &s, id).await?;
        crate::keys::service::revoke(&state, s.auth(), id).await
    }
    .await;
    match done {
        Ok(_) => see_other("/portal/keys"),
        Err(e) => error_page(e, "/portal/keys"),
    }
}

// ---- Assets ----

/// The portal's static files, compiled in; their names carry no version, so they are cached
/// for an hour only.
#[get("/portal/assets/{file}")]
pub async fn asset(file: web::Path<String>) -> HttpResponse {
    let (body, kind): (&'static [u8], &str) = match file.as_str() {
        "portal.css" => (include_bytes!("../../static/portal/portal.css"), "text/css; charset=utf-8"),
        "portal.js" => (include_bytes!("../../static/portal/portal.js"), "text/javascript; charset=utf-8"),
        "htmx.min.js" => (include_bytes!("../../static/htmx/htmx.min.js"), "text/javascript; charset=utf-8"),
        "uPlot.iife.min.js" => {
            (include_bytes!("../../static/uplot/uPlot.iife.min.js"), "text/javascript; charset=utf-8")
        }
        "uPlot.min.css" => (include_bytes!("../../static/uplot/uPlot.min.css"), "text/css; charset=utf-8"),
        _ => return super::web::message(StatusCode::NOT_FOUND, "Not found", "There is no such file.", None),
    };
    HttpResponse::Ok()
        .content_type(kind)
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(body)
}

// ---- Plan ----

pub struct PlanView {
    pub key: String,
    pub name: String,
    pub price: String,
    pub limits: Vec<String>,
    pub current: bool,
    /// "Upgrade" / "Downgrade at period end"; none for the current plan or another currency.
    pub action: Option<&'static str>,
    pub upgrade: bool,
}

#[derive(Template)]
#[template(path = "portal/plan.html")]
struct PlanPage {
    l: Layout,
    sub: Option<SubView>,
    canceling: bool,
    plans: Vec<PlanView>,
}

fn limits_of(
    v: &crate::catalog::models::PlanVersion,
    names: &std::collections::HashMap<String, String>,
) -> Vec<String> {
    use crate::catalog::models::Reset;
    v.entitlement_specs()
        .into_iter()
        .map(|e| {
            let name = names.get(&e.feature).cloned().unwrap_or_else(|| e.feature.clone());
            match e.limit {
                Some(n) => {
                    let per = match e.reset() {
                        Reset::Day => " a day",
                        Reset::Month => " a month",
                        Reset::BillingPeriod => " a period",
                        Reset::Never => " in all",
                    };
                    format!("{name}: {}{per}", group(Decimal::from(n)))
                }
                None => name,
            }
        })
        .collect()
}

#[get("/portal/plan")]
pub async fn plan_view(state: web::Data<AppState>, s: Session) -> HttpResponse {
    page(plan_page(&state, &s, None).await, "/portal/plan")
}

async fn plan_page(state: &AppState, s: &Session, notice: Option<String>) -> ApiResult<PlanPage> {
    let mut l = layout(state, s, "plan").await?;
    l.notice = notice;
    let found = subscription_view(state, s).await?;
    let scope = s.scope;
    let (versions, names) = crate::db::run(&state.pool, move |conn| {
        let page = crate::pagination::Page { limit: 100, before: None };
        Ok((
            crate::catalog::repo::list_plans(conn, scope, page, Some(false))?,
            crate::catalog::repo::feature_names(conn, scope)?,
        ))
    })
    .await?;
    let current = found.as_ref().map(|c| &c.version);
    let canceling = found.as_ref().is_some_and(|c| c.sub.cancel_at_period_end);
    let mut plans: Vec<PlanView> = versions
        .into_iter()
        .map(|(p, v)| {
            let is_current = current.as_ref().is_some_and(|c| c.plan_id == p.id);
            let comparable = current.as_ref().filter(|c| c.currency == v.currency && !is_current);
            let upgrade = comparable.is_some_and(|c| v.monthly_amount() > c.monthly_amount());
            let action = comparable.map(|_| if upgrade { "Upgrade now" } else { "Switch at period end" });
            PlanView {
                key: p.key.clone(),
                name: v.name.clone(),
                price: v.price_label(),
                limits: limits_of(&v, &names),
                current: is_current,
                action: if canceling { None } else { action },
                upgrade,
            }
        })
        .collect();
    plans.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(PlanPage { l, sub: found.map(|c| c.view), canceling, plans })
}

#[derive(Template)]
#[template(path = "portal/change.html")]
struct ChangePage {
    l: Layout,
    plan_key: String,
    plan_name: String,
    now: bool,
    summary: String,
    lines: Vec<(String, String)>,
    total: Option<String>,
    version: i32,
}

/// A plan change the portal offers: to another plan, of a subscription not set to cancel.
struct Offer {
    sub: crate::subscriptions::models::Subscription,
    /// An upgrade (made now), else a change at the period's end.
    now: bool,
    name: String,
    /// The plan version the customer is shown (and must confirm).
    version: i32,
}

/// What moving from the customer's plan to `key` would be, under the portal's rules.
async fn offer(state: &AppState, s: &Session, key: &str) -> ApiResult<Offer> {
    let scope = s.scope;
    let Some(Current { sub, version: current, .. }) = subscription_view(state, s).await? else {
        return Err(ApiError::not_found("subscription"));
    };
    if sub.cancel_at_period_end {
        return Err(ApiError::conflict(
            crate::error::ErrorCode::BadRequest,
            "your subscription is set to end: keep it first, then change plans",
        ));
    }
    let (plan_id, key) = (sub.plan_id, key.to_string());
    let (now, name, latest) = crate::db::run(&state.pool, move |conn| {
        let plan = crate::catalog::repo::find_plan(conn, scope, &key)?
            .filter(|p| p.archived_at.is_none())
            .ok_or_else(|| ApiError::not_found("plan").with_param("plan"))?;
        if plan.id == plan_id {
            return Err(ApiError::bad_request(crate::error::ErrorCode::PlanUnchanged, "you are on this plan already"));
        }
        let v = crate::catalog::repo::find_version(conn, scope, plan.id, plan.latest_version)?
            .ok_or_else(|| ApiError::not_found("plan").with_param("plan"))?;
        Ok((v.monthly_amount() > current.monthly_amount(), v.name, v.version))
    })
    .await?;
    Ok(Offer { sub, now, name, version: latest })
}

fn change_request(key: &str, now: bool) -> crate::subscriptions::models::ChangeSubscriptionRequest {
    use crate::subscriptions::models::{ChangeSubscriptionRequest, Timing};
    ChangeSubscriptionRequest { plan: key.to_string(), timing: if now { Timing::Now } else { Timing::PeriodEnd } }
}

/// The change, previewed by the code that makes it, with a form to confirm it.
#[get("/portal/plan/change")]
pub async fn preview_plan_change(
    state: web::Data<AppState>,
    s: Session,
    q: web::Query<std::collections::HashMap<String, String>>,
) -> HttpResponse {
    let key = q.get("plan").cloned().unwrap_or_default();
    let t = async {
        let l = layout(&state, &s, "plan").await?;
        let Offer { sub, now, name: plan_name, version } = offer(&state, &s, &key).await?;
        let p =
            crate::subscriptions::service::preview_change(&state, s.auth(), sub.id, change_request(&key, now)).await?;
        let (summary, lines, total) = match &p.invoice {
            Some(inv) => {
                let c = inv.summary.currency.code().to_string();
                let lines = inv.summary.lines.iter().map(|x| (x.description.clone(), money(&c, &x.amount))).collect();
                let due = money(&c, &inv.summary.amount_due);
                (
                    format!("You switch to {plan_name} at once and pay {due} now for the rest of this period."),
                    lines,
                    Some(due),
                )
            }
            None if now => (format!("You switch to {plan_name} at once; nothing is due now."), Vec::new(), None),
            None => (
                format!(
                    "You keep your current plan until {}, then move to {plan_name}.",
                    day(p.subscription.current_period_end)
                ),
                Vec::new(),
                None,
            ),
        };
        Ok(ChangePage { l, plan_key: key.clone(), plan_name, now, summary, lines, total, version })
    }
    .await;
    page(t, "/portal/plan")
}

#[post("/portal/plan/change")]
pub async fn change_plan(state: web::Data<AppState>, p: Posted) -> HttpResponse {
    let (s, fields) = (p.session, p.fields);
    let key = fields.get("plan").cloned().unwrap_or_default();
    let t = async {
        // The timing follows the plans' prices, whatever the form says: upgrades now,
        // everything else at the period's end; and the plan must be as it was shown.
        let Offer { sub, now, name, version } = offer(&state, &s, &key).await?;
        if fields.get("version").and_then(|v| v.parse::<i32>().ok()) != Some(version) {
            return Err(ApiError::conflict(
                crate::error::ErrorCode::BadRequest,
                "the plan's terms changed since you saw them: review the change again",
            ));
        }
        crate::subscriptions::service::change(&state, s.auth(), sub.id, change_request(&key, now)).await?;
        let notice = if now {
            format!("You are now on {name}.")
        } else {
            format!("You move to {name} at the end of the period.")
        };
        plan_page(&state, &s, Some(notice)).await
    }
    .await;
    page(t, "/portal/plan")
}

async fn cancel_or_resume(state: &AppState, s: Session, cancel: bool) -> HttpResponse {
    let t = async {
        let Some(Current { sub, .. }) = subscription_view(state, &s).await? else {
            return Err(ApiError::not_found("subscription"));
        };
        let notice = if cancel {
            let req = crate::subscriptions::models::CancelSubscriptionRequest { at_period_end: Some(true) };
            crate::subscriptions::service::cancel(state, s.auth(), sub.id, req).await?;
            format!("Your subscription ends on {}.", day(sub.current_period_end))
        } else {
            crate::subscriptions::service::resume(state, s.auth(), sub.id).await?;
            "Your subscription continues.".to_string()
        };
        plan_page(state, &s, Some(notice)).await
    }
    .await;
    page(t, "/portal/plan")
}

#[post("/portal/plan/cancel")]
pub async fn cancel_plan(state: web::Data<AppState>, p: Posted) -> HttpResponse {
    cancel_or_resume(&state, p.session, true).await
}

#[post("/portal/plan/resume")]
pub async fn resume_plan(state: web::Data<AppState>, p: Posted) -> HttpResponse {
    cancel_or_resume(&state, p.session, false).await
}

// ---- Invoices ----

pub struct InvoiceView {
    pub id: crate::ids::InvoiceId,
    pub number: String,
    pub date: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub total: String,
    /// Open with an amount due, and a card to pay it with.
    pub payable: bool,
}

#[derive(Template)]
#[template(path = "portal/invoices.html")]
struct InvoicesPage {
    l: Layout,
    invoices: Vec<InvoiceView>,
}

/// The customer's payment profile (their Stripe customer and card), if they have one.
async fn payment_profile(state: &AppState, s: &Session) -> ApiResult<Option<crate::customers::models::PaymentProfile>> {
    let (scope, customer) = (s.scope, s.customer);
    let mut profiles = crate::db::run(&state.pool, move |conn| {
        Ok(crate::customers::repo::payment_profiles(conn, scope, &[customer])?)
    })
    .await?;
    Ok(profiles.remove(&customer))
}

/// Whether the tenant takes payments and the customer has a card on file.
async fn can_pay(state: &AppState, gw: &crate::payments::gateway::Gateway, s: &Session) -> ApiResult<bool> {
    if crate::payments::service::connection(&state.pool, gw, s.scope).await?.is_none() {
        return Ok(false);
    }
    Ok(payment_profile(state, s).await?.is_some_and(|p| p.pm_last4.is_some()))
}

/// The invoice `id`, if it is the session's customer's (else a 404, whoever's it is).
async fn own_invoice(
    state: &AppState,
    s: &Session,
    id: crate::ids::InvoiceId,
) -> ApiResult<crate::invoices::models::InvoiceResponse> {
    let inv = crate::invoices::service::get(state, s.auth(), id).await?;
    if inv.summary.customer != s.customer {
        return Err(ApiError::not_found("invoice"));
    }
    Ok(inv)
}

#[get("/portal/invoices")]
pub async fn invoice_list(
    state: web::Data<AppState>,
    gw: web::Data<crate::payments::gateway::Gateway>,
    s: Session,
) -> HttpResponse {
    page(invoices_page(&state, &gw, &s, None).await, "/portal/invoices")
}

async fn invoices_page(
    state: &AppState,
    gw: &crate::payments::gateway::Gateway,
    s: &Session,
    notice: Option<String>,
) -> ApiResult<InvoicesPage> {
    use crate::invoices::models::InvoiceStatus as S;
    let mut l = layout(state, s, "invoices").await?;
    l.notice = notice;
    let payments = can_pay(state, gw, s).await?;
    let page = crate::pagination::Page { limit: 100, before: None };
    let list = crate::invoices::service::list(state, s.auth(), Some(s.customer), None, page).await?;
    let invoices = list
        .data
        .into_iter()
        // Drafts are not the customer's business until finalized.
        .filter(|i| !matches!(i.summary.status, S::Draft | S::Upcoming))
        .map(|i| {
            let (status, status_label) = match i.summary.status {
                S::Open => ("open", "Due"),
                S::Paid => ("paid", "Paid"),
                S::Void => ("void", "Void"),
                S::Uncollectible => ("uncollectible", "Uncollectible"),
                S::Draft | S::Upcoming => ("draft", "Draft"),
            };
            let c = i.summary.currency.code().to_string();
            let due = i.summary.amount_due.parse::<Decimal>().unwrap_or_default();
            let paid = i.amount_paid.parse::<Decimal>().unwrap_or_default();
            InvoiceView {
                id: i.id,
                number: i.number.clone().unwrap_or_default(),
                date: day(i.issued_at.unwrap_or(i.created_at)),
                status,
                status_label,
                total: money(&c, &i.summary.total),
                payable: payments && i.summary.status == S::Open && due > paid,
            }
        })
        .collect();
    Ok(InvoicesPage { l, invoices })
}

/// Pays an open invoice of the customer's now, with the card on file.
#[post("/portal/invoices/{id}/pay")]
pub async fn pay_invoice(
    state: web::Data<AppState>,
    gw: web::Data<crate::payments::gateway::Gateway>,
    id: web::Path<String>,
    p: Posted,
) -> HttpResponse {
    use crate::invoices::models::InvoiceStatus as S;
    let s = p.session;
    let t = async {
        let id = id_from_path(&id)?;
        own_invoice(&state, &s, id).await?;
        let after = crate::payments::service::pay(&state, &gw, s.auth(), id).await?;
        let number = after.number.clone().unwrap_or_default();
        let notice = match after.summary.status {
            S::Paid => format!("Invoice {number} is paid. Thank you."),
            _ => format!("The payment of invoice {number} did not go through; its status is shown below."),
        };
        invoices_page(&state, &gw, &s, Some(notice)).await
    }
    .await;
    page(t, "/portal/invoices")
}

/// An invoice's document, if it is the customer's and finalized.
#[get("/portal/invoices/{id}")]
pub async fn invoice_document(state: web::Data<AppState>, s: Session, id: web::Path<String>) -> HttpResponse {
    use crate::invoices::models::InvoiceStatus as S;
    let t = async {
        let id = id_from_path(&id)?;
        let inv = own_invoice(&state, &s, id).await?;
        // Drafts are not the customer's business until finalized.
        if matches!(inv.summary.status, S::Draft | S::Upcoming) {
            return Err(ApiError::not_found("invoice"));
        }
        crate::invoices::service::document(&state, s.auth(), id).await
    }
    .await;
    match t {
        Ok(body) => {
            // The document carries its own `<style>` (it is also sent as an email and printed):
            // allowed by its hash, and nothing else inline.
            let csp = body.split_once("<style>").and_then(|(_, rest)| rest.split_once("</style>")).map(|(css, _)| {
                use base64::Engine;
                let hash = base64::engine::general_purpose::STANDARD.encode(crate::crypto::sha256(css.as_bytes()));
                format!(
                    "default-src 'none'; style-src 'sha256-{hash}'; img-src 'self' data:; form-action 'none'; \
                     frame-ancestors 'none'; base-uri 'none'"
                )
            });
            let mut res = html(StatusCode::OK, body);
            if let Some(v) = csp.and_then(|c| actix_web::http::header::HeaderValue::from_str(&c).ok()) {
                res.headers_mut().insert(actix_web::http::header::CONTENT_SECURITY_POLICY, v);
            }
            res
        }
        Err(e) => error_page(e, "/portal/invoices"),
    }
}

// ---- Payment method ----

#[derive(Template)]
#[template(path = "portal/payment.html")]
struct PaymentPage {
    l: Layout,
    card: Option<String>,
    connected: bool,
}

#[get("/portal/payment-method")]
pub async fn payment_page(
    state: web::Data<AppState>,
    gw: web::Data<crate::payments::gateway::Gateway>,
    s: Session,
) -> HttpResponse {
    let t = async {
        let l = layout(&state, &s, "payment").await?;
        let connected = crate::payments::service::connection(&state.pool, &gw, s.scope).await?.is_some();
        let card = payment_profile(&state, &s).await?.and_then(|p| match (&p.pm_brand, &p.pm_last4) {
            (Some(brand), Some(last4)) => {
                let expiry = match (p.pm_exp_month, p.pm_exp_year) {
                    (Some(m), Some(y)) => format!(", expires {m:02}/{y}"),
                    _ => String::new(),
                };
                Some(format!("{brand} ending in {last4}{expiry}"))
            }
            _ => None,
        });
        Ok(PaymentPage { l, card, connected })
    }
    .await;
    page(t, "/portal/payment-method")
}

/// Sends the customer to a Stripe Checkout page (setup mode) for a card, and back here after.
/// A link rather than a form: the page only creates a Checkout session, and the CSP's
/// `form-action 'self'` would stop a form's redirect to Stripe.
#[get("/portal/payment-method/update")]
pub async fn update_payment_method(
    state: web::Data<AppState>,
    gw: web::Data<crate::payments::gateway::Gateway>,
    s: Session,
) -> HttpResponse {
    let back = format!("{}/portal/payment-method", state.settings.public_url.trim_end_matches('/'));
    // The card will be charged in the plan's currency.
    let currency = match subscription_view(&state, &s).await {
        Ok(Some(current)) => Some(current.version.currency),
        _ => None,
    };
    let req = crate::payments::models::CheckoutSessionRequest { success_url: back.clone(), cancel_url: back, currency };
    match crate::payments::service::checkout_session(&state, &gw, s.auth(), s.customer, req).await {
        Ok(session) => {
            let mut res = HttpResponse::SeeOther().insert_header(("Location", session.url)).finish();
            super::web::secure_headers(&mut res);
            res
        }
        Err(e) => error_page(e, "/portal/payment-method"),
    }
}
