//! What every handler can reach, shared by all workers of one instance: the infrastructure
//! (pool, clock, credentials, caches, the ledger's writer, the job queue). It names no domain
//! above the ledger, so any domain may use it; a domain's own runtime state (the customers'
//! resolutions) is application data of its own, registered by [`crate::startup`].

use std::sync::Arc;

use crate::cache::Caches;
use crate::clock::Clock;
use crate::config::Settings;
use crate::crypto::jwt::JwtKeys;
use crate::crypto::password::Hasher;
use crate::db::PgPool;
use crate::email::Mailer;
use crate::ledger::Writer;
use crate::metrics::Metrics;
use crate::ratelimit::shared::Limits;

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
    /// Verify's rate limits (in Redis when `REDIS_URL` is set).
    pub rate_limits: Limits,
    /// The usage ledger's one write path (group commit), for verify and the usage API.
    pub writer: Writer,
    pub mailer: Arc<Mailer>,
    /// The job queue's runners and their context (the worker holds it weakly).
    pub jobs: Arc<crate::jobs::Queue>,
}

impl AppState {
    pub fn new(
        pool: PgPool,
        clock: Arc<dyn Clock>,
        settings: Arc<Settings>,
        mailer: Arc<Mailer>,
        jobs: crate::jobs::Registry,
    ) -> anyhow::Result<AppState> {
        let root = settings.jwt_secret.expose().as_bytes();
        let metrics = Metrics::new()?;
        Ok(AppState {
            pool: pool.clone(),
            clock: clock.clone(),
            jwt: JwtKeys::new(&crate::crypto::jwt::signing_key(settings.jwt_secret.expose())),
            hasher: Hasher::new(std::thread::available_parallelism().map_or(2, |n| n.get())),
            idempotency_secret: crate::crypto::hmac_sha256(root, &[b"tollgate/idempotency/v1"]),
            caches: Arc::new(Caches::default()),
            rate_limits: match &settings.redis_url {
                Some(url) => Limits::shared(url.expose(), metrics.ratelimit_redis_failures.clone())
                    .map_err(|e| anyhow::anyhow!("REDIS_URL: {e}"))?,
                None => Limits::local(),
            },
            writer: Writer::start(pool.clone(), settings.usage_writers, Some(metrics.writer()))?,
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
            metrics,
        })
    }
}
