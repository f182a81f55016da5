//! Login throttling: guessing passwords must be slow, and must not tell an unknown email from a
//! wrong password.
//!
//! Every attempt is charged, before any password is hashed (so a flood costs no Argon2 work), to
//! two GCRA buckets ([`crate::ratelimit`]): one for the email, whether or not it belongs to
//! anyone, and one for the client's address (the TCP peer; behind a reverse proxy that is the
//! proxy, which shares the generous per-address budget among its clients). When either is empty
//! the answer is 429 `rate_limited` with `Retry-After`, the same for every email. A successful
//! login refills the email's bucket. The buckets are per instance, like verify's rate limits.

use std::net::IpAddr;

use actix_web::http::header::{HeaderValue, RETRY_AFTER};
use actix_web::http::StatusCode;

use crate::error::{ApiError, ErrorCode};
use crate::ratelimit::{Decision, RateLimiter};

/// Attempts per email: a burst of 10, then one a minute (10 per 600 s).
pub const PER_EMAIL: (u32, u32) = (10, 600);
/// Attempts per client address: a burst of 100, then one a second.
pub const PER_ADDRESS: (u32, u32) = (100, 100);

#[derive(Default)]
pub struct LoginThrottle {
    by_email: RateLimiter<[u8; 32]>,
    by_address: RateLimiter<IpAddr>,
}

fn email_key(email: &str) -> [u8; 32] {
    crate::crypto::sha256(email.trim().to_lowercase().as_bytes())
}

fn refused(d: Decision) -> ApiError {
    ApiError::new(StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited, "too many login attempts; try again later")
        .with_header(RETRY_AFTER, HeaderValue::from(d.retry_after_seconds()))
}

impl LoginThrottle {
    /// Takes one attempt for `email` from `address` at `now_us`, or answers 429.
    pub fn attempt(&self, email: &str, address: Option<IpAddr>, now_us: i64) -> Result<(), ApiError> {
        if let Some(ip) = address {
            let d = self.by_address.check(&ip, PER_ADDRESS.0, PER_ADDRESS.1, now_us);
            if !d.allowed {
                return Err(refused(d));
            }
        }
        let d = self.by_email.check(&email_key(email), PER_EMAIL.0, PER_EMAIL.1, now_us);
        if !d.allowed {
            return Err(refused(d));
        }
        Ok(())
    }

    /// The right password: the email's bucket is full again.
    pub fn succeeded(&self, email: &str) {
        self.by_email.forget(&email_key(email));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_attempts_per_email_then_one_a_minute() {
        let t = LoginThrottle::default();
        let ip = Some(IpAddr::from([192, 0, 2, 1]));
        for _ in 0..10 {
            assert!(t.attempt("ada@example.com", ip, 0).is_ok());
        }
        let e = t.attempt("ADA@example.com ", ip, 0).unwrap_err();
        assert_eq!(e.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(t.attempt("bob@example.com", ip, 0).is_ok(), "other emails are not affected");
        assert!(t.attempt("ada@example.com", ip, 59_000_000).is_err());
        assert!(t.attempt("ada@example.com", ip, 60_000_000).is_ok());
        t.succeeded("ada@example.com");
        assert!(t.attempt("ada@example.com", ip, 60_000_000).is_ok());
    }

    #[test]
    fn one_address_gets_a_hundred_then_one_a_second() {
        let t = LoginThrottle::default();
        let ip = Some(IpAddr::from([192, 0, 2, 7]));
        let allowed = (0..150).filter(|i| t.attempt(&format!("u{i}@example.com"), ip, 0).is_ok()).count();
        assert_eq!(allowed, 100);
        assert!(t.attempt("x@example.com", Some(IpAddr::from([192, 0, 2, 8])), 0).is_ok());
        assert!(t.attempt("y@example.com", ip, 1_000_000).is_ok());
    }
}
