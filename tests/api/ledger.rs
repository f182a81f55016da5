//! The usage ledger's write path, driven directly: which entries the one-statement path settles,
//! which it leaves to the transaction, and that both agree with the ledger. The usage tables
//! carry no foreign keys, so a test can write for made-up tenants and customers.

use chrono::{DateTime, TimeZone, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use tollgate::ids::{CustomerId, TenantId};
use tollgate::ledger::settle::{settle, settle_isolated, Failure};
use tollgate::ledger::{CounterKey, CounterReq, Entry, NewEvent, Outcome};
use tollgate::tenancy::Mode;

use crate::helpers::spawn_app;

fn window() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
}

struct Customer {
    tenant: TenantId,
    customer: CustomerId,
}

impl Customer {
    fn new() -> Customer {
        Customer { tenant: TenantId(uuid::Uuid::now_v7()), customer: CustomerId(uuid::Uuid::now_v7()) }
    }

    fn key(&self) -> CounterKey {
        CounterKey {
            tenant_id: self.tenant,
            mode: Mode::Test,
            customer_id: self.customer,
            feature: "api_calls".into(),
            window_start: window(),
        }
    }

    fn event(&self, id: Option<&str>, quantity: i64) -> NewEvent {
        NewEvent {
            tenant_id: self.tenant,
            mode: Mode::Test,
            event_id: id.map_or_else(tollgate::ledger::event::generated_event_id, str::to_string),
            client_id: id.is_some(),
            customer_id: self.customer,
            feature: "api_calls".into(),
            quantity: Decimal::from(quantity),
            occurred_at: window() + chrono::TimeDelta::days(3),
            properties: None,
            received_at: window() + chrono::TimeDelta::days(3),
        }
    }

    /// A verify consuming `quantity` against `limit`.
    fn verify(&self, id: Option<&str>, quantity: i64, limit: Option<i64>) -> Entry {
        Entry {
            event: Some(self.event(id, quantity)),
            counter: Some(CounterReq {
                key: self.key(),
                limit: limit.map(Decimal::from),
                allow_overage: false,
                increment: Decimal::from(quantity),
            }),
            force: false,
        }
    }

    /// A usage API event: recorded whatever the limit says.
    fn usage(&self, id: &str, quantity: i64, limit: Option<i64>) -> Entry {
        Entry { force: true, ..self.verify(Some(id), quantity, limit) }
    }

    /// Verify with quantity 0: is anything left?
    fn check(&self, limit: i64) -> Entry {
        Entry { event: None, ..self.verify(None, 0, Some(limit)) }
    }

    /// (rows in the ledger, their quantity, the counter with its shares)
    fn stored(&self, conn: &mut PgConnection) -> (i64, Decimal, Decimal) {
        use diesel::dsl::{count_star, sum};
        use tollgate::schema::usage_events as ue;
        let (rows, total): (i64, Option<Decimal>) = ue::table
            .filter(ue::tenant_id.eq(self.tenant))
            .filter(ue::customer_id.eq(self.customer))
            .select((count_star(), sum(ue::quantity)))
            .first(conn)
            .unwrap();
        (rows, total.unwrap_or_default(), tollgate::ledger::counter_value(conn, &self.key()).unwrap())
    }
}

/// Settles `entries` as the verify writer does.
fn run(pool: &tollgate::db::PgPool, entries: &[Entry]) -> Vec<Outcome> {
    run_as(pool, None, entries)
}

/// Settles `entries` as a writer with this share of the counters (bulk writers have one).
fn run_as(pool: &tollgate::db::PgPool, share: Option<i16>, entries: &[Entry]) -> Vec<Outcome> {
    let refs: Vec<&Entry> = entries.iter().collect();
    settle(pool, &refs, deadline(), share).into_iter().map(|r| r.expect("the batch applies")).collect()
}

fn deadline() -> std::time::Instant {
    std::time::Instant::now() + std::time::Duration::from_secs(5)
}

fn granted(outcomes: &[Outcome]) -> Vec<bool> {
    outcomes.iter().map(|o| o.granted).collect()
}

fn used(outcomes: &[Outcome]) -> Vec<i64> {
    outcomes.iter().map(|o| o.used.map_or(-1, |u| i64::try_from(u).unwrap())).collect()
}

#[actix_web::test]
async fn a_batch_that_crosses_the_limit_is_decided_entry_by_entry() {
    let app = spawn_app().await;
    let pool = app.state.pool.clone();
    let c = Customer::new();
    tokio::task::spawn_blocking(move || {
        // The counter does not exist yet: created in the transaction.
        let first = run(&pool, &(0..4).map(|_| c.verify(None, 1, Some(10))).collect::<Vec<_>>());
        assert_eq!(granted(&first), [true; 4]);
        assert_eq!(used(&first), [1, 2, 3, 4]);
        // Far from the limit: the one-statement path, the same answers.
        let second = run(&pool, &(0..3).map(|_| c.verify(None, 1, Some(10))).collect::<Vec<_>>());
        assert_eq!(used(&second), [5, 6, 7]);
        // 3 left, 5 asked (2 + 2 + 1 + 1 + ...): granted in arrival order while they fit.
        let third =
            run(&pool, &[c.verify(None, 2, Some(10)), c.verify(None, 2, Some(10)), c.verify(None, 1, Some(10))]);
        assert_eq!(granted(&third), [true, false, true]);
        assert_eq!(used(&third), [9, 9, 10]);
        assert!(third.iter().all(|o| !o.duplicate));
        // Full: a check says no, a request is refused.
        let fourth = run(&pool, &[c.check(10), c.verify(None, 1, Some(10))]);
        assert_eq!(granted(&fourth), [false, false]);
        assert_eq!(c.stored(&mut pool.get().unwrap()), (9, Decimal::from(10), Decimal::from(10)));
    })
    .await
    .unwrap();
}

#[actix_web::test]
async fn usage_events_count_once_whatever_the_path() {
    let app = spawn_app().await;
    let pool = app.state.pool.clone();
    let (a, b) = (Customer::new(), Customer::new());
    tokio::task::spawn_blocking(move || {
        // Forced (usage API) events go past the limit; an id repeated within the batch is a
        // duplicate and counts once.
        let first = run(
            &pool,
            &[a.usage("e1", 3, Some(5)), a.usage("e2", 4, Some(5)), a.usage("e1", 3, Some(5)), b.usage("f1", 1, None)],
        );
        assert_eq!(granted(&first), [true; 4]);
        assert_eq!(first.iter().map(|o| o.duplicate).collect::<Vec<_>>(), [false, false, true, false]);
        assert_eq!(a.stored(&mut pool.get().unwrap()), (2, Decimal::from(7), Decimal::from(7)));
        // Replayed: all duplicates, nothing more counted (the one-statement path this time, as
        // both counters exist).
        let again =
            run_as(&pool, Some(1), &[a.usage("e1", 3, Some(5)), a.usage("e2", 4, Some(5)), b.usage("f1", 1, None)]);
        assert!(again.iter().all(|o| o.granted && o.duplicate));
        assert_eq!(a.stored(&mut pool.get().unwrap()), (2, Decimal::from(7), Decimal::from(7)));
        assert_eq!(b.stored(&mut pool.get().unwrap()), (1, Decimal::ONE, Decimal::ONE));
        // A verify retried with its event id is a duplicate that consumes nothing, next to new
        // usage for the same counter.
        let first_verify = run(&pool, &[b.verify(Some("v1"), 2, Some(100))]);
        assert_eq!(used(&first_verify), [3]);
        let mixed = run(&pool, &[b.usage("f2", 1, None), b.verify(Some("v1"), 2, Some(100))]);
        // A bulk writer's new usage goes to its share of the counter, and counts.
        let bulk = run_as(&pool, Some(2), &[b.usage("f3", 1, None)]);
        assert_eq!(used(&bulk), [5]);
        let verified = run(&pool, &[b.verify(None, 1, Some(100))]);
        assert_eq!(used(&verified), [6]);
        assert_eq!(granted(&mixed), [true, true]);
        assert!(!mixed[0].duplicate && mixed[1].duplicate);
        assert_eq!(b.stored(&mut pool.get().unwrap()), (5, Decimal::from(6), Decimal::from(6)));
        // A generated id that is somehow taken fails the one statement whole; the transaction
        // then finds the duplicate and counts nothing for it, nor for anything else twice.
        let mut taken = b.verify(None, 5, Some(100));
        taken.event.as_mut().unwrap().event_id = "v1".into();
        let retried = run(&pool, &[b.verify(None, 1, Some(100)), taken]);
        assert_eq!(granted(&retried), [true, true]);
        assert_eq!(retried.iter().map(|o| o.duplicate).collect::<Vec<_>>(), [false, true]);
        assert_eq!(b.stored(&mut pool.get().unwrap()), (6, Decimal::from(7), Decimal::from(7)));
    })
    .await
    .unwrap();
}

#[actix_web::test]
async fn concurrent_batches_never_grant_past_the_limit() {
    let app = spawn_app().await;
    let pool = app.state.pool.clone();
    let c = std::sync::Arc::new(Customer::new());
    // The counter exists, so the batches below race in the one-statement path.
    let (p, cc) = (pool.clone(), c.clone());
    tokio::task::spawn_blocking(move || run(&p, &[cc.verify(None, 1, Some(100))])).await.unwrap();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (pool, c) = (pool.clone(), c.clone());
            std::thread::spawn(move || {
                let mut granted = 0;
                for _ in 0..10 {
                    let batch: Vec<Entry> = (0..5).map(|_| c.verify(None, 1, Some(100))).collect();
                    granted += run(&pool, &batch).iter().filter(|o| o.granted).count();
                }
                granted
            })
        })
        .collect();
    let total: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    // 200 asked, 99 left.
    assert_eq!(total, 99);
    assert_eq!(c.stored(&mut pool.get().unwrap()), (100, Decimal::from(100), Decimal::from(100)));
}

#[actix_web::test]
async fn a_request_the_database_refuses_fails_alone() {
    let app = spawn_app().await;
    let (a, bad, c) = (Customer::new(), Customer::new(), Customer::new());
    // Past validation (which refuses it at the boundary): text PostgreSQL cannot store.
    let mut poisoned = bad.usage("poison", 1, None);
    poisoned.event.as_mut().unwrap().properties = Some(serde_json::json!({"note": "a\u{0}b"}));
    let entries = [
        a.verify(None, 1, Some(100)),
        a.verify(Some("a-2"), 1, Some(100)),
        poisoned,
        bad.usage("fine-but-same-request", 1, None),
        c.usage("c-1", 2, None),
        c.verify(None, 1, Some(100)),
    ];
    // Four requests: a's two verifies, the bad usage batch of two, c's usage, c's verify.
    let job_of = [0, 1, 2, 2, 3, 4];
    let refs: Vec<&Entry> = entries.iter().collect();
    let results = settle_isolated(&app.state.pool, &refs, &job_of, deadline(), Some(1));
    let ok: Vec<bool> = results.iter().map(Result::is_ok).collect();
    assert_eq!(ok, [true, true, false, false, true, true], "{results:?}");
    assert!(matches!(results[2], Err(Failure::Refused(_))));

    let mut conn = app.db();
    assert_eq!(a.stored(&mut conn), (2, Decimal::from(2), Decimal::from(2)));
    assert_eq!(bad.stored(&mut conn), (0, Decimal::ZERO, Decimal::ZERO), "the refused request keeps nothing");
    assert_eq!(c.stored(&mut conn), (2, Decimal::from(3), Decimal::from(3)));
}

#[actix_web::test]
async fn a_copy_of_an_event_granted_elsewhere_meanwhile_gets_the_original_verdict() {
    let app = spawn_app().await;
    let c = Customer::new();
    let pool = app.state.pool.clone();
    assert_eq!(granted(&run(&pool, &[c.verify(Some("first"), 1, Some(10))])), [true]);

    // Another instance is granting event "x", the last unit of the quota, and has not committed.
    let mut other = app.db();
    let (tenant, customer, window) = (c.tenant.0, c.customer.0, window());
    let copy = c.verify(Some("x"), 1, Some(10));
    let outcome = other
        .transaction(|conn| {
            diesel::sql_query(
                "UPDATE usage_counters SET used = 10 WHERE tenant_id = $1 AND customer_id = $2 AND window_start = $3",
            )
            .bind::<diesel::sql_types::Uuid, _>(tenant)
            .bind::<diesel::sql_types::Uuid, _>(customer)
            .bind::<diesel::sql_types::Timestamptz, _>(window)
            .execute(conn)?;
            diesel::sql_query(
                "INSERT INTO usage_events (tenant_id, mode, event_id, customer_id, feature, quantity, occurred_at, received_at) \
                 VALUES ($1, 'test', 'x', $2, 'api_calls', 1, $3, $3)",
            )
            .bind::<diesel::sql_types::Uuid, _>(tenant)
            .bind::<diesel::sql_types::Uuid, _>(customer)
            .bind::<diesel::sql_types::Timestamptz, _>(window + chrono::TimeDelta::days(3))
            .execute(conn)?;
            // The client retries "x" on this instance while the other one commits.
            let pool = pool.clone();
            let retry = std::thread::spawn(move || run(&pool, &[copy]));
            std::thread::sleep(std::time::Duration::from_millis(300));
            Ok::<_, diesel::result::Error>(retry)
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(outcome.len(), 1);
    assert!(outcome[0].granted && outcome[0].duplicate, "the original verdict, not USAGE_EXCEEDED: {outcome:?}");
    assert_eq!(c.stored(&mut app.db()), (2, Decimal::from(2), Decimal::from(10)));
}

#[actix_web::test]
async fn a_usage_batch_counts_toward_the_limit_without_holding_up_verify() {
    let app = spawn_app().await;
    let pool = app.state.pool.clone();
    let c = std::sync::Arc::new(Customer::new());
    let (p, cc) = (pool.clone(), c.clone());
    tokio::task::spawn_blocking(move || assert_eq!(used(&run(&p, &[cc.verify(None, 1, Some(10))])), [1]))
        .await
        .unwrap();

    // A bulk writer records 4 for the customer and has not committed yet.
    let mut bulk = app.db();
    let (p, cc) = (pool.clone(), c.clone());
    bulk.transaction(|conn| {
        let usage = c.usage("batch-1", 4, Some(10));
        let recorded = tollgate::ledger::apply_fast(conn, &[&usage], Some(1))?;
        assert_eq!(recorded, [Some(Outcome { granted: true, duplicate: false, used: Some(Decimal::from(5)) })]);
        // A verify of the same counter is decided meanwhile, without waiting for that commit,
        // on what is committed: 1 used.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(run(&p, &[cc.verify(None, 5, Some(10))])).unwrap());
        let verdict = rx.recv_timeout(std::time::Duration::from_secs(3)).expect("verify waited for the usage batch");
        assert_eq!((granted(&verdict), used(&verdict)), (vec![true], vec![6]));
        Ok::<_, diesel::result::Error>(())
    })
    .unwrap();

    // Committed, the batch counts: 6 on the row and 4 in the share make the 10 of the limit.
    let (p, cc) = (pool.clone(), c.clone());
    tokio::task::spawn_blocking(move || {
        // Refused by the transaction path (near the limit), which adds the shares too.
        let full = run(&p, &[cc.check(10), cc.verify(None, 1, Some(10))]);
        assert_eq!((granted(&full), used(&full)), (vec![false, false], vec![10, 10]));
        // Another bulk writer's share adds up with the first.
        assert_eq!(used(&run_as(&p, Some(2), &[cc.usage("batch-2", 2, Some(10))])), [12]);
        let over = run(&p, &[cc.verify(None, 1, Some(10))]);
        assert_eq!((granted(&over), used(&over)), (vec![false], vec![12]));
        assert_eq!(cc.stored(&mut p.get().unwrap()), (4, Decimal::from(12), Decimal::from(12)));
    })
    .await
    .unwrap();
}
