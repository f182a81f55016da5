//! Group commit for verify and usage.
//!
//! Requests hand their ledger [`Entry`]s to the writer threads and wait. A writer takes
//! whatever has queued up while the previous batch ran (up to [`MAX_BATCH`] entries), applies it
//! (one statement when nothing is near a limit, see [`settle`]) and answers every waiter after
//! the commit. With no load a batch is one entry and no time is lost waiting; under load batches
//! grow, and so does throughput, while each request still gets its own verdict.
//!
//! One writer at a time is the rule: a batch that waits for the one in flight grows, and fewer,
//! larger commits are what make verify fast. A second writer (up to `USAGE_WRITERS`) starts only
//! when a large backlog is waiting ([`PARALLEL_BACKLOG`] entries, i.e. batch ingestion), where
//! PostgreSQL's work per event, not the commit, is the cost and two cores do it faster than
//! one. Concurrent batches lock shared counters in the same key order, so they wait for each
//! other rather than deadlock, and a limit is never exceeded.
//!
//! Two promises about failures:
//!
//! - **One request's content never fails another's.** When the database refuses a batch for a
//!   reason that may be tied to what an entry holds (anything but a lost connection), the
//!   entries it did not settle are settled again in two halves split between requests, and so
//!   on, until the request at fault is alone ([`settle_isolated`]). Entries the database already
//!   committed keep their outcome and are never applied twice.
//! - **A request fails within the pool timeout.** Each request carries the instant by which it
//!   must have a connection (its arrival plus the pool's connection timeout); a batch waits for
//!   a connection only until the earliest of its requests' deadlines, a request whose deadline
//!   passed while it was queued fails at once, and a batch that found no connection is not
//!   tried again on the transaction path.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use diesel::Connection;
use tokio::sync::oneshot;

use super::{apply, apply_fast, Entry, Outcome};
use crate::db::PgPool;
use crate::error::{ApiError, ApiResult};

/// The most entries one batch takes (a job of more is taken whole, alone). Large enough that
/// batch ingestion shares few transactions; a verify queued behind a full batch waits for one
/// commit at most.
pub const MAX_BATCH: usize = 2000;
/// Queued entries past which a further writer starts while one is busy.
pub const PARALLEL_BACKLOG: usize = 512;
const ATTEMPTS: usize = 3;

/// Why an entry was not settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No connection could be had in time, or it was lost: nothing to do with the entries.
    Unavailable(String),
    /// The database refused a statement that held this entry (perhaps because of what the entry
    /// holds, perhaps because of another entry settled with it: see [`settle_isolated`]).
    Refused(String),
}

impl Failure {
    fn of(e: &diesel::result::Error) -> Failure {
        use diesel::result::Error;
        match e {
            e if crate::error::connection_lost(e) => Failure::Unavailable(e.to_string()),
            Error::DatabaseError(..) | Error::SerializationError(_) => Failure::Refused(e.to_string()),
            _ => Failure::Unavailable(e.to_string()),
        }
    }
}

type Reply = oneshot::Sender<Vec<Result<Outcome, Failure>>>;

/// Entries that arrived together (one verify, or one usage batch) and are answered together.
struct Job {
    entries: Vec<Entry>,
    reply: Reply,
    /// When the request must have a connection by: after that it fails rather than waits.
    deadline: Instant,
}

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    /// Entries in `jobs`.
    len: usize,
    /// Writers applying a batch now.
    busy: usize,
    closed: bool,
}

struct Shared {
    queue: Mutex<Queue>,
    ready: Condvar,
}

pub struct Writer {
    shared: Arc<Shared>,
    /// How long a request may wait for a database connection (the pool's timeout).
    wait: Duration,
}

impl Drop for Writer {
    fn drop(&mut self) {
        if let Ok(mut q) = self.shared.queue.lock() {
            q.closed = true;
        }
        self.shared.ready.notify_all();
    }
}

impl Writer {
    pub fn start(pool: PgPool, writers: usize) -> std::io::Result<Writer> {
        let shared = Arc::new(Shared { queue: Mutex::new(Queue::default()), ready: Condvar::new() });
        for n in 0..writers.max(1) {
            let (pool, shared) = (pool.clone(), shared.clone());
            std::thread::Builder::new().name(format!("tollgate-writer-{n}")).spawn(move || run(&pool, &shared))?;
        }
        Ok(Writer { shared, wait: pool.connection_timeout() })
    }

    /// Applies `entry` with whatever else is queued, and answers after the commit.
    pub async fn submit(&self, entry: Entry) -> ApiResult<Outcome> {
        let mut outcomes = self.submit_many(vec![entry]).await?;
        outcomes.pop().ok_or_else(|| ApiError::internal(anyhow::anyhow!("the usage writer answered nothing")))
    }

    /// Applies `entries` (in one batch, with whatever else is queued) and answers for each, in
    /// order, after the commit.
    pub async fn submit_many(&self, entries: Vec<Entry>) -> ApiResult<Vec<Outcome>> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let deadline = Instant::now() + self.wait;
        let (reply, answer) = oneshot::channel();
        {
            let mut q = self.shared.queue.lock().map_err(|_| shutting_down())?;
            if q.closed {
                return Err(shutting_down());
            }
            q.len += entries.len();
            q.jobs.push_back(Job { entries, reply, deadline });
        }
        self.shared.ready.notify_one();
        let results = answer.await.map_err(|_| shutting_down())?;
        let mut outcomes = Vec::with_capacity(results.len());
        for r in results {
            match r {
                Ok(o) => outcomes.push(o),
                Err(Failure::Unavailable(e)) => {
                    tracing::warn!(error = %e, "usage could not be recorded: no database connection");
                    return Err(ApiError::unavailable(
                        "database_unavailable",
                        "usage could not be recorded; retry the request",
                    ));
                }
                Err(Failure::Refused(e)) => {
                    // Alone in its batch by now (see `settle_isolated`): this request's own content.
                    tracing::error!(error = %e, "the database refused a usage entry");
                    return Err(ApiError::bad_request(
                        "parameter_invalid",
                        "the database refused to store this usage; check its text and numbers",
                    ));
                }
            }
        }
        Ok(outcomes)
    }
}

fn shutting_down() -> ApiError {
    ApiError::unavailable("shutting_down", "the server is shutting down")
}

fn retryable(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
        // Deadlocks carry SQLSTATE 40P01, which diesel reports as Unknown with this message.
        Error::DatabaseError(_, info) => info.message().contains("deadlock detected"),
        _ => false,
    }
}

/// Runs `f` on a pooled connection, again (up to [`ATTEMPTS`] times) after a deadlock or a
/// serialization failure. Waits for a connection until `deadline` at most.
fn with_retries<T>(
    pool: &PgPool,
    deadline: Instant,
    mut f: impl FnMut(&mut crate::db::PgConn) -> diesel::QueryResult<T>,
) -> Result<T, Failure> {
    let mut attempt = 1;
    loop {
        let wait = deadline.saturating_duration_since(Instant::now());
        let result = match pool.get_timeout(wait) {
            Ok(mut conn) => f(&mut conn),
            Err(e) => return Err(Failure::Unavailable(e.to_string())),
        };
        match result {
            Ok(v) => return Ok(v),
            Err(e) if retryable(&e) && attempt < ATTEMPTS => {
                tracing::debug!(error = %e, attempt, "usage batch retried");
                attempt += 1;
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => return Err(Failure::of(&e)),
        }
    }
}

/// Applies a batch of entries and answers for each: first whatever the one-statement path can
/// settle ([`apply_fast`], one round trip, no transaction), then the rest in one
/// transaction ([`apply`]), in their arrival order. The fast statement is atomic, so if
/// it is refused (an event id already recorded: a retried usage call) the whole batch goes
/// through the transaction; if there is no connection, neither path is tried further.
pub fn settle(pool: &PgPool, entries: &[&Entry], deadline: Instant) -> Vec<Result<Outcome, Failure>> {
    let mut results: Vec<Option<Result<Outcome, Failure>>> =
        match with_retries(pool, deadline, |conn| apply_fast(conn, entries)) {
            Ok(outcomes) => outcomes.into_iter().map(|o| o.map(Ok)).collect(),
            Err(e @ Failure::Unavailable(_)) => return vec![Err(e); entries.len()],
            Err(Failure::Refused(e)) => {
                tracing::debug!(error = %e, "one-statement usage path refused; using the transaction");
                vec![None; entries.len()]
            }
        };
    let rest: Vec<usize> = (0..entries.len()).filter(|&i| results[i].is_none()).collect();
    if !rest.is_empty() {
        let slow: Vec<&Entry> = rest.iter().map(|&i| entries[i]).collect();
        match with_retries(pool, deadline, |conn| conn.transaction(|c| apply(c, &slow))) {
            Ok(outcomes) => {
                for (i, outcome) in rest.into_iter().zip(outcomes) {
                    results[i] = Some(Ok(outcome));
                }
            }
            Err(e) => {
                for i in rest {
                    results[i] = Some(Err(e.clone()));
                }
            }
        }
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(Failure::Unavailable("the entry was not settled".to_string()))))
        .collect()
}

/// [`settle`], isolating requests from each other's content: `job_of[i]` says which request
/// entry `i` belongs to (ascending). Entries the database refused are settled again, those of
/// the first half of the requests at fault, then those of the second half, recursively, so a
/// request whose content the database cannot take fails alone, in about 2·log₂(n) statements,
/// and every other request is answered as if it had never met it. Arrival order is kept.
pub fn settle_isolated(
    pool: &PgPool,
    entries: &[&Entry],
    job_of: &[usize],
    deadline: Instant,
) -> Vec<Result<Outcome, Failure>> {
    let mut results = settle(pool, entries, deadline);
    let refused: Vec<usize> = (0..entries.len()).filter(|&i| matches!(results[i], Err(Failure::Refused(_)))).collect();
    let mut jobs: Vec<usize> = refused.iter().map(|&i| job_of[i]).collect();
    jobs.dedup();
    if jobs.len() < 2 {
        return results;
    }
    let middle = jobs[jobs.len() / 2];
    let (first, second): (Vec<usize>, Vec<usize>) = refused.into_iter().partition(|&i| job_of[i] < middle);
    for half in [first, second] {
        let part: Vec<&Entry> = half.iter().map(|&i| entries[i]).collect();
        let part_jobs: Vec<usize> = half.iter().map(|&i| job_of[i]).collect();
        for (i, r) in half.into_iter().zip(settle_isolated(pool, &part, &part_jobs, deadline)) {
            results[i] = r;
        }
    }
    results
}

/// A writer: waits for work it may take (nothing in flight, or a backlog worth a second
/// transaction), takes a batch, applies it and answers.
fn run(pool: &PgPool, shared: &Shared) {
    loop {
        let jobs = {
            let Ok(mut q) = shared.queue.lock() else { return };
            loop {
                if q.closed && q.jobs.is_empty() {
                    return;
                }
                if !q.jobs.is_empty() && (q.busy == 0 || q.len >= PARALLEL_BACKLOG) {
                    break;
                }
                q = match shared.ready.wait(q) {
                    Ok(q) => q,
                    Err(_) => return,
                };
            }
            let mut jobs = Vec::new();
            let mut taken = 0;
            while let Some(job) = q.jobs.front() {
                if taken > 0 && taken + job.entries.len() > MAX_BATCH {
                    break;
                }
                taken += job.entries.len();
                jobs.extend(q.jobs.pop_front());
            }
            q.len -= taken;
            q.busy += 1;
            jobs
        };
        // Requests whose deadline passed while they were queued fail now, without a try.
        let now = Instant::now();
        let (jobs, late): (Vec<Job>, Vec<Job>) = jobs.into_iter().partition(|j| j.deadline > now);
        for job in late {
            let n = job.entries.len();
            let _ = job.reply.send(vec![Err(Failure::Unavailable("no connection before the deadline".into())); n]);
        }
        let entries: Vec<&Entry> = jobs.iter().flat_map(|j| j.entries.iter()).collect();
        let job_of: Vec<usize> =
            jobs.iter().enumerate().flat_map(|(n, j)| std::iter::repeat_n(n, j.entries.len())).collect();
        let deadline = jobs.iter().map(|j| j.deadline).min().unwrap_or(now);
        let mut results =
            if entries.is_empty() { Vec::new() } else { settle_isolated(pool, &entries, &job_of, deadline) }
                .into_iter();
        for job in jobs {
            let mine: Vec<_> = results.by_ref().take(job.entries.len()).collect();
            let _ = job.reply.send(mine);
        }
        if let Ok(mut q) = shared.queue.lock() {
            q.busy -= 1;
        }
        // Another writer may take the next batch now (or this one will).
        shared.ready.notify_one();
    }
}
