//! Group commit for verify (and single usage events).
//!
//! Requests hand their ledger [`Entry`] to a batcher thread and wait. Each thread takes
//! whatever has queued up while its previous transaction ran (up to [`MAX_BATCH`]), applies it
//! in one transaction, and answers every waiter after the commit. With no load a batch is one
//! entry and no time is lost waiting; under load batches grow, and so does throughput, while
//! each request still gets its own verdict in arrival order.
//!
//! Entries are sharded over the threads by customer, so one customer's requests stay in order
//! on one thread, and threads do not wait on each other's counter locks.

use std::hash::{Hash, Hasher};
use std::sync::mpsc;
use std::time::Duration;

use diesel::Connection;
use tokio::sync::oneshot;

use crate::db::PgPool;
use crate::error::{ApiError, ApiResult};
use crate::usage::ledger::{self, Entry, Outcome};

/// The most entries one transaction takes. Large enough that batch ingestion shares few
/// transactions; a verify queued behind a full batch waits for one commit at most.
pub const MAX_BATCH: usize = 2000;
const ATTEMPTS: usize = 3;

struct Job {
    entry: Entry,
    reply: oneshot::Sender<Result<Outcome, String>>,
}

pub struct Batcher {
    shards: Vec<mpsc::Sender<Job>>,
}

impl Batcher {
    pub fn start(pool: PgPool, threads: usize) -> std::io::Result<Batcher> {
        let mut shards = Vec::new();
        for n in 0..threads.max(1) {
            let (tx, rx) = mpsc::channel::<Job>();
            let pool = pool.clone();
            std::thread::Builder::new().name(format!("tollgate-batcher-{n}")).spawn(move || run(pool, rx))?;
            shards.push(tx);
        }
        Ok(Batcher { shards })
    }

    /// Applies `entry` with whatever else is queued, and answers after the commit.
    pub async fn submit(&self, shard_key: impl Hash, entry: Entry) -> ApiResult<Outcome> {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        shard_key.hash(&mut h);
        let shard = &self.shards[(h.finish() as usize) % self.shards.len()];
        let (reply, answer) = oneshot::channel();
        shard
            .send(Job { entry, reply })
            .map_err(|_| ApiError::unavailable("shutting_down", "the server is shutting down"))?;
        match answer.await {
            Ok(Ok(outcome)) => Ok(outcome),
            Ok(Err(e)) => {
                tracing::error!(error = %e, "usage batch failed");
                Err(ApiError::unavailable("database_unavailable", "usage could not be recorded; retry the request"))
            }
            Err(_) => Err(ApiError::unavailable("shutting_down", "the server is shutting down")),
        }
    }
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

fn run(pool: PgPool, rx: mpsc::Receiver<Job>) {
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let entries: Vec<&Entry> = jobs.iter().map(|j| &j.entry).collect();
        let mut result = Err("not attempted".to_string());
        for attempt in 1..=ATTEMPTS {
            result = match pool.get() {
                Ok(mut conn) => match conn.transaction(|c| ledger::apply(c, &entries)) {
                    Ok(outcomes) => Ok(outcomes),
                    Err(e) if retryable(&e) && attempt < ATTEMPTS => {
                        tracing::debug!(error = %e, attempt, "usage batch retried");
                        continue;
                    }
                    Err(e) => Err(e.to_string()),
                },
                Err(e) => Err(e.to_string()),
            };
            if result.is_ok() || attempt == ATTEMPTS {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        match result {
            Ok(outcomes) => {
                for (job, outcome) in jobs.into_iter().zip(outcomes) {
                    let _ = job.reply.send(Ok(outcome));
                }
            }
            Err(e) => {
                for job in jobs {
                    let _ = job.reply.send(Err(e.clone()));
                }
            }
        }
    }
}
