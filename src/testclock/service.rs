use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Auth;
use crate::cache::Invalidation;
use crate::db::PgConn;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::ids::TenantId;
use crate::jobs::{claim_for_advance, Next};
use crate::schema::test_clocks;
use crate::state::AppState;
use crate::tenancy::{Mode, Scope};

/// How far one call may move the clock: ten years.
pub const MAX_ADVANCE: TimeDelta = TimeDelta::days(3653);

#[derive(Debug, Serialize, ToSchema)]
pub struct TestClockResponse {
    pub now: DateTime<Utc>,
    /// Billing jobs run on the way (period closings, finalizations, emails).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jobs_run: Option<usize>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to": "2027-01-01T01:00:00Z"}))]
pub struct AdvanceRequest {
    /// The new "now" (RFC 3339), after the current one.
    #[serde(deserialize_with = "crate::types::time")]
    pub to: DateTime<Utc>,
}

/// The instant a tenant's test clock stands at, if it was ever advanced.
pub fn frozen_at(conn: &mut PgConn, tenant: TenantId) -> QueryResult<Option<DateTime<Utc>>> {
    test_clocks::table.find(tenant).select(test_clocks::frozen_at).first(conn).optional()
}

/// "Now" for billing logic in a tenant's mode: the instance clock in live mode; in test mode
/// the tenant's test clock, which stands still at the instant it was last advanced to (the
/// instance clock until it is first advanced). Cached; a notification drops it when it moves.
pub async fn now_for(state: &AppState, scope: Scope) -> ApiResult<DateTime<Utc>> {
    if scope.mode == Mode::Live {
        return Ok(state.clock.now());
    }
    let (tenant, pool) = (scope.tenant_id, &state.pool);
    let frozen = state
        .caches
        .get_or_load(&state.caches.test_clocks, tenant, || {
            crate::db::run(pool, move |conn| Ok(frozen_at(conn, tenant)?))
        })
        .await?;
    Ok(frozen.unwrap_or_else(|| state.clock.now()))
}

fn live_mode() -> ApiError {
    ApiError::forbidden(ErrorCode::TestModeOnly, "test clocks exist only in test mode")
}

pub async fn get(state: &AppState, auth: Auth) -> ApiResult<TestClockResponse> {
    if auth.scope.mode != Mode::Test {
        return Err(live_mode());
    }
    Ok(TestClockResponse { now: now_for(state, auth.scope).await?, jobs_run: None })
}

/// The most jobs one transaction of an advance runs. Each runs in a savepoint, and PostgreSQL
/// keeps the subtransactions of one transaction in a per-backend cache of 64; past that, every
/// row visibility check looks them up on disk, and an advance that closes thousands of periods
/// would grow slower with each. Committing every [`JOBS_PER_COMMIT`] jobs keeps it linear, and
/// shows the advance's progress as it goes: the clock stands at the last job run.
pub const JOBS_PER_COMMIT: usize = 16;

/// How long the background workers leave a tenant's test-mode jobs to an advance after its last
/// step: renewed by each step, cleared when it is done, so an advance cut short (a crash) holds
/// them no longer than this.
pub const ADVANCE_LEASE: TimeDelta = TimeDelta::seconds(60);

/// How far one transaction of an advance got.
enum Step {
    /// Every job due by the target ran, and the clock stands there.
    Done(usize),
    /// [`JOBS_PER_COMMIT`] jobs ran, and the clock stands at the last one: go on after it.
    More(usize, crate::jobs::Cursor),
    /// The clock stands at the next job, which calls out (a payment): it is leased to the
    /// advance, to run before the next step.
    External(usize, crate::jobs::Job, DateTime<Utc>),
    /// The next job is another's, leased or locked and running: wait for it.
    Wait(usize),
}

pub async fn advance(state: &AppState, auth: Auth, req: AdvanceRequest) -> ApiResult<TestClockResponse> {
    if auth.scope.mode != Mode::Test {
        return Err(live_mode());
    }
    let tenant = auth.scope.tenant_id;
    let to = crate::clock::truncate(req.to);
    let (mut jobs_run, mut first) = (0, true);
    // Where the last step stopped: the next claims start there (see `claim_for_advance`).
    let mut resume = None;
    loop {
        let queue = state.jobs.clone();
        let instance_now = state.clock.now();
        let step = state
            .caches
            .write(&state.pool, move |conn, changes| {
                // One advance at a time per tenant: the clock's row stays locked until commit.
                diesel::insert_into(test_clocks::table)
                    .values((
                        test_clocks::tenant_id.eq(tenant),
                        test_clocks::frozen_at.eq(instance_now),
                        test_clocks::updated_at.eq(instance_now),
                    ))
                    .on_conflict_do_nothing()
                    .execute(conn)?;
                let now: DateTime<Utc> =
                    test_clocks::table.find(tenant).select(test_clocks::frozen_at).for_update().first(conn)?;
                if first && to <= now {
                    return Err(ApiError::bad_request(
                        ErrorCode::ClockCannotGoBack,
                        format!("the test clock only moves forward; it is now {}", now.to_rfc3339()),
                    )
                    .with_param("to"));
                }
                if first && to - now > MAX_ADVANCE {
                    return Err(ApiError::bad_request(
                        ErrorCode::ParameterInvalid,
                        "advance at most ten years at a time",
                    )
                    .with_param("to"));
                }
                if !first && now > to {
                    // Another advance went past `to` while this one waited on a payment; it ran
                    // everything due on the way. The clock never goes back.
                    return Ok(Step::Done(0));
                }
                // Where the clock stands when this step commits. Until the advance is done, the
                // tenant's test-mode jobs are its own: the workers leave them alone.
                let stand_at =
                    |conn: &mut PgConn, changes: &mut crate::cache::Changes, at: DateTime<Utc>, done: bool| {
                        diesel::update(test_clocks::table.find(tenant))
                            .set((
                                test_clocks::frozen_at.eq(at),
                                test_clocks::updated_at.eq(instance_now),
                                test_clocks::advancing_until.eq((!done).then(|| instance_now + ADVANCE_LEASE)),
                            ))
                            .execute(conn)?;
                        changes.invalidate(Invalidation::TestClock(tenant));
                        // Every cached view of the tenant's test customers may have changed periods.
                        changes.invalidate(Invalidation::Scope(Scope { tenant_id: tenant, mode: Mode::Test }));
                        Ok::<_, ApiError>(())
                    };
                let (mut ran, mut cursor) = (0, resume);
                loop {
                    let mut next = claim_for_advance(conn, tenant, to, cursor)?;
                    if matches!(next, Next::Nothing) && cursor.is_some() {
                        // Before stopping, once more from the start: nothing may be left behind.
                        next = claim_for_advance(conn, tenant, to, None)?;
                    }
                    let job = match next {
                        Next::Claimed(job) => job,
                        Next::Busy(job) => {
                            // Someone else is running the next job: let it finish.
                            stand_at(conn, changes, job.run_at.max(now), false)?;
                            return Ok(Step::Wait(ran));
                        }
                        Next::Nothing => break,
                    };
                    let at = job.run_at.max(now);
                    if queue.is_external(&job) {
                        // What ran so far commits, with the clock at this job, before it calls out.
                        stand_at(conn, changes, at, false)?;
                        if job.leased_until.is_some_and(|t| t > queue.clock.now()) {
                            return Ok(Step::Wait(ran));
                        }
                        queue.lease(conn, &job)?;
                        return Ok(Step::External(ran, job, at));
                    }
                    queue.run_claimed(conn, &job, at)?;
                    let position = (job.run_at, job.priority, job.id);
                    cursor = Some(position);
                    ran += 1;
                    if ran == JOBS_PER_COMMIT {
                        stand_at(conn, changes, at, false)?;
                        return Ok(Step::More(ran, position));
                    }
                }
                stand_at(conn, changes, to.max(now), true)?;
                Ok(Step::Done(ran))
            })
            .await?;
        first = false;
        match step {
            Step::Done(ran) => {
                jobs_run += ran;
                break;
            }
            Step::More(ran, cursor) => {
                jobs_run += ran;
                resume = Some(cursor);
            }
            Step::External(ran, job, at) => {
                jobs_run += ran + 1;
                state.jobs.run_external(job, at).await?;
            }
            Step::Wait(ran) => {
                jobs_run += ran;
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    }
    Ok(TestClockResponse { now: to, jobs_run: Some(jobs_run) })
}
