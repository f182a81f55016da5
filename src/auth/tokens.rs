//! Secret keys: `sk_<mode>_<32 base62 characters>` (about 190 random bits). Only their SHA-256
//! hash is stored; random keys need no slow hash, and a hash lookup is one index probe.

use crate::tenancy::Mode;

const SECRET_BODY_LEN: usize = 32;
/// Characters of the body shown in lists (`sk_test_4eC3…`).
const PREFIX_BODY_LEN: usize = 4;

pub struct NewToken {
    /// The whole key, shown once.
    pub key: String,
    pub prefix: String,
    pub hash: [u8; 32],
}

fn new_token(head: String) -> NewToken {
    let body = crate::crypto::random_base62(SECRET_BODY_LEN);
    let key = format!("{head}{body}");
    NewToken { prefix: format!("{head}{}", &body[..PREFIX_BODY_LEN]), hash: crate::crypto::sha256(key.as_bytes()), key }
}

/// A tenant's secret key: `sk_test_…` or `sk_live_…`.
pub fn new_secret_key(mode: Mode) -> NewToken {
    new_token(format!("sk_{}_", mode.as_str()))
}

/// A customer's API key: `tg_test_…` or `tg_live_…`.
pub fn new_api_key(mode: Mode) -> NewToken {
    new_token(format!("tg_{}_", mode.as_str()))
}

pub struct ParsedSecretKey {
    pub mode: Mode,
}

/// Checks the shape of a secret key without touching the database.
pub fn parse_secret_key(key: &str) -> Option<ParsedSecretKey> {
    let rest = key.strip_prefix("sk_")?;
    let (mode, body) = rest.split_once('_')?;
    let mode = Mode::parse(mode)?;
    (body.len() == SECRET_BODY_LEN && body.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then_some(ParsedSecretKey { mode })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys_show_their_mode_and_parse_back() {
        let t = new_secret_key(Mode::Live);
        assert!(t.key.starts_with("sk_live_"));
        assert_eq!(t.key.len(), 8 + 32);
        assert!(t.key.starts_with(&t.prefix));
        assert_eq!(parse_secret_key(&t.key).unwrap().mode, Mode::Live);
        assert!(parse_secret_key("sk_prod_abc").is_none());
        assert!(parse_secret_key(&format!("{}x", t.key)).is_none());
        assert!(parse_secret_key("sk_test_!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!").is_none());
        let k = new_api_key(Mode::Test);
        assert!(k.key.starts_with("tg_test_"));
        assert_eq!(k.key.len(), 8 + 32);
        assert!(parse_secret_key(&k.key).is_none(), "an API key is not a secret key");
    }
}
