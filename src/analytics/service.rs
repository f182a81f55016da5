//! Revenue analytics from Tollgate's own tables, in SQL, per currency. MRR comes from the
//! subscriptions' history ([`crate::subscriptions::history`]): a subscription's MRR at an
//! instant is that of its last change before it, a customer's is the sum of theirs, and each
//! bucket's movements compare every customer's MRR at the bucket's start and end (only those
//! who moved in it can differ), so
//! `mrr(end) = mrr(start) + new + reactivation + expansion − contraction − churn` holds by
//! construction, to the cent (each subscription's MRR is rounded once, when it is recorded).
//! Instants mean "just before": a change at a bucket's boundary belongs to the bucket it starts.

use chrono::{DateTime, Datelike, Months, TimeDelta, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Integer, Numeric, Text, Timestamptz, Uuid as SqlUuid};
use rust_decimal::Decimal;

use super::models::*;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::state::AppState;

/// The most buckets one series has.
pub const MAX_BUCKETS: usize = 400;

fn midnight(d: chrono::NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).expect("midnight").and_utc()
}

/// The start of the bucket that holds `t`.
fn bucket_start(t: DateTime<Utc>, i: BucketInterval) -> DateTime<Utc> {
    let d = t.date_naive();
    match i {
        BucketInterval::Day => midnight(d),
        // ISO weeks, from Monday.
        BucketInterval::Week => midnight(d - TimeDelta::days(i64::from(d.weekday().num_days_from_monday()))),
        BucketInterval::Month => midnight(d.with_day(1).expect("day 1")),
    }
}

fn next_bucket(t: DateTime<Utc>, i: BucketInterval) -> Option<DateTime<Utc>> {
    match i {
        BucketInterval::Day => t.checked_add_signed(TimeDelta::days(1)),
        BucketInterval::Week => t.checked_add_signed(TimeDelta::days(7)),
        BucketInterval::Month => t.checked_add_months(Months::new(1)),
    }
}

fn prev_buckets(t: DateTime<Utc>, i: BucketInterval, n: u32) -> DateTime<Utc> {
    match i {
        BucketInterval::Day => t - TimeDelta::days(i64::from(n)),
        BucketInterval::Week => t - TimeDelta::days(7 * i64::from(n)),
        BucketInterval::Month => t.checked_sub_months(Months::new(n)).unwrap_or(t),
    }
}

/// The boundaries of the buckets covering `[from, to)`: each bucket's start, then the last's end.
fn bounds(from: DateTime<Utc>, to: DateTime<Utc>, i: BucketInterval) -> ApiResult<Vec<DateTime<Utc>>> {
    if from >= to {
        return Err(ApiError::bad_request(ErrorCode::ParameterInvalid, "from must be before to").with_param("from"));
    }
    let mut out = vec![bucket_start(from, i)];
    while *out.last().expect("one at least") < to {
        let next = next_bucket(*out.last().expect("one at least"), i)
            .ok_or_else(|| ApiError::bad_request(ErrorCode::ParameterInvalid, "out of range").with_param("to"))?;
        out.push(next);
        if out.len() > MAX_BUCKETS + 1 {
            return Err(ApiError::bad_request(
                ErrorCode::ParameterInvalid,
                format!("at most {MAX_BUCKETS} buckets: narrow the range or widen the interval"),
            )
            .with_param("interval"));
        }
    }
    Ok(out)
}

#[derive(QueryableByName)]
struct BucketRow {
    /// 0: before the first bucket; j: bucket j (from boundary j to j + 1).
    #[diesel(sql_type = Integer)]
    j: i32,
    /// How MRR and the number of subscribers changed over the bucket (for 0: their values at the
    /// first boundary).
    #[diesel(sql_type = Numeric)]
    mrr: Decimal,
    #[diesel(sql_type = BigInt)]
    subscribers: i64,
    #[diesel(sql_type = Numeric)]
    new: Decimal,
    #[diesel(sql_type = Numeric)]
    expansion: Decimal,
    #[diesel(sql_type = Numeric)]
    contraction: Decimal,
    #[diesel(sql_type = Numeric)]
    churn: Decimal,
    #[diesel(sql_type = Numeric)]
    reactivation: Decimal,
}

/// The movements of each bucket of `$4` (its boundaries), from the changes alone: each change's
/// difference to its subscription's previous MRR, summed per customer and bucket
/// (`width_bucket`: 0 before the first boundary), gives each customer's MRR before (`c0`) and
/// after (`c1`) every bucket in which it moved, and whether they had MRR in an earlier bucket
/// (`paid_before`: new or reactivation); customers who did not move in a bucket add nothing to
/// its movements. So the work grows with the number of changes, not with customers × buckets.
/// Row 0 holds the MRR and subscribers at the first boundary; MRR and subscribers at each
/// bucket's end are then running sums (in Rust).
const MRR_SERIES: &str = "WITH ch AS ( \
   SELECT customer_id, at, mrr > 0 AS paying, \
          mrr - coalesce(lag(mrr) OVER (PARTITION BY subscription_id ORDER BY at, seq), 0) AS d \
   FROM subscription_changes WHERE tenant_id = $1 AND mode = $2 AND currency = $3 AND at < $5 \
 ), cd AS ( \
   SELECT customer_id, width_bucket(at, $4::timestamptz[]) AS j, sum(d) AS d, bool_or(paying) AS paying \
   FROM ch GROUP BY 1, 2 \
 ), cs AS ( \
   SELECT j, sum(d) OVER (w ROWS UNBOUNDED PRECEDING) - d AS c0, sum(d) OVER (w ROWS UNBOUNDED PRECEDING) AS c1, \
          coalesce(bool_or(paying) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), false) AS paid_before \
   FROM cd WINDOW w AS (PARTITION BY customer_id ORDER BY j) \
 ) \
 SELECT j, sum(c1 - c0) AS mrr, sum((c1 > 0)::int - (c0 > 0)::int)::bigint AS subscribers, \
   coalesce(sum(c1) FILTER (WHERE c0 = 0 AND c1 > 0 AND NOT paid_before), 0) AS new, \
   coalesce(sum(c1 - c0) FILTER (WHERE c0 > 0 AND c1 > c0), 0) AS expansion, \
   coalesce(sum(c0 - c1) FILTER (WHERE c1 > 0 AND c1 < c0), 0) AS contraction, \
   coalesce(sum(c0) FILTER (WHERE c0 > 0 AND c1 = 0), 0) AS churn, \
   coalesce(sum(c1) FILTER (WHERE c0 = 0 AND c1 > 0 AND paid_before), 0) AS reactivation \
 FROM cs GROUP BY j ORDER BY j";

/// Runs an analytics query in a read-only transaction without PostgreSQL's JIT (its compile
/// time, about half a second here, is more than these queries take) and with room to sort in
/// memory.
fn analytic<T>(
    conn: &mut crate::db::PgConn,
    f: impl FnOnce(&mut crate::db::PgConn) -> QueryResult<T>,
) -> QueryResult<T> {
    conn.build_transaction().read_only().run(|conn| {
        diesel::sql_query("SET LOCAL jit = off").execute(conn)?;
        diesel::sql_query("SET LOCAL work_mem = '64MB'").execute(conn)?;
        f(conn)
    })
}

pub async fn mrr(state: &AppState, auth: Auth, p: MrrParams) -> ApiResult<MrrSeries> {
    let scope = auth.scope;
    let c = p.currency;
    let interval = p.interval.unwrap_or(BucketInterval::Month);
    let b = buckets(state, &auth, p.from, p.to, interval).await?;
    let code = c.code().to_string();
    let last = *b.last().expect("bounds");
    let bs = b.clone();
    let rows: Vec<BucketRow> = crate::db::run(&state.pool, move |conn| {
        Ok(analytic(conn, |conn| {
            diesel::sql_query(MRR_SERIES)
                .bind::<SqlUuid, _>(scope.tenant_id.0)
                .bind::<Text, _>(scope.mode.as_str())
                .bind::<Text, _>(code)
                .bind::<Array<Timestamptz>, _>(bs)
                .bind::<Timestamptz, _>(last)
                .load(conn)
        })?)
    })
    .await?;
    let by_bucket: std::collections::HashMap<i32, BucketRow> = rows.into_iter().map(|r| (r.j, r)).collect();
    let (mut mrr, mut subscribers) = by_bucket.get(&0).map_or((Decimal::ZERO, 0), |r| (r.mrr, r.subscribers));
    let f = |d: Decimal| c.format(d);
    let mut data = Vec::with_capacity(b.len() - 1);
    for (i, start) in b[..b.len() - 1].iter().enumerate() {
        let zero = Decimal::ZERO;
        let r = by_bucket.get(&(i as i32 + 1));
        if let Some(r) = r {
            mrr += r.mrr;
            subscribers += r.subscribers;
        }
        let m = |g: fn(&BucketRow) -> Decimal| r.map_or(zero, g);
        data.push(MrrBucket {
            start: *start,
            mrr: f(mrr),
            subscribers,
            new: f(m(|r| r.new)),
            expansion: f(m(|r| r.expansion)),
            contraction: f(m(|r| r.contraction)),
            churn: f(m(|r| r.churn)),
            reactivation: f(m(|r| r.reactivation)),
        });
    }
    Ok(MrrSeries { currency: c.code().to_string(), interval, data })
}

#[derive(QueryableByName)]
struct Now {
    #[diesel(sql_type = Numeric)]
    mrr: Decimal,
    #[diesel(sql_type = BigInt)]
    subscribers: i64,
    #[diesel(sql_type = Numeric)]
    overdue: Decimal,
    #[diesel(sql_type = BigInt)]
    subscribers_before: i64,
    #[diesel(sql_type = BigInt)]
    churned: i64,
}

/// MRR and subscribers as of `$4` (every change at or before it) and as of `$5` (30 days
/// before), the customers who had MRR at `$5` and have none at `$4`, and what is overdue at `$4`.
const SUMMARY: &str = "WITH s AS ( \
   SELECT DISTINCT ON (subscription_id) customer_id, mrr FROM subscription_changes \
   WHERE tenant_id = $1 AND mode = $2 AND currency = $3 AND at <= $4 \
   ORDER BY subscription_id, at DESC, seq DESC \
 ), s0 AS ( \
   SELECT DISTINCT ON (subscription_id) customer_id, mrr FROM subscription_changes \
   WHERE tenant_id = $1 AND mode = $2 AND currency = $3 AND at <= $5 \
   ORDER BY subscription_id, at DESC, seq DESC \
 ), c AS ( \
   SELECT customer_id, sum(mrr) AS mrr FROM s GROUP BY customer_id \
 ), c0 AS ( \
   SELECT customer_id, sum(mrr) AS mrr FROM s0 GROUP BY customer_id HAVING sum(mrr) > 0 \
 ) \
 SELECT coalesce((SELECT sum(mrr) FROM c), 0) AS mrr, \
   (SELECT count(*) FROM c WHERE mrr > 0) AS subscribers, \
   (SELECT count(*) FROM c0) AS subscribers_before, \
   (SELECT count(*) FROM c0 LEFT JOIN c USING (customer_id) WHERE coalesce(c.mrr, 0) = 0) AS churned, \
   coalesce((SELECT sum(amount_due) FROM invoices WHERE tenant_id = $1 AND mode = $2 AND currency = $3 \
     AND status = 'open' AND due_at < $4), 0) AS overdue";

pub async fn summary(state: &AppState, auth: Auth, p: SummaryParams) -> ApiResult<Summary> {
    let scope = auth.scope;
    let c = p.currency;
    let now = crate::testclock::now_for(state, scope).await?;
    let code = c.code().to_string();
    let r: Now = crate::db::run(&state.pool, move |conn| {
        Ok(analytic(conn, |conn| {
            diesel::sql_query(SUMMARY)
                .bind::<SqlUuid, _>(scope.tenant_id.0)
                .bind::<Text, _>(scope.mode.as_str())
                .bind::<Text, _>(code)
                .bind::<Timestamptz, _>(now)
                .bind::<Timestamptz, _>(now - TimeDelta::days(30))
                .get_result(conn)
        })?)
    })
    .await?;
    let arpu = if r.subscribers > 0 { c.round(r.mrr / Decimal::from(r.subscribers)) } else { Decimal::ZERO };
    Ok(Summary {
        currency: c.code().to_string(),
        mrr: c.format(r.mrr),
        arr: c.format(r.mrr * Decimal::from(12)),
        subscribers: r.subscribers,
        arpu: c.format(arpu),
        overdue: c.format(r.overdue),
        churned_30d: r.churned,
        churn_rate_30d: (r.subscribers_before > 0).then(|| {
            let rate = Decimal::from(r.churned * 100) / Decimal::from(r.subscribers_before);
            format!("{:.2}", rate.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
        }),
    })
}

#[derive(QueryableByName)]
struct MonthRow {
    #[diesel(sql_type = Timestamptz)]
    month: DateTime<Utc>,
    #[diesel(sql_type = Numeric)]
    invoiced: Decimal,
    #[diesel(sql_type = Numeric)]
    collected: Decimal,
    #[diesel(sql_type = Numeric)]
    usage: Decimal,
}

/// Per month of `$4` (month starts, then the last month's end): invoiced (finalized in it, not
/// void), collected (paid in it) and usage (usage lines of the invoices finalized in it).
const REVENUE: &str = "WITH m AS ( \
   SELECT t AS month, lead(t) OVER (ORDER BY t) AS until FROM unnest($4::timestamptz[]) AS t \
 ), i AS ( \
   SELECT id, total, amount_due, issued_at, paid_at, status FROM invoices \
   WHERE tenant_id = $1 AND mode = $2 AND currency = $3 \
 ) \
 SELECT m.month, \
   coalesce((SELECT sum(total) FROM i WHERE i.status IN ('open', 'paid', 'uncollectible') \
     AND i.issued_at >= m.month AND i.issued_at < m.until), 0) AS invoiced, \
   coalesce((SELECT sum(amount_due) FROM i WHERE i.status = 'paid' \
     AND i.paid_at >= m.month AND i.paid_at < m.until), 0) AS collected, \
   coalesce((SELECT sum(l.amount) FROM i JOIN invoice_lines l ON l.tenant_id = $1 AND l.mode = $2 AND l.invoice_id = i.id \
     WHERE l.kind = 'usage' AND i.status IN ('open', 'paid', 'uncollectible') \
     AND i.issued_at >= m.month AND i.issued_at < m.until), 0) AS usage \
 FROM m WHERE m.until IS NOT NULL ORDER BY m.month";

/// The bucket boundaries of a request: from `from` (default 12 intervals back, counting `to`'s
/// own) to `to` (default the end of the present interval on the mode's clock).
async fn buckets(
    state: &AppState,
    auth: &Auth,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    interval: BucketInterval,
) -> ApiResult<Vec<DateTime<Utc>>> {
    let to = match to {
        Some(t) => t,
        None => {
            let now = crate::testclock::now_for(state, auth.scope).await?;
            next_bucket(bucket_start(now, interval), interval).unwrap_or(now)
        }
    };
    let from =
        from.unwrap_or_else(|| prev_buckets(bucket_start(to - TimeDelta::microseconds(1), interval), interval, 11));
    bounds(from, to, interval)
}

pub async fn revenue(state: &AppState, auth: Auth, p: RevenueParams) -> ApiResult<RevenueSeries> {
    let scope = auth.scope;
    let c = p.currency;
    let b = buckets(state, &auth, p.from, p.to, BucketInterval::Month).await?;
    let code = c.code().to_string();
    let rows: Vec<MonthRow> = crate::db::run(&state.pool, move |conn| {
        Ok(analytic(conn, |conn| {
            diesel::sql_query(REVENUE)
                .bind::<SqlUuid, _>(scope.tenant_id.0)
                .bind::<Text, _>(scope.mode.as_str())
                .bind::<Text, _>(code)
                .bind::<Array<Timestamptz>, _>(b)
                .load(conn)
        })?)
    })
    .await?;
    let data = rows
        .into_iter()
        .map(|r| RevenueMonth {
            month: r.month,
            invoiced: c.format(r.invoiced),
            collected: c.format(r.collected),
            usage: c.format(r.usage),
        })
        .collect();
    Ok(RevenueSeries { currency: c.code().to_string(), data })
}

#[derive(QueryableByName)]
struct FeatureRow {
    #[diesel(sql_type = Text)]
    feature: String,
    #[diesel(sql_type = Numeric)]
    amount: Decimal,
}

/// The usage lines of the invoices finalized in `[$4, $5)`, void ones excepted, per feature.
const USAGE: &str = "SELECT l.feature, sum(l.amount) AS amount \
 FROM invoices i JOIN invoice_lines l ON l.tenant_id = i.tenant_id AND l.mode = i.mode AND l.invoice_id = i.id \
 WHERE i.tenant_id = $1 AND i.mode = $2 AND i.currency = $3 AND i.status IN ('open', 'paid', 'uncollectible') \
   AND i.issued_at >= $4 AND i.issued_at < $5 AND l.kind = 'usage' AND l.feature IS NOT NULL \
 GROUP BY l.feature ORDER BY amount DESC, l.feature";

pub async fn usage(state: &AppState, auth: Auth, p: RevenueParams) -> ApiResult<UsageByFeature> {
    let scope = auth.scope;
    let c = p.currency;
    let b = buckets(state, &auth, p.from, p.to, BucketInterval::Month).await?;
    let (from, to) = (b[0], *b.last().expect("bounds"));
    let code = c.code().to_string();
    let rows: Vec<FeatureRow> = crate::db::run(&state.pool, move |conn| {
        Ok(analytic(conn, |conn| {
            diesel::sql_query(USAGE)
                .bind::<SqlUuid, _>(scope.tenant_id.0)
                .bind::<Text, _>(scope.mode.as_str())
                .bind::<Text, _>(code)
                .bind::<Timestamptz, _>(from)
                .bind::<Timestamptz, _>(to)
                .load(conn)
        })?)
    })
    .await?;
    let data = rows.into_iter().map(|r| FeatureUsage { feature: r.feature, amount: c.format(r.amount) }).collect();
    Ok(UsageByFeature { currency: c.code().to_string(), from, to, data })
}
