//! The HTTP front: authentication, injected faults, idempotency, request records, and the small
//! hosted checkout page; the endpoints themselves live in `api`.

use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, MessageBody};
use actix_web::http::StatusCode;
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse};
use base64::Engine;
use serde_json::Value;

use crate::state::{new_id, with_owner, ApiError, Ctx, State, Stored, API_VERSION};
use crate::{api, form, Fault, RequestRecord, Shared};

struct Reply {
    account: Option<String>,
    status: u16,
    body: String,
    request_id: String,
    idempotency_key: Option<String>,
    replayed: bool,
    lose: bool,
}

pub async fn handle(req: HttpRequest, body: Bytes, shared: web::Data<Shared>) -> HttpResponse {
    let path = req.path().to_owned();
    if !path.starts_with("/v1/") {
        return page(&req, &body, &shared);
    }
    let method = req.method().as_str().to_owned();
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let key = header("Authorization").and_then(|h| api_key(&h));
    let params = if method == "POST" { form::parse(&body) } else { form::parse(req.query_string().as_bytes()) };
    // Only POSTs are idempotent at Stripe; the header is ignored on GET and DELETE.
    let idempotency_key = header("Idempotency-Key").filter(|_| method == "POST");
    let reply = process(&mut shared.lock(), &method, &path, key, idempotency_key, params);

    let mut response =
        HttpResponse::build(StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    response
        .content_type("application/json")
        .insert_header(("Request-Id", reply.request_id))
        .insert_header(("Stripe-Version", API_VERSION));
    if let Some(key) = reply.idempotency_key {
        response.insert_header(("Idempotency-Key", key));
    }
    if reply.replayed {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    if reply.lose {
        let size = reply.body.len() as u64;
        let half = Bytes::from(reply.body).slice(..(size as usize) / 2);
        return response.body(CutShort { first: Some(half), size });
    }
    response.body(reply.body)
}

/// The key from `Bearer <key>` or `Basic base64(<key>:)`.
fn api_key(header: &str) -> Option<String> {
    let (scheme, value) = header.trim().split_once(' ')?;
    match scheme.to_ascii_lowercase().as_str() {
        "bearer" => Some(value.trim().to_owned()),
        "basic" => {
            let decoded = base64::engine::general_purpose::STANDARD.decode(value.trim()).ok()?;
            let text = String::from_utf8(decoded).ok()?;
            Some(text.split(':').next().unwrap_or_default().to_owned())
        }
        _ => None,
    }
}

/// "sk_test_****abcd", as Stripe shows keys in its errors.
fn mask(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    let prefix = chars.iter().enumerate().filter(|(_, c)| **c == '_').nth(1).map_or(0, |(i, _)| i + 1);
    let tail = chars.len().saturating_sub(4).max(prefix);
    format!("{}****{}", chars[..prefix].iter().collect::<String>(), chars[tail..].iter().collect::<String>())
}

fn authenticate(st: &State, key: Option<String>) -> Result<String, ApiError> {
    let Some(key) = key.filter(|k| !k.is_empty()) else {
        return Err(ApiError::new(401, "invalid_request_error", None, "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.", None));
    };
    match st.keys.get(&key) {
        Some(info) if info.revoked => Err(ApiError::new(
            401,
            "invalid_request_error",
            Some("api_key_expired"),
            &format!("Expired API Key provided: {}", mask(&key)),
            None,
        )),
        Some(info) if st.accounts.contains_key(&info.account) => Ok(info.account.clone()),
        _ => Err(ApiError::new(
            401,
            "invalid_request_error",
            None,
            &format!("Invalid API Key provided: {}", mask(&key)),
            None,
        )),
    }
}

/// Answers one API request and records it.
fn process(
    st: &mut State,
    method: &str,
    path: &str,
    key: Option<String>,
    idem: Option<String>,
    params: Value,
) -> Reply {
    let mut reply = Reply {
        account: None,
        status: 0,
        body: String::new(),
        request_id: new_id("req"),
        idempotency_key: idem.clone(),
        replayed: false,
        lose: false,
    };
    (reply.status, reply.body) = answer(st, method, path, key, &params, &mut reply);
    let (account, status, replayed) = (reply.account.clone(), reply.status, reply.replayed);
    let record =
        RequestRecord { method: method.into(), path: path.into(), account, idempotency_key: idem, status, replayed };
    st.requests.push(record);
    reply
}

fn answer(
    st: &mut State,
    method: &str,
    path: &str,
    key: Option<String>,
    params: &Value,
    reply: &mut Reply,
) -> (u16, String) {
    let account = match authenticate(st, key) {
        Ok(account) => account,
        Err(e) => return e.parts(),
    };
    reply.account = Some(account.clone());

    let at = st.faults.iter().position(|(only, m, prefix, _)| {
        only.as_ref().is_none_or(|a| *a == account)
            && m.eq_ignore_ascii_case(method)
            && path.starts_with(prefix.as_str())
    });
    match at.and_then(|i| st.faults.remove(i)).map(|(_, _, _, f)| f) {
        Some(Fault::Status(status)) => return fault(status).parts(),
        Some(Fault::LoseResponse) => reply.lose = true,
        None => {}
    }

    let slot = reply.idempotency_key.clone().map(|k| (account.clone(), k));
    if let Some((stored, (_, key))) = slot.as_ref().and_then(|s| Some((st.idempotency.get(s)?, s))) {
        if stored.method == method && stored.path == path && stored.params == *params {
            reply.replayed = true;
            reply.request_id = stored.request_id.clone();
            return (stored.status, stored.body.clone());
        }
        let message = format!("Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request.");
        return ApiError::new(400, "idempotency_error", None, &message, None).parts();
    }

    let request_id = Some(reply.request_id.clone());
    let mut ctx = Ctx { st, account, request_id, idempotency_key: reply.idempotency_key.clone() };
    let (status, body) = match api::route(&mut ctx, method, path, params) {
        Ok(value) => (200, serde_json::to_string_pretty(&value).unwrap_or_default()),
        Err(e) => e.parts(),
    };
    if let Some(slot) = slot {
        let (method, path, params, body) = (method.into(), path.into(), params.clone(), body.clone());
        st.idempotency
            .insert(slot, Stored { request_id: reply.request_id.clone(), method, path, params, status, body });
    }
    (status, body)
}

/// An injected failure, worded as Stripe words it.
fn fault(status: u16) -> ApiError {
    match status {
        429 => ApiError::new(429, "invalid_request_error", Some("rate_limit"), "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.", None),
        500.. => ApiError::new(status, "api_error", None, "Sorry, something went wrong. We've already been notified of the problem, but if you need any help, you can reach us at support.stripe.com/contact.", None),
        _ => ApiError::new(status, "invalid_request_error", None, "Injected fault.", None),
    }
}

/// A body that announces its full length, sends half, then fails: the connection drops mid-answer.
struct CutShort {
    first: Option<Bytes>,
    size: u64,
}

impl MessageBody for CutShort {
    type Error = std::io::Error;

    fn size(&self) -> BodySize {
        BodySize::Sized(self.size)
    }

    fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Poll::Ready(Some(match self.get_mut().first.take() {
            Some(half) => Ok(half),
            None => Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "fake-stripe: response lost")),
        }))
    }
}

/// The hosted checkout page: pick a test card, and the session completes as if the customer had.
fn page(req: &HttpRequest, body: &Bytes, shared: &Shared) -> HttpResponse {
    let segments: Vec<&str> = req.path().trim_matches('/').split('/').collect();
    let (method, path) = (req.method().as_str(), req.path());
    let html = |status: StatusCode, text: String| {
        HttpResponse::build(status).content_type("text/html; charset=utf-8").body(text)
    };
    match (method, segments.as_slice()) {
        ("GET", ["checkout", id]) => {
            let cards = ["pm_card_visa", "pm_card_mastercard", "pm_card_chargeDeclined", "pm_card_chargeCustomerFail"];
            let buttons: String =
                cards.iter().map(|c| format!("<button name=\"payment_method\" value=\"{c}\">{c}</button> ")).collect();
            html(StatusCode::OK, format!("<!doctype html><title>Fake Stripe Checkout</title><h1>Set up a card</h1><p>Session {}</p><form method=\"post\">{buttons}</form>", id.replace('<', "&lt;")))
        }
        ("POST", ["checkout", id]) => {
            let pm = form::parse(body)["payment_method"].as_str().unwrap_or("pm_card_visa").to_owned();
            let result = with_owner(&mut shared.lock(), id, |ctx| api::complete_session(ctx, id, &pm));
            match result {
                Ok(session) => match session["success_url"].as_str() {
                    Some(url) => HttpResponse::SeeOther()
                        .insert_header(("Location", url.replace("{CHECKOUT_SESSION_ID}", id)))
                        .finish(),
                    None => html(StatusCode::OK, "<!doctype html><p>Card saved.</p>".into()),
                },
                Err(e) => html(StatusCode::BAD_REQUEST, format!("<!doctype html><p>{}</p>", e.replace('<', "&lt;"))),
            }
        }
        _ => {
            let e = ApiError::new(
                404,
                "invalid_request_error",
                None,
                &format!("Unrecognized request URL ({method}: {path})."),
                None,
            );
            HttpResponse::NotFound().content_type("application/json").body(e.body().to_string())
        }
    }
}
