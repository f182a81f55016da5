//! Verify's rate limits, shared by every instance through Redis when `REDIS_URL` is set.
//!
//! Each check is one call of a Lua script (one round trip, atomic in Redis): the same GCRA as
//! [`super::RateLimiter`], on Redis's clock, so instances with skewed clocks still share one
//! bucket. The bucket's key expires when the bucket is full again.
//!
//! Redis is an accelerator here, not a dependency: quotas live in PostgreSQL and stay exact.
//! When Redis fails or is slower than [`TIMEOUT`], the check falls back to this instance's own
//! limiter (as without `REDIS_URL`), the failure is logged and counted
//! (`tollgate_ratelimit_redis_failures_total`), and Redis is not tried again for [`BACKOFF`], so
//! an outage costs no latency.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::RwLock;
use std::time::{Duration, Instant};

use prometheus::IntCounter;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::{Decision, RateKey, RateLimiter};

/// The longest a check waits for Redis.
pub const TIMEOUT: Duration = Duration::from_millis(50);
/// How long Redis is left alone after a failure.
pub const BACKOFF: Duration = Duration::from_secs(1);

/// GCRA on Redis's clock. KEYS[1]: the bucket; ARGV: limit, window (µs). Returns allowed (0/1),
/// remaining, microseconds until full, microseconds until a request would be allowed.
const SCRIPT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local interval = math.max(math.floor(window / limit), 1)
local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or now), now)
local new_tat = tat + interval
if new_tat - now > window then
  return {0, 0, tat - now, new_tat - now - window}
end
redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil((new_tat - now) / 1000) + 1)
return {1, math.floor((window - (new_tat - now)) / interval), new_tat - now, 0}
";

struct Redis {
    client: redis::Client,
    /// Connected on first use (and again after a failure): the service starts without Redis.
    conn: RwLock<Option<ConnectionManager>>,
    script: redis::Script,
    /// The instant (µs since `origin`) before which Redis is not tried.
    resting_until: AtomicI64,
    origin: Instant,
    failures: IntCounter,
}

/// Verify's rate limits: in Redis when configured, else (and whenever Redis fails) in process.
pub struct Limits {
    local: RateLimiter<RateKey>,
    redis: Option<Redis>,
}

impl Limits {
    /// In-process limits only.
    pub fn local() -> Limits {
        Limits { local: RateLimiter::default(), redis: None }
    }

    /// Limits shared through the Redis at `url`, counting failures in `failures`. Nothing is
    /// connected yet; an unparsable URL is an error.
    pub fn shared(url: &str, failures: IntCounter) -> redis::RedisResult<Limits> {
        Ok(Limits {
            local: RateLimiter::default(),
            redis: Some(Redis {
                client: redis::Client::open(url)?,
                conn: RwLock::new(None),
                script: redis::Script::new(SCRIPT),
                resting_until: AtomicI64::new(0),
                origin: Instant::now(),
                failures,
            }),
        })
    }

    /// Takes one request's worth from `key`'s bucket. `now_us` is the instance clock, for the
    /// in-process limiter.
    pub async fn check(&self, key: &RateKey, limit: u32, window_seconds: u32, now_us: i64) -> Decision {
        if let Some(redis) = &self.redis {
            if let Some(d) = redis.check(key, limit, window_seconds).await {
                return d;
            }
        }
        self.local.check(key, limit, window_seconds, now_us)
    }
}

impl Redis {
    fn now(&self) -> i64 {
        i64::try_from(self.origin.elapsed().as_micros()).unwrap_or(i64::MAX)
    }

    async fn connection(&self) -> redis::RedisResult<ConnectionManager> {
        if let Some(c) = self.conn.read().ok().and_then(|c| c.clone()) {
            return Ok(c);
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT))
            .set_number_of_retries(0);
        let c = ConnectionManager::new_with_config(self.client.clone(), config).await?;
        if let Ok(mut slot) = self.conn.write() {
            *slot = Some(c.clone());
        }
        Ok(c)
    }

    /// The decision from Redis, or `None` when Redis cannot give one in time.
    async fn check(&self, key: &RateKey, limit: u32, window_seconds: u32) -> Option<Decision> {
        if self.now() < self.resting_until.load(Ordering::Relaxed) {
            return None;
        }
        let limit = limit.max(1);
        let window = i64::from(window_seconds.max(1)) * 1_000_000;
        let bucket = format!("tollgate:rl:{}:{}:{}:{}", key.tenant, key.mode, key.customer, key.feature);
        let call = async {
            let mut conn = self.connection().await?;
            self.script.key(bucket).arg(limit).arg(window).invoke_async::<(i64, i64, i64, i64)>(&mut conn).await
        };
        match tokio::time::timeout(TIMEOUT, call).await {
            Ok(Ok((allowed, remaining, reset_after_us, retry_after_us))) => Some(Decision {
                allowed: allowed == 1,
                limit,
                remaining: u32::try_from(remaining).unwrap_or(0),
                reset_after_us,
                retry_after_us,
            }),
            outcome => {
                let error = match outcome {
                    Ok(Err(e)) => e.to_string(),
                    _ => format!("no answer within {} ms", TIMEOUT.as_millis()),
                };
                self.failures.inc();
                let backoff = i64::try_from(BACKOFF.as_micros()).unwrap_or(i64::MAX);
                self.resting_until.store(self.now().saturating_add(backoff), Ordering::Relaxed);
                if let Ok(mut slot) = self.conn.write() {
                    *slot = None;
                }
                tracing::warn!(%error, "rate limits fall back to this instance: Redis failed");
                None
            }
        }
    }
}
