//! What every handler can reach, shared by all workers of one instance.

use std::sync::Arc;

use crate::auth::jwt::JwtKeys;
use crate::auth::password::Hasher;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::PgPool;
use crate::metrics::Metrics;

pub struct AppState {
    pub pool: PgPool,
    pub clock: Arc<dyn Clock>,
    pub jwt: JwtKeys,
    pub hasher: Hasher,
    pub metrics: Metrics,
    pub settings: Arc<Settings>,
    /// Keys idempotency records (derived from the server secret).
    pub idempotency_secret: [u8; 32],
}

impl AppState {
    /// "Now" for billing logic in a tenant's mode. Today the instance clock; test mode will read
    /// the tenant's test clock.
    pub fn now_for(&self, _scope: crate::tenancy::Scope) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    pub fn new(pool: PgPool, clock: Arc<dyn Clock>, settings: Arc<Settings>) -> anyhow::Result<AppState> {
        let root = settings.jwt_secret.expose().as_bytes();
        Ok(AppState {
            pool,
            clock,
            jwt: JwtKeys::new(&crate::auth::jwt::signing_key(settings.jwt_secret.expose())),
            hasher: Hasher::new(std::thread::available_parallelism().map_or(2, |n| n.get())),
            metrics: Metrics::new()?,
            idempotency_secret: crate::crypto::hmac_sha256(root, &[b"tollgate/idempotency/v1"]),
            settings,
        })
    }
}
