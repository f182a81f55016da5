//! Settings, read once from the environment (and a `.env` file in development) and validated
//! at start-up. Every error names the variable at fault; no secret is ever printed.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rand::RngCore;

/// A string that never shows up in logs or `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// `None`: start a private PostgreSQL cluster under `data_dir`.
    pub database_url: Option<Secret>,
    pub listen_addr: SocketAddr,
    /// The HMAC key for access tokens (and the root of other derived keys). At least 32 bytes.
    pub jwt_secret: Secret,
    /// Where the service is reachable from outside, for links in emails and documents.
    pub public_url: String,
    pub smtp_url: Option<Secret>,
    /// The sender address of invoice emails (the display name is the tenant's).
    pub email_from: String,
    pub log_format: LogFormat,
    /// Development state: the private cluster, the generated JWT secret, the email outbox.
    pub data_dir: PathBuf,
    pub db_pool_size: u32,
    pub db_pool_timeout: Duration,
    /// HTTP worker threads; `None` = one per core.
    pub workers: Option<usize>,
    /// How long a request whose `Idempotency-Key` is already in flight waits for the first one
    /// to finish (and then replays it) before answering 409 `idempotency_key_in_use`.
    pub idempotency_wait: Duration,
    /// Threads writing usage batches (group commit), besides the one for verify; each uses one
    /// pooled connection at a time.
    pub usage_writers: usize,
    /// Redis for rate limits shared by every instance; without it each instance limits alone.
    pub redis_url: Option<Secret>,
    /// Where Stripe's API is, always ending in `/` (tests point it at a fake).
    pub stripe_api_base: String,
    /// How long one call to Stripe may take before it counts as lost (and is retried with the
    /// same idempotency key).
    pub stripe_timeout: Duration,
    /// Lets webhooks go to loopback and private addresses (development and tests only).
    pub webhook_allow_private_networks: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("{var}: {message}")]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

fn bad(var: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError { var, message: message.into() }
}

pub const MIN_JWT_SECRET_LEN: usize = 32;

impl Settings {
    /// Reads the process environment (after loading `.env` if there is one).
    pub fn from_env() -> Result<Settings, ConfigError> {
        let _ = dotenvy::dotenv();
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads settings through `lookup`, so tests can supply their own environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
        let get = |k: &str| lookup(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());

        let data_dir = PathBuf::from(get("DATA_DIR").unwrap_or_else(|| "./.data".into()));

        let database_url = match get("DATABASE_URL") {
            // Set but empty is a mistake (a template left unfilled), not a request for the
            // private development cluster.
            None if lookup("DATABASE_URL").is_some() => {
                return Err(bad(
                    "DATABASE_URL",
                    "set but empty; set a postgres:// URL, or unset it for a private cluster",
                ))
            }
            None => None,
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => Some(Secret::new(url)),
            Some(_) => return Err(bad("DATABASE_URL", "must be a postgres:// or postgresql:// URL")),
        };

        let listen_addr = match get("LISTEN_ADDR") {
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
            Some(v) => {
                v.parse().map_err(|_| bad("LISTEN_ADDR", format!("{v:?} is not an address like 127.0.0.1:8080")))?
            }
        };

        let jwt_secret = match get("JWT_SECRET") {
            Some(s) if s.len() >= MIN_JWT_SECRET_LEN => Secret::new(s),
            Some(_) => {
                return Err(bad(
                    "JWT_SECRET",
                    format!("must be at least {MIN_JWT_SECRET_LEN} characters (try `openssl rand -hex 32`)"),
                ))
            }
            // Set but blank is a mistake (a template or a secret store that filled in nothing),
            // not a request for a development secret that would change on every new machine.
            None if lookup("JWT_SECRET").is_some() => {
                let message = format!(
                    "set but empty; set {MIN_JWT_SECRET_LEN}+ characters, or unset it for a development secret"
                );
                return Err(bad("JWT_SECRET", message));
            }
            None => load_or_create_dev_secret(&data_dir).map_err(|e| {
                bad(
                    "JWT_SECRET",
                    format!("unset, and no development secret could be kept under {}: {e}", data_dir.display()),
                )
            })?,
        };

        let public_url = match get("PUBLIC_URL") {
            None => format!("http://{listen_addr}"),
            Some(u) if (u.starts_with("http://") || u.starts_with("https://")) && !u.contains(char::is_whitespace) => {
                u.trim_end_matches('/').to_string()
            }
            Some(_) => return Err(bad("PUBLIC_URL", "must be an http:// or https:// URL")),
        };

        let smtp_url = match get("SMTP_URL") {
            None => None,
            Some(u) if u.starts_with("smtp://") || u.starts_with("smtps://") => Some(Secret::new(u)),
            Some(_) => return Err(bad("SMTP_URL", "must be an smtp:// or smtps:// URL")),
        };

        let redis_url = match get("REDIS_URL") {
            None => None,
            Some(u) if u.starts_with("redis://") || u.starts_with("rediss://") || u.starts_with("unix://") => {
                Some(Secret::new(u))
            }
            Some(_) => return Err(bad("REDIS_URL", "must be a redis://, rediss:// or unix:// URL")),
        };

        let stripe_api_base = match get("STRIPE_API_BASE") {
            None => "https://api.stripe.com/".to_string(),
            Some(u) if (u.starts_with("http://") || u.starts_with("https://")) && !u.contains(char::is_whitespace) => {
                format!("{}/", u.trim_end_matches('/'))
            }
            Some(_) => return Err(bad("STRIPE_API_BASE", "must be an http:// or https:// URL")),
        };
        let stripe_timeout_ms = parse_range(get("STRIPE_TIMEOUT_MS"), "STRIPE_TIMEOUT_MS", 30_000, 100, 300_000)?;
        let webhook_allow_private_networks = match get("WEBHOOK_ALLOW_PRIVATE_NETWORKS").as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(v) => return Err(bad("WEBHOOK_ALLOW_PRIVATE_NETWORKS", format!("{v:?} is not true or false"))),
        };

        let email_from = get("EMAIL_FROM").unwrap_or_else(|| "billing@tollgate.localhost".into());
        if email_from.parse::<lettre::Address>().is_err() {
            return Err(bad("EMAIL_FROM", "must be an email address"));
        }

        let log_format = match get("LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(v) => return Err(bad("LOG_FORMAT", format!("{v:?} is not one of text, json"))),
        };

        let db_pool_size = parse_range(get("DATABASE_POOL_SIZE"), "DATABASE_POOL_SIZE", 16, 1, 1000)?;
        let pool_timeout_ms =
            parse_range(get("DATABASE_POOL_TIMEOUT_MS"), "DATABASE_POOL_TIMEOUT_MS", 5000, 10, 600_000)?;
        let usage_writers = parse_range(get("USAGE_WRITERS"), "USAGE_WRITERS", 2, 1, 64)? as usize;
        let workers = match get("WORKERS") {
            None => None,
            Some(v) => Some(parse_range(Some(v), "WORKERS", 1, 1, 1024)? as usize),
        };

        Ok(Settings {
            database_url,
            listen_addr,
            jwt_secret,
            public_url,
            smtp_url,
            email_from,
            log_format,
            data_dir,
            db_pool_size,
            db_pool_timeout: Duration::from_millis(pool_timeout_ms.into()),
            workers,
            idempotency_wait: Duration::from_secs(2),
            usage_writers,
            redis_url,
            stripe_api_base,
            stripe_timeout: Duration::from_millis(stripe_timeout_ms.into()),
            webhook_allow_private_networks,
        })
    }
}

fn parse_range(v: Option<String>, var: &'static str, default: u32, min: u32, max: u32) -> Result<u32, ConfigError> {
    match v {
        None => Ok(default),
        Some(v) => match v.parse::<u32>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(bad(var, format!("{v:?} is not a whole number from {min} to {max}"))),
        },
    }
}

/// In development, with no `JWT_SECRET`, a random secret is generated once and kept (mode 0600)
/// so that tokens survive restarts.
fn load_or_create_dev_secret(data_dir: &Path) -> std::io::Result<Secret> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;

    let path = data_dir.join("jwt_secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim();
        if existing.len() >= MIN_JWT_SECRET_LEN {
            return Ok(Secret::new(existing));
        }
    }
    std::fs::create_dir_all(data_dir)?;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&path)?;
    f.write_all(secret.as_bytes())?;
    tracing::warn!(path = %path.display(), "JWT_SECRET is unset: using a generated development secret");
    Ok(Secret::new(secret))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    const SECRET: (&str, &str) = ("JWT_SECRET", "0123456789abcdef0123456789abcdef");

    #[test]
    fn defaults_apply() {
        let s = settings(&[SECRET]).unwrap();
        assert_eq!(s.listen_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(s.public_url, "http://127.0.0.1:8080");
        assert!(s.database_url.is_none());
        assert_eq!(s.log_format, LogFormat::Text);
        assert_eq!(s.db_pool_size, 16);
    }

    #[test]
    fn each_bad_value_names_its_variable() {
        let cases: &[(&str, &str)] = &[
            ("LISTEN_ADDR", "localhost"),
            ("DATABASE_URL", "mysql://x"),
            ("PUBLIC_URL", "example.com"),
            ("SMTP_URL", "http://mail"),
            ("LOG_FORMAT", "xml"),
            ("DATABASE_POOL_SIZE", "0"),
            ("DATABASE_POOL_TIMEOUT_MS", "-5"),
            ("WORKERS", "many"),
            ("USAGE_WRITERS", "0"),
            ("JWT_SECRET", "short"),
            ("DATABASE_URL", " "),
            ("JWT_SECRET", ""),
            ("JWT_SECRET", " \t"),
        ];
        for (var, value) in cases {
            let mut vars = vec![SECRET, (*var, *value)];
            if *var == "JWT_SECRET" {
                vars.remove(0);
            }
            let err = settings(&vars).unwrap_err();
            assert_eq!(err.var, *var, "{var}={value}");
            assert!(err.to_string().starts_with(var));
        }
    }

    #[test]
    fn an_empty_jwt_secret_is_an_error_not_a_development_secret() {
        let dir = std::env::temp_dir().join(format!("tollgate-cfg-{}", uuid::Uuid::new_v4()));
        let err = settings(&[("DATA_DIR", dir.to_str().unwrap()), ("JWT_SECRET", "")]).unwrap_err();
        assert_eq!(err.var, "JWT_SECRET");
        assert!(err.message.contains("empty"), "{err}");
        assert!(!dir.exists(), "no development secret was written");
    }

    #[test]
    fn secrets_do_not_print() {
        let s = settings(&[SECRET, ("DATABASE_URL", "postgres://u:hunter2@db/x")]).unwrap();
        let shown = format!("{s:?}");
        assert!(!shown.contains("hunter2"));
        assert!(!shown.contains(SECRET.1));
    }

    #[test]
    fn a_dev_secret_is_generated_once_and_kept() {
        let dir = std::env::temp_dir().join(format!("tollgate-cfg-{}", uuid::Uuid::new_v4()));
        let d = dir.to_str().unwrap();
        let a = settings(&[("DATA_DIR", d)]).unwrap().jwt_secret;
        let b = settings(&[("DATA_DIR", d)]).unwrap().jwt_secret;
        assert_eq!(a, b);
        assert!(a.expose().len() >= MIN_JWT_SECRET_LEN);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
