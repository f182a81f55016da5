//! What every handler can reach, shared by all workers of one instance.

use std::sync::Arc;

use crate::auth::jwt::JwtKeys;
use crate::auth::password::Hasher;
use crate::cache::Caches;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::PgPool;
use crate::email::Mailer;
use crate::metrics::Metrics;
use crate::ratelimit::RateLimiter;
use crate::tenancy::{Mode, Scope};
use crate::verify::batcher::Batcher;
use crate::verify::service::RateKey;
use chrono::{DateTime, Utc};

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
    pub rate_limiter: RateLimiter<RateKey>,
    /// Group commit for verify and single usage events.
    pub batcher: Batcher,
    pub mailer: Arc<Mailer>,
    /// The job queue's runners and their context (the worker holds it weakly).
    pub jobs: Arc<crate::jobs::Queue>,
}

impl AppState {
    /// "Now" for billing logic in a tenant's mode: the instance clock in live mode; in test
    /// mode the tenant's test clock, which stands still at the instant it was last advanced to
    /// (the instance clock until it is first advanced).
    pub async fn now_for(&self, scope: Scope) -> crate::error::ApiResult<DateTime<Utc>> {
        if scope.mode == Mode::Live {
            return Ok(self.clock.now());
        }
        let frozen = crate::testclock::service::cached_frozen_at(self, scope.tenant_id).await?;
        Ok(frozen.unwrap_or_else(|| self.clock.now()))
    }

    pub fn new(
        pool: PgPool,
        clock: Arc<dyn Clock>,
        settings: Arc<Settings>,
        mailer: Arc<Mailer>,
        jobs: crate::jobs::Registry,
    ) -> anyhow::Result<AppState> {
        let root = settings.jwt_secret.expose().as_bytes();
        Ok(AppState {
            pool: pool.clone(),
            clock: clock.clone(),
            jwt: JwtKeys::new(&crate::auth::jwt::signing_key(settings.jwt_secret.expose())),
            hasher: Hasher::new(std::thread::available_parallelism().map_or(2, |n| n.get())),
            metrics: Metrics::new()?,
            idempotency_secret: crate::crypto::hmac_sha256(root, &[b"tollgate/idempotency/v1"]),
            caches: Arc::new(Caches::default()),
            rate_limiter: RateLimiter::default(),
            batcher: Batcher::start(pool.clone(), settings.usage_writers)?,
            jobs: Arc::new(crate::jobs::Queue {
                pool: pool.clone(),
                clock: clock.clone(),
                registry: jobs,
                mailer: mailer.clone(),
                public_url: settings.public_url.clone(),
                email_from: settings.email_from.clone(),
            }),
            mailer,
            settings,
        })
    }
}
