//! Stripe's webhook signatures (`Stripe-Signature: t=…,v1=…[,v1=…]`): HMAC-SHA256 over
//! `"{t}.{raw body}"`, keyed by the endpoint secret's bytes (`whsec_` included), hex. Any `v1`
//! may match (Stripe sends several while a secret rolls); other schemes are ignored. The
//! timestamp must be within the tolerance of now, both ways, so a captured delivery cannot be
//! replayed later.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Stripe's own libraries' default.
pub const TOLERANCE_SECONDS: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the Stripe-Signature header is missing or malformed")]
    Malformed,
    #[error("the signature's timestamp is too far from now")]
    Stale,
    #[error("no signature matches")]
    Mismatch,
}

pub fn verify(header: &str, body: &[u8], secret: &str, now_unix: i64) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = Some(t.parse::<i64>().map_err(|_| SignatureError::Malformed)?),
            Some(("v1", sig)) => candidates.push(sig),
            _ => {}
        }
    }
    let t = timestamp.ok_or(SignatureError::Malformed)?;
    if candidates.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if now_unix.abs_diff(t) > TOLERANCE_SECONDS as u64 {
        return Err(SignatureError::Stale);
    }
    let expected = sign(secret, t, body);
    let matched = candidates
        .iter()
        .filter_map(|c| decode_hex(c))
        .fold(false, |acc, c| acc | crate::crypto::constant_time_eq(&c, &expected));
    if matched {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The `v1` signature of `body` at `t`.
pub fn sign(secret: &str, t: i64, body: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().into()
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// A vector computed independently (Python: hmac.new(b"whsec_test", b"1700000000.{}", sha256)).
    #[test]
    fn matches_an_independent_computation() {
        assert_eq!(
            hex(&sign("whsec_test", 1_700_000_000, b"{}")),
            "35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
        );
    }

    #[test]
    fn any_v1_may_match_within_the_tolerance() {
        let body = br#"{"id":"evt_1"}"#;
        let good = hex(&sign("whsec_a", 1000, body));
        let header = format!("t=1000,v1={},v1={good},v0=zz", "00".repeat(32));
        assert_eq!(verify(&header, body, "whsec_a", 1000), Ok(()));
        assert_eq!(verify(&header, body, "whsec_a", 1300), Ok(()));
        assert_eq!(verify(&header, body, "whsec_a", 1301), Err(SignatureError::Stale));
        assert_eq!(verify(&header, body, "whsec_a", 699), Err(SignatureError::Stale));
        assert_eq!(verify(&header, body, "whsec_b", 1000), Err(SignatureError::Mismatch));
        assert_eq!(verify(&header, b"{}", "whsec_a", 1000), Err(SignatureError::Mismatch));
        assert_eq!(verify("v1=abc", body, "whsec_a", 1000), Err(SignatureError::Malformed));
        assert_eq!(verify("t=1000", body, "whsec_a", 1000), Err(SignatureError::Malformed));
        assert_eq!(verify("t=x,v1=00", body, "whsec_a", 1000), Err(SignatureError::Malformed));
    }
}
