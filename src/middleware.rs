//! Middleware around every request, outermost first:
//!
//! 1. [`observe`]: a request id (the client's `X-Request-Id` when it is sane, else a new one),
//!    echoed on the response; a tracing span; the access log line; metrics.
//! 2. [`normalize_errors`]: a NUL character in the URL is refused; any error response that is not already our JSON envelope (the
//!    framework's own 404/405/413…) is rewritten into it.
//! 3. the idempotency layer ([`crate::idempotency`]).
//! 4. [`catch_panics`]: a panicking handler answers 500 without details; the worker lives on.
//!
//! None of them may keep a clone of the request across `next.call`: actix's router needs the
//! only reference, and panics if there is another.
//!
//! Plus [`fallback`], the default service: 405 with `Allow` for a known path and another
//! method, else 404.

use std::panic::AssertUnwindSafe;
use std::time::Instant;

use actix_router::ResourceDef;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use futures_util::FutureExt;
use tracing::Instrument;

use crate::error::{self, ApiError, ErrorCode};
use crate::state::AppState;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

fn request_id(req: &ServiceRequest) -> String {
    req.headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().simple().to_string())
}

/// The path as logs show it: a portal link's token is a credential until used, so it is left out.
fn logged_path(path: &str) -> &str {
    if path.starts_with("/portal/enter/") {
        "/portal/enter/…"
    } else {
        path
    }
}

pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let id = request_id(&req);
    let span =
        tracing::info_span!("request", request_id = %id, method = %req.method(), path = %logged_path(req.path()));
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let method = req.method().as_str().to_owned();
    // No clone of the request may be held across `next.call`: routing needs the only one.
    let mut res = match next.call(req).instrument(span.clone()).await {
        Ok(res) => res.map_into_boxed_body(),
        Err(e) => {
            // Only a caught panic takes this path; actix renders `e` (our envelope).
            let status = e.as_response_error().status_code();
            if let Some(state) = &state {
                state.metrics.observe(&method, "unmatched", status.as_str(), started.elapsed().as_secs_f64());
            }
            let _e = span.enter();
            tracing::error!(status = status.as_u16(), "request failed");
            return Err(e);
        }
    };

    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, value);
    }
    let elapsed = started.elapsed();
    let status = res.status();
    // A static route is its own pattern; only paths with parameters need actix's (regex)
    // walk of the route table.
    let route =
        match res.request().app_data::<web::Data<RouteTable>>().and_then(|t| t.static_route(res.request().path())) {
            Some(path) => path.to_string(),
            None => res.request().match_pattern().unwrap_or_else(|| "unmatched".into()),
        };
    if let Some(state) = &state {
        state.metrics.observe(&method, &route, status.as_str(), elapsed.as_secs_f64());
    }
    let _e = span.enter();
    let ms = elapsed.as_secs_f64() * 1000.0;
    if status.is_server_error() {
        tracing::warn!(status = status.as_u16(), route = %route, latency_ms = ms, "request failed");
    } else {
        tracing::info!(status = status.as_u16(), route = %route, latency_ms = ms, "request");
    }
    Ok(res)
}

/// An answer already in its final form: JSON (the envelope), or a page of the portal.
fn is_json_or_page(res: &ServiceResponse<BoxBody>) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json") || ct.starts_with("text/html"))
}

/// A NUL character (`%00`) in the path or the query string: PostgreSQL cannot store or compare
/// such text, so it is refused before any handler or extractor sees it. Names the query
/// parameter at fault. (A URI cannot hold a raw NUL: only its percent-encoded form.)
fn nul_in_url(req: &ServiceRequest) -> Option<ApiError> {
    if req.path().contains("%00") {
        return Some(crate::extract::nul_error(""));
    }
    let query = req.query_string();
    if !query.contains("%00") {
        return None;
    }
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        .map(|(k, _)| crate::extract::nul_error(k.replace('\0', "")))
}

pub async fn normalize_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Some(e) = nul_in_url(&req) {
        return Ok(req.into_response(e.error_response()));
    }
    let res = next.call(req).await?.map_into_boxed_body();
    if res.status().as_u16() < 400 || is_json_or_page(&res) {
        return Ok(res);
    }
    let status = res.status();
    let keep: Vec<(HeaderName, HeaderValue)> = [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE]
        .into_iter()
        .filter_map(|h| res.headers().get(&h).map(|v| (h, v.clone())))
        .collect();
    let mut e = error::for_status(status);
    for (h, v) in keep {
        e = e.with_header(h, v);
    }
    Ok(res.into_response(e.error_response()))
}

pub async fn catch_panics(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    match AssertUnwindSafe(next.call(req)).catch_unwind().await {
        Ok(result) => result.map(ServiceResponse::map_into_boxed_body),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            // The request went down with the handler, so the answer travels as an error, which
            // actix renders with `ApiError::error_response`: the opaque 500 envelope.
            Err(ApiError::internal(anyhow::anyhow!("handler panicked: {what}")).into())
        }
    }
}

/// The documented routes and their methods, for telling 405 from 404 (and for labelling
/// metrics cheaply).
pub struct RouteTable {
    routes: Vec<(ResourceDef, Vec<Method>)>,
    statics: std::collections::HashSet<String>,
}

impl RouteTable {
    pub fn from_openapi(api: &utoipa::openapi::OpenApi) -> RouteTable {
        let routes = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    (Method::GET, item.get.is_some()),
                    (Method::POST, item.post.is_some()),
                    (Method::PUT, item.put.is_some()),
                    (Method::PATCH, item.patch.is_some()),
                    (Method::DELETE, item.delete.is_some()),
                ];
                (ResourceDef::new(path.as_str()), methods.into_iter().filter(|(_, on)| *on).map(|(m, _)| m).collect())
            })
            .collect();
        let statics = api.paths.paths.keys().filter(|p| !p.contains('{')).cloned().collect();
        RouteTable { routes, statics }
    }

    fn allowed(&self, path: &str) -> Option<&[Method]> {
        self.routes.iter().find(|(def, _)| def.is_match(path)).map(|(_, m)| m.as_slice())
    }

    /// `path` itself when it is a route without parameters.
    pub fn static_route<'a>(&self, path: &'a str) -> Option<&'a str> {
        self.statics.contains(path).then_some(path)
    }
}

pub async fn fallback(req: HttpRequest, routes: web::Data<RouteTable>) -> HttpResponse {
    match routes.allowed(req.path()) {
        Some(methods) if !methods.contains(req.method()) => {
            let allow = methods.iter().map(Method::as_str).collect::<Vec<_>>().join(", ");
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::MethodNotAllowed,
                format!("{} is not allowed here; use {allow}", req.method()),
            )
            .with_header(header::ALLOW, HeaderValue::from_str(&allow).unwrap_or(HeaderValue::from_static("GET")))
            .error_response()
        }
        _ => ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::RouteNotFound,
            format!("no route {} {}", req.method(), req.path()),
        )
        .error_response(),
    }
}
