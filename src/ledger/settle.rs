//! Settling a batch against the database: the one-statement path, then the transaction for
//! what it leaves, with retries on deadlocks and serialization failures, and the isolation of a
//! request whose content the database refuses.

use std::time::{Duration, Instant};

use diesel::Connection;

use super::{apply, apply_fast, Entry, Outcome};
use crate::db::PgPool;

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
///
/// `share`: the bulk writer's share of the counters ([`apply_fast`]); `None` for the verify
/// writer.
pub fn settle(
    pool: &PgPool,
    entries: &[&Entry],
    deadline: Instant,
    share: Option<i16>,
) -> Vec<Result<Outcome, Failure>> {
    let mut results: Vec<Option<Result<Outcome, Failure>>> =
        match with_retries(pool, deadline, |conn| apply_fast(conn, entries, share)) {
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
    share: Option<i16>,
) -> Vec<Result<Outcome, Failure>> {
    let mut results = settle(pool, entries, deadline, share);
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
        for (i, r) in half.into_iter().zip(settle_isolated(pool, &part, &part_jobs, deadline, share)) {
            results[i] = r;
        }
    }
    results
}
