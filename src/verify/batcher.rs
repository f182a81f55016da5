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

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use diesel::Connection;
use tokio::sync::oneshot;

use crate::db::PgPool;
use crate::error::{ApiError, ApiResult};
use crate::usage::ledger::{self, Entry, Outcome};

/// The most entries one batch takes (a job of more is taken whole, alone). Large enough that
/// batch ingestion shares few transactions; a verify queued behind a full batch waits for one
/// commit at most.
pub const MAX_BATCH: usize = 2000;
/// Queued entries past which a further writer starts while one is busy.
pub const PARALLEL_BACKLOG: usize = 512;
const ATTEMPTS: usize = 3;

type Reply = oneshot::Sender<Vec<Result<Outcome, String>>>;

/// Entries that arrived together (one verify, or one usage batch) and are answered together.
struct Job {
    entries: Vec<Entry>,
    reply: Reply,
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

pub struct Batcher {
    shared: Arc<Shared>,
}

impl Drop for Batcher {
    fn drop(&mut self) {
        if let Ok(mut q) = self.shared.queue.lock() {
            q.closed = true;
        }
        self.shared.ready.notify_all();
    }
}

impl Batcher {
    pub fn start(pool: PgPool, writers: usize) -> std::io::Result<Batcher> {
        let shared = Arc::new(Shared { queue: Mutex::new(Queue::default()), ready: Condvar::new() });
        for n in 0..writers.max(1) {
            let (pool, shared) = (pool.clone(), shared.clone());
            std::thread::Builder::new().name(format!("tollgate-writer-{n}")).spawn(move || run(&pool, &shared))?;
        }
        Ok(Batcher { shared })
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
        let (reply, answer) = oneshot::channel();
        {
            let mut q = self.shared.queue.lock().map_err(|_| shutting_down())?;
            if q.closed {
                return Err(shutting_down());
            }
            q.len += entries.len();
            q.jobs.push_back(Job { entries, reply });
        }
        self.shared.ready.notify_one();
        let results = answer.await.map_err(|_| shutting_down())?;
        if let Some(Err(e)) = results.iter().find(|r| r.is_err()) {
            tracing::error!(error = %e, "usage batch failed");
            return Err(ApiError::unavailable(
                "database_unavailable",
                "usage could not be recorded; retry the request",
            ));
        }
        Ok(results.into_iter().flatten().collect())
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
/// serialization failure.
fn with_retries<T>(
    pool: &PgPool,
    mut f: impl FnMut(&mut crate::db::PgConn) -> diesel::QueryResult<T>,
) -> Result<T, String> {
    let mut attempt = 1;
    loop {
        let result = match pool.get() {
            Ok(mut conn) => f(&mut conn),
            Err(e) => return Err(e.to_string()),
        };
        match result {
            Ok(v) => return Ok(v),
            Err(e) if retryable(&e) && attempt < ATTEMPTS => {
                tracing::debug!(error = %e, attempt, "usage batch retried");
                attempt += 1;
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// Applies a batch of entries and answers for each: first whatever the one-statement path can
/// settle ([`ledger::apply_fast`], one round trip, no transaction), then the rest in one
/// transaction ([`ledger::apply`]), in their arrival order. The fast statement is atomic, so if
/// it fails (an event id already recorded: a retried usage call) the whole batch goes through
/// the transaction.
pub fn settle(pool: &PgPool, entries: &[&Entry]) -> Vec<Result<Outcome, String>> {
    let mut results: Vec<Option<Result<Outcome, String>>> =
        match with_retries(pool, |conn| ledger::apply_fast(conn, entries)) {
            Ok(outcomes) => outcomes.into_iter().map(|o| o.map(Ok)).collect(),
            Err(e) => {
                tracing::debug!(error = %e, "one-statement usage path failed; using the transaction");
                vec![None; entries.len()]
            }
        };
    let rest: Vec<usize> = (0..entries.len()).filter(|&i| results[i].is_none()).collect();
    if !rest.is_empty() {
        let slow: Vec<&Entry> = rest.iter().map(|&i| entries[i]).collect();
        match with_retries(pool, |conn| conn.transaction(|c| ledger::apply(c, &slow))) {
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
    results.into_iter().map(|r| r.unwrap_or_else(|| Err("the entry was not settled".to_string()))).collect()
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
        let entries: Vec<&Entry> = jobs.iter().flat_map(|j| j.entries.iter()).collect();
        let mut results = settle(pool, &entries).into_iter();
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
