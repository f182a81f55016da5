//! How usage adds up: the one query that aggregates a customer's events of a feature, for an
//! invoice's usage lines and for the usage series alike, so the two can never disagree.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Numeric, Text, Timestamptz, Uuid as SqlUuid};
use rust_decimal::Decimal;

use crate::db::PgConn;
use crate::ids::CustomerId;
use crate::tenancy::Scope;
use crate::types::text_enum;

text_enum!(
    /// How a metered feature's events add up over a period.
    Aggregation { Sum => "sum", Count => "count", Max => "max", UniqueCount => "unique_count", Latest => "latest" }
);
impl Aggregation {
    /// The SQL aggregate over `usage_events` rows; `property` is the placeholder bound to the
    /// feature's property. Properties that are not numbers count as absent for `max` and
    /// `latest`; `latest` breaks ties on the event id, so it is deterministic.
    pub fn sql(self, property: &str) -> String {
        let number = format!(
            "CASE WHEN jsonb_typeof(properties -> {property}) = 'number' THEN (properties ->> {property})::numeric END"
        );
        match self {
            Aggregation::Sum => "sum(quantity)".to_string(),
            Aggregation::Count => "count(*)::numeric".to_string(),
            Aggregation::Max => format!("max({number})"),
            Aggregation::UniqueCount => format!("count(DISTINCT properties ->> {property})::numeric"),
            Aggregation::Latest => format!("(array_agg({number} ORDER BY occurred_at DESC, event_id DESC))[1]"),
        }
    }
}

/// What to add up: a metered feature's events, as its aggregation says.
#[derive(Debug, Clone, Copy)]
pub struct Metered<'a> {
    pub feature: &'a str,
    pub aggregation: Aggregation,
    /// The event property `max`, `unique_count` and `latest` read.
    pub property: Option<&'a str>,
}

/// Buckets of a series: a `date_trunc` unit (`hour`, `day`, `month`), in UTC.
pub type Bucket<'a> = &'a str;

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Timestamptz)]
    start: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Numeric>)]
    value: Option<Decimal>,
}

/// `what` used by `customer` over `[from, to)`: one total starting at `from` when `bucket` is
/// `None`, else one value per non-empty bucket, in time order.
pub fn aggregate(
    conn: &mut PgConn,
    scope: Scope,
    customer: CustomerId,
    what: Metered<'_>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    bucket: Option<Bucket<'_>>,
) -> QueryResult<Vec<(DateTime<Utc>, Decimal)>> {
    let value = what.aggregation.sql("$7");
    let start = if bucket.is_some() { "date_trunc($8, occurred_at, 'UTC')" } else { "$5" };
    let rows: Vec<Row> = diesel::sql_query(format!(
        "SELECT {start} AS start, {value} AS value FROM usage_events \
         WHERE tenant_id = $1 AND mode = $2 AND customer_id = $3 AND feature = $4 \
           AND occurred_at >= $5 AND occurred_at < $6 \
         GROUP BY 1 ORDER BY 1"
    ))
    .bind::<SqlUuid, _>(scope.tenant_id.0)
    .bind::<Text, _>(scope.mode.as_str())
    .bind::<SqlUuid, _>(customer.0)
    .bind::<Text, _>(what.feature)
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(to)
    .bind::<Text, _>(what.property.unwrap_or_default())
    .bind::<Text, _>(bucket.unwrap_or_default())
    .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.start, r.value.unwrap_or_default())).collect())
}

/// The total of [`aggregate`] over `[from, to)`.
pub fn total(
    conn: &mut PgConn,
    scope: Scope,
    customer: CustomerId,
    what: Metered<'_>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<Decimal> {
    Ok(aggregate(conn, scope, customer, what, from, to, None)?.into_iter().map(|(_, v)| v).sum())
}
