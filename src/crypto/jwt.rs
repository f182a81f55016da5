//! Access tokens for tenant users: HS256 JWTs with the algorithm pinned, and `iss`, `aud`
//! and `exp` required and checked. Expiry is checked against our [`Clock`](crate::clock::Clock).

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::ids::{TenantId, UserId};

pub const ISSUER: &str = "tollgate";
pub const AUDIENCE: &str = "tollgate-api";
/// Access tokens live one hour.
pub const TTL_SECONDS: i64 = 3600;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: UserId,
    pub tid: TenantId,
    pub iat: i64,
    pub exp: i64,
}

/// The HMAC key for access tokens, derived from the root secret (`JWT_SECRET`).
pub fn signing_key(root_secret: &str) -> [u8; 32] {
    crate::crypto::hmac_sha256(root_secret.as_bytes(), &[b"tollgate/jwt/v1"])
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl JwtKeys {
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        // `exp` is compared with our clock below, not with the system time.
        validation.validate_exp = false;
        validation.leeway = 0;
        Self { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret), validation }
    }

    pub fn issue(&self, user: UserId, tenant: TenantId, now: i64) -> ApiResult<String> {
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: user,
            tid: tenant,
            iat: now,
            exp: now + TTL_SECONDS,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(ApiError::internal)
    }

    pub fn verify(&self, token: &str, now: i64) -> ApiResult<Claims> {
        let invalid = || ApiError::unauthenticated(ErrorCode::InvalidToken, "the access token is invalid");
        let data = decode::<Claims>(token, &self.decoding, &self.validation).map_err(|_| invalid())?;
        let c = data.claims;
        if c.exp <= now {
            return Err(ApiError::unauthenticated(
                ErrorCode::TokenExpired,
                "the access token has expired; log in again",
            ));
        }
        if c.iat > now + 60 || c.exp - c.iat > TTL_SECONDS {
            return Err(invalid());
        }
        Ok(c)
    }
}
