//! What every handler can reach, shared by all workers of one instance.

use std::sync::Arc;

use crate::auth::jwt::JwtKeys;
use crate::auth::password::Hasher;
use crate::cache::Caches;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::PgPool;
use crate::metrics::Metrics;
use crate::verify::batcher::Batcher;
use crate::verify::ratelimit::RateLimiter;

pub struct AppState {
    pub pool: PgPool,
    pub clock: Arc<dyn Clock>,
    pub jwt: JwtKeys,
    pub hasher: Hasher,
    pub metrics: Metrics,
    pub settings: Arc<Settings>,
    /// Keys idempotency records (derived from the server secret).
    pub idempotency_secret: [u8; 32],
    pub caches: Arc<Caches>,
    pub rate_limiter: RateLimiter,
    /// Group commit for verify and single usage events.
    pub batcher: Batcher,
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
            pool: pool.clone(),
            clock,
            jwt: JwtKeys::new(&crate::auth::jwt::signing_key(settings.jwt_secret.expose())),
            hasher: Hasher::new(std::thread::available_parallelism().map_or(2, |n| n.get())),
            metrics: Metrics::new()?,
            idempotency_secret: crate::crypto::hmac_sha256(root, &[b"tollgate/idempotency/v1"]),
            caches: Arc::new(Caches::default()),
            rate_limiter: RateLimiter::default(),
            batcher: Batcher::start(pool.clone(), settings.usage_writers)?,
            settings,
        })
    }
}
