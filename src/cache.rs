//! In-process caches for the hot path, kept right across instances with PostgreSQL
//! LISTEN/NOTIFY.
//!
//! Whatever changes a cached fact (revoking a key, changing a subscription or a plan) sends a
//! notification on [`CHANNEL`] in the same transaction; PostgreSQL delivers it on commit to
//! every instance's listener, which drops the stale entries within [`POLL`]. If the listener
//! loses its connection it clears everything when it reconnects, since it may have missed
//! notifications. Entries also expire after [`TTL`] as a last resort.
//!
//! Two helpers carry the protocol so no caller has to: [`Caches::get_or_load`] fills a cache
//! unless an invalidation arrived while the value was loading, and [`Caches::write`] runs a
//! write that changes cached facts (announced inside its transaction, dropped here after the
//! commit). The hub knows the caches of credentials and test clocks; a domain with a cache of
//! its own registers it as a [`Subscriber`] (the customers' resolved plans, in
//! [`crate::entitlements`]).

use std::future::Future;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::{Connection, PgConnection, RunQueryDsl};
use moka::sync::Cache;

use crate::db::{PgConn, PgPool};
use crate::error::ApiResult;
use crate::ids::{ApiKeyId, CustomerId, SecretKeyId, TenantId};
use crate::tenancy::{Mode, Scope};

pub const CHANNEL: &str = "tollgate_cache";
pub const POLL: Duration = Duration::from_millis(50);
pub const TTL: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, Copy)]
pub struct SecretKeyEntry {
    pub tenant_id: TenantId,
    pub mode: Mode,
    pub id: SecretKeyId,
    pub revoked: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct ApiKeyEntry {
    pub tenant_id: TenantId,
    pub mode: Mode,
    pub id: ApiKeyId,
    pub customer_id: CustomerId,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A cache a domain keeps of its own, told of every invalidation.
pub trait Subscriber: Send + Sync {
    fn apply(&self, inv: &Invalidation);
    fn clear(&self);
}

pub struct Caches {
    /// Bumped by every invalidation: a load that started before a bump is not cached.
    generation: AtomicU64,
    /// By SHA-256 of the key; `None` remembers that no such key exists.
    pub secret_keys: Cache<[u8; 32], Option<SecretKeyEntry>>,
    pub api_keys: Cache<[u8; 32], Option<ApiKeyEntry>>,
    /// The instant each tenant's test clock stands at (`None` until first advanced).
    pub test_clocks: Cache<TenantId, Option<DateTime<Utc>>>,
    /// Usage thresholds this process has reported (`crate::usage::thresholds`): scope, customer,
    /// feature, window start, threshold. Only spares the database repeated reports.
    pub thresholds: Cache<(Scope, CustomerId, String, DateTime<Utc>, u8), ()>,
    subscribers: RwLock<Vec<Arc<dyn Subscriber>>>,
}

impl Default for Caches {
    fn default() -> Self {
        Caches {
            generation: AtomicU64::new(0),
            secret_keys: Cache::builder().max_capacity(200_000).time_to_live(TTL).build(),
            api_keys: Cache::builder().max_capacity(200_000).time_to_live(TTL).build(),
            test_clocks: Cache::builder().max_capacity(100_000).time_to_live(TTL).build(),
            thresholds: Cache::builder().max_capacity(200_000).build(),
            subscribers: RwLock::new(Vec::new()),
        }
    }
}

/// What a write changed in cached facts (see [`Caches::write`]).
#[derive(Debug, Default)]
pub struct Changes(Vec<Invalidation>);

impl Changes {
    pub fn invalidate(&mut self, inv: Invalidation) {
        if !self.0.contains(&inv) {
            self.0.push(inv);
        }
    }
}

/// What changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalidation {
    SecretKey([u8; 32]),
    ApiKey([u8; 32]),
    Customer(Scope, CustomerId),
    /// Plans or features of a tenant's mode: every customer of it.
    Scope(Scope),
    /// A tenant's test clock moved.
    TestClock(TenantId),
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(s.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    Some(out)
}

impl Invalidation {
    pub fn payload(&self) -> String {
        match self {
            Invalidation::SecretKey(h) => format!("sk:{}", hex(h)),
            Invalidation::ApiKey(h) => format!("ak:{}", hex(h)),
            Invalidation::Customer(s, c) => format!("cus:{}:{}:{}", s.tenant_id, s.mode, c),
            Invalidation::Scope(s) => format!("scope:{}:{}", s.tenant_id, s.mode),
            Invalidation::TestClock(t) => format!("clock:{t}"),
        }
    }

    pub fn parse(p: &str) -> Option<Invalidation> {
        let (kind, rest) = p.split_once(':')?;
        let scope = |t: &str, m: &str| Some(Scope { tenant_id: t.parse().ok()?, mode: Mode::parse(m)? });
        match kind {
            "sk" => unhex(rest).map(Invalidation::SecretKey),
            "ak" => unhex(rest).map(Invalidation::ApiKey),
            "cus" => {
                let mut parts = rest.split(':');
                let (t, m, c) = (parts.next()?, parts.next()?, parts.next()?);
                Some(Invalidation::Customer(scope(t, m)?, c.parse().ok()?))
            }
            "scope" => {
                let (t, m) = rest.split_once(':')?;
                Some(Invalidation::Scope(scope(t, m)?))
            }
            "clock" => rest.parse().ok().map(Invalidation::TestClock),
            _ => None,
        }
    }
}

impl Caches {
    /// Registers a domain's cache for invalidations.
    pub fn subscribe(&self, s: Arc<dyn Subscriber>) {
        if let Ok(mut subs) = self.subscribers.write() {
            subs.push(s);
        }
    }

    fn subscribers(&self) -> Vec<Arc<dyn Subscriber>> {
        self.subscribers.read().map(|s| s.clone()).unwrap_or_default()
    }

    pub fn apply(&self, inv: &Invalidation) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        match inv {
            Invalidation::SecretKey(h) => self.secret_keys.invalidate(h),
            Invalidation::ApiKey(h) => self.api_keys.invalidate(h),
            Invalidation::TestClock(t) => self.test_clocks.invalidate(t),
            Invalidation::Customer(..) | Invalidation::Scope(_) => {}
        }
        for s in self.subscribers() {
            s.apply(inv);
        }
    }

    pub fn clear(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.secret_keys.invalidate_all();
        self.api_keys.invalidate_all();
        self.test_clocks.invalidate_all();
        for s in self.subscribers() {
            s.clear();
        }
    }

    /// The value cached under `key`, or loaded by `load` and cached, unless an invalidation
    /// arrived while it loaded (the value may predate it: used once, not cached).
    pub async fn get_or_load<K, V, Fut>(&self, cache: &Cache<K, V>, key: K, load: impl FnOnce() -> Fut) -> ApiResult<V>
    where
        K: Hash + Eq + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
        Fut: Future<Output = ApiResult<V>>,
    {
        if let Some(hit) = cache.get(&key) {
            return Ok(hit);
        }
        let generation = self.generation.load(Ordering::Acquire);
        let value = load().await?;
        if self.generation.load(Ordering::Acquire) == generation {
            cache.insert(key, value.clone());
        }
        Ok(value)
    }

    /// Runs a write that changes cached facts, in one transaction: `f` names what it changed in
    /// [`Changes`]; every instance is told inside the transaction (so only if it commits), and
    /// this one drops the stale entries as soon as it has.
    pub async fn write<T, F>(&self, pool: &PgPool, f: F) -> ApiResult<T>
    where
        F: FnOnce(&mut PgConn, &mut Changes) -> ApiResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let (value, changes) = crate::db::run(pool, move |conn| conn.transaction(|conn| announcing(conn, f))).await?;
        for inv in &changes.0 {
            self.apply(inv);
        }
        Ok(value)
    }
}

#[derive(diesel::QueryableByName)]
struct Unit {
    #[diesel(sql_type = diesel::sql_types::Text)]
    #[allow(dead_code)]
    pg_notify: String,
}

/// Runs `f` inside the caller's transaction and announces what it changed to every instance
/// (delivered when that transaction commits). For work without an instance's caches at hand, such
/// as jobs, where each instance's listener drops the stale entries; handlers use
/// [`Caches::write`], which also drops them here at once.
pub fn announcing<T>(
    conn: &mut PgConn,
    f: impl FnOnce(&mut PgConn, &mut Changes) -> ApiResult<T>,
) -> ApiResult<(T, Changes)> {
    let mut changes = Changes::default();
    let value = f(conn, &mut changes)?;
    for inv in &changes.0 {
        notify(conn, inv)?;
    }
    Ok((value, changes))
}

/// Announces a change to every instance when the surrounding transaction commits.
fn notify(conn: &mut PgConn, inv: &Invalidation) -> diesel::QueryResult<()> {
    diesel::sql_query("SELECT pg_notify($1, $2)::text AS pg_notify")
        .bind::<diesel::sql_types::Text, _>(CHANNEL)
        .bind::<diesel::sql_types::Text, _>(inv.payload())
        .load::<Unit>(conn)
        .map(drop)
}

/// Listens for changes on a connection of its own, until the caches are dropped.
pub fn spawn_listener(url: String, caches: Weak<Caches>) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new().name("tollgate-cache-listener".into()).spawn(move || {
        let mut first = true;
        while caches.strong_count() > 0 {
            let conn = PgConnection::establish(&url).and_then(|mut c| {
                diesel::sql_query(format!("LISTEN {CHANNEL}"))
                    .execute(&mut c)
                    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(c)
            });
            let mut conn = match conn {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "cache listener cannot connect; retrying");
                    std::thread::sleep(Duration::from_secs(1));
                    continue;
                }
            };
            if !first {
                // Notifications may have been missed while disconnected.
                if let Some(c) = caches.upgrade() {
                    c.clear();
                }
            }
            first = false;
            'poll: loop {
                let Some(c) = caches.upgrade() else { return };
                for n in conn.notifications_iter() {
                    match n {
                        Ok(n) => match Invalidation::parse(&n.payload) {
                            Some(inv) => c.apply(&inv),
                            None => tracing::warn!(payload = %n.payload, "unknown cache notification"),
                        },
                        Err(e) => {
                            tracing::warn!(error = %e, "cache listener lost its connection");
                            break 'poll;
                        }
                    }
                }
                drop(c);
                std::thread::sleep(POLL);
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip() {
        let scope = Scope { tenant_id: TenantId::new(), mode: Mode::Live };
        for inv in [
            Invalidation::SecretKey([7; 32]),
            Invalidation::ApiKey([255; 32]),
            Invalidation::Customer(scope, CustomerId::new()),
            Invalidation::Scope(scope),
            Invalidation::TestClock(TenantId::new()),
        ] {
            assert_eq!(Invalidation::parse(&inv.payload()), Some(inv));
        }
        assert_eq!(Invalidation::parse("sk:zz"), None);
        assert_eq!(Invalidation::parse("what:ever"), None);
    }
}
