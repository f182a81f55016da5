use std::collections::HashMap;

use chrono::{DateTime, Datelike, Months, TimeDelta, Timelike, Utc};
use rust_decimal::Decimal;

use super::models::*;
use super::thresholds::{self, Watch};
use crate::auth::Auth;
use crate::catalog::models::FeatureType;
use crate::entitlements::view::resets_at;
use crate::entitlements::Resolutions;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::ids::CustomerId;
use crate::ledger::aggregate::aggregate;
use crate::ledger::event::{check_properties, check_timestamp};
use crate::ledger::{Entry, NewEvent};
use crate::money::Quantity;
use crate::state::AppState;
use crate::tenancy::Scope;

/// Finds the customer an event names, by id or by external id.
async fn customer_of(
    state: &AppState,
    scope: Scope,
    id: Option<CustomerId>,
    external: Option<String>,
    known: &mut HashMap<String, CustomerId>,
) -> ApiResult<CustomerId> {
    match (id, external) {
        (Some(_), Some(_)) => {
            Err(ApiError::bad_request(ErrorCode::ParameterInvalid, "give customer or customer_external_id, not both")
                .with_param("customer_external_id"))
        }
        (Some(id), None) => Ok(id),
        (None, Some(ext)) => {
            if let Some(id) = known.get(&ext) {
                return Ok(*id);
            }
            let lookup = ext.clone();
            let found = crate::db::run(&state.pool, move |conn| {
                Ok(crate::customers::repo::find_by_external_id(conn, scope, &lookup)?)
            })
            .await?;
            let id = found
                .map(|c| c.id)
                .ok_or_else(|| ApiError::not_found("customer").with_param("customer_external_id"))?;
            known.insert(ext, id);
            Ok(id)
        }
        (None, None) => {
            Err(ApiError::bad_request(ErrorCode::ParameterMissing, "customer or customer_external_id is required")
                .with_param("customer"))
        }
    }
}

/// Turns a usage event into a ledger entry: recorded whatever the limits say, and counted
/// towards the customer's limit window when the plan limits the feature.
async fn prepare(
    state: &AppState,
    resolutions: &Resolutions,
    scope: Scope,
    req: UsageEventRequest,
    now: DateTime<Utc>,
    known: &mut HashMap<String, CustomerId>,
) -> ApiResult<Prepared> {
    let occurred_at = check_timestamp(req.timestamp, now, "timestamp")?;
    let properties = check_properties(req.properties, "properties")?;
    let customer =
        customer_of(state, scope, req.customer, req.customer_external_id.map(|e| e.into_inner()), known).await?;
    let res = resolutions
        .get(&state.caches, &state.pool, scope, customer)
        .await?
        .ok_or_else(|| ApiError::not_found("customer").with_param("customer"))?;
    res.check_open_period(occurred_at, "timestamp")?;
    let info = res.features.get(&req.feature).copied().ok_or_else(|| {
        ApiError::bad_request(ErrorCode::ParameterInvalid, format!("there is no feature {:?}", req.feature))
            .with_param("feature")
    })?;
    if info.kind != FeatureType::Metered {
        return Err(ApiError::bad_request(ErrorCode::ParameterInvalid, "usage is recorded only for metered features")
            .with_param("feature"));
    }
    let quantity = req.quantity.value();
    let counter = res.charge(scope, &req.feature, occurred_at, quantity);
    let watch = Watch::of(counter.as_ref(), || {
        let (sub, grant) = (res.subscription.as_ref()?, res.grants.get(&req.feature)?);
        resets_at(grant.reset(), occurred_at, sub)
    });
    let id = req.event_id.into_inner();
    let event = NewEvent {
        tenant_id: scope.tenant_id,
        mode: scope.mode,
        event_id: id.clone(),
        client_id: true,
        customer_id: customer,
        feature: req.feature,
        quantity,
        occurred_at,
        properties,
        received_at: now,
    };
    let watch = watch.map(|w| (customer, event.feature.clone(), w));
    Ok(Prepared { entry: Entry { event: Some(event), counter, force: true }, id, watch })
}

/// A usage event ready for the ledger, and the limit it counts towards (if any), watched for
/// thresholds.
struct Prepared {
    entry: Entry,
    id: String,
    watch: Option<(CustomerId, String, Watch)>,
}

/// Reports the thresholds the recorded entries crossed.
fn report_crossings(
    state: &AppState,
    scope: Scope,
    now: DateTime<Utc>,
    watches: Vec<Option<(CustomerId, String, Watch)>>,
    outcomes: &[crate::ledger::Outcome],
) {
    let crossings = watches
        .into_iter()
        .zip(outcomes)
        .filter_map(|(w, o)| w.and_then(|(customer, feature, w)| Some((customer, feature, w.crossed(o)?))))
        .collect();
    thresholds::report(state, scope, now, crossings);
}

pub async fn record(
    state: &AppState,
    resolutions: &Resolutions,
    auth: Auth,
    req: UsageEventRequest,
) -> ApiResult<UsageRecorded> {
    let scope = auth.scope;
    let now = crate::testclock::now_for(state, scope).await?;
    let p = prepare(state, resolutions, scope, req, now, &mut HashMap::new()).await?;
    let outcome = state.writer.submit(p.entry).await?;
    report_crossings(state, scope, now, vec![p.watch], &[outcome]);
    Ok(UsageRecorded { id: p.id, duplicate: outcome.duplicate })
}

pub async fn record_batch(
    state: &AppState,
    resolutions: &Resolutions,
    auth: Auth,
    req: UsageBatchRequest,
) -> ApiResult<UsageBatchResponse> {
    if req.events.len() > MAX_BATCH_EVENTS {
        return Err(ApiError::bad_request(
            ErrorCode::TooManyEvents,
            "a batch holds at most 1,000 events; nothing was recorded",
        )
        .with_param("events"));
    }
    let scope = auth.scope;
    // Room in the bulk lane before the entries are built: the events wait as text meanwhile.
    let admission = state.writer.admit(req.events.len()).await?;
    let now = crate::testclock::now_for(state, scope).await?;
    let mut known = HashMap::new();
    let mut rejected = Vec::new();
    let mut entries = Vec::with_capacity(req.events.len());
    let mut watches = Vec::with_capacity(req.events.len());
    for (i, raw) in req.events.into_iter().enumerate() {
        let parsed = crate::extract::parse_item::<UsageEventRequest>(raw.get());
        let prepared = match parsed {
            Ok(event) => prepare(state, resolutions, scope, event, now, &mut known).await,
            Err(e) => Err(e),
        };
        match prepared {
            Ok(p) => {
                entries.push(p.entry);
                watches.push(p.watch);
            }
            Err(e) if e.status().is_server_error() => return Err(e),
            Err(e) => {
                rejected.push(RejectedEvent { index: i, error: e.nested(&format!("events[{i}]")).envelope().error })
            }
        }
    }
    // Through the same group-commit writers as verify, in the bulk lane: events from several
    // requests share a statement. If any write fails the call answers 503; retrying the whole
    // batch is safe, as event ids are deduplicated.
    let outcomes = state.writer.submit_bulk(admission, entries).await?;
    report_crossings(state, scope, now, watches, &outcomes);
    let duplicates = outcomes.iter().filter(|o| o.duplicate).count();
    Ok(UsageBatchResponse { accepted: outcomes.len() - duplicates, duplicates, rejected })
}

fn truncate(t: DateTime<Utc>, g: Granularity) -> DateTime<Utc> {
    let d = t.date_naive();
    let midnight = |d: chrono::NaiveDate| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
    match g {
        Granularity::Hour => midnight(d) + TimeDelta::hours(i64::from(t.time().hour())),
        Granularity::Day => midnight(d),
        Granularity::Month => midnight(d.with_day(1).expect("day 1")),
    }
}

fn next(t: DateTime<Utc>, g: Granularity) -> DateTime<Utc> {
    match g {
        Granularity::Hour => t + TimeDelta::hours(1),
        Granularity::Day => t + TimeDelta::days(1),
        Granularity::Month => t.checked_add_months(Months::new(1)).unwrap_or(t),
    }
}

pub const MAX_BUCKETS: usize = 1000;

pub async fn series(
    state: &AppState,
    auth: Auth,
    customer: CustomerId,
    p: UsageSeriesParams,
) -> ApiResult<UsageSeries> {
    let scope = auth.scope;
    let granularity = p.granularity.unwrap_or(Granularity::Day);
    let to = match p.to {
        Some(t) => t,
        None => crate::testclock::now_for(state, scope).await?,
    };
    let from = p.from.unwrap_or(to - TimeDelta::days(30));
    if from >= to {
        return Err(ApiError::bad_request(ErrorCode::ParameterInvalid, "from must be before to").with_param("from"));
    }
    let mut starts = Vec::new();
    let mut b = truncate(from, granularity);
    while b < to {
        starts.push(b);
        if starts.len() > MAX_BUCKETS {
            return Err(ApiError::bad_request(
                ErrorCode::ParameterInvalid,
                "at most 1,000 buckets: narrow the range or coarsen the granularity",
            )
            .with_param("granularity"));
        }
        b = next(b, granularity);
    }
    let feature = p.feature;
    let rows = crate::db::run(&state.pool, move |conn| {
        crate::customers::repo::find(conn, scope, customer)?.ok_or_else(|| ApiError::not_found("customer"))?;
        let f = crate::catalog::repo::find_feature(conn, scope, &feature)?
            .ok_or_else(|| ApiError::not_found("feature").with_param("feature"))?;
        let Some(metered) = f.metered() else {
            return Err(ApiError::bad_request(ErrorCode::ParameterInvalid, "usage exists only for metered features")
                .with_param("feature"));
        };
        let rows = aggregate(conn, scope, customer, metered, from, to, Some(granularity.as_str()))?;
        Ok((f.key, rows))
    })
    .await?;
    let (feature, rows) = rows;
    let found: HashMap<DateTime<Utc>, Decimal> = rows.into_iter().collect();
    let data = starts
        .into_iter()
        .map(|start| UsagePoint { start, value: Quantity(found.get(&start).copied().unwrap_or_default()) })
        .collect();
    Ok(UsageSeries { feature, granularity, data })
}
