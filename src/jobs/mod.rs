//! Background work as rows of the `jobs` table. The queue knows no domain: each domain
//! declares its [`Kind`]s and registers a runner for each in a [`Registry`] (subscriptions: period
//! closings; invoices: draft finalizations, invoice emails), as the Rust registry's own job runner
//! does.
//! A row whose kind has no runner (a newer instance's job, during a rolling deploy) fails and
//! is retried like any failure.
//!
//! - **No job twice.** A job is claimed with `FOR UPDATE SKIP LOCKED` and runs inside the
//!   claiming transaction, in a savepoint; its effects and its `done_at` commit together. A
//!   crash before the commit undoes both, and another instance claims the job again.
//! - **No job enqueued twice.** `(tenant, mode, kind, subject)` is unique and enqueueing is
//!   `ON CONFLICT DO NOTHING`, so two instances scheduling the same closing make one job.
//! - **Retries with backoff.** A failed job rolls back to its savepoint, records the error and
//!   runs again after 2^attempts seconds (at most an hour); after [`MAX_ATTEMPTS`] it stops and
//!   waits for a person (`failed_at`).
//! - **Time.** `run_at` is in the time of the job's tenant and mode: the test clock in test
//!   mode. Every instance runs a [`Worker`]; advancing a test clock runs that tenant's due jobs
//!   itself, in time order, before it answers (see `testclock`), through [`Queue::run_claimed`].
//! - **Stopping.** When the instance stops, its worker claims no more jobs and finishes the one
//!   in progress ([`Worker::stop`]); the jobs left are claimed at the next start, or by another
//!   instance.
//!
//! Emails are sent from inside the job, before it commits: a crash between the send and the
//! commit sends the email again (at least once), never zero times.
//!
//! **Kinds that call out** (Stripe) cannot hold a transaction open across the call, nor let a
//! rollback forget that a charge was made. They register with [`Registry::register_external`]:
//! their claim commits with a lease on the wall clock ([`LEASE`]), they run outside any
//! transaction (writing what they must before and after each call), and their outcome is recorded
//! afterwards. A lease that runs out (the instance died mid-call) lets another instance run the
//! job again, so such a job must be idempotent: payments key every Stripe call by a row written
//! before it.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

use actix_web::rt::task::JoinHandle;
use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Timestamptz, Uuid as SqlUuid};
use futures_util::future::LocalBoxFuture;
use tokio::sync::watch;

use crate::clock::Clock;
use crate::db::{PgConn, PgPool};
use crate::email::Mailer;
use crate::error::{ApiError, ApiResult};
use crate::ids::TenantId;
use crate::schema::jobs;
use crate::tenancy::{Mode, Scope};

pub const MAX_ATTEMPTS: i32 = 10;
/// Kinds that call out keep trying for about a day (backoff capped at an hour): an outage of
/// the other side is not a reason to give up a payment.
pub const MAX_ATTEMPTS_EXTERNAL: i32 = 30;
/// How often an idle worker looks for due jobs.
pub const POLL: Duration = Duration::from_millis(500);
/// How long a claimed job of an external kind is held before another instance may run it.
pub const LEASE: TimeDelta = TimeDelta::minutes(15);

/// A kind of job, declared by the domain that runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// Stored in `jobs.kind`; never renamed once jobs of it may exist.
    pub name: &'static str,
    /// Among jobs due at the same instant, the lower runs first.
    pub priority: i16,
}

/// What a job needs beyond its connection.
pub struct Runner<'a> {
    pub mailer: &'a Mailer,
    pub public_url: &'a str,
    pub email_from: &'a str,
}

/// Runs one job, inside the claiming transaction (in a savepoint).
pub type RunFn = fn(&mut PgConn, &Runner<'_>, &Job) -> ApiResult<()>;

/// Runs one job of a kind that calls out, outside any transaction; `now` is the time of the
/// job's scope (the test clock in test mode).
pub type ExternalFn = fn(Arc<Queue>, Job, DateTime<Utc>) -> LocalBoxFuture<'static, ApiResult<Ran>>;

/// How a job of an external kind ended, when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ran {
    Done,
    /// Not now (what it needs is busy): due again after this wait, the attempt not counted.
    Later(TimeDelta),
}

#[derive(Clone, Copy)]
enum Run {
    InTransaction(RunFn),
    External(ExternalFn),
}

/// Housekeeping each instance's worker runs every so often, outside any tenant (pruning what is
/// kept only for a while). It must be safe to run on several instances at once; it gets the
/// instance clock's time and answers how many rows it touched.
#[derive(Clone, Copy)]
pub struct Chore {
    pub name: &'static str,
    pub every: TimeDelta,
    pub run: fn(&mut PgConn, DateTime<Utc>) -> QueryResult<usize>,
}

/// Which runner each kind of job has, and the chores.
#[derive(Default)]
pub struct Registry {
    runners: HashMap<&'static str, Run>,
    extensions: HashMap<TypeId, Arc<dyn Any + Send + Sync>>,
    chores: Vec<Chore>,
}

impl Registry {
    pub fn register(&mut self, kind: Kind, run: RunFn) -> &mut Self {
        self.insert(kind, Run::InTransaction(run))
    }

    /// A kind that calls out: see the module's documentation.
    pub fn register_external(&mut self, kind: Kind, run: ExternalFn) -> &mut Self {
        self.insert(kind, Run::External(run))
    }

    pub fn register_chore(&mut self, chore: Chore) -> &mut Self {
        self.chores.push(chore);
        self
    }

    fn insert(&mut self, kind: Kind, run: Run) -> &mut Self {
        let previous = self.runners.insert(kind.name, run);
        assert!(previous.is_none(), "job kind {:?} registered twice", kind.name);
        self
    }

    /// Context a domain's runners need beyond the queue's own (one value per type), found
    /// again with [`Queue::extension`].
    pub fn provide<T: Any + Send + Sync>(&mut self, value: Arc<T>) -> &mut Self {
        self.extensions.insert(TypeId::of::<T>(), value);
        self
    }

    fn runner_of(&self, job: &Job) -> ApiResult<Run> {
        self.runners.get(job.kind.as_str()).copied().ok_or_else(|| {
            ApiError::internal(anyhow::anyhow!("no runner for job kind {:?} on this instance", job.kind))
        })
    }

    fn external_kinds(&self) -> Vec<&'static str> {
        self.runners.iter().filter(|(_, r)| matches!(r, Run::External(_))).map(|(k, _)| *k).collect()
    }

    fn is_external(&self, job: &Job) -> bool {
        matches!(self.runners.get(job.kind.as_str()), Some(Run::External(_)))
    }
}

#[derive(Debug, Clone, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = jobs, check_for_backend(diesel::pg::Pg))]
pub struct Job {
    pub id: uuid::Uuid,
    pub tenant_id: TenantId,
    pub mode: Mode,
    pub kind: String,
    pub subject: String,
    pub priority: i16,
    pub run_at: DateTime<Utc>,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub done_at: Option<DateTime<Utc>>,
    pub failed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// An external kind's claim: held by an instance until then (wall clock).
    pub leased_until: Option<DateTime<Utc>>,
    /// Due by the instance clock even in test mode (webhook deliveries).
    pub wall_clock: bool,
}

impl Job {
    pub fn scope(&self) -> Scope {
        Scope { tenant_id: self.tenant_id, mode: self.mode }
    }

    /// The subject as the id it names, or an error that fails the job.
    pub fn subject_as<T: std::str::FromStr>(&self) -> ApiResult<T> {
        self.subject_part_as(&self.subject)
    }

    /// A part of the subject (`part` is a slice of it) as the id it names.
    pub fn subject_part_as<T: std::str::FromStr>(&self, part: &str) -> ApiResult<T> {
        part.parse().map_err(|_| ApiError::internal(anyhow::anyhow!("bad job subject {:?}", self.subject)))
    }
}

/// Schedules a job due by the instance clock, even in test mode (see `wall_clock`), unless one
/// with the same kind and subject exists.
pub fn enqueue_on_wall_clock(
    conn: &mut PgConn,
    scope: Scope,
    kind: Kind,
    subject: String,
    run_at: DateTime<Utc>,
) -> QueryResult<()> {
    insert(conn, scope, kind, subject, run_at, true)
}

/// Schedules a job unless one with the same kind and subject exists.
pub fn enqueue(conn: &mut PgConn, scope: Scope, kind: Kind, subject: String, run_at: DateTime<Utc>) -> QueryResult<()> {
    insert(conn, scope, kind, subject, run_at, false)
}

fn insert(
    conn: &mut PgConn,
    scope: Scope,
    kind: Kind,
    subject: String,
    run_at: DateTime<Utc>,
    wall_clock: bool,
) -> QueryResult<()> {
    diesel::insert_into(jobs::table)
        .values((
            jobs::id.eq(uuid::Uuid::now_v7()),
            jobs::tenant_id.eq(scope.tenant_id),
            jobs::mode.eq(scope.mode),
            jobs::kind.eq(kind.name),
            jobs::subject.eq(subject),
            jobs::priority.eq(kind.priority),
            jobs::run_at.eq(run_at),
            jobs::wall_clock.eq(wall_clock),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .map(drop)
}

/// Schedules a job at `run_at`, or moves the pending one with the same kind and subject to
/// `run_at` if that is sooner. One that already ran (or gave up) runs again: for kinds whose
/// jobs look at the state they find, such as collecting an invoice.
pub fn enqueue_or_advance(
    conn: &mut PgConn,
    scope: Scope,
    kind: Kind,
    subject: String,
    run_at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO jobs (id, tenant_id, mode, kind, subject, priority, run_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (tenant_id, mode, kind, subject) DO UPDATE SET \
           run_at = CASE WHEN jobs.done_at IS NULL AND jobs.failed_at IS NULL \
                    THEN least(jobs.run_at, excluded.run_at) ELSE excluded.run_at END, \
           attempts = CASE WHEN jobs.done_at IS NULL AND jobs.failed_at IS NULL THEN jobs.attempts ELSE 0 END, \
           done_at = NULL, failed_at = NULL",
    )
    .bind::<SqlUuid, _>(uuid::Uuid::now_v7())
    .bind::<SqlUuid, _>(scope.tenant_id.0)
    .bind::<diesel::sql_types::Text, _>(scope.mode.as_str())
    .bind::<diesel::sql_types::Text, _>(kind.name)
    .bind::<diesel::sql_types::Text, _>(subject)
    .bind::<diesel::sql_types::SmallInt, _>(kind.priority)
    .bind::<Timestamptz, _>(run_at)
    .execute(conn)
    .map(drop)
}

/// Gives jobs of these kinds that gave up (`failed_at`) in the scope another full round of
/// tries from `at`: for kinds whose work must happen eventually and is safe to repeat.
pub fn revive_failed(conn: &mut PgConn, scope: Scope, kinds: &[Kind], at: DateTime<Utc>) -> QueryResult<usize> {
    let names: Vec<&str> = kinds.iter().map(|k| k.name).collect();
    diesel::update(
        jobs::table
            .filter(jobs::tenant_id.eq(scope.tenant_id))
            .filter(jobs::mode.eq(scope.mode))
            .filter(jobs::kind.eq_any(names))
            .filter(jobs::failed_at.is_not_null()),
    )
    .set((jobs::failed_at.eq(None::<DateTime<Utc>>), jobs::attempts.eq(0), jobs::run_at.eq(at)))
    .execute(conn)
}

#[derive(QueryableByName)]
struct Claimed {
    #[diesel(embed)]
    job: Job,
    /// "Now" in the job's tenant and mode.
    #[diesel(sql_type = Timestamptz)]
    scope_now: DateTime<Utc>,
}

/// Claims the next job due anywhere, skipping jobs other instances hold. `now` is the
/// instance clock; a test-mode job is due by its tenant's test clock, and is left to the advance
/// while one runs (`advancing_until`).
/// `skip`: kinds not to claim now (those that call out, when no slot is free to run them).
fn claim_due(conn: &mut PgConn, now: DateTime<Utc>, skip: &[&str]) -> QueryResult<Option<(Job, DateTime<Utc>)>> {
    let rows: Vec<Claimed> = diesel::sql_query(
        "SELECT j.*, CASE WHEN j.wall_clock THEN $1 ELSE coalesce(c.frozen_at, $1) END AS scope_now \
         FROM jobs j LEFT JOIN test_clocks c ON c.tenant_id = j.tenant_id AND j.mode = 'test' \
         WHERE j.done_at IS NULL AND j.failed_at IS NULL \
           AND j.run_at <= CASE WHEN j.wall_clock THEN $1 ELSE coalesce(c.frozen_at, $1) END \
           AND (j.leased_until IS NULL OR j.leased_until < $1) AND j.kind <> ALL($2) \
           AND (c.advancing_until IS NULL OR c.advancing_until < $1 OR j.wall_clock) \
         ORDER BY j.run_at, j.priority, j.id LIMIT 1 FOR UPDATE OF j SKIP LOCKED",
    )
    .bind::<Timestamptz, _>(now)
    .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(skip)
    .load(conn)?;
    Ok(rows.into_iter().next().map(|c| (c.job, c.scope_now)))
}

/// Where a test-clock advance stands in the queue: the last job it ran, in claim order.
pub type Cursor = (DateTime<Utc>, i16, uuid::Uuid);

/// What [`claim_for_advance`] found next.
pub enum Next {
    /// The next job, locked for this transaction.
    Claimed(Job),
    /// The next job is locked by another transaction (a worker that took it before the advance
    /// began, or another instance): the advance must let it finish, not wait on it while it
    /// holds locks of its own.
    Busy(Job),
    /// Nothing more is due.
    Nothing,
}

/// Claims the next job of a tenant's test mode due by `until` after `after` in claim order
/// (run_at, priority, id).
///
/// The cursor keeps an advance that runs many jobs linear: the index scan starts where the last
/// claim ended instead of stepping over every job done so far (not yet pruned, and in the
/// current transaction not prunable at all). Jobs a job enqueues sort after it (they are due
/// at the same instant or later, at a later priority or with a later id), so nothing is missed;
/// the caller still asks once more without a cursor before it stops.
///
/// The next job is found first and locked second, without waiting: a job in order is never
/// skipped, and an advance holding its own locks (an invoice number's) never waits on a job whose
/// runner may be waiting for them.
pub fn claim_for_advance(
    conn: &mut PgConn,
    tenant: TenantId,
    until: DateTime<Utc>,
    after: Option<Cursor>,
) -> QueryResult<Next> {
    let (at, priority, id) = after.unwrap_or((DateTime::<Utc>::UNIX_EPOCH, i16::MIN, uuid::Uuid::nil()));
    let next: Option<Job> = diesel::sql_query(
        "SELECT * FROM jobs WHERE tenant_id = $1 AND mode = 'test' AND done_at IS NULL AND failed_at IS NULL \
           AND NOT wall_clock \
           AND run_at <= $2 AND (run_at, priority, id) > ($3, $4, $5) \
         ORDER BY run_at, priority, id LIMIT 1",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<Timestamptz, _>(until)
    .bind::<Timestamptz, _>(at)
    .bind::<diesel::sql_types::SmallInt, _>(priority)
    .bind::<SqlUuid, _>(id)
    .get_result(conn)
    .optional()?;
    let Some(next) = next else { return Ok(Next::Nothing) };
    let locked: Option<Job> = diesel::sql_query(
        "SELECT * FROM jobs WHERE id = $1 AND done_at IS NULL AND failed_at IS NULL FOR UPDATE SKIP LOCKED",
    )
    .bind::<SqlUuid, _>(next.id)
    .get_result(conn)
    .optional()?;
    Ok(match locked {
        Some(job) => Next::Claimed(job),
        None => Next::Busy(next),
    })
}

/// What the workers and test clocks need to run jobs: the kinds' runners and their context.
pub struct Queue {
    pub pool: PgPool,
    pub clock: Arc<dyn Clock>,
    pub registry: Registry,
    pub mailer: Arc<Mailer>,
    pub public_url: String,
    pub email_from: String,
}

/// A job of an external kind leased to the caller, with "now" in its scope.
pub type Leased = (Job, DateTime<Utc>);

/// What claiming the next job gave.
pub enum Claim {
    /// Nothing is due.
    Idle,
    /// A job ran in the claiming transaction.
    Ran,
    /// A job of an external kind is leased to the caller: run it with [`Queue::run_external`]
    /// once the claim has committed. The time is "now" in its scope.
    External(Job, DateTime<Utc>),
}

impl Queue {
    fn runner(&self) -> Runner<'_> {
        Runner { mailer: &self.mailer, public_url: &self.public_url, email_from: &self.email_from }
    }

    /// A domain's context, as given to [`Registry::provide`].
    pub fn extension<T: Any + Send + Sync>(&self) -> Option<Arc<T>> {
        self.registry.extensions.get(&TypeId::of::<T>()).cloned().and_then(|v| v.downcast().ok())
    }

    pub fn is_external(&self, job: &Job) -> bool {
        self.registry.is_external(job)
    }

    /// Leases a claimed job of an external kind (in the claiming transaction).
    pub fn lease(&self, conn: &mut PgConn, job: &Job) -> QueryResult<()> {
        diesel::update(jobs::table.filter(jobs::id.eq(job.id)))
            .set(jobs::leased_until.eq(Some(self.clock.now() + LEASE)))
            .execute(conn)
            .map(drop)
    }

    /// Runs a claimed job (see [`claim_for_advance`]) in a savepoint and records its outcome in
    /// the claiming transaction. `now` is the time of the job's scope, for a retry's schedule.
    /// A job of an external kind is leased instead (`Ok(None)`); run it after the commit.
    pub fn run_claimed(&self, conn: &mut PgConn, job: &Job, now: DateTime<Utc>) -> QueryResult<Option<bool>> {
        let run = match self.registry.runner_of(job) {
            Ok(Run::External(_)) => {
                self.lease(conn, job)?;
                return Ok(None);
            }
            Ok(Run::InTransaction(run)) => run,
            Err(e) => return record(conn, job, now, Err(e)).map(Some),
        };
        let outcome = conn.transaction::<_, ApiError, _>(|conn| run(conn, &self.runner(), job));
        record(conn, job, now, outcome).map(Some)
    }

    /// Runs a leased job of an external kind and records its outcome; true when it succeeded.
    pub async fn run_external(self: &Arc<Self>, job: Job, now: DateTime<Utc>) -> ApiResult<bool> {
        let outcome = match self.registry.runner_of(&job) {
            Ok(Run::External(run)) => run(self.clone(), job.clone(), now).await,
            Ok(Run::InTransaction(_)) => Err(ApiError::internal(anyhow::anyhow!("job {} is not external", job.kind))),
            Err(e) => Err(e),
        };
        if let Ok(Ran::Later(wait)) = outcome {
            let at = now.max(job.run_at) + wait;
            return crate::db::run(&self.pool, move |conn| {
                diesel::update(jobs::table.filter(jobs::id.eq(job.id)))
                    .set((jobs::run_at.eq(at), jobs::leased_until.eq(None::<DateTime<Utc>>)))
                    .execute(conn)?;
                Ok(false)
            })
            .await;
        }
        let outcome = outcome.map(drop);
        crate::db::run(&self.pool, move |conn| Ok(record_as(conn, &job, now, outcome, MAX_ATTEMPTS_EXTERNAL)?)).await
    }

    /// Runs due jobs until none is left, `max` have run, `stop` is set or a job of an external
    /// kind is claimed (then leased, and given back to run after this returns).
    /// Without `external_ok`, jobs of external kinds are left for later (no slot is free to
    /// run one), and the others still run.
    pub fn run_due(
        &self,
        conn: &mut PgConn,
        now: DateTime<Utc>,
        max: usize,
        stop: &watch::Receiver<bool>,
        external_ok: bool,
    ) -> QueryResult<(usize, Option<Leased>)> {
        let skip: Vec<&str> = if external_ok { Vec::new() } else { self.registry.external_kinds() };
        let mut ran = 0;
        while ran < max && !*stop.borrow() {
            let claim = conn.transaction(|conn| {
                let Some((job, scope_now)) = claim_due(conn, now, &skip)? else { return Ok(Claim::Idle) };
                Ok::<_, diesel::result::Error>(match self.run_claimed(conn, &job, scope_now)? {
                    Some(_) => Claim::Ran,
                    None => Claim::External(job, scope_now),
                })
            })?;
            match claim {
                Claim::Idle => break,
                Claim::Ran => ran += 1,
                Claim::External(job, at) => return Ok((ran, Some((job, at)))),
            }
        }
        Ok((ran, None))
    }
}

/// Records a job's outcome: done, or failed and due again after a backoff (or given up on).
fn record(conn: &mut PgConn, job: &Job, now: DateTime<Utc>, outcome: ApiResult<()>) -> QueryResult<bool> {
    record_as(conn, job, now, outcome, MAX_ATTEMPTS)
}

fn record_as(
    conn: &mut PgConn,
    job: &Job,
    now: DateTime<Utc>,
    outcome: ApiResult<()>,
    max_attempts: i32,
) -> QueryResult<bool> {
    let target = jobs::table.filter(jobs::id.eq(job.id));
    match outcome {
        Ok(()) => {
            diesel::update(target)
                .set((jobs::done_at.eq(Some(now.max(job.run_at))), jobs::leased_until.eq(None::<DateTime<Utc>>)))
                .execute(conn)?;
            Ok(true)
        }
        Err(e) => {
            let attempts = job.attempts + 1;
            let message = format!("{e:?}");
            tracing::warn!(job = %job.id, kind = %job.kind, subject = %job.subject, attempts, error = %message, "job failed");
            let backoff = TimeDelta::seconds(2i64.pow(attempts.clamp(0, 12) as u32).min(3600));
            let failed = (attempts >= max_attempts).then_some(now);
            diesel::update(target)
                .set((
                    jobs::attempts.eq(attempts),
                    jobs::last_error.eq(Some(message)),
                    jobs::run_at.eq(now.max(job.run_at) + backoff),
                    jobs::failed_at.eq(failed),
                    jobs::leased_until.eq(None::<DateTime<Utc>>),
                ))
                .execute(conn)?;
            Ok(false)
        }
    }
}

/// The instance's job worker: runs due jobs, then sleeps for [`POLL`], until it is stopped or
/// the queue is gone (with the instance's state).
pub struct Worker {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Worker {
    pub fn spawn(queue: Weak<Queue>) -> Worker {
        let (stop, stopped) = watch::channel(false);
        Worker { stop, task: actix_web::rt::spawn(worker(queue, stopped)) }
    }

    /// From now on no job is claimed; the one in progress goes on.
    pub fn stop_claiming(&self) {
        self.stop.send_replace(true);
    }

    /// Stops claiming and waits for the job in progress, whose effects then commit with it
    /// (rather than roll back when the process, or its database, goes away mid-job).
    pub async fn stop(self) {
        self.stop_claiming();
        if let Err(e) = self.task.await {
            tracing::error!(error = %e, "the job worker failed");
        }
    }
}

/// Jobs of external kinds one instance runs at once: each waits on the other side (Stripe, a
/// tenant's endpoint), so a slow one must not hold up the rest.
pub const EXTERNAL_AT_ONCE: usize = 16;

/// Runs the chores that are due (each at start, then every `every` of the instance clock).
async fn chores(queue: &Queue, last: &mut HashMap<&'static str, DateTime<Utc>>) {
    let now = queue.clock.now();
    for chore in &queue.registry.chores {
        if last.get(chore.name).is_some_and(|t| now - *t < chore.every) {
            continue;
        }
        last.insert(chore.name, now);
        let run = chore.run;
        match crate::db::run(&queue.pool, move |conn| Ok(run(conn, now)?)).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(chore = chore.name, rows = n, "chore done"),
            Err(e) => tracing::warn!(chore = chore.name, error = ?e, "chore failed; it runs again later"),
        }
    }
}

async fn worker(queue: Weak<Queue>, mut stop: watch::Receiver<bool>) {
    let slots = Arc::new(tokio::sync::Semaphore::new(EXTERNAL_AT_ONCE));
    let mut last_chores = HashMap::new();
    while !*stop.borrow() {
        let Some(strong) = queue.upgrade() else { break };
        chores(&strong, &mut last_chores).await;
        // A job that calls out is claimed only with a slot free to run it at once; without one,
        // the other jobs (period closings, finalizations, emails) still run.
        let slot = slots.clone().try_acquire_owned().ok();
        let external_ok = slot.is_some();
        let now = strong.clock.now();
        let (q, stopping) = (strong.clone(), stop.clone());
        let ran =
            crate::db::run(&strong.pool, move |conn| Ok(q.run_due(conn, now, 100, &stopping, external_ok)?)).await;
        match ran {
            Ok((_, Some((job, at)))) => {
                let q = strong.clone();
                actix_web::rt::spawn(async move {
                    if let Err(e) = q.run_external(job, at).await {
                        tracing::warn!(error = ?e, "job worker cannot record a job's outcome");
                    }
                    drop(slot);
                });
                continue;
            }
            Ok((100, None)) => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = ?e, "job worker cannot reach the database"),
        }
        drop((strong, slot));
        tokio::select! {
            () = tokio::time::sleep(POLL) => {}
            // Set, or the sender is gone: either way, stop.
            _ = stop.changed() => break,
        }
    }
    // The external jobs in progress finish (or their leases run out and another instance
    // takes them over).
    let _ = tokio::time::timeout(Duration::from_secs(30), slots.acquire_many(EXTERNAL_AT_ONCE as u32)).await;
}
