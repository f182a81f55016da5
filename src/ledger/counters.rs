//! Quota counters: one row per customer, feature and limit window, holding what was used,
//! plus the bulk writers' shares of it (`usage_counter_shares`, see [`super::fast`]).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Numeric, Text, Timestamptz, Uuid as SqlUuid};
use rust_decimal::Decimal;

use super::CounterKey;
use crate::db::sql::{Bind, Sql, Unnest};
use crate::db::PgConn;
use crate::ids::{CustomerId, TenantId};
use crate::tenancy::Mode;

#[derive(QueryableByName)]
pub(super) struct CounterRow {
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

/// The keys' columns `t, m, cu, f, w` (tenant, mode, customer, feature, window start) of `u`.
pub(super) fn key_columns<'a>(u: Unnest, keys: impl Iterator<Item = &'a CounterKey> + Clone) -> Unnest {
    u.col("t", Bind::Uuids(keys.clone().map(|k| k.tenant_id.0).collect()))
        .col("m", Bind::Texts(keys.clone().map(|k| k.mode.as_str().to_string()).collect()))
        .col("cu", Bind::Uuids(keys.clone().map(|k| k.customer_id.0).collect()))
        .col("f", Bind::Texts(keys.clone().map(|k| k.feature.clone()).collect()))
        .col("w", Bind::Times(keys.map(|k| k.window_start).collect()))
}

/// `template` with `{u}` as the counters' keys and a delta `d` each, in key order.
fn with_counters(template: &'static str, deltas: &BTreeMap<CounterKey, Decimal>) -> Sql {
    let u = key_columns(Unnest::new("u"), deltas.keys()).col("d", Bind::Numerics(deltas.values().copied().collect()));
    Sql::unnest(template, vec![u])
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

/// Adds `deltas` to the counters (creating those that do not exist yet) and returns each
/// counter's value after the addition, its shares included; the rows stay locked until the
/// transaction ends.
///
/// One upsert whose rows are sorted by key, so the rows are locked in key order, the order of
/// every statement on counters ([`super::fast`]): batches wait for each other but never
/// deadlock.
pub(super) fn add_and_lock(
    conn: &mut PgConn,
    deltas: &BTreeMap<CounterKey, Decimal>,
) -> QueryResult<BTreeMap<CounterKey, Decimal>> {
    if deltas.is_empty() {
        return Ok(BTreeMap::new());
    }
    let rows: Vec<CounterRow> = with_counters(
        concat!(
            "INSERT INTO usage_counters AS c (tenant_id, mode, customer_id, feature, window_start, used) \
             SELECT t, m, cu, f, w, d FROM {u} ORDER BY t, m, cu, f, w \
             ON CONFLICT (tenant_id, mode, customer_id, feature, window_start) DO UPDATE SET used = c.used + EXCLUDED.used \
             RETURNING c.tenant_id, c.mode, c.customer_id, c.feature, c.window_start, c.used + ",
            shares_of!("c.tenant_id", "c.mode", "c.customer_id", "c.feature", "c.window_start"),
            " AS used"
        ),
        deltas,
    )
    .load(conn)?;
    Ok(counter_rows(rows).collect())
}

pub(super) fn add_to_counters(conn: &mut PgConn, deltas: &BTreeMap<CounterKey, Decimal>) -> QueryResult<()> {
    let changed: BTreeMap<CounterKey, Decimal> =
        deltas.iter().filter(|(_, d)| !d.is_zero()).map(|(k, d)| (k.clone(), *d)).collect();
    if changed.is_empty() {
        return Ok(());
    }
    with_counters(
        "UPDATE usage_counters c SET used = c.used + u.d \
         FROM {u} \
         WHERE c.tenant_id = u.t AND c.mode = u.m AND c.customer_id = u.cu AND c.feature = u.f AND c.window_start = u.w",
        &changed,
    )
    .execute(conn)
    .map(drop)
}

/// A counter's value, row and shares together.
#[derive(QueryableByName)]
struct Value {
    #[diesel(sql_type = Numeric)]
    used: Decimal,
}

/// The counter's value now, its row and its shares (in one snapshot), without locking (for
/// entitlements and verify checks off the write path).
pub fn counter_value(conn: &mut PgConn, key: &CounterKey) -> QueryResult<Decimal> {
    let value: Value = diesel::sql_query(concat!(
        "SELECT coalesce((SELECT used FROM usage_counters WHERE tenant_id = $1 AND mode = $2 AND customer_id = $3 \
           AND feature = $4 AND window_start = $5), 0) + ",
        shares_of!("$1", "$2", "$3", "$4", "$5"),
        " AS used"
    ))
    .bind::<SqlUuid, _>(key.tenant_id.0)
    .bind::<Text, _>(key.mode.as_str())
    .bind::<SqlUuid, _>(key.customer_id.0)
    .bind::<Text, _>(&key.feature)
    .bind::<Timestamptz, _>(key.window_start)
    .get_result(conn)?;
    Ok(value.used)
}
