//! The cache of resolved customers: a domain cache registered with the hub in
//! [`crate::cache`], so the same invalidations that reach credentials reach it.

use std::sync::Arc;

use moka::sync::Cache;

use super::view::{load, Resolution};
use crate::cache::{Caches, Invalidation, Subscriber, TTL};
use crate::db::PgPool;
use crate::error::ApiResult;
use crate::ids::{CustomerId, TenantId};
use crate::tenancy::{Mode, Scope};

type Key = (TenantId, Mode, CustomerId);

/// Customers' resolutions by tenant, mode and id; `None` remembers a customer that does not
/// exist (or was deleted).
pub struct Resolutions {
    cache: Cache<Key, Option<Arc<Resolution>>>,
}

impl Resolutions {
    /// A cache that `caches` keeps right.
    pub fn new(caches: &Caches) -> Arc<Resolutions> {
        let cache = Cache::builder().max_capacity(100_000).time_to_live(TTL).support_invalidation_closures().build();
        let me = Arc::new(Resolutions { cache });
        caches.subscribe(me.clone());
        me
    }

    /// The customer's resolution, from the cache or loaded; `None` when there is no such
    /// customer in the scope.
    pub async fn get(
        &self,
        caches: &Caches,
        pool: &PgPool,
        scope: Scope,
        customer: CustomerId,
    ) -> ApiResult<Option<Arc<Resolution>>> {
        caches
            .get_or_load(&self.cache, (scope.tenant_id, scope.mode, customer), || {
                crate::db::run(pool, move |conn| Ok(load(conn, scope, customer)?.map(Arc::new)))
            })
            .await
    }
}

impl Subscriber for Resolutions {
    fn apply(&self, inv: &Invalidation) {
        match inv {
            Invalidation::Customer(s, c) => self.cache.invalidate(&(s.tenant_id, s.mode, *c)),
            Invalidation::Scope(s) => {
                let (t, m) = (s.tenant_id, s.mode);
                // Only fails when closures are not enabled, which they are.
                let _ = self.cache.invalidate_entries_if(move |k, _| k.0 == t && k.1 == m);
            }
            Invalidation::SecretKey(_) | Invalidation::ApiKey(_) | Invalidation::TestClock(_) => {}
        }
    }

    fn clear(&self) {
        self.cache.invalidate_all();
    }
}
