//! The one-statement path: settles what needs no decision against the ledger first, without a
//! transaction.

use std::collections::{BTreeMap, HashSet};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Numeric};
use rust_decimal::Decimal;

use super::counters::key_columns;
use super::{event_columns, ident, CounterKey, CounterReq, Entry, EventIdent, NewEvent, Outcome};
use crate::db::sql::{Bind, Sql, Unnest};
use crate::db::PgConn;

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
/// Every counter of the batch is charged by one upsert whose rows are sorted by key, so the
/// rows are locked in key order, the order every statement on counters uses: concurrent
/// batches on the same rows (the standby verify worker, a bulk worker helping the verify lane,
/// other instances) wait for each other but never deadlock. A conditional counter is charged
/// with everything the batch asks of it only if the sum still fits under its limit
/// (`EXCLUDED.charge_limit`; the row lock and PostgreSQL's re-check of the condition on the
/// latest row version keep that exact across instances), and its events are inserted only if
/// it was. A counter that does not exist yet (a new window) is created charged, if the ask fits
/// at all. Unconditional counters are charged with all the batch asks of them.
///
/// [`CHARGE_FIRST`] (a batch with conditional counters) charges first, then inserts the events
/// of what it charged. [`RECORD_FIRST`] (nothing to decide: usage batches) inserts the events
/// first and charges the counters last. A bulk writer charges its own share of each counter
/// ([`RECORD_FIRST_SHARE`], `usage_counter_shares`) and never the counter row, so no verify
/// waits for a usage batch's commit; a verify counts the shares it sees in its statement's
/// snapshot (`sh`), so its row is charged only if row + shares + ask fits.
///
/// What the shares do to the exactness: verify-granted usage never exceeds the limit (the row
/// alone stays at or below `limit - shares`, and shares only grow), whatever runs at once. A
/// usage batch that commits while a verify of the same counter waits for its row lock may not
/// be counted by that verify, even when another verify decided meanwhile did count it; so
/// recorded usage can take a counter past its limit by what such a batch added, as recorded
/// usage may anyway, and that verify's `used` can miss it.
///
/// Events are inserted without a conflict check (`ON CONFLICT` costs an index probe more per
/// event, about a sixth of PostgreSQL's work in batch ingestion): new events are the rule, and
/// an event id that is already in the ledger (a retried usage call) fails the statement whole,
/// so nothing of it is kept and the batch goes through the transaction, which checks each id.
///
/// `{c}`: the counters (`t, m, cu, f, w`, what is asked `d`, the limit `lim`, whether `cond`itional,
/// numbered `n`, and for [`RECORD_FIRST_SHARE`] the writer's `share`); `{e}`: the events (`usage_events`' columns, their
/// counter's number `cn` and whether it is conditional). Each statement answers every counter
/// it charged with its value after the batch, row and shares together.
const CHARGE_FIRST: &str = concat!(
    "WITH c AS ( \
   SELECT c.*, ",
    shares_of!("c.t", "c.m", "c.cu", "c.f", "c.w"),
    " AS sh FROM {c} \
 ), ch AS ( \
   INSERT INTO usage_counters AS u (tenant_id, mode, customer_id, feature, window_start, used, charge_limit) \
   SELECT t, m, cu, f, w, d, CASE WHEN cond THEN lim - sh END FROM c WHERE NOT cond OR d + sh <= lim ORDER BY t, m, cu, f, w \
   ON CONFLICT (tenant_id, mode, customer_id, feature, window_start) DO UPDATE SET used = u.used + EXCLUDED.used \
     WHERE EXCLUDED.charge_limit IS NULL OR u.used + EXCLUDED.used <= EXCLUDED.charge_limit \
   RETURNING tenant_id, mode, customer_id, feature, window_start, used \
 ), charged AS ( \
   SELECT c.n, ch.used + c.sh AS used FROM ch JOIN c ON c.t = ch.tenant_id AND c.m = ch.mode AND c.cu = ch.customer_id \
     AND c.f = ch.feature AND c.w = ch.window_start \
 ), e AS ( \
   SELECT * FROM {e} \
 ), ins AS ( \
   INSERT INTO usage_events (tenant_id, mode, event_id, customer_id, feature, quantity, occurred_at, properties, received_at) \
   SELECT t, m, id, cu, f, q, at, p, rcv FROM e WHERE NOT e.cond OR e.cn IN (SELECT n FROM charged) \
 ) \
 SELECT n, used FROM charged"
);

/// The start of the statements that record first: the counters `c`, the events `e`, and their
/// insert `ins`.
macro_rules! events_first {
    () => {
        "WITH c AS ( \
           SELECT * FROM {c} \
         ), e AS ( \
           SELECT * FROM {e} \
         ), ins AS ( \
           INSERT INTO usage_events (tenant_id, mode, event_id, customer_id, feature, quantity, occurred_at, properties, received_at) \
           SELECT t, m, id, cu, f, q, at, p, rcv FROM e RETURNING 1 \
         )"
    };
}

/// See [`CHARGE_FIRST`]: the same with the events inserted before the counters are touched (the
/// one-time scalar subquery over `ins` runs before the upsert's first row), so the counter rows
/// stay locked only for the upsert and the commit. For the verify worker, which has no share.
const RECORD_FIRST: &str = concat!(
    events_first!(),
    ", ch AS ( \
   INSERT INTO usage_counters AS u (tenant_id, mode, customer_id, feature, window_start, used) \
   SELECT t, m, cu, f, w, d FROM c WHERE (SELECT count(*) FROM ins) >= 0 ORDER BY t, m, cu, f, w \
   ON CONFLICT (tenant_id, mode, customer_id, feature, window_start) DO UPDATE SET used = u.used + EXCLUDED.used \
   RETURNING tenant_id, mode, customer_id, feature, window_start, used \
 ) \
 SELECT c.n, ch.used + ",
    shares_of!("c.t", "c.m", "c.cu", "c.f", "c.w"),
    " AS used \
 FROM ch JOIN c ON c.t = ch.tenant_id AND c.m = ch.mode AND c.cu = ch.customer_id \
   AND c.f = ch.feature AND c.w = ch.window_start"
);

/// See [`RECORD_FIRST`]: a bulk writer's, charging its own share of each counter (locked only
/// by writers of the same share number, on other instances) instead of the row verify charges.
const RECORD_FIRST_SHARE: &str = concat!(
    events_first!(),
    ", ch AS ( \
   INSERT INTO usage_counter_shares AS s (tenant_id, mode, customer_id, feature, window_start, share, used) \
   SELECT t, m, cu, f, w, share, d FROM c WHERE (SELECT count(*) FROM ins) >= 0 ORDER BY t, m, cu, f, w \
   ON CONFLICT (tenant_id, mode, customer_id, feature, window_start, share) DO UPDATE SET used = s.used + EXCLUDED.used \
   RETURNING tenant_id, mode, customer_id, feature, window_start, used \
 ) \
 SELECT c.n, ch.used \
   + coalesce((SELECT u.used FROM usage_counters u WHERE u.tenant_id = c.t AND u.mode = c.m AND u.customer_id = c.cu \
       AND u.feature = c.f AND u.window_start = c.w), 0) \
   + ",
    shares_of!("c.t", "c.m", "c.cu", "c.f", "c.w", "o.share <> c.share"),
    " AS used \
 FROM ch JOIN c ON c.t = ch.tenant_id AND c.m = ch.mode AND c.cu = ch.customer_id \
   AND c.f = ch.feature AND c.w = ch.window_start"
);

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
/// that would cross their limit. Fails, keeping nothing,
/// when an event id is already in the ledger; [`apply`] then takes the whole batch.
///
/// `share`: the bulk writer's share of the counters, where a batch with nothing to decide is
/// charged (`None`: the counter rows).
pub fn apply_fast(conn: &mut PgConn, entries: &[&Entry], share: Option<i16>) -> QueryResult<Vec<Option<Outcome>>> {
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
    let events: Vec<(&NewEvent, Option<&CounterReq>)> =
        fast.iter().filter_map(|&i| entries[i].event.as_ref().map(|e| (e, entries[i].counter.as_ref()))).collect();
    let counter_of = |c: Option<&CounterReq>| c.map(|c| &counters[&c.key]);
    let c = key_columns(Unnest::new("c"), counters.keys().copied())
        .col("d", Bind::Numerics(counters.values().map(|fc| fc.asked).collect()))
        .col("lim", Bind::Numerics(counters.values().map(|fc| fc.limit.unwrap_or_default()).collect()))
        .col("cond", Bind::Bools(counters.values().map(|fc| fc.track == Track::Conditional).collect()));
    let conditional = counters.values().any(|fc| fc.track == Track::Conditional);
    let (statement, c) = match (conditional, share) {
        (true, _) => (CHARGE_FIRST, c),
        (false, None) => (RECORD_FIRST, c),
        (false, Some(share)) => {
            (RECORD_FIRST_SHARE, c.col("share", Bind::Ints(vec![i64::from(share); counters.len()])))
        }
    };
    let c = c.numbered("n");
    let e = event_columns(Unnest::new("e"), events.iter().map(|(e, _)| *e))
        .col("cn", Bind::Ints(events.iter().map(|(_, c)| counter_of(*c).map_or(0, |fc| fc.ordinal)).collect()))
        .col(
            "cond",
            Bind::Bools(
                events.iter().map(|(_, c)| counter_of(*c).is_some_and(|fc| fc.track == Track::Conditional)).collect(),
            ),
        );
    let rows: Vec<FastRow> = Sql::unnest(statement, vec![c, e]).load(conn)?;

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
            // Not charged (it would cross the limit): the events were not taken either,
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
