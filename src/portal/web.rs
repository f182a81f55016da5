//! What every portal page shares: the session cookie, the CSRF token, the security headers,
//! the layout's facts and the HTML error pages.

use actix_web::body::MessageBody;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use chrono::TimeDelta;

use super::sessions::Session;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub const COOKIE: &str = "tollgate_portal";

/// A web session (the portal's, the dashboard's) ends after this long without a request…
pub const IDLE: TimeDelta = TimeDelta::hours(1);
/// …or this long after it began (a portal session: after its link was made), however active.
pub const LONGEST: TimeDelta = TimeDelta::hours(12);
/// A session's `last_seen_at` is written at most this often.
pub const TOUCH_EVERY: TimeDelta = TimeDelta::minutes(1);

/// The headers of every portal answer: no script but our own files, nothing framed, nothing
/// cached, no referrer (the link's token must not leak).
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub fn secure_headers(res: &mut HttpResponse) {
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// A page (the portal's, the dashboard's), or the error page of what failed while building it,
/// with a way `back`.
pub fn page(t: ApiResult<impl Template>, back: &str) -> HttpResponse {
    match t.and_then(|t| t.render().map_err(|e| ApiError::internal(anyhow::anyhow!(e)))) {
        Ok(body) => html(StatusCode::OK, body),
        Err(e) => error_page(e, back),
    }
}

/// Data for a page's script, as the text of a `<script type="application/json">` block: `<` is
/// escaped, so no `</script>` inside a value can close the block early.
pub fn script_json(data: &serde_json::Value) -> String {
    data.to_string().replace('<', "\\u003c")
}

/// An HTML answer with the portal's headers.
pub fn html(status: StatusCode, body: String) -> HttpResponse {
    let mut res = HttpResponse::build(status).content_type("text/html; charset=utf-8").body(body);
    secure_headers(&mut res);
    res
}

/// A 303 to `to` (POST, redirect, GET).
pub fn see_other(to: &str) -> HttpResponse {
    let mut res = HttpResponse::SeeOther().insert_header((header::LOCATION, to)).finish();
    secure_headers(&mut res);
    res
}

/// A web session's cookie (the portal's, the dashboard's): HttpOnly, SameSite=Lax, sent only
/// under `path`, Secure behind https, kept as long as a session can last.
pub fn cookie(state: &AppState, name: &'static str, path: &'static str, value: &str) -> Cookie<'static> {
    Cookie::build(name, value.to_string())
        .path(path)
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.public_url.starts_with("https://"))
        .max_age(actix_web::cookie::time::Duration::seconds(LONGEST.num_seconds()))
        .finish()
}

/// The portal's session cookie.
pub fn session_cookie(state: &AppState, value: &str) -> Cookie<'static> {
    cookie(state, COOKIE, "/portal", value)
}

/// A web session's CSRF token: an HMAC of its id under the server secret and `purpose`, so a
/// form from one session (or one kind of session) fails in another.
pub fn csrf_token_for(state: &AppState, purpose: &[u8], session_id: &[u8]) -> String {
    let key = state.settings.jwt_secret.expose().as_bytes();
    let mac = crate::crypto::hmac_sha256(key, &[purpose, session_id]);
    mac.iter().map(|b| format!("{b:02x}")).collect()
}

/// The CSRF token of a portal session.
pub fn csrf_token(state: &AppState, session: &Session) -> String {
    csrf_token_for(state, b"tollgate/portal-csrf/v1", session.id.0.as_bytes())
}

/// A form's fields (`application/x-www-form-urlencoded`), unless a value holds a NUL or is
/// longer than any field of ours (2,048 bytes).
pub fn form_fields(body: &[u8]) -> Option<std::collections::HashMap<String, String>> {
    let fields: std::collections::HashMap<String, String> =
        form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    (!fields.values().any(|v| v.contains('\0') || v.len() > 2048)).then_some(fields)
}

/// A web form's fields (`application/x-www-form-urlencoded`), once its `csrf` field is the
/// session's token `expected` (compared in constant time); else the page that refuses it, with
/// a way `back`. The portal's and the dashboard's forms alike.
pub fn checked_form(
    body: Result<actix_web::web::Bytes, actix_web::Error>,
    expected: &str,
    back: &'static str,
) -> Result<std::collections::HashMap<String, String>, Refusal> {
    let refused = |text: &str| Refusal::of(message(StatusCode::BAD_REQUEST, "That did not work", text, Some(back)));
    let body = body.map_err(|_| refused("The form could not be read."))?;
    let fields = form_fields(&body).ok_or_else(|| refused("The form held a value it cannot take."))?;
    let given = fields.get("csrf").map(String::as_str).unwrap_or_default();
    if !crate::crypto::constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        return Err(Refusal::of(message(
            StatusCode::FORBIDDEN,
            "This form has expired",
            "The page was open too long or came from elsewhere. Go back, reload the page and try again.",
            Some(back),
        )));
    }
    Ok(fields)
}

#[derive(Template)]
#[template(path = "portal/message.html")]
struct Message<'a> {
    title: &'a str,
    message: &'a str,
    back: Option<&'a str>,
}

/// A page that only says something (an ended session, a refused form, an error).
pub fn message(status: StatusCode, title: &str, text: &str, back: Option<&str>) -> HttpResponse {
    match (Message { title, message: text, back }).render() {
        Ok(body) => html(status, body),
        Err(e) => {
            tracing::error!(error = %e, "portal message page did not render");
            html(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong.".into())
        }
    }
}

/// The page for a session that is not (or no longer) there.
pub fn signed_out() -> HttpResponse {
    message(
        StatusCode::UNAUTHORIZED,
        "Your session has ended",
        "For your security, portal sessions end after an hour without activity. Open the billing portal again from the site you came from.",
        None,
    )
}

/// An error of a service, as a page: its message for the customer's mistakes, a generic one
/// for ours (logged).
pub fn error_page(e: ApiError, back: &str) -> HttpResponse {
    let status = e.status();
    if status.is_server_error() {
        tracing::error!(error = ?e, "portal page failed");
        return message(status, "Something went wrong", "Please try again in a moment.", Some(back));
    }
    let text = e.envelope().error.message;
    message(status, "That did not work", &text, Some(back))
}

/// A page answered instead of the handler's: an ended session, a refused form. As the error
/// of the extractors below, so a handler starts with its customer and its form already checked.
#[derive(Debug)]
pub struct Refusal {
    status: StatusCode,
    body: String,
    /// A 303 there instead of a page (to a sign-in page).
    location: Option<String>,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "portal page refused ({})", self.status)
    }
}

impl actix_web::ResponseError for Refusal {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        match &self.location {
            Some(to) => see_other(to),
            None => html(self.status, self.body.clone()),
        }
    }
}

impl Refusal {
    /// The page `res` (rendered HTML) as a refusal.
    pub fn of(res: HttpResponse) -> Refusal {
        let status = res.status();
        let body = match res.into_body().try_into_bytes() {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(_) => String::new(),
        };
        Refusal { status, body, location: None }
    }

    /// A 303 to `to`.
    pub fn to(to: &str) -> Refusal {
        Refusal { status: StatusCode::SEE_OTHER, body: String::new(), location: Some(to.to_string()) }
    }
}

pub fn state_of(req: &HttpRequest) -> Result<actix_web::web::Data<AppState>, Refusal> {
    req.app_data::<actix_web::web::Data<AppState>>().cloned().ok_or_else(|| {
        Refusal::of(message(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", "Please try again.", None))
    })
}

/// The signed-in customer: the session of the request's cookie, if it is open.
impl actix_web::FromRequest for Session {
    type Error = Refusal;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Session, Refusal>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let state = state_of(req);
        let cookie = req.cookie(COOKIE).map(|c| c.value().to_string());
        Box::pin(async move {
            let state = state?;
            let Some(cookie) = cookie else { return Err(Refusal::of(signed_out())) };
            match super::sessions::find(&state, cookie).await {
                Ok(Some(s)) => Ok(s),
                Ok(None) => Err(Refusal::of(signed_out())),
                Err(e) => Err(Refusal::of(error_page(e, "/portal"))),
            }
        })
    }
}

/// A form the signed-in customer sent (`application/x-www-form-urlencoded`), its CSRF token
/// checked: the session and the form's fields.
pub struct Posted {
    pub session: Session,
    pub fields: std::collections::HashMap<String, String>,
}

impl actix_web::FromRequest for Posted {
    type Error = Refusal;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Posted, Refusal>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let session = Session::from_request(req, payload);
        let body = actix_web::web::Bytes::from_request(req, payload);
        let state = state_of(req);
        Box::pin(async move {
            let session = session.await?;
            let state = state?;
            let fields = checked_form(body.await, &csrf_token(&state, &session), "/portal")?;
            Ok(Posted { session, fields })
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn script_data_cannot_close_its_block_and_reads_back_the_same() {
        let data = serde_json::json!({"name": "</script><script>alert(1)</script>", "values": ["1.50"]});
        let text = super::script_json(&data);
        assert!(!text.contains('<'), "{text}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), data);
    }
}
