//! What every dashboard page shares: the signed-in person and their checked forms (as
//! extractors), the cookie, the CSRF token, the layout, notices and list paging.

use std::collections::HashMap;

use actix_web::{web, FromRequest, HttpRequest, HttpResponse};

use super::sessions::{self, Signed, COOKIE};
use crate::error::{ApiError, ApiResult};
use crate::portal::web::{checked_form, csrf_token_for, error_page, state_of, Refusal};
use crate::state::AppState;

pub fn cookie(state: &AppState, value: &str) -> actix_web::cookie::Cookie<'static> {
    crate::portal::web::cookie(state, COOKIE, "/dashboard", value)
}

/// The CSRF token of a session's forms, bound to the mode the page was shown in: a form from a
/// test-mode page fails once the session has switched to live (in another tab), rather than
/// acting on live data.
pub fn csrf_token(state: &AppState, s: &Signed) -> String {
    let bound = [s.id.as_bytes().as_slice(), s.scope.mode.as_str().as_bytes()].concat();
    csrf_token_for(state, b"tollgate/dashboard-csrf/v2", &bound)
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
            let fields = checked_form(body.await, &csrf_token(&state, &signed), "/dashboard")?;
            Ok(Posted { signed, fields })
        })
    }
}

/// What every dashboard page shows: the tenant, the mode, the page's place in the navigation
/// and the token its forms carry.
pub struct Layout {
    pub tenant: String,
    pub mode: &'static str,
    pub csrf: String,
    /// The navigation entry of this page (`overview`, `customers`, …).
    pub active: &'static str,
    /// What the last form did, shown once.
    pub notice: Option<&'static str>,
}

/// What a form did, by the code it sends back in `?done=` (a fixed text each: nothing from the
/// address is shown as is).
const NOTICES: &[(&str, &str)] = &[
    ("voided", "The invoice is void."),
    ("paid", "The invoice is marked paid."),
    ("settings", "Settings saved."),
    ("key-revoked", "The secret key is revoked."),
    ("endpoint-added", "The endpoint is added. Its signing secret is shown once, below."),
    ("endpoint-deleted", "The endpoint is deleted."),
    ("stripe-disconnected", "Stripe is disconnected."),
    ("sent-again", "This form was already sent: what it created then is shown only once, and nothing new was made."),
];

impl Layout {
    /// The layout with the notice of `?done=` in `query`, if it names one.
    pub fn with_notice(mut self, query: &HashMap<String, String>) -> Layout {
        let done = query.get("done").map(String::as_str);
        self.notice = NOTICES.iter().find(|(code, _)| Some(*code) == done).map(|(_, text)| *text);
        self
    }

    /// The navigation: (entry, address, label).
    pub fn nav(&self) -> &'static [(&'static str, &'static str, &'static str)] {
        &[
            ("overview", "/dashboard", "Overview"),
            ("customers", "/dashboard/customers", "Customers"),
            ("plans", "/dashboard/plans", "Plans"),
            ("subscriptions", "/dashboard/subscriptions", "Subscriptions"),
            ("invoices", "/dashboard/invoices", "Invoices"),
            ("payments", "/dashboard/payments", "Failed payments"),
            ("webhooks", "/dashboard/webhooks", "Webhooks"),
            ("settings", "/dashboard/settings", "Settings"),
        ]
    }
}

pub async fn layout(state: &AppState, s: &Signed, active: &'static str) -> ApiResult<Layout> {
    let id = s.scope.tenant_id;
    let tenant = crate::db::run(&state.pool, move |conn| Ok(crate::accounts::repo::find_tenant(conn, id)?))
        .await?
        .ok_or_else(|| ApiError::not_found("tenant"))?;
    Ok(Layout { tenant: tenant.name, mode: s.scope.mode.as_str(), csrf: csrf_token(state, s), active, notice: None })
}

/// A form field, trimmed; None when empty or absent.
pub fn field<'a>(fields: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    fields.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
}

/// The request's query (a malformed one reads as empty).
pub fn query(req: &HttpRequest) -> HashMap<String, String> {
    form_urlencoded::parse(req.query_string().as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// A list page's rows: [`super::customers::PER_PAGE`] from the query's `cursor`.
pub fn page_of(query: &HashMap<String, String>) -> ApiResult<crate::pagination::Page> {
    let cursor = query.get("cursor").map(String::as_str).filter(|c| !c.is_empty());
    crate::pagination::Page::from_params(Some(super::customers::PER_PAGE), cursor)
}

/// The next page's address of a list at `path` after `cursor`, keeping its `filter` (a query
/// parameter and its value).
pub fn next_page(path: &str, filter: Option<(&str, &str)>, cursor: Option<String>) -> Option<String> {
    cursor.map(|c| {
        let mut q = form_urlencoded::Serializer::new(String::new());
        if let Some((name, value)) = filter {
            q.append_pair(name, value);
        }
        format!("{path}?{}", q.append_pair("cursor", &c).finish())
    })
}

/// A page's query holding only the notice `code`, for a page answered in place of a redirect.
pub fn done_query(code: &str) -> HashMap<String, String> {
    HashMap::from([("done".to_string(), code.to_string())])
}

/// What a form's action answers: back to `to` with the notice `done` (a code of [`NOTICES`])
/// when it went through, or the error page (with a way back to `to`) when it did not.
pub fn done<T>(result: ApiResult<T>, to: &str, done: &str) -> HttpResponse {
    if let Err(e) = result {
        return error_page(e, to);
    }
    let sep = if to.contains('?') { '&' } else { '?' };
    crate::portal::web::see_other(&format!("{to}{sep}done={done}"))
}

/// The emails of the customers a page lists, so rows name a customer rather than an id.
pub struct Names(HashMap<crate::ids::CustomerId, String>);

impl Names {
    /// The one customer a page is about, whose email it has already.
    pub fn one(id: crate::ids::CustomerId, email: String) -> Names {
        Names(HashMap::from([(id, email)]))
    }

    /// The customer's email (their id if they were deleted meanwhile).
    pub fn of(&self, id: &crate::ids::CustomerId) -> String {
        self.0.get(id).cloned().unwrap_or_else(|| id.to_string())
    }
}

pub async fn names(state: &AppState, s: &Signed, mut ids: Vec<crate::ids::CustomerId>) -> ApiResult<Names> {
    ids.sort();
    ids.dedup();
    let scope = s.scope;
    let rows = crate::db::run(&state.pool, move |conn| Ok(crate::customers::repo::emails(conn, scope, &ids)?)).await?;
    Ok(Names(rows.into_iter().collect()))
}
