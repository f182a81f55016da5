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
use diesel::sql_types::{Numeric, Text, Timestamptz, Uuid as SqlUuid};
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
pub fn apply(conn: &mut PgConn, entries: &[&Entry]) -> QueryResult<Vec<Outcome>> {
    let existing = existing_events(conn, entries)?;

    // What the batch asks of each counter, counting each event id once.
    let mut asked: BTreeMap<CounterKey, Decimal> = BTreeMap::new();
    let mut candidate = Vec::with_capacity(entries.len());
    let mut seen: HashSet<EventIdent> = existing.clone();
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
    let mut used: BTreeMap<CounterKey, Decimal> =
        asked.iter().map(|(k, d)| (k.clone(), after.get(k).copied().unwrap_or(*d) - d)).collect();

    let mut outcomes = Vec::with_capacity(entries.len());
    let mut granted_delta: BTreeMap<CounterKey, Decimal> = BTreeMap::new();
    let mut to_insert: Vec<(usize, &NewEvent)> = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let current = entry.counter.as_ref().map(|c| used.get(&c.key).copied().unwrap_or_default());
        if entry.event.is_some() && !candidate[i] {
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
