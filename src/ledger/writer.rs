//! Group commit: the ledger's one write path, for verify and the usage API.
//!
//! Three roles, as in TiKV's asynchronous writer:
//!
//! - a **task** is one request's entries (a verify, or a usage batch of up to 1,000 events),
//!   queued with its reply, its deadline and the instant it arrived;
//! - a **batch** is the tasks a worker takes together, up to [`MAX_BATCH`] entries (a task of
//!   more is taken whole, alone), settled in one go ([`super::settle::settle_isolated`]);
//! - a **worker** is a thread that blocks until there is a task it may take, drains whatever
//!   else has queued meanwhile into its batch, settles it and answers every task after the
//!   commit.
//!
//! With no load a batch is one task and no time is lost waiting; under load batches grow, and so
//! does throughput, while each request still gets its own verdict.
//!
//! Tasks queue in two **lanes**. Verify (and single usage events) is the per-request call a
//! tenant's API waits on; usage batches are bulk ingestion. A verify must not wait behind a
//! thousand-event batch, so each lane has its own workers: one verify worker, which takes only
//! verify tasks (one writer at a time makes verify's batches, and so its commits, as large and
//! as few as possible), and `USAGE_WRITERS` bulk workers, which take usage batches and, when
//! none is waiting, help with a verify backlog of [`PARALLEL_BACKLOG`] entries or more. Batches
//! that run at once lock shared counters in the same key order, so they wait for each other
//! rather than deadlock, and a limit is never exceeded.
//!
//! A verify batch's commit waits for the WAL to reach the disk, and beside heavy ingestion that
//! flush now and then takes several times its usual time. So that the verify requests queued
//! meanwhile do not wait for it and then for their own batch, a **standby** verify worker takes
//! them once the verify worker's batch has run for [`STANDBY_AFTER`]; its commit joins the
//! flush under way or the next one. It stays out of the way otherwise, as two verify writers
//! would halve the batches and cost throughput.
//!
//! Bulk ingestion is **admitted** before its entries are built: each bulk worker has room for
//! [`BULK_ROOM_PER_WORKER`] entries (the batch it settles and the next, ready when it is done),
//! and a usage batch waits for its room ([`Writer::admit`]) holding only its text. The room
//! travels with the task and comes back when the task is answered or dropped, so however many
//! requests arrive at once (or give up), the entries the process holds stay bounded, and so
//! does its memory. The room is held while the entries are built as well, so a request whose
//! events need lookups (customers by external id, plans not yet cached) keeps it meanwhile.
//!
//! A task whose deadline (its arrival, or for bulk ingestion its asking for room, plus the
//! pool's connection timeout) passed while it was
//! queued fails at once, without a try; a batch waits for a connection only until its earliest
//! deadline. The queue knows nothing of the database: workers call a [`Settle`] function, which
//! is the database in production ([`Writer::start`]) and a fake in the unit tests below.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use prometheus::Histogram;
use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};

use super::settle::{settle_isolated, Failure};
use super::{Entry, Outcome};
use crate::db::PgPool;
use crate::error::{ApiError, ApiResult, ErrorCode};

/// The most entries one batch takes. Large enough that batch ingestion shares few statements.
pub const MAX_BATCH: usize = 2000;
/// Entries admitted to the bulk lane per bulk worker: its batch and the next.
pub const BULK_ROOM_PER_WORKER: usize = 2 * MAX_BATCH;
/// Queued verify entries past which bulk workers help the verify worker.
pub const PARALLEL_BACKLOG: usize = 512;
/// How long the verify worker's batch runs before the standby verify worker takes what queued
/// meanwhile.
pub const STANDBY_AFTER: Duration = Duration::from_millis(4);

/// Which queue a task waits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Verify and single usage events: one entry a request, answered as fast as possible.
    Verify,
    /// Usage batches: many entries a request, throughput first.
    Bulk,
}

impl Lane {
    pub fn as_str(self) -> &'static str {
        match self {
            Lane::Verify => "verify",
            Lane::Bulk => "bulk",
        }
    }
}

/// Settles a batch's entries (`task_of[i]`: which task entry `i` belongs to, ascending), waiting
/// for a connection until the deadline at most, with the worker's share of the counters (bulk
/// workers 1, 2, …; the verify worker none: see [`super::fast`]); one result per entry, in order.
pub type Settle = dyn Fn(&[&Entry], &[usize], Instant, Option<i16>) -> Vec<Result<Outcome, Failure>> + Send + Sync;

type Reply = oneshot::Sender<Vec<Result<Outcome, Failure>>>;

/// One request's entries, answered together.
struct Task {
    entries: Vec<Entry>,
    reply: Reply,
    /// When the request must have a connection by: after that it fails rather than waits.
    deadline: Instant,
    queued: Instant,
    /// Its room in the bulk lane, given back when the task is dropped (answered or not).
    _room: Option<OwnedSemaphorePermit>,
}

/// Tasks a worker took together.
struct Batch {
    lane: Lane,
    tasks: Vec<Task>,
}

#[derive(Default)]
struct Tasks {
    queue: VecDeque<Task>,
    /// Entries in `queue`.
    entries: usize,
}

impl Tasks {
    fn push(&mut self, task: Task) {
        self.entries += task.entries.len();
        self.queue.push_back(task);
    }

    /// The tasks at the front, up to [`MAX_BATCH`] entries (the first whatever its size).
    fn take(&mut self) -> Vec<Task> {
        let (mut tasks, mut taken) = (Vec::new(), 0);
        while let Some(task) = self.queue.front() {
            if taken > 0 && taken + task.entries.len() > MAX_BATCH {
                break;
            }
            taken += task.entries.len();
            tasks.extend(self.queue.pop_front());
        }
        self.entries -= taken;
        tasks
    }
}

#[derive(Default)]
struct Queue {
    verify: Tasks,
    bulk: Tasks,
    closed: bool,
    /// When the verify worker's batch under way started.
    verify_since: Option<Instant>,
    /// The standby worker sleeps until a verify task arrives.
    standby_idle: bool,
}

impl Queue {
    /// What a worker of this kind takes next, if anything.
    fn next(&mut self, role: Role, now: Instant) -> Option<Batch> {
        match role {
            Role::Verify if !self.verify.queue.is_empty() => {
                self.verify_since = Some(now);
                Some(Batch { lane: Lane::Verify, tasks: self.verify.take() })
            }
            Role::Standby
                if !self.verify.queue.is_empty()
                    && self.verify_since.is_some_and(|t| now.saturating_duration_since(t) >= STANDBY_AFTER) =>
            {
                Some(Batch { lane: Lane::Verify, tasks: self.verify.take() })
            }
            Role::Bulk if !self.bulk.queue.is_empty() => Some(Batch { lane: Lane::Bulk, tasks: self.bulk.take() }),
            Role::Bulk if self.verify.entries >= PARALLEL_BACKLOG => {
                Some(Batch { lane: Lane::Verify, tasks: self.verify.take() })
            }
            _ => None,
        }
    }

    fn idle(&self, role: Role) -> bool {
        match role {
            Role::Verify | Role::Standby => self.verify.queue.is_empty(),
            Role::Bulk => self.bulk.queue.is_empty(),
        }
    }

    /// How long the standby worker may sleep before it looks again (`None`: until woken).
    fn standby_sleep(&self, now: Instant) -> Option<Duration> {
        if self.verify.queue.is_empty() {
            return None;
        }
        let since = self.verify_since?;
        Some(STANDBY_AFTER.saturating_sub(now.saturating_duration_since(since)).max(Duration::from_micros(100)))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Verify,
    Standby,
    Bulk,
}

struct Shared {
    queue: Mutex<Queue>,
    verify_ready: Condvar,
    standby_ready: Condvar,
    bulk_ready: Condvar,
}

/// Histograms of what the writer does, per lane: entries per batch, time queued per task and
/// time to settle per batch; and the time usage batches waited for room in the bulk lane.
#[derive(Clone)]
pub struct WriterMetrics {
    pub batch_entries: [Histogram; 2],
    pub queue_wait: [Histogram; 2],
    pub batch_seconds: [Histogram; 2],
    pub admission_wait: Histogram,
}

impl WriterMetrics {
    fn lane(lane: Lane) -> usize {
        match lane {
            Lane::Verify => 0,
            Lane::Bulk => 1,
        }
    }
}

pub struct Writer {
    shared: Arc<Shared>,
    /// How long a request may wait for a database connection (the pool's timeout), and for room
    /// in the bulk lane.
    wait: Duration,
    /// Room in the bulk lane, in entries ([`Writer::admit`]).
    bulk_room: Arc<Semaphore>,
    bulk_capacity: usize,
    /// Time usage batches waited for room.
    admission_wait: Option<Histogram>,
}

/// Room in the bulk lane for a request's entries: taken before they are built, and given back
/// when their task is answered, or dropped unanswered.
pub struct Admission {
    room: Option<OwnedSemaphorePermit>,
    entries: usize,
    /// The request's deadline: when it asked for room, plus the pool's connection timeout. The
    /// wait for room and the wait for a connection share it.
    deadline: Instant,
}

impl Drop for Writer {
    fn drop(&mut self) {
        if let Ok(mut q) = self.shared.queue.lock() {
            q.closed = true;
        }
        self.shared.verify_ready.notify_all();
        self.shared.standby_ready.notify_all();
        self.shared.bulk_ready.notify_all();
    }
}

impl Writer {
    /// One verify worker, its standby and `bulk_workers` bulk workers, settling on `pool`.
    pub fn start(pool: PgPool, bulk_workers: usize, metrics: Option<WriterMetrics>) -> std::io::Result<Writer> {
        let wait = pool.connection_timeout();
        let settle: Arc<Settle> =
            Arc::new(move |entries: &[&Entry], task_of: &[usize], deadline: Instant, share: Option<i16>| {
                settle_isolated(&pool, entries, task_of, deadline, share)
            });
        Writer::start_with(settle, bulk_workers, wait, metrics)
    }

    /// The same queue and workers over any [`Settle`] (unit tests give a fake).
    pub fn start_with(
        settle: Arc<Settle>,
        bulk_workers: usize,
        wait: Duration,
        metrics: Option<WriterMetrics>,
    ) -> std::io::Result<Writer> {
        let bulk_workers = bulk_workers.max(1);
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue::default()),
            verify_ready: Condvar::new(),
            standby_ready: Condvar::new(),
            bulk_ready: Condvar::new(),
        });
        let bulk = (1..=bulk_workers).map(|n| (Role::Bulk, Some(i16::try_from(n).unwrap_or(i16::MAX))));
        let roles = [(Role::Verify, None), (Role::Standby, None)].into_iter().chain(bulk);
        for (n, (role, share)) in roles.enumerate() {
            let (shared, settle, metrics) = (shared.clone(), settle.clone(), metrics.clone());
            std::thread::Builder::new()
                .name(format!("tollgate-writer-{n}"))
                .spawn(move || work(role, share, &shared, &*settle, metrics.as_ref()))?;
        }
        let bulk_capacity = bulk_workers * BULK_ROOM_PER_WORKER;
        let admission_wait = metrics.as_ref().map(|m| m.admission_wait.clone());
        Ok(Writer { shared, wait, bulk_room: Arc::new(Semaphore::new(bulk_capacity)), bulk_capacity, admission_wait })
    }

    /// Applies `entry` with whatever else is queued in the verify lane, and answers after the
    /// commit.
    pub async fn submit(&self, entry: Entry) -> ApiResult<Outcome> {
        let mut outcomes = self.submit_task(Lane::Verify, vec![entry], Instant::now() + self.wait, None).await?;
        outcomes.pop().ok_or_else(|| ApiError::internal(anyhow::anyhow!("the usage writer answered nothing")))
    }

    /// Waits for room for `entries` entries in the bulk lane, until entries admitted before have
    /// been answered. Requests are admitted in the order they asked. The wait for room and then
    /// for a connection together last the pool's connection timeout at most; then 503, as for
    /// a request that found no connection.
    pub async fn admit(&self, entries: usize) -> ApiResult<Admission> {
        let asked = Instant::now();
        let deadline = asked + self.wait;
        if entries == 0 {
            return Ok(Admission { room: None, entries, deadline });
        }
        // More than the whole room would wait forever: such a task takes all of it.
        let room = u32::try_from(entries.min(self.bulk_capacity)).unwrap_or(u32::MAX);
        let room = tokio::time::timeout(self.wait, self.bulk_room.clone().acquire_many_owned(room)).await;
        if let Some(h) = &self.admission_wait {
            h.observe(asked.elapsed().as_secs_f64());
        }
        let room = match room {
            Ok(Ok(room)) => room,
            // The room is never closed; this would be a bug, not a client's problem.
            Ok(Err(_)) => return Err(ApiError::internal(anyhow::anyhow!("the bulk lane's room was closed"))),
            Err(_) => {
                tracing::warn!(entries, "usage could not be recorded: no room in the bulk lane in time");
                return Err(unavailable());
            }
        };
        Ok(Admission { room: Some(room), entries, deadline })
    }

    /// Applies `entries` (at most what `admission` made room for) in the bulk lane, in one
    /// batch with whatever else is queued there, and answers for each, in order, after the
    /// commit. The room goes with the task, and comes back when it is answered (or dropped).
    pub async fn submit_bulk(&self, admission: Admission, entries: Vec<Entry>) -> ApiResult<Vec<Outcome>> {
        if entries.len() > admission.entries {
            return Err(ApiError::internal(anyhow::anyhow!(
                "{} usage entries submitted with room for {}",
                entries.len(),
                admission.entries
            )));
        }
        self.submit_task(Lane::Bulk, entries, admission.deadline, admission.room).await
    }

    /// Applies `entries` (in one batch, with whatever else is queued in `lane`) and answers for
    /// each, in order, after the commit; waits for a connection until `deadline` at most.
    async fn submit_task(
        &self,
        lane: Lane,
        entries: Vec<Entry>,
        deadline: Instant,
        room: Option<OwnedSemaphorePermit>,
    ) -> ApiResult<Vec<Outcome>> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let (reply, answer) = oneshot::channel();
        self.enqueue(lane, Task { entries, reply, deadline, queued: Instant::now(), _room: room })?;
        let results = answer.await.map_err(|_| shutting_down())?;
        let mut outcomes = Vec::with_capacity(results.len());
        for r in results {
            match r {
                Ok(o) => outcomes.push(o),
                Err(Failure::Unavailable(e)) => {
                    tracing::warn!(error = %e, "usage could not be recorded: no database connection");
                    return Err(unavailable());
                }
                Err(Failure::Refused(e)) => {
                    // Alone in its batch by now (see `settle_isolated`): this request's own content.
                    tracing::error!(error = %e, "the database refused a usage entry");
                    return Err(ApiError::bad_request(
                        ErrorCode::ParameterInvalid,
                        "the database refused to store this usage; check its text and numbers",
                    ));
                }
            }
        }
        Ok(outcomes)
    }

    /// Queues a task; its results arrive on its reply channel after its batch commits.
    fn enqueue(&self, lane: Lane, task: Task) -> ApiResult<()> {
        let (help, standby) = {
            let mut q = self.shared.queue.lock().map_err(|_| shutting_down())?;
            if q.closed {
                return Err(shutting_down());
            }
            match lane {
                Lane::Verify => {
                    q.verify.push(task);
                    (q.verify.entries >= PARALLEL_BACKLOG, q.standby_idle)
                }
                Lane::Bulk => {
                    q.bulk.push(task);
                    (true, false)
                }
            }
        };
        if lane == Lane::Verify {
            self.shared.verify_ready.notify_one();
        }
        if standby {
            self.shared.standby_ready.notify_one();
        }
        if help {
            self.shared.bulk_ready.notify_one();
        }
        Ok(())
    }
}

fn unavailable() -> ApiError {
    ApiError::unavailable(ErrorCode::DatabaseUnavailable, "usage could not be recorded; retry the request")
}

fn shutting_down() -> ApiError {
    ApiError::unavailable(ErrorCode::ShuttingDown, "the server is shutting down")
}

/// A worker, with its share of the counters if it has one: blocks until there is a batch its
/// role may take, settles it, answers, repeats.
fn work(role: Role, share: Option<i16>, shared: &Shared, settle: &Settle, metrics: Option<&WriterMetrics>) {
    let ready = match role {
        Role::Verify => &shared.verify_ready,
        Role::Standby => &shared.standby_ready,
        Role::Bulk => &shared.bulk_ready,
    };
    loop {
        let batch = {
            let Ok(mut q) = shared.queue.lock() else { return };
            if role == Role::Verify {
                // The batch before this one is done.
                q.verify_since = None;
            }
            loop {
                let now = Instant::now();
                if let Some(batch) = q.next(role, now) {
                    break batch;
                }
                // Closed: the verify worker drains its queue; the standby need not wait for it.
                if q.closed && (role == Role::Standby || q.idle(role)) {
                    return;
                }
                q = match (role, q.standby_sleep(now)) {
                    // Requests wait while the verify worker's batch runs: look again when it
                    // will have run for STANDBY_AFTER.
                    (Role::Standby, Some(sleep)) => match ready.wait_timeout(q, sleep) {
                        Ok((q, _)) => q,
                        Err(_) => return,
                    },
                    (Role::Standby, None) => {
                        q.standby_idle = true;
                        let Ok(mut q) = ready.wait(q) else { return };
                        q.standby_idle = false;
                        q
                    }
                    _ => match ready.wait(q) {
                        Ok(q) => q,
                        Err(_) => return,
                    },
                };
            }
        };
        run(batch, settle, share, metrics);
    }
}

/// Settles a batch and answers each of its tasks.
fn run(batch: Batch, settle: &Settle, share: Option<i16>, metrics: Option<&WriterMetrics>) {
    let now = Instant::now();
    let lane = WriterMetrics::lane(batch.lane);
    if let Some(m) = metrics {
        m.batch_entries[lane].observe(batch.tasks.iter().map(|t| t.entries.len()).sum::<usize>() as f64);
        for task in &batch.tasks {
            m.queue_wait[lane].observe(now.saturating_duration_since(task.queued).as_secs_f64());
        }
    }
    // Requests whose deadline passed while they were queued fail now, without a try.
    let (tasks, late): (Vec<Task>, Vec<Task>) = batch.tasks.into_iter().partition(|t| t.deadline > now);
    for task in late {
        let n = task.entries.len();
        let _ = task.reply.send(vec![Err(Failure::Unavailable("no connection before the deadline".into())); n]);
    }
    if tasks.is_empty() {
        return;
    }
    let entries: Vec<&Entry> = tasks.iter().flat_map(|t| t.entries.iter()).collect();
    let task_of: Vec<usize> =
        tasks.iter().enumerate().flat_map(|(n, t)| std::iter::repeat_n(n, t.entries.len())).collect();
    let deadline = tasks.iter().map(|t| t.deadline).min().unwrap_or(now);
    let mut results = settle(&entries, &task_of, deadline, share).into_iter();
    if let Some(m) = metrics {
        m.batch_seconds[lane].observe(now.elapsed().as_secs_f64());
    }
    for task in tasks {
        let mine: Vec<_> = results.by_ref().take(task.entries.len()).collect();
        let _ = task.reply.send(mine);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{CustomerId, TenantId};
    use crate::ledger::NewEvent;
    use crate::tenancy::Mode;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;

    fn entry(id: &str) -> Entry {
        let at = chrono::Utc::now();
        Entry {
            event: Some(NewEvent {
                tenant_id: TenantId::new(),
                mode: Mode::Test,
                event_id: id.to_string(),
                client_id: true,
                customer_id: CustomerId::new(),
                feature: "api_calls".into(),
                quantity: rust_decimal::Decimal::ONE,
                occurred_at: at,
                properties: None,
                received_at: at,
            }),
            counter: None,
            force: true,
        }
    }

    fn granted(n: usize) -> Vec<Result<Outcome, Failure>> {
        vec![Ok(Outcome { granted: true, duplicate: false, used: None }); n]
    }

    /// A settle that reports each batch's event ids and holds batches whose first id starts
    /// with `hold` until released.
    type Gate = Arc<(Mutex<bool>, Condvar)>;

    fn gated(hold: &'static str) -> (Arc<Settle>, mpsc::Receiver<Vec<String>>, Gate) {
        let (seen, batches) = mpsc::channel();
        let seen = Mutex::new(seen);
        let gate = Arc::new((Mutex::new(false), Condvar::new()));
        let g = gate.clone();
        let settle: Arc<Settle> = Arc::new(move |entries: &[&Entry], _: &[usize], _, _| {
            let ids: Vec<String> =
                entries.iter().filter_map(|e| e.event.as_ref()).map(|e| e.event_id.clone()).collect();
            let held = ids.first().is_some_and(|id| id.starts_with(hold));
            seen.lock().unwrap().send(ids).unwrap();
            if held {
                let (open, cv) = &*g;
                let mut open = open.lock().unwrap();
                while !*open {
                    open = cv.wait(open).unwrap();
                }
            }
            granted(entries.len())
        });
        (settle, batches, gate)
    }

    /// The next batch settled (yielding to the runtime meanwhile, so spawned requests run).
    async fn next_batch(batches: &mpsc::Receiver<Vec<String>>) -> Vec<String> {
        for _ in 0..500 {
            if let Ok(b) = batches.try_recv() {
                return b;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("no batch was settled in 5 s");
    }

    fn release(gate: &(Mutex<bool>, Condvar)) {
        *gate.0.lock().unwrap() = true;
        gate.1.notify_all();
    }

    /// A usage batch of `n` entries named `{name}-{i}`, admitted and submitted.
    async fn bulk(writer: &Writer, name: &str, n: usize) -> ApiResult<Vec<Outcome>> {
        let admission = writer.admit(n).await?;
        writer.submit_bulk(admission, (0..n).map(|i| entry(&format!("{name}-{i}"))).collect()).await
    }

    /// [`bulk`] as a request of its own.
    fn spawn_bulk(
        writer: &Arc<Writer>,
        name: &'static str,
        n: usize,
    ) -> actix_web::rt::task::JoinHandle<ApiResult<Vec<Outcome>>> {
        let w = writer.clone();
        actix_web::rt::spawn(async move { bulk(&w, name, n).await })
    }

    /// A writer with one bulk worker, whose first batch (`held-…`) is settled only once the gate
    /// is released; the batch has been taken when this returns.
    async fn one_bulk_worker_held(
        wait: Duration,
        held: usize,
    ) -> (Arc<Writer>, mpsc::Receiver<Vec<String>>, Gate, actix_web::rt::task::JoinHandle<ApiResult<Vec<Outcome>>>)
    {
        let (settle, batches, gate) = gated("held");
        let writer = Arc::new(Writer::start_with(settle, 1, wait, None).unwrap());
        let handle = spawn_bulk(&writer, "held", held);
        assert_eq!(next_batch(&batches).await.len(), held);
        (writer, batches, gate, handle)
    }

    #[actix_web::test]
    async fn bulk_ingestion_waits_for_room_and_is_answered_when_the_room_frees() {
        // The one bulk worker's room: the batch it settles (held) and the next, queued.
        let (writer, batches, gate, held) = one_bulk_worker_held(Duration::from_secs(5), MAX_BATCH).await;
        // Room for the next batch, and no more.
        let next = tokio::time::timeout(Duration::from_millis(50), writer.admit(MAX_BATCH)).await;
        drop(next.expect("room for the next batch").unwrap());
        let queued = spawn_bulk(&writer, "queued", MAX_BATCH);
        tokio::time::sleep(Duration::from_millis(50)).await;
        // No room for a third: it waits, its entries not yet built.
        let third = spawn_bulk(&writer, "third", 1);
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!third.is_finished() && !queued.is_finished());
        assert!(tokio::time::timeout(Duration::from_millis(50), writer.admit(1)).await.is_err(), "the lane is full");
        assert!(batches.try_recv().is_err(), "nothing else was settled meanwhile");
        release(&gate);
        assert_eq!(held.await.unwrap().unwrap().len(), MAX_BATCH);
        assert_eq!(queued.await.unwrap().unwrap().len(), MAX_BATCH);
        assert_eq!(third.await.unwrap().unwrap().len(), 1);
    }

    #[actix_web::test]
    async fn the_room_of_an_abandoned_request_stays_taken_until_its_entries_are_settled() {
        let (writer, batches, gate, held) = one_bulk_worker_held(Duration::from_secs(5), MAX_BATCH).await;
        // A request queues its entries and its client goes away: its handler is dropped.
        let abandoned = spawn_bulk(&writer, "abandoned", MAX_BATCH);
        tokio::time::sleep(Duration::from_millis(50)).await;
        abandoned.abort();
        assert!(abandoned.await.unwrap_err().is_cancelled());
        // Its entries are still queued, so its room is still taken.
        assert!(tokio::time::timeout(Duration::from_millis(100), writer.admit(1)).await.is_err(), "the lane is full");
        release(&gate);
        assert_eq!(held.await.unwrap().unwrap().len(), MAX_BATCH);
        assert_eq!(next_batch(&batches).await.len(), MAX_BATCH, "the abandoned entries were settled");
        let after = tokio::time::timeout(Duration::from_secs(2), writer.admit(2 * MAX_BATCH)).await;
        assert!(after.expect("all the room came back").is_ok());
    }

    #[actix_web::test]
    async fn bulk_ingestion_that_finds_no_room_in_time_answers_503() {
        // More than the whole room: the held batch takes all of it.
        let (writer, _batches, gate, held) = one_bulk_worker_held(Duration::from_millis(100), 5 * MAX_BATCH).await;
        let refused = tokio::time::timeout(Duration::from_secs(2), bulk(&writer, "late", 1)).await;
        let refused = refused.expect("refused in time, not after the held batch").unwrap_err();
        assert_eq!(refused.code(), crate::error::ErrorCode::DatabaseUnavailable);
        release(&gate);
        assert_eq!(held.await.unwrap().unwrap().len(), 5 * MAX_BATCH);
        // The room is back.
        assert_eq!(bulk(&writer, "after", 3).await.unwrap().len(), 3);
    }

    #[actix_web::test]
    async fn a_verify_is_not_queued_behind_bulk_ingestion() {
        let (settle, batches, gate) = gated("bulk");
        let writer = Arc::new(Writer::start_with(settle, 1, Duration::from_secs(5), None).unwrap());
        // The only bulk worker is busy with a batch that does not finish.
        let stuck = actix_web::rt::spawn({
            let w = writer.clone();
            async move { bulk(&w, "bulk", 1000).await }
        });
        assert_eq!(next_batch(&batches).await.len(), 1000);
        // Another bulk task waits; a verify does not.
        let more = actix_web::rt::spawn({
            let w = writer.clone();
            async move { bulk(&w, "bulk-late", 1).await }
        });
        let verdict = tokio::time::timeout(Duration::from_secs(2), writer.submit(entry("verify-1"))).await;
        assert!(verdict.expect("the verify was answered while ingestion was stuck").unwrap().granted);
        release(&gate);
        assert_eq!(stuck.await.unwrap().unwrap().len(), 1000);
        assert_eq!(more.await.unwrap().unwrap().len(), 1);
    }

    #[actix_web::test]
    async fn tasks_queued_while_both_verify_workers_are_busy_are_settled_together_and_answered_each() {
        let (settle, batches, gate) = gated("hold");
        let writer = Arc::new(Writer::start_with(settle, 1, Duration::from_secs(5), None).unwrap());
        let submit = |id: String| {
            let w = writer.clone();
            actix_web::rt::spawn(async move { w.submit(entry(&id)).await })
        };
        // The verify worker's batch does not finish; the standby takes the next and is stuck too.
        let held = [submit("hold-1".into())];
        assert_eq!(next_batch(&batches).await, ["hold-1"]);
        let held = [held, [submit("hold-2".into())]];
        assert_eq!(next_batch(&batches).await, ["hold-2"]);
        let waiting: Vec<_> = (0..5).map(|i| submit(format!("next-{i}"))).collect();
        // Let all five queue behind the held batches.
        tokio::time::sleep(Duration::from_millis(100)).await;
        release(&gate);
        for h in held.into_iter().flatten().chain(waiting) {
            assert!(h.await.unwrap().unwrap().granted);
        }
        let together = next_batch(&batches).await;
        assert_eq!(together.len(), 5, "one batch for the five that waited: {together:?}");
    }

    #[actix_web::test]
    async fn the_standby_takes_verifies_that_queue_behind_a_slow_batch() {
        let (settle, batches, gate) = gated("slow");
        let writer = Arc::new(Writer::start_with(settle, 1, Duration::from_secs(5), None).unwrap());
        let slow = actix_web::rt::spawn({
            let w = writer.clone();
            async move { w.submit(entry("slow")).await }
        });
        assert_eq!(next_batch(&batches).await, ["slow"]);
        // A verify behind the slow batch is answered while that batch still runs.
        let verdict = tokio::time::timeout(Duration::from_secs(2), writer.submit(entry("behind"))).await;
        assert!(verdict.expect("the standby answered the verify behind the slow batch").unwrap().granted);
        assert_eq!(next_batch(&batches).await, ["behind"]);
        assert!(!slow.is_finished());
        release(&gate);
        assert!(slow.await.unwrap().unwrap().granted);
    }

    #[actix_web::test]
    async fn a_task_whose_deadline_passed_in_the_queue_fails_without_a_try() {
        let tries = Arc::new(AtomicUsize::new(0));
        let t = tries.clone();
        let settle: Arc<Settle> = Arc::new(move |entries: &[&Entry], _: &[usize], _, _| {
            t.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(300));
            granted(entries.len())
        });
        let writer = Arc::new(Writer::start_with(settle, 1, Duration::from_millis(100), None).unwrap());
        // The verify worker and then its standby are busy with a slow batch each.
        let mut slow = Vec::new();
        for i in 0..2 {
            let w = writer.clone();
            slow.push(actix_web::rt::spawn(async move { w.submit(entry(&format!("slow-{i}"))).await }));
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(tries.load(Ordering::SeqCst), 2);
        let late = writer.submit(entry("late")).await;
        assert_eq!(late.unwrap_err().code(), crate::error::ErrorCode::DatabaseUnavailable);
        for s in slow {
            assert!(s.await.unwrap().is_ok());
        }
        assert_eq!(tries.load(Ordering::SeqCst), 2, "the late task was never tried");
    }

    #[test]
    fn a_batch_takes_up_to_max_batch_entries_and_a_larger_task_alone() {
        let mut tasks = Tasks::default();
        let task = |n: usize| Task {
            entries: (0..n).map(|i| entry(&i.to_string())).collect(),
            reply: oneshot::channel().0,
            deadline: Instant::now(),
            queued: Instant::now(),
            _room: None,
        };
        for n in [1500, 400, 200, 2500, 1] {
            tasks.push(task(n));
        }
        let sizes = |t: Vec<Task>| t.iter().map(|t| t.entries.len()).collect::<Vec<_>>();
        assert_eq!(sizes(tasks.take()), [1500, 400]);
        assert_eq!(sizes(tasks.take()), [200]);
        assert_eq!(sizes(tasks.take()), [2500]);
        assert_eq!(sizes(tasks.take()), [1]);
        assert_eq!(tasks.entries, 0);
    }
}
