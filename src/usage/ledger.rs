//! The usage ledger's one write path: a batch of entries (events to record, quota counters to
//! charge) applied in one transaction. Used by the verify batcher, by `POST /v1/usage` and by
//! `POST /v1/usage/batch`.
//!
//! Exactness: every quota counter the batch touches is locked once, in the database's order of
//! the counters' keys (so two instances never deadlock), and the entries are decided one by one
//! in arrival order against the locked values. Concurrent batches on other instances wait for
//! the lock, so no window ever grants more than its limit. Event ids are deduplicated against
//! the ledger and within the batch; a duplicate consumes nothing.
//!
//! Every statement is set-based (`unnest` of arrays), so a batch of a thousand entries costs
//! the same handful of round trips as a batch of one, and each is prepared once per connection
//! ([`crate::db::sql::Sql`]), so it is planned once.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Numeric, Text, Timestamptz, Uuid as SqlUuid};
use rust_decimal::Decimal;

use crate::db::sql::{Bind, Sql};
use crate::db::PgConn;
use crate::ids::{CustomerId, TenantId};
use crate::tenancy::Mode;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CounterKey {
    pub tenant_id: TenantId,
    pub mode: Mode,
    pub customer_id: CustomerId,
    pub feature: String,
    pub window_start: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct CounterReq {
    pub key: CounterKey,
    /// `None`: unlimited (the counter only keeps `used`).
    pub limit: Option<Decimal>,
    pub allow_overage: bool,
    /// What a granted entry adds: the quantity (sum) or 1 (count).
    pub increment: Decimal,
}

#[derive(Debug, Clone)]
pub struct NewEvent {
    pub tenant_id: TenantId,
    pub mode: Mode,
    pub event_id: String,
    /// Whether the client chose the id (only those can be duplicates).
    pub client_id: bool,
    pub customer_id: CustomerId,
    pub feature: String,
    pub quantity: Decimal,
    pub occurred_at: DateTime<Utc>,
    pub properties: Option<serde_json::Value>,
    pub received_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Entry {
    /// `None`: only check the counter (verify with quantity 0).
    pub event: Option<NewEvent>,
    pub counter: Option<CounterReq>,
    /// Record whatever the limit says (the usage API).
    pub force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Within the limit (or forced, or a duplicate of a recorded event).
    pub granted: bool,
    /// The event id was recorded before; nothing was consumed.
    pub duplicate: bool,
    /// The counter after this entry.
    pub used: Option<Decimal>,
}

#[derive(QueryableByName)]
struct CounterRow {
    #[diesel(sql_type = SqlUuid)]
    tenant_id: uuid::Uuid,
    #[diesel(sql_type = Text)]
    mode: String,
    #[diesel(sql_type = SqlUuid)]
    customer_id: uuid::Uuid,
    #[diesel(sql_type = Text)]
    feature: String,
    #[diesel(sql_type = Timestamptz)]
    window_start: DateTime<Utc>,
    #[diesel(sql_type = Numeric)]
    used: Decimal,
}

#[derive(QueryableByName)]
struct EventKey {
    #[diesel(sql_type = SqlUuid)]
    tenant_id: uuid::Uuid,
    #[diesel(sql_type = Text)]
    mode: String,
    #[diesel(sql_type = Text)]
    event_id: String,
}

type EventIdent = (uuid::Uuid, String, String);

/// Counter keys as columns, for `unnest`.
struct CounterColumns {
    tenant: Vec<uuid::Uuid>,
    mode: Vec<String>,
    customer: Vec<uuid::Uuid>,
    feature: Vec<String>,
    window: Vec<DateTime<Utc>>,
}

/// `sql` with the counters' keys and a delta each bound as its six `?` arrays, in key order.
fn with_counters(sql: &'static str, deltas: &BTreeMap<CounterKey, Decimal>) -> Sql {
    let keys: Vec<&CounterKey> = deltas.keys().collect();
    let CounterColumns { tenant, mode, customer, feature, window } = counter_columns(&keys);
    Sql::new(sql)
        .bind(Bind::Uuids(tenant))
        .bind(Bind::Texts(mode))
        .bind(Bind::Uuids(customer))
        .bind(Bind::Texts(feature))
        .bind(Bind::Times(window))
        .bind(Bind::Numerics(deltas.values().copied().collect()))
}

fn counter_columns(keys: &[&CounterKey]) -> CounterColumns {
    CounterColumns {
        tenant: keys.iter().map(|k| k.tenant_id.0).collect(),
        mode: keys.iter().map(|k| k.mode.as_str().to_string()).collect(),
        customer: keys.iter().map(|k| k.customer_id.0).collect(),
        feature: keys.iter().map(|k| k.feature.clone()).collect(),
        window: keys.iter().map(|k| k.window_start).collect(),
    }
}

fn counter_rows(rows: Vec<CounterRow>) -> impl Iterator<Item = (CounterKey, Decimal)> {
    rows.into_iter().filter_map(|r| {
        Some((
            CounterKey {
                tenant_id: TenantId(r.tenant_id),
                mode: Mode::parse(&r.mode)?,
                customer_id: CustomerId(r.customer_id),
                feature: r.feature,
                window_start: r.window_start,
            },
            r.used,
        ))
    })
}

/// Adds `deltas` to the counters and returns each counter's value after the addition; the rows
/// stay locked until the transaction ends.
///
/// Almost every counter exists already (it is created on the first use in its window), so a
/// plain `UPDATE` does the work; only the keys it did not find go through the (costlier) upsert.
/// Keys are passed in one sorted order everywhere, so batches lock shared counters in the same
/// order; a deadlock between instances, should the planner ever order them differently, is
/// retried by the batcher.
fn add_and_lock(
    conn: &mut PgConn,
    deltas: &BTreeMap<CounterKey, Decimal>,
) -> QueryResult<BTreeMap<CounterKey, Decimal>> {
    if deltas.is_empty() {
        return Ok(BTreeMap::new());
    }
    let updated: Vec<CounterRow> = with_counters(
        "UPDATE usage_counters c SET used = c.used + u.d \
         FROM unnest(?::uuid[], ?::text[], ?::uuid[], ?::text[], ?::timestamptz[], ?::numeric[]) AS u(t, m, cu, f, w, d) \
         WHERE c.tenant_id = u.t AND c.mode = u.m AND c.customer_id = u.cu AND c.feature = u.f AND c.window_start = u.w \
         RETURNING c.tenant_id, c.mode, c.customer_id, c.feature, c.window_start, c.used",
        deltas,
    )
    .load(conn)?;
    let mut after: BTreeMap<CounterKey, Decimal> = counter_rows(updated).collect();
    if after.len() == deltas.len() {
        return Ok(after);
    }
    let missing: BTreeMap<CounterKey, Decimal> =
        deltas.iter().filter(|(k, _)| !after.contains_key(*k)).map(|(k, v)| (k.clone(), *v)).collect();
    let inserted: Vec<CounterRow> = with_counters(
        "INSERT INTO usage_counters AS c (tenant_id, mode, customer_id, feature, window_start, used) \
         SELECT t, m, cu, f, w, d FROM unnest(?::uuid[], ?::text[], ?::uuid[], ?::text[], ?::timestamptz[], ?::numeric[]) \
           AS u(t, m, cu, f, w, d) \
         ORDER BY t, m, cu, f, w \
         ON CONFLICT (tenant_id, mode, customer_id, feature, window_start) DO UPDATE SET used = c.used + EXCLUDED.used \
         RETURNING c.tenant_id, c.mode, c.customer_id, c.feature, c.window_start, c.used",
        &missing,
    )
    .load(conn)?;
    after.extend(counter_rows(inserted));
    Ok(after)
}

/// Which of the client-chosen event ids of entries that are decided against a limit are
/// already in the ledger. (Forced entries need no look-up: a duplicate among them is found by
/// the insert and refunded.)
fn existing_events(conn: &mut PgConn, entries: &[&Entry]) -> QueryResult<HashSet<EventIdent>> {
    let candidates: Vec<&NewEvent> =
        entries.iter().filter(|e| !e.force).filter_map(|e| e.event.as_ref()).filter(|e| e.client_id).collect();
    if candidates.is_empty() {
        return Ok(HashSet::new());
    }
    let t: Vec<uuid::Uuid> = candidates.iter().map(|e| e.tenant_id.0).collect();
    let m: Vec<String> = candidates.iter().map(|e| e.mode.as_str().to_string()).collect();
    let id: Vec<String> = candidates.iter().map(|e| e.event_id.clone()).collect();
    let rows: Vec<EventKey> = Sql::new(
        "SELECT e.tenant_id, e.mode, e.event_id FROM usage_events e \
         JOIN unnest(?::uuid[], ?::text[], ?::text[]) AS u(t, m, id) \
           ON e.tenant_id = u.t AND e.mode = u.m AND e.event_id = u.id",
    )
    .bind(Bind::Uuids(t))
    .bind(Bind::Texts(m))
    .bind(Bind::Texts(id))
    .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.tenant_id, r.mode, r.event_id)).collect())
}

fn ident(e: &NewEvent) -> EventIdent {
    (e.tenant_id.0, e.mode.as_str().to_string(), e.event_id.clone())
}

/// Inserts events; returns the ones that were new.
fn insert_events(conn: &mut PgConn, events: &[&NewEvent]) -> QueryResult<HashSet<EventIdent>> {
    if events.is_empty() {
        return Ok(HashSet::new());
    }
    let rows: Vec<EventKey> = Sql::new(
        "INSERT INTO usage_events (tenant_id, mode, event_id, customer_id, feature, quantity, occurred_at, properties, received_at) \
         SELECT * FROM unnest(?::uuid[], ?::text[], ?::text[], ?::uuid[], ?::text[], ?::numeric[], ?::timestamptz[], \
           ?::jsonb[], ?::timestamptz[]) \
         ON CONFLICT DO NOTHING RETURNING tenant_id, mode, event_id",
    )
    .bind(Bind::Uuids(events.iter().map(|e| e.tenant_id.0).collect()))
    .bind(Bind::Texts(events.iter().map(|e| e.mode.as_str().to_string()).collect()))
    .bind(Bind::Texts(events.iter().map(|e| e.event_id.clone()).collect()))
    .bind(Bind::Uuids(events.iter().map(|e| e.customer_id.0).collect()))
    .bind(Bind::Texts(events.iter().map(|e| e.feature.clone()).collect()))
    .bind(Bind::Numerics(events.iter().map(|e| e.quantity).collect()))
    .bind(Bind::Times(events.iter().map(|e| e.occurred_at).collect()))
    .bind(Bind::Jsons(events.iter().map(|e| e.properties.clone()).collect()))
    .bind(Bind::Times(events.iter().map(|e| e.received_at).collect()))
    .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.tenant_id, r.mode, r.event_id)).collect())
}

fn add_to_counters(conn: &mut PgConn, deltas: &BTreeMap<CounterKey, Decimal>) -> QueryResult<()> {
    let changed: BTreeMap<CounterKey, Decimal> =
        deltas.iter().filter(|(_, d)| !d.is_zero()).map(|(k, d)| (k.clone(), *d)).collect();
    if changed.is_empty() {
        return Ok(());
    }
    with_counters(
        "UPDATE usage_counters c SET used = c.used + u.d \
         FROM unnest(?::uuid[], ?::text[], ?::uuid[], ?::text[], ?::timestamptz[], ?::numeric[]) AS u(t, m, cu, f, w, d) \
         WHERE c.tenant_id = u.t AND c.mode = u.m AND c.customer_id = u.cu AND c.feature = u.f AND c.window_start = u.w",
        &changed,
    )
    .execute(conn)
    .map(drop)
}

/// Applies `entries` in order; call inside a transaction.
///
/// The counters are first charged optimistically with everything the batch asks for, which
/// locks them and tells their value before the batch; the entries are then decided in order
/// against that value, and whatever was refused (a limit reached, a duplicate found late) is
/// taken back in one more statement. Far from any limit, a batch costs one counter statement
/// and one insert.
///
/// The ledger is searched for the batch's event ids only once the counters are locked: a copy
/// of an event that another instance is granting at the same moment (a client retrying on
/// another instance) then waits for that instance's commit and finds the event, so it is
/// answered as a duplicate of the original verdict instead of being decided again against a
/// counter that already holds the original.
pub fn apply(conn: &mut PgConn, entries: &[&Entry]) -> QueryResult<Vec<Outcome>> {
    // What the batch asks of each counter, counting each event id once.
    let mut asked: BTreeMap<CounterKey, Decimal> = BTreeMap::new();
    let mut candidate = Vec::with_capacity(entries.len());
    let mut seen: HashSet<EventIdent> = HashSet::new();
    for entry in entries {
        let fresh = match &entry.event {
            Some(e) => seen.insert(ident(e)),
            None => false,
        };
        candidate.push(fresh);
        if let Some(c) = &entry.counter {
            *asked.entry(c.key.clone()).or_default() += if fresh { c.increment } else { Decimal::ZERO };
        }
    }
    let after = add_and_lock(conn, &asked)?;
    let existing = existing_events(conn, entries)?;
    let mut used: BTreeMap<CounterKey, Decimal> =
        asked.iter().map(|(k, d)| (k.clone(), after.get(k).copied().unwrap_or(*d) - d)).collect();

    let mut outcomes = Vec::with_capacity(entries.len());
    let mut granted_delta: BTreeMap<CounterKey, Decimal> = BTreeMap::new();
    let mut to_insert: Vec<(usize, &NewEvent)> = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let current = entry.counter.as_ref().map(|c| used.get(&c.key).copied().unwrap_or_default());
        if entry.event.as_ref().is_some_and(|e| !candidate[i] || existing.contains(&ident(e))) {
            outcomes.push(Outcome { granted: true, duplicate: true, used: current });
            continue;
        }
        let granted = match (&entry.counter, &entry.event) {
            (None, _) => true,
            // A check without consuming: is anything left?
            (Some(c), None) => c.allow_overage || c.limit.is_none_or(|l| current.unwrap_or_default() < l),
            (Some(c), Some(_)) => {
                entry.force || c.allow_overage || c.limit.is_none_or(|l| current.unwrap_or_default() + c.increment <= l)
            }
        };
        let mut now_used = current;
        if granted {
            if let Some(event) = &entry.event {
                to_insert.push((i, event));
                if let Some(c) = &entry.counter {
                    let v = used.entry(c.key.clone()).or_default();
                    *v += c.increment;
                    *granted_delta.entry(c.key.clone()).or_default() += c.increment;
                    now_used = Some(*v);
                }
            }
        }
        outcomes.push(Outcome { granted, duplicate: false, used: now_used });
    }

    let inserted = insert_events(conn, &to_insert.iter().map(|(_, e)| *e).collect::<Vec<_>>())?;
    // An id taken meanwhile by another customer's event (the only race the counter locks do
    // not cover): a duplicate after all, and it must not count.
    for (i, event) in &to_insert {
        if !inserted.contains(&ident(event)) {
            outcomes[*i].duplicate = true;
            if let Some(c) = &entries[*i].counter {
                *granted_delta.entry(c.key.clone()).or_default() -= c.increment;
            }
        }
    }
    // Take back what was charged but not granted.
    let refunds: BTreeMap<CounterKey, Decimal> = asked
        .iter()
        .map(|(k, d)| (k.clone(), granted_delta.get(k).copied().unwrap_or_default() - d))
        .filter(|(_, r)| !r.is_zero())
        .collect();
    add_to_counters(conn, &refunds)?;
    Ok(outcomes)
}

/// How the one-statement path treats a counter of the batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Track {
    /// Verify entries against a limit: charged only if the whole ask still fits.
    Conditional,
    /// No limit to decide (usage API, no limit, overage allowed): charged with what was recorded.
    Unconditional,
    /// Left to [`apply`].
    Slow,
}

impl Entry {
    /// Whether the one-statement path may settle this entry, and how its counter is tracked.
    fn fast_track(&self) -> Track {
        let Some(event) = &self.event else { return Track::Slow };
        // A client-chosen id on a decided entry must be checked against the ledger before the
        // decision (a duplicate consumes nothing): that needs the transaction.
        if !self.force && event.client_id {
            return Track::Slow;
        }
        match &self.counter {
            Some(c) if !self.force && !c.allow_overage && c.limit.is_some() => Track::Conditional,
            _ => Track::Unconditional,
        }
    }
}

/// A counter the one-statement path charged: its ordinal and its value after the batch.
#[derive(QueryableByName)]
struct FastRow {
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = Numeric)]
    used: Decimal,
}

/// The one-statement path: counters and ledger in a single autocommitted statement.
///
/// A conditional counter is charged with everything the batch asks of it only if the sum still
/// fits under its limit (the row lock and PostgreSQL's re-check of the condition on the latest
/// row version keep that exact across instances), and its events are inserted only if it was.
/// Unconditional counters are charged with all the batch asks of them.
///
/// Events are inserted without a conflict check (`ON CONFLICT` costs an index probe more per
/// event, about a sixth of PostgreSQL's work in batch ingestion): new events are the rule, and
/// an event id that is already in the ledger (a retried usage call) fails the statement whole,
/// so nothing of it is kept and the batch goes through the transaction, which checks each id.
const FAST_SQL: &str = "WITH c AS ( \
   SELECT * FROM unnest(?::uuid[], ?::text[], ?::uuid[], ?::text[], ?::timestamptz[], ?::numeric[], ?::numeric[], ?::bool[]) \
     WITH ORDINALITY AS c(t, m, cu, f, w, d, lim, cond, n) \
 ), up AS ( \
   UPDATE usage_counters u SET used = u.used + c.d FROM c \
   WHERE c.cond AND u.tenant_id = c.t AND u.mode = c.m AND u.customer_id = c.cu AND u.feature = c.f \
     AND u.window_start = c.w AND u.used + c.d <= c.lim \
   RETURNING c.n, u.used \
 ), e AS ( \
   SELECT * FROM unnest(?::uuid[], ?::text[], ?::text[], ?::uuid[], ?::text[], ?::numeric[], ?::timestamptz[], ?::jsonb[], \
     ?::timestamptz[], ?::int8[], ?::bool[]) \
     AS e(t, m, id, cu, f, q, at, p, rcv, cn, cond) \
 ), ins AS ( \
   INSERT INTO usage_events (tenant_id, mode, event_id, customer_id, feature, quantity, occurred_at, properties, received_at) \
   SELECT t, m, id, cu, f, q, at, p, rcv FROM e WHERE NOT e.cond OR e.cn IN (SELECT n FROM up) \
 ), fu AS ( \
   INSERT INTO usage_counters AS u (tenant_id, mode, customer_id, feature, window_start, used) \
   SELECT t, m, cu, f, w, d FROM c WHERE NOT cond ORDER BY t, m, cu, f, w \
   ON CONFLICT (tenant_id, mode, customer_id, feature, window_start) DO UPDATE SET used = u.used + EXCLUDED.used \
   RETURNING tenant_id, mode, customer_id, feature, window_start, used \
 ) \
 SELECT n, used FROM up \
 UNION ALL SELECT c.n, fu.used FROM fu JOIN c ON c.t = fu.tenant_id AND c.m = fu.mode AND c.cu = fu.customer_id \
   AND c.f = fu.feature AND c.w = fu.window_start";

/// A counter of the one-statement path.
struct FastCounter {
    /// Its 1-based position in the statement's counter arrays.
    ordinal: i64,
    track: Track,
    /// What the batch asks of it.
    asked: Decimal,
    limit: Option<Decimal>,
}

/// Settles, in one autocommitted statement and without a transaction, the entries that need
/// no decision against the ledger first: events without a client-chosen id checked against a
/// limit (verify's common case), and every event whose counter has no limit to decide (the
/// usage API). Far from any limit this is the whole batch, in one round trip.
///
/// Returns an outcome for each entry it settled and `None` for those left to [`apply`] (in a
/// transaction, after this one): checks without consuming, client-chosen ids on verify, ids
/// repeated within the batch, counters with entries of both kinds, and conditional counters
/// that would cross their limit or do not exist yet in their window. Fails, keeping nothing,
/// when an event id is already in the ledger; [`apply`] then takes the whole batch.
pub fn apply_fast(conn: &mut PgConn, entries: &[&Entry]) -> QueryResult<Vec<Option<Outcome>>> {
    let mut outcomes: Vec<Option<Outcome>> = vec![None; entries.len()];

    // Which entries and counters qualify.
    let mut repeated: HashSet<EventIdent> = HashSet::new();
    let mut seen: HashSet<EventIdent> = HashSet::new();
    for e in entries.iter().filter_map(|e| e.event.as_ref()).filter(|e| e.client_id) {
        if !seen.insert(ident(e)) {
            repeated.insert(ident(e));
        }
    }
    let mut counters: BTreeMap<&CounterKey, FastCounter> = BTreeMap::new();
    let tracks: Vec<Track> = entries
        .iter()
        .map(|entry| {
            let mut track = entry.fast_track();
            if entry.event.as_ref().is_some_and(|e| repeated.contains(&ident(e))) {
                track = Track::Slow;
            }
            if let Some(c) = &entry.counter {
                let fc = counters.entry(&c.key).or_insert(FastCounter {
                    ordinal: 0,
                    track,
                    asked: Decimal::ZERO,
                    limit: c.limit,
                });
                if fc.track != track {
                    fc.track = Track::Slow;
                }
                fc.asked += c.increment;
            }
            track
        })
        .collect();
    let fast: Vec<usize> = (0..entries.len())
        .filter(|&i| {
            tracks[i] != Track::Slow
                && entries[i].counter.as_ref().is_none_or(|c| counters[&c.key].track != Track::Slow)
        })
        .collect();
    if fast.is_empty() {
        return Ok(outcomes);
    }
    counters.retain(|_, fc| fc.track != Track::Slow);
    for (n, fc) in counters.values_mut().enumerate() {
        fc.ordinal = n as i64 + 1;
    }
    let keys: Vec<&CounterKey> = counters.keys().copied().collect();
    let CounterColumns { tenant, mode, customer, feature, window } = counter_columns(&keys);
    let events: Vec<(&NewEvent, Option<&CounterReq>)> =
        fast.iter().filter_map(|&i| entries[i].event.as_ref().map(|e| (e, entries[i].counter.as_ref()))).collect();
    let counter_of = |c: Option<&CounterReq>| c.map(|c| &counters[&c.key]);
    let rows: Vec<FastRow> = Sql::new(FAST_SQL)
        .bind(Bind::Uuids(tenant))
        .bind(Bind::Texts(mode))
        .bind(Bind::Uuids(customer))
        .bind(Bind::Texts(feature))
        .bind(Bind::Times(window))
        .bind(Bind::Numerics(counters.values().map(|fc| fc.asked).collect()))
        .bind(Bind::Numerics(counters.values().map(|fc| fc.limit.unwrap_or_default()).collect()))
        .bind(Bind::Bools(counters.values().map(|fc| fc.track == Track::Conditional).collect()))
        .bind(Bind::Uuids(events.iter().map(|(e, _)| e.tenant_id.0).collect()))
        .bind(Bind::Texts(events.iter().map(|(e, _)| e.mode.as_str().to_string()).collect()))
        .bind(Bind::Texts(events.iter().map(|(e, _)| e.event_id.clone()).collect()))
        .bind(Bind::Uuids(events.iter().map(|(e, _)| e.customer_id.0).collect()))
        .bind(Bind::Texts(events.iter().map(|(e, _)| e.feature.clone()).collect()))
        .bind(Bind::Numerics(events.iter().map(|(e, _)| e.quantity).collect()))
        .bind(Bind::Times(events.iter().map(|(e, _)| e.occurred_at).collect()))
        .bind(Bind::Jsons(events.iter().map(|(e, _)| e.properties.clone()).collect()))
        .bind(Bind::Times(events.iter().map(|(e, _)| e.received_at).collect()))
        .bind(Bind::Ints(events.iter().map(|(_, c)| counter_of(*c).map_or(0, |fc| fc.ordinal)).collect()))
        .bind(Bind::Bools(
            events.iter().map(|(_, c)| counter_of(*c).is_some_and(|fc| fc.track == Track::Conditional)).collect(),
        ))
        .load(conn)?;

    // Every event the statement took is in the ledger now (it would have failed otherwise), so
    // each charged counter's value before the batch is its value after, less all it was asked.
    let mut running: BTreeMap<i64, Decimal> = rows.into_iter().map(|r| (r.n, r.used)).collect();
    for fc in counters.values() {
        if let Some(v) = running.get_mut(&fc.ordinal) {
            *v -= fc.asked;
        }
    }
    for &i in &fast {
        let used = match &entries[i].counter {
            None => None,
            // Not charged (over the limit, or a new window): the events were not taken either,
            // and `apply` decides them.
            Some(c) => match running.get_mut(&counters[&c.key].ordinal) {
                None => continue,
                Some(v) => {
                    *v += c.increment;
                    Some(*v)
                }
            },
        };
        outcomes[i] = Some(Outcome { granted: true, duplicate: false, used });
    }
    Ok(outcomes)
}

/// The counter's value now, without locking (for entitlements and verify checks off the
/// write path).
pub fn counter_value(conn: &mut PgConn, key: &CounterKey) -> QueryResult<Decimal> {
    use crate::schema::usage_counters as uc;
    uc::table
        .filter(uc::tenant_id.eq(key.tenant_id))
        .filter(uc::mode.eq(key.mode))
        .filter(uc::customer_id.eq(key.customer_id))
        .filter(uc::feature.eq(&key.feature))
        .filter(uc::window_start.eq(key.window_start))
        .select(uc::used)
        .first(conn)
        .optional()
        .map(Option::unwrap_or_default)
}
