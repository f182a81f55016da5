//! The transaction path: exact for every entry, whatever it asks.

use std::collections::{BTreeMap, HashSet};

use diesel::prelude::*;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use rust_decimal::Decimal;

use super::counters::{add_and_lock, add_to_counters};
use super::{event_columns, ident, CounterKey, Entry, EventIdent, NewEvent, Outcome};
use crate::db::sql::{Bind, Sql, Unnest};
use crate::db::PgConn;

#[derive(QueryableByName)]
struct EventKey {
    #[diesel(sql_type = SqlUuid)]
    tenant_id: uuid::Uuid,
    #[diesel(sql_type = Text)]
    mode: String,
    #[diesel(sql_type = Text)]
    event_id: String,
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
    let ids = Unnest::new("u")
        .col("t", Bind::Uuids(candidates.iter().map(|e| e.tenant_id.0).collect()))
        .col("m", Bind::Texts(candidates.iter().map(|e| e.mode.as_str().to_string()).collect()))
        .col("id", Bind::Texts(candidates.iter().map(|e| e.event_id.clone()).collect()));
    let rows: Vec<EventKey> = Sql::unnest(
        "SELECT e.tenant_id, e.mode, e.event_id FROM usage_events e \
         JOIN {u} ON e.tenant_id = u.t AND e.mode = u.m AND e.event_id = u.id",
        vec![ids],
    )
    .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.tenant_id, r.mode, r.event_id)).collect())
}

/// Inserts events; returns the ones that were new.
fn insert_events(conn: &mut PgConn, events: &[&NewEvent]) -> QueryResult<HashSet<EventIdent>> {
    if events.is_empty() {
        return Ok(HashSet::new());
    }
    let rows: Vec<EventKey> = Sql::unnest(
        "INSERT INTO usage_events (tenant_id, mode, event_id, customer_id, feature, quantity, occurred_at, properties, received_at) \
         SELECT t, m, id, cu, f, q, at, p, rcv FROM {e} \
         ON CONFLICT DO NOTHING RETURNING tenant_id, mode, event_id",
        vec![event_columns(Unnest::new("e"), events.iter().copied())],
    )
    .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.tenant_id, r.mode, r.event_id)).collect())
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
