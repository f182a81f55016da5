//! Usage thresholds: the `usage.threshold_reached` event and the customer's email at 80 % and
//! 100 % of a metered limit, once per threshold per limit window.
//!
//! Found where usage is recorded, without a statement more on the hot path. The ledger answers
//! each entry with its counter's value right after it ([`Outcome::used`]), so every write knows
//! in memory whether the counter stands at or past a threshold. That value can miss a usage
//! batch that commits at the same instant (a counter is its row plus the bulk writers' shares,
//! see [`crate::ledger::fast`]), so it is not enough that the one entry that carried the
//! counter across reports it: every write that finds the counter at or past a threshold
//! reports it, refusals included, unless this process already did ([`Caches::thresholds`]).
//! A crossing missed that way is reported by the counter's next write at the latest.
//!
//! Off the request's path, after the answer, one transaction records the crossing, its event and
//! its email job. The crossing's unique key (customer, feature, window, threshold) keeps that to
//! once per window whichever instance saw it.
//!
//! What is not covered: a process that dies between the usage's commit and that transaction
//! (a few milliseconds) loses the notification, not the usage, unless the counter is written
//! again in its window.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

use crate::cache::Caches;
use crate::db::PgConn;
use crate::ids::CustomerId;
use crate::ledger::{CounterReq, Outcome};
use crate::money::Quantity;
use crate::notices::{notice, EmailKind};
use crate::schema::usage_thresholds as ut;
use crate::state::AppState;
use crate::tenancy::Scope;

/// The thresholds, in percent of the limit.
pub const THRESHOLDS: [u8; 2] = [80, 100];

/// What the event carries (`data.object` of `usage.threshold_reached`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UsageThresholdReached {
    pub customer: CustomerId,
    #[schema(example = "api_calls")]
    pub feature: String,
    /// 80 or 100 (percent of the limit).
    #[schema(example = 80)]
    pub threshold: u8,
    /// The usage of the window as the write that reported the threshold saw it: right after the
    /// event that crossed it, or after the next one if a concurrent usage batch hid the crossing.
    #[schema(value_type = u64, example = 800)]
    pub used: Quantity,
    #[schema(value_type = u64, example = 1000)]
    pub limit: Quantity,
    pub window_start: DateTime<Utc>,
    /// When the window ends; absent for a limit that never resets.
    pub resets_at: Option<DateTime<Utc>>,
}

/// A limited counter an entry charges, watched for crossings.
#[derive(Debug, Clone, Copy)]
pub struct Watch {
    limit: Decimal,
    window_start: DateTime<Utc>,
    resets_at: Option<DateTime<Utc>>,
}

impl Watch {
    /// The watch on `counter`, if it has a limit above zero; `resets_at`: when its window ends.
    pub fn of(counter: Option<&CounterReq>, resets_at: impl FnOnce() -> Option<DateTime<Utc>>) -> Option<Watch> {
        let c = counter?;
        let limit = c.limit.filter(|l| *l > Decimal::ZERO)?;
        Some(Watch { limit, window_start: c.key.window_start, resets_at: resets_at() })
    }

    /// The thresholds the counter stands at or past after the entry answered by `outcome`
    /// (none, one or both), granted or not.
    pub fn crossed(&self, outcome: &Outcome) -> Option<Crossed> {
        let used = outcome.used?;
        let hundred = Decimal::ONE_HUNDRED;
        let mut thresholds =
            THRESHOLDS.into_iter().filter(|t| used * hundred >= self.limit * Decimal::from(*t)).peekable();
        thresholds.peek()?;
        Some(Crossed { thresholds: thresholds.collect(), used, watch: *self })
    }
}

/// Thresholds one entry crossed.
#[derive(Debug, Clone)]
pub struct Crossed {
    thresholds: Vec<u8>,
    used: Decimal,
    watch: Watch,
}

/// A threshold's key in [`Caches::thresholds`].
fn reported_key(
    scope: Scope,
    customer: CustomerId,
    feature: &str,
    window: DateTime<Utc>,
    threshold: u8,
) -> ReportedKey {
    (scope, customer, feature.to_string(), window, threshold)
}

type ReportedKey = (Scope, CustomerId, String, DateTime<Utc>, u8);

/// The crossings this process has not reported yet, which it now counts as reported.
fn unreported(
    caches: &Caches,
    scope: Scope,
    crossings: Vec<(CustomerId, String, Crossed)>,
) -> Vec<(CustomerId, String, Crossed)> {
    crossings
        .into_iter()
        .filter_map(|(customer, feature, mut c)| {
            let window = c.watch.window_start;
            c.thresholds.retain(|&t| {
                let key = reported_key(scope, customer, &feature, window, t);
                let new = !caches.thresholds.contains_key(&key);
                if new {
                    caches.thresholds.insert(key, ());
                }
                new
            });
            (!c.thresholds.is_empty()).then_some((customer, feature, c))
        })
        .collect()
}

/// Records the crossings this process has not reported yet, their events and their emails
/// after the request's answer, off its path (a few tries if the database is briefly away; if
/// all fail, they count as not reported, for the counter's next write).
pub fn report(state: &AppState, scope: Scope, at: DateTime<Utc>, crossings: Vec<(CustomerId, String, Crossed)>) {
    let crossings = unreported(&state.caches, scope, crossings);
    if crossings.is_empty() {
        return;
    }
    let (pool, caches) = (state.pool.clone(), state.caches.clone());
    actix_web::rt::spawn(async move {
        let mut tries = 0;
        loop {
            let batch = crossings.clone();
            let done = crate::db::run(&pool, move |conn| {
                Ok(conn.transaction(|conn| {
                    batch.iter().try_for_each(|(customer, feature, c)| record(conn, scope, *customer, feature, c, at))
                })?)
            })
            .await;
            match done {
                Ok(()) => break,
                Err(e) if tries < 3 => {
                    tries += 1;
                    tracing::debug!(error = ?e, tries, "usage thresholds not recorded yet");
                    tokio::time::sleep(std::time::Duration::from_millis(200 * tries)).await;
                }
                Err(e) => {
                    tracing::error!(error = ?e, "usage thresholds not recorded: the counters' next writes try again");
                    // Not reported after all: the next write at or past them tries again.
                    for (customer, feature, c) in &crossings {
                        for &t in &c.thresholds {
                            caches.thresholds.invalidate(&reported_key(
                                scope,
                                *customer,
                                feature,
                                c.watch.window_start,
                                t,
                            ));
                        }
                    }
                    break;
                }
            }
        }
    });
}

/// Records each threshold of `c` not yet recorded for its window, with its event and email job.
fn record(
    conn: &mut PgConn,
    scope: Scope,
    customer: CustomerId,
    feature: &str,
    c: &Crossed,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    for &threshold in &c.thresholds {
        let id = uuid::Uuid::now_v7();
        let new = diesel::insert_into(ut::table)
            .values((
                ut::tenant_id.eq(scope.tenant_id),
                ut::mode.eq(scope.mode),
                ut::id.eq(id),
                ut::customer_id.eq(customer),
                ut::feature.eq(feature),
                ut::window_start.eq(c.watch.window_start),
                ut::threshold.eq(i16::from(threshold)),
                ut::used.eq(c.used),
                ut::limit.eq(c.watch.limit),
                ut::resets_at.eq(c.watch.resets_at),
                ut::reached_at.eq(at),
            ))
            .on_conflict_do_nothing()
            .execute(conn)?;
        if new == 0 {
            continue;
        }
        let object = UsageThresholdReached {
            customer,
            feature: feature.to_string(),
            threshold,
            used: Quantity(c.used.normalize()),
            limit: Quantity(c.watch.limit.normalize()),
            window_start: c.watch.window_start,
            resets_at: c.watch.resets_at,
        };
        crate::events::emit(conn, scope, "usage.threshold_reached", &object, at)?;
        notice(conn, scope, EmailKind::UsageThreshold, id, at)?;
    }
    Ok(())
}

/// A recorded crossing, for its email.
pub fn find(conn: &mut PgConn, scope: Scope, id: uuid::Uuid) -> QueryResult<Option<UsageThresholdReached>> {
    type Row = (uuid::Uuid, String, i16, Decimal, Decimal, DateTime<Utc>, Option<DateTime<Utc>>);
    let row: Option<Row> = ut::table
        .find((scope.tenant_id, scope.mode, id))
        .select((ut::customer_id, ut::feature, ut::threshold, ut::used, ut::limit, ut::window_start, ut::resets_at))
        .first(conn)
        .optional()?;
    Ok(row.map(|(customer, feature, threshold, used, limit, window_start, resets_at)| UsageThresholdReached {
        customer: CustomerId(customer),
        feature,
        threshold: u8::try_from(threshold).unwrap_or(100),
        used: Quantity(used.normalize()),
        limit: Quantity(limit.normalize()),
        window_start,
        resets_at,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::TenantId;
    use crate::ledger::CounterKey;
    use crate::tenancy::Mode;

    fn watch(limit: i64, increment: i64) -> Watch {
        let key = CounterKey {
            tenant_id: TenantId(uuid::Uuid::nil()),
            mode: Mode::Test,
            customer_id: CustomerId(uuid::Uuid::nil()),
            feature: "calls".into(),
            window_start: DateTime::UNIX_EPOCH,
        };
        let req = CounterReq {
            key,
            limit: Some(Decimal::from(limit)),
            allow_overage: false,
            increment: Decimal::from(increment),
        };
        Watch::of(Some(&req), || None).expect("a limit")
    }

    fn crossed(w: Watch, used: i64) -> Vec<u8> {
        let outcome = Outcome { granted: true, duplicate: false, used: Some(Decimal::from(used)) };
        w.crossed(&outcome).map(|c| c.thresholds).unwrap_or_default()
    }

    #[test]
    fn each_process_reports_a_threshold_once_from_the_first_write_at_or_past_it() {
        let (caches, w) = (Caches::default(), watch(10, 1));
        let scope = Scope { tenant_id: TenantId(uuid::Uuid::nil()), mode: Mode::Test };
        let customer = CustomerId(uuid::Uuid::nil());
        let reports: Vec<(i64, Vec<u8>)> = (1..=12)
            .filter_map(|used| {
                let outcome = Outcome { granted: true, duplicate: false, used: Some(Decimal::from(used)) };
                let c = w.crossed(&outcome)?;
                let reported = unreported(&caches, scope, vec![(customer, "calls".into(), c)]);
                reported.into_iter().next().map(|(_, _, c)| (used, c.thresholds))
            })
            .collect();
        assert_eq!(reports, vec![(8, vec![80]), (10, vec![100])]);
        // Another customer, feature or window is reported on its own.
        let c = w.crossed(&Outcome { granted: true, duplicate: false, used: Some(Decimal::from(9)) }).unwrap();
        let other = unreported(&caches, scope, vec![(customer, "other".into(), c)]);
        assert_eq!(other.len(), 1);
    }

    #[test]
    fn one_large_entry_can_cross_both_and_landing_exactly_counts() {
        assert_eq!(crossed(watch(1000, 500), 1000), vec![80, 100]);
        assert_eq!(crossed(watch(1000, 300), 800), vec![80]);
        assert_eq!(crossed(watch(1000, 300), 799), Vec::<u8>::new());
        // Past the limit (recorded usage is forced): both, for whichever was not reported yet.
        assert_eq!(crossed(watch(1000, 5), 1200), vec![80, 100]);
        // 80 % of 7 is 5.6: the sixth call reaches it.
        assert_eq!(crossed(watch(7, 1), 5), Vec::<u8>::new());
        assert_eq!(crossed(watch(7, 1), 6), vec![80]);
    }

    #[test]
    fn a_refusal_at_the_limit_reports_it_and_zero_limits_report_nothing() {
        // A crossing that concurrent writes hid from the entry that made it is reported by the
        // next write, even when that write is refused.
        let w = watch(10, 2);
        let refused = Outcome { granted: false, duplicate: false, used: Some(Decimal::from(10)) };
        assert_eq!(w.crossed(&refused).map(|c| c.thresholds), Some(vec![80, 100]));
        let below = Outcome { granted: false, duplicate: false, used: Some(Decimal::from(7)) };
        assert!(w.crossed(&below).is_none());
        let req = CounterReq {
            key: CounterKey {
                tenant_id: TenantId(uuid::Uuid::nil()),
                mode: Mode::Test,
                customer_id: CustomerId(uuid::Uuid::nil()),
                feature: "calls".into(),
                window_start: DateTime::UNIX_EPOCH,
            },
            limit: Some(Decimal::ZERO),
            allow_overage: false,
            increment: Decimal::ONE,
        };
        assert!(Watch::of(Some(&req), || None).is_none());
    }
}
