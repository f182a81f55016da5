//! Small cryptographic helpers: random tokens, digests, derived keys and sealed blobs.
//! Every primitive is a RustCrypto implementation; nothing here is invented. Passwords
//! ([`password`]) and access tokens ([`jwt`]) have their own files.

pub mod jwt;
pub mod password;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `len` random base62 characters from the OS generator, by rejection sampling (no modulo
/// bias): 32 characters carry about 190 bits.
pub fn random_base62(len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        rand::rngs::OsRng.fill_bytes(&mut buf);
        for &b in &buf {
            // 248 = 4 × 62: bytes at or above it would favour the first characters.
            if b < 248 && out.len() < len {
                out.push(BASE62[(b % 62) as usize] as char);
            }
        }
    }
    out
}

pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    for part in parts {
        // Length-prefixed, so ("ab","c") and ("a","bc") differ.
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// Constant-time equality of two byte strings.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Encrypts and authenticates `plaintext` under a 32-byte key; the output carries its nonce.
pub fn seal(key: &[u8; 32], plaintext: &[u8]) -> Vec<u8> {
    seal_bound(key, b"", plaintext)
}

/// Reverses [`seal`]; `None` when the key is wrong or the blob was altered.
pub fn open(key: &[u8; 32], sealed: &[u8]) -> Option<Vec<u8>> {
    open_bound(key, b"", sealed)
}

/// [`seal`], bound to `context` (associated data: authenticated, not stored): the blob opens
/// only with the same context, so a sealed secret copied to another tenant's row is useless.
pub fn seal_bound(key: &[u8; 32], context: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let cipher = XChaCha20Poly1305::new(key.into());
    let mut nonce = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let mut out = nonce.to_vec();
    let payload = Payload { msg: plaintext, aad: context };
    out.extend(cipher.encrypt(&XNonce::from(nonce), payload).expect("encryption of an in-memory buffer"));
    out
}

/// Reverses [`seal_bound`] with the same context.
pub fn open_bound(key: &[u8; 32], context: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    if sealed.len() < 24 {
        return None;
    }
    let (nonce, ciphertext) = sealed.split_at(24);
    let nonce: [u8; 24] = nonce.try_into().ok()?;
    let payload = Payload { msg: ciphertext, aad: context };
    XChaCha20Poly1305::new(key.into()).decrypt(&XNonce::from(nonce), payload).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_tokens_have_the_asked_length_and_alphabet() {
        let t = random_base62(32);
        assert_eq!(t.len(), 32);
        assert!(t.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(t, random_base62(32));
    }

    #[test]
    fn sealed_blobs_open_only_with_their_key() {
        let k = [7u8; 32];
        let blob = seal(&k, b"sk_test_secret");
        assert!(!blob.windows(4).any(|w| w == b"sk_t"), "ciphertext hides the plaintext");
        assert_eq!(open(&k, &blob).as_deref(), Some(&b"sk_test_secret"[..]));
        assert_eq!(open(&[8u8; 32], &blob), None);
        let mut tampered = blob.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(open(&k, &tampered), None);
    }

    #[test]
    fn bound_blobs_open_only_in_their_context() {
        let k = [7u8; 32];
        let blob = seal_bound(&k, b"ten_a/test", b"whsec_x");
        assert_eq!(open_bound(&k, b"ten_a/test", &blob).as_deref(), Some(&b"whsec_x"[..]));
        assert_eq!(open_bound(&k, b"ten_b/test", &blob), None);
        assert_eq!(open(&k, &blob), None);
    }

    #[test]
    fn hmac_parts_are_unambiguous() {
        assert_ne!(hmac_sha256(b"k", &[b"ab", b"c"]), hmac_sha256(b"k", &[b"a", b"bc"]));
    }
}
