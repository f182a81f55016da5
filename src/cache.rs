//! In-process caches for the hot path, kept right across instances with PostgreSQL
//! LISTEN/NOTIFY.
//!
//! Whatever changes a cached fact (revoking a key, changing a subscription or a plan) sends a
//! notification on [`CHANNEL`] in the same transaction; PostgreSQL delivers it on commit to
//! every instance's listener, which drops the stale entries within [`POLL`]. If the listener
//! loses its connection it clears everything when it reconnects, since it may have missed
//! notifications. Entries also expire after [`TTL`] as a last resort.

use std::sync::{Arc, Weak};
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::{Connection, PgConnection, RunQueryDsl};
use moka::sync::Cache;

use crate::db::PgConn;
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

pub type CustomerKey = (TenantId, Mode, CustomerId);

pub struct Caches {
    /// Bumped by every invalidation: a load that started before a bump is not cached.
    generation: std::sync::atomic::AtomicU64,
    /// By SHA-256 of the key; `None` remembers that no such key exists.
    pub secret_keys: Cache<[u8; 32], Option<SecretKeyEntry>>,
    pub api_keys: Cache<[u8; 32], Option<ApiKeyEntry>>,
    /// What a customer's plan grants, as verify needs it.
    pub customers: Cache<CustomerKey, Arc<crate::verify::resolve::Resolution>>,
    /// The instant each tenant's test clock stands at (`None` until first advanced).
    pub test_clocks: Cache<TenantId, Option<DateTime<Utc>>>,
}

impl Default for Caches {
    fn default() -> Self {
        Caches {
            generation: std::sync::atomic::AtomicU64::new(0),
            secret_keys: Cache::builder().max_capacity(200_000).time_to_live(TTL).build(),
            api_keys: Cache::builder().max_capacity(200_000).time_to_live(TTL).build(),
            customers: Cache::builder().max_capacity(100_000).time_to_live(TTL).support_invalidation_closures().build(),
            test_clocks: Cache::builder().max_capacity(100_000).time_to_live(TTL).build(),
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
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    pub fn apply(&self, inv: &Invalidation) {
        self.generation.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        match inv {
            Invalidation::SecretKey(h) => self.secret_keys.invalidate(h),
            Invalidation::ApiKey(h) => self.api_keys.invalidate(h),
            Invalidation::Customer(s, c) => self.customers.invalidate(&(s.tenant_id, s.mode, *c)),
            Invalidation::Scope(s) => {
                let (t, m) = (s.tenant_id, s.mode);
                // Only fails when closures are not enabled, which they are.
                let _ = self.customers.invalidate_entries_if(move |k, _| k.0 == t && k.1 == m);
            }
            Invalidation::TestClock(t) => self.test_clocks.invalidate(t),
        }
    }

    pub fn clear(&self) {
        self.generation.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        self.secret_keys.invalidate_all();
        self.api_keys.invalidate_all();
        self.customers.invalidate_all();
        self.test_clocks.invalidate_all();
    }
}

#[derive(diesel::QueryableByName)]
struct Unit {
    #[diesel(sql_type = diesel::sql_types::Text)]
    #[allow(dead_code)]
    pg_notify: String,
}

/// Announces a change to every instance when the surrounding transaction commits.
pub fn notify(conn: &mut PgConn, inv: &Invalidation) -> diesel::QueryResult<()> {
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
