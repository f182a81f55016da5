//! Rate limits: GCRA (the generic cell rate algorithm, a token bucket kept as one timestamp per
//! key). Verify's per-customer limits and login throttling both use it.
//!
//! A limit of `limit` requests per `window` is a sustained rate (one request every
//! `window / limit`) with bursts of up to `limit` (a token bucket holding `limit` tokens).
//! [`RateLimiter`] keeps its state in process; [`shared::Limits`] (verify's) keeps it in Redis
//! when `REDIS_URL` is set, so every instance draws from the same bucket.

pub mod shared;

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;

use crate::ids::{CustomerId, TenantId};
use crate::tenancy::Mode;

const SHARDS: usize = 64;
/// A shard sweeps replenished keys when it grows past this many.
const SWEEP_AT: usize = 4096;

/// Whose bucket a verify with a rate limit draws from: a customer's, for one feature.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RateKey {
    pub tenant: TenantId,
    pub mode: Mode,
    pub customer: CustomerId,
    pub feature: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Microseconds until the bucket is full again.
    pub reset_after_us: i64,
    /// Microseconds until a request would be allowed (0 when allowed).
    pub retry_after_us: i64,
}

impl Decision {
    /// Whole seconds until a request would be allowed, at least 1: a `Retry-After` value.
    pub fn retry_after_seconds(&self) -> i64 {
        ((self.retry_after_us + 999_999) / 1_000_000).max(1)
    }
}

pub struct RateLimiter<K> {
    shards: Vec<Mutex<HashMap<K, i64>>>,
}

impl<K> Default for RateLimiter<K> {
    fn default() -> Self {
        RateLimiter { shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect() }
    }
}

impl<K: Hash + Eq + Clone> RateLimiter<K> {
    fn shard(&self, key: &K) -> std::sync::MutexGuard<'_, HashMap<K, i64>> {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        key.hash(&mut h);
        self.shards[(h.finish() as usize) % SHARDS].lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets `key`'s bucket: it is full again.
    pub fn forget(&self, key: &K) {
        self.shard(key).remove(key);
    }

    /// Takes one request's worth from `key`'s bucket at `now_us` (microseconds), if it can.
    pub fn check(&self, key: &K, limit: u32, window_seconds: u32, now_us: i64) -> Decision {
        let limit = limit.max(1);
        let window = i64::from(window_seconds.max(1)) * 1_000_000;
        let interval = (window / i64::from(limit)).max(1);
        let mut map = self.shard(key);
        let tat = map.get(key).copied().unwrap_or(now_us).max(now_us);
        let new_tat = tat + interval;
        if new_tat - now_us > window {
            return Decision {
                allowed: false,
                limit,
                remaining: 0,
                reset_after_us: tat - now_us,
                retry_after_us: new_tat - now_us - window,
            };
        }
        if map.len() >= SWEEP_AT {
            map.retain(|_, t| *t > now_us);
        }
        map.insert(key.clone(), new_tat);
        Decision {
            allowed: true,
            limit,
            remaining: ((window - (new_tat - now_us)) / interval) as u32,
            reset_after_us: new_tat - now_us,
            retry_after_us: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> u128 {
        uuid::Uuid::new_v4().as_u128()
    }

    #[test]
    fn allows_a_burst_of_limit_then_one_per_interval() {
        let rl = RateLimiter::<u128>::default();
        let k = key();
        let t0 = 1_000_000_000;
        let remaining: Vec<u32> = (0..10)
            .map(|_| rl.check(&k, 10, 1, t0))
            .map(|d| {
                assert!(d.allowed);
                d.remaining
            })
            .collect();
        assert_eq!(remaining, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
        let denied = rl.check(&k, 10, 1, t0);
        assert!(!denied.allowed);
        assert_eq!(denied.retry_after_us, 100_000, "one tenth of a second");
        assert!(!rl.check(&k, 10, 1, t0 + 99_999).allowed);
        assert!(rl.check(&k, 10, 1, t0 + 100_000).allowed);
        // A full window later the whole burst is back.
        let later = t0 + 2_000_000;
        assert_eq!(rl.check(&k, 10, 1, later).remaining, 9);
    }

    #[test]
    fn keys_are_independent() {
        let rl = RateLimiter::<u128>::default();
        let (a, b) = (key(), key());
        assert!(rl.check(&a, 1, 1, 0).allowed);
        assert!(!rl.check(&a, 1, 1, 0).allowed);
        assert!(rl.check(&b, 1, 1, 0).allowed);
        rl.forget(&a);
        assert!(rl.check(&a, 1, 1, 0).allowed, "a forgotten bucket is full again");
    }

    #[test]
    fn under_steady_pressure_the_rate_is_sustained_after_the_burst() {
        let rl = RateLimiter::<u128>::default();
        let k = key();
        // 1000 attempts spread evenly over 2 s at 50/s: the burst of 50, then one every 20 ms
        // (100 more in 2 s), give or take one at the edges.
        let allowed = (0..1000).filter(|i| rl.check(&k, 50, 1, i * 2_000).allowed).count();
        assert!((149..=151).contains(&allowed), "{allowed}");
        // Once the burst is spent, any further second passes 50.
        let second: usize = (1000..1500).filter(|i| rl.check(&k, 50, 1, i * 2_000).allowed).count();
        assert!((49..=51).contains(&second), "{second}");
    }
}
