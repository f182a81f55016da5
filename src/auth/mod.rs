//! Who is calling. Two kinds of credentials reach the API as `Authorization: Bearer …`:
//!
//! - a tenant **secret key** (`sk_test_…`, `sk_live_…`), found by its SHA-256 hash; it acts in
//!   its own tenant and mode only;
//! - a tenant **user's access token** (a JWT from signup or login); it acts in test mode unless
//!   the request sends `Billing-Mode: live`.
//!
//! [`authenticate`] resolves the caller once per request (the result is kept in the request's
//! extensions, so middleware and the handler share it); [`Auth`] is the extractor.

pub mod tokens;

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use crate::cache::SecretKeyEntry;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::ids::{Resource, SecretKeyId, UserId};
use crate::state::AppState;
use crate::tenancy::{Mode, Scope};

pub const BILLING_MODE_HEADER: &str = "Billing-Mode";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    SecretKey(SecretKeyId),
    User(UserId),
    /// A customer in the customer portal. The portal checks that what they act on is theirs
    /// before it calls a service.
    Portal(crate::ids::CustomerId),
}

/// An authenticated caller and the tenant and mode it acts in.
#[derive(Debug, Clone, Copy)]
pub struct Auth {
    pub scope: Scope,
    pub actor: Actor,
}

/// A person signed in with an access token from login. Account administration (secret keys,
/// the tenant's settings) is for people, not for servers: a leaked secret key must not be able
/// to mint more keys. As an extractor it refuses a secret key with 403 `user_token_required`;
/// services that take it cannot be called for anyone else.
#[derive(Debug, Clone, Copy)]
pub struct Person {
    pub scope: Scope,
    pub user: UserId,
}

impl TryFrom<Auth> for Person {
    type Error = ApiError;

    fn try_from(auth: Auth) -> ApiResult<Person> {
        match auth.actor {
            Actor::User(user) => Ok(Person { scope: auth.scope, user }),
            Actor::SecretKey(_) | Actor::Portal(_) => Err(ApiError::forbidden(
                ErrorCode::UserTokenRequired,
                "this call needs a user's access token (from login), not a secret key",
            )),
        }
    }
}

fn bearer(req: &HttpRequest) -> ApiResult<&str> {
    let value = req.headers().get(header::AUTHORIZATION).ok_or_else(|| {
        ApiError::unauthenticated(
            ErrorCode::AuthenticationRequired,
            "send `Authorization: Bearer <secret key or access token>`",
        )
    })?;
    let value = value.to_str().unwrap_or("");
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(ApiError::unauthenticated(
            ErrorCode::InvalidAuthorizationHeader,
            "the Authorization header must be `Bearer <token>`",
        ));
    }
    Ok(token)
}

fn requested_mode(req: &HttpRequest) -> ApiResult<Option<Mode>> {
    match req.headers().get(BILLING_MODE_HEADER) {
        None => Ok(None),
        Some(v) => v.to_str().ok().and_then(|v| Mode::parse(v.trim())).map(Some).ok_or_else(|| {
            ApiError::bad_request(ErrorCode::ParameterInvalid, "Billing-Mode must be `test` or `live`")
                .with_param(BILLING_MODE_HEADER)
        }),
    }
}

/// Resolves the caller of `req`, once.
pub async fn authenticate(req: &HttpRequest) -> ApiResult<Auth> {
    if let Some(auth) = req.extensions().get::<Auth>() {
        return Ok(*auth);
    }
    let state =
        req.app_data::<web::Data<AppState>>().ok_or_else(|| ApiError::internal(anyhow::anyhow!("no AppState")))?;
    let token = bearer(req)?;
    let requested = requested_mode(req)?;

    let auth = if token.starts_with("sk_") {
        let key = tokens::parse_secret_key(token)
            .ok_or_else(|| ApiError::unauthenticated(ErrorCode::InvalidApiKey, "the secret key is not valid"))?;
        let hash = crate::crypto::sha256(token.as_bytes());
        let pool = &state.pool;
        let row = state
            .caches
            .get_or_load(&state.caches.secret_keys, hash, || {
                crate::db::run(pool, move |conn| Ok(find_secret_key(conn, &hash)?))
            })
            .await?;
        let row =
            row.ok_or_else(|| ApiError::unauthenticated(ErrorCode::InvalidApiKey, "the secret key is not valid"))?;
        if row.revoked {
            return Err(ApiError::unauthenticated(ErrorCode::ApiKeyRevoked, "the secret key was revoked"));
        }
        debug_assert_eq!(row.mode, key.mode);
        if requested.is_some_and(|m| m != row.mode) {
            return Err(ApiError::forbidden(
                ErrorCode::ModeMismatch,
                "a secret key acts only in its own mode; drop the Billing-Mode header",
            ));
        }
        Auth { scope: Scope { tenant_id: row.tenant_id, mode: row.mode }, actor: Actor::SecretKey(row.id) }
    } else {
        let claims = state.jwt.verify(token, state.clock.now().timestamp())?;
        Auth {
            scope: Scope { tenant_id: claims.tid, mode: requested.unwrap_or(Mode::Test) },
            actor: Actor::User(claims.sub),
        }
    };
    req.extensions_mut().insert(auth);
    Ok(auth)
}

/// The secret key with this SHA-256 hash, as the cache keeps it.
fn find_secret_key(conn: &mut crate::db::PgConn, hash: &[u8; 32]) -> diesel::QueryResult<Option<SecretKeyEntry>> {
    use crate::schema::secret_keys::dsl::*;
    use diesel::prelude::*;
    let row: Option<(crate::ids::TenantId, Mode, SecretKeyId, Option<chrono::DateTime<chrono::Utc>>)> =
        secret_keys.filter(key_hash.eq(&hash[..])).select((tenant_id, mode, id, revoked_at)).first(conn).optional()?;
    Ok(row.map(|(t, m, i, revoked)| SecretKeyEntry { tenant_id: t, mode: m, id: i, revoked: revoked.is_some() }))
}

/// An id from an address (a route's segment, an API path or a web page's): text that is not an
/// id of this kind is "no such …" (404), as an unknown id or another tenant's is.
pub fn id_from_path<T: Resource>(raw: &str) -> ApiResult<T> {
    raw.parse().map_err(|_| ApiError::not_found(T::RESOURCE))
}

/// The route's `{id}` as a typed id. A segment that is not an id of this kind is a 404 for its
/// resource, as an unknown id or another tenant's is. The caller is authenticated first, so a bad
/// credential answers 401 whatever the path holds (actix polls a handler's extractors together,
/// and would otherwise let this one's error win).
pub struct PathId<T>(pub T);

impl<T: Resource + 'static> FromRequest for PathId<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = ApiResult<PathId<T>>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            authenticate(&req).await?;
            id_from_path(req.match_info().get("id").unwrap_or_default()).map(PathId)
        })
    }
}

impl FromRequest for Person {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = ApiResult<Person>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(&req).await?.try_into() })
    }
}

impl FromRequest for Auth {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = ApiResult<Auth>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(&req).await })
    }
}
