//! `Idempotency-Key` for every authenticated `POST`, as docs/api.md specifies.
//!
//! The first request with a key runs and its answer (status and body) is stored; the same key
//! with the same request replays that answer, marked `Idempotent-Replayed: true`; the same key
//! with a different request is refused with 422 `idempotency_key_reused`. A request that
//! arrives while the first is still running waits for it (up to
//! [`Settings::idempotency_wait`](crate::config::Settings)) and replays its answer, so
//! concurrent identical requests have one effect and identical answers; if the first is still
//! running after that, 409 `idempotency_key_in_use`.
//!
//! Keys are scoped to the credential that sent them (which secret key, or which person), within
//! its tenant and mode, and kept 24 hours. The same key from another credential is another
//! key: that request runs as a new one, and an answer is never replayed to a credential other
//! than the one that made it (a test key must not receive a live key's answer, nor one person
//! another's). The caller is authenticated before anything is looked up, so a revoked key or an
//! expired token gets its 401, not a replay. Answers are stored encrypted under a key derived
//! from the credential, the Idempotency-Key and the server secret, because an answer may hold a
//! secret shown only once (a new key); the database holds only HMACs of the keys. A 5xx answer
//! is not stored: nothing was committed, and the client may retry.
//!
//! The hot path does not go through this layer: `POST /v1/verify`, because a verdict must reflect
//! the present (a key revoked since must not be answered `VALID` from a stored answer), and
//! `POST /v1/usage[/batch]`, whose events each carry a required `event_id` that makes a retry
//! safe forever, not only for 24 hours. Both skip the two extra database round trips.
//!
//! Limit: the handler's transaction and the stored answer are committed separately; if the
//! server dies between the two, a retry after [`STALE_AFTER`] runs the request again.

pub mod repo;

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse, ResponseError};
use chrono::TimeDelta;

use self::repo::Begin;
use crate::auth::{authenticate, Actor, Auth};
use crate::crypto::{hmac_sha256, open, seal};
use crate::error::{ApiError, ErrorCode};
use crate::extract::{read_body, MAX_BODY_BYTES};
use crate::state::AppState;

pub const HEADER: HeaderName = HeaderName::from_static("idempotency-key");
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// How long answers are kept.
pub const RETENTION: TimeDelta = TimeDelta::hours(24);
/// An unfinished claim older than this belongs to a server that died.
pub const STALE_AFTER: TimeDelta = TimeDelta::seconds(60);
const MAX_KEY_LEN: usize = 255;

/// What is stored about a key and its request: HMACs only, plus the key that seals the answer.
pub struct Digests {
    pub key_digest: [u8; 32],
    pub seal_key: [u8; 32],
    pub request_digest: [u8; 32],
}

impl Digests {
    pub fn new(
        secret: &[u8; 32],
        auth: Auth,
        key: &str,
        method: &str,
        path: &str,
        query: &str,
        body: &[u8],
    ) -> Digests {
        let scope = auth.scope;
        let (tenant, mode) = (scope.tenant_id.0.as_bytes(), scope.mode.as_str().as_bytes());
        let (kind, id): (&[u8], &[u8]) = match &auth.actor {
            Actor::SecretKey(id) => (b"secret_key", id.0.as_bytes()),
            Actor::User(id) => (b"user", id.0.as_bytes()),
            Actor::Portal(id) => (b"portal", id.0.as_bytes()),
        };
        let key_digest = hmac_sha256(secret, &[b"key", tenant, mode, kind, id, key.as_bytes()]);
        let seal_key = hmac_sha256(secret, &[b"seal", tenant, mode, kind, id, key.as_bytes()]);
        let request_digest = hmac_sha256(&seal_key, &[method.as_bytes(), path.as_bytes(), query.as_bytes(), body]);
        Digests { key_digest, seal_key, request_digest }
    }
}

/// Routes whose answers are never replayed (see the module's documentation).
pub fn exempt(path: &str) -> bool {
    matches!(path, "/v1/verify" | "/v1/usage" | "/v1/usage/batch")
}

fn error(e: ApiError, req: ServiceRequest) -> ServiceResponse<BoxBody> {
    req.into_response(e.error_response())
}

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if req.method() != Method::POST || !req.headers().contains_key(&HEADER) || exempt(req.path()) {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    }
    // Unauthenticated calls (signup, login, bad credentials) go through unchanged, whatever the
    // header holds; the handler answers them itself.
    let Ok(auth) = authenticate(req.request()).await else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    let key = req.headers().get(&HEADER).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
        let e = ApiError::bad_request(
            ErrorCode::ParameterInvalid,
            "Idempotency-Key must be 1 to 255 visible ASCII characters",
        )
        .with_param("Idempotency-Key");
        return Ok(error(e, req));
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };

    let mut payload = req.take_payload();
    let body = match read_body(req.request(), &mut payload, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(e) => return Ok(error(e, req)),
    };

    let scope = auth.scope;
    let Digests { key_digest, seal_key, request_digest } = Digests::new(
        &state.idempotency_secret,
        auth,
        &key,
        req.method().as_str(),
        req.path(),
        req.query_string(),
        &body,
    );
    req.set_payload(Payload::from(body));

    let deadline = Instant::now() + state.settings.idempotency_wait;
    let begin = loop {
        let (pool, now) = (state.pool.clone(), state.clock.now());
        let outcome = crate::db::run(&pool, move |conn| {
            Ok(repo::begin(conn, scope, &key_digest, &request_digest, now, STALE_AFTER, RETENTION)?)
        })
        .await;
        match outcome {
            Ok(Begin::InProgress) if Instant::now() < deadline => {
                actix_web::rt::time::sleep(std::time::Duration::from_millis(25)).await
            }
            Ok(b) => break b,
            Err(e) => return Ok(error(e, req)),
        }
    };

    match begin {
        Begin::Mismatch => Ok(error(
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::IdempotencyKeyReused,
                "this Idempotency-Key was already used with a different request",
            )
            .with_param("Idempotency-Key"),
            req,
        )),
        Begin::InProgress => Ok(error(
            ApiError::conflict(
                ErrorCode::IdempotencyKeyInUse,
                "a request with this Idempotency-Key is still running; retry shortly",
            ),
            req,
        )),
        Begin::Replay { status, sealed } => {
            let Some(body) = open(&seal_key, &sealed) else {
                // Only if the server secret changed since the answer was stored.
                return Ok(error(
                    ApiError::conflict(
                        ErrorCode::IdempotencyKeyUnreadable,
                        "the stored answer for this Idempotency-Key cannot be read; use a new key",
                    ),
                    req,
                ));
            };
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let res = HttpResponse::build(status)
                .insert_header((header::CONTENT_TYPE, HeaderValue::from_static("application/json")))
                .insert_header((REPLAYED, HeaderValue::from_static("true")))
                .body(body);
            Ok(req.into_response(res))
        }
        Begin::Proceed => {
            let pool = state.pool.clone();
            let res = match next.call(req).await {
                Ok(r) => r.map_into_boxed_body(),
                Err(e) => {
                    // A caught panic: nothing to store, and the client may retry.
                    let _ = crate::db::run(&pool, move |conn| Ok(repo::release(conn, scope, &key_digest)?)).await;
                    return Err(e);
                }
            };
            let (http_req, http_res) = res.into_parts();
            let status = http_res.status();
            let (head, body) = http_res.into_parts();
            let bytes = match actix_web::body::to_bytes(body).await {
                Ok(b) => b,
                Err(_) => {
                    let _ = crate::db::run(&pool, move |conn| Ok(repo::release(conn, scope, &key_digest)?)).await;
                    return Ok(ServiceResponse::new(
                        http_req,
                        ApiError::internal(anyhow::anyhow!("response body failed")).error_response(),
                    ));
                }
            };
            let stored = if status.is_server_error() {
                crate::db::run(&pool, move |conn| Ok(repo::release(conn, scope, &key_digest)?)).await
            } else {
                let sealed = seal(&seal_key, &bytes);
                crate::db::run(&pool, move |conn| {
                    Ok(repo::complete(conn, scope, &key_digest, status.as_u16(), &sealed)?)
                })
                .await
            };
            if let Err(e) = stored {
                tracing::error!(error = %e, "could not record the idempotent answer");
            }
            Ok(ServiceResponse::new(http_req, head.set_body(bytes).map_into_boxed_body()))
        }
    }
}

/// Deletes answers older than [`RETENTION`], every ten minutes.
pub async fn purge_forever(state: web::Data<AppState>) {
    loop {
        let (pool, cutoff) = (state.pool.clone(), state.clock.now() - RETENTION);
        match crate::db::run(&pool, move |conn| Ok(repo::purge(conn, cutoff)?)).await {
            Ok(n) if n > 0 => tracing::debug!(deleted = n, "purged expired idempotency keys"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not purge idempotency keys"),
        }
        actix_web::rt::time::sleep(std::time::Duration::from_secs(600)).await;
    }
}
