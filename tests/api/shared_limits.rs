//! Rate limits shared by every instance through a real Redis server (`REDIS_URL`), and what
//! happens when Redis is not there.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{metered, spawn_app_with, spawn_instance_on_with};

fn answers_ping(addr: &str) -> bool {
    let Ok(mut s) = TcpStream::connect_timeout(&addr.parse().unwrap(), Duration::from_millis(200)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
    let mut buf = [0u8; 7];
    s.write_all(b"PING\r\n").is_ok() && s.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n"
}

/// The Redis on 127.0.0.1:6379 when one answers; otherwise a `redis-server` started for this
/// test process on a free port (it needs no disk); `None` on a machine with neither (`.ci/run`
/// installs redis-server, so CI always runs these tests).
fn redis_url() -> Option<&'static str> {
    static URL: OnceLock<Option<String>> = OnceLock::new();
    let url = URL.get_or_init(|| {
        if answers_ping("127.0.0.1:6379") {
            return Some("redis://127.0.0.1:6379/".into());
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let spawned = std::process::Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .spawn();
        let Ok(child) = spawned else {
            eprintln!("NOT RUN: no Redis answers on 127.0.0.1:6379 and there is no redis-server to start");
            return None;
        };
        // It lives as long as the test process; the OS reaps it with the session.
        std::mem::forget(child);
        let addr = format!("127.0.0.1:{port}");
        let started = Instant::now();
        while !answers_ping(&addr) {
            assert!(started.elapsed() < Duration::from_secs(10), "redis-server answers");
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(format!("redis://{addr}/"))
    });
    url.as_deref()
}

#[actix_web::test]
async fn two_instances_share_one_bucket_through_redis() {
    let Some(url) = redis_url() else { return };
    let a = spawn_app_with(|s| s.redis_url = Some(tollgate::config::Secret::new(url)), None).await;
    let b = spawn_instance_on_with(&a, |s| s.redis_url = Some(tollgate::config::Secret::new(url))).await;
    let m = metered(&a, json!({"rate_limit": {"limit": 10, "window_seconds": 1}})).await;
    let sk = m.tenant.sk_test.clone();

    // Four clients, two on each instance, as fast as they can for 2.5 seconds.
    let started = Instant::now();
    let run = Duration::from_millis(2500);
    let clients = (0..4).map(|n| {
        let app = if n % 2 == 0 { &a } else { &b };
        let (sk, key) = (sk.clone(), m.key.clone());
        async move {
            let mut granted = Vec::new();
            let mut limited = 0;
            while started.elapsed() < run {
                let res = app.verify(&sk, json!({"key": key, "feature": "api_calls", "quantity": 0})).await;
                match res.body["code"].as_str() {
                    Some("VALID") => granted.push(started.elapsed()),
                    Some("RATE_LIMITED") => limited += 1,
                    other => panic!("unexpected verdict {other:?}"),
                }
            }
            (granted, limited)
        }
    });
    let results = futures_util::future::join_all(clients).await;
    let elapsed = started.elapsed().as_secs_f64();
    let granted: Vec<Duration> = results.iter().flat_map(|(g, _)| g.iter().copied()).collect();
    let limited: usize = results.iter().map(|(_, l)| l).sum();
    assert!(limited > 100, "the clients pressed hard enough to be limited ({limited} refusals)");
    // A GCRA of 10 per second with bursts of 10: at most the burst plus the refill, over both
    // instances (alone, each would grant that much).
    let ceiling = 10.0 + 10.0 * elapsed + 1.0;
    assert!(
        (granted.len() as f64) <= ceiling,
        "{} granted in {elapsed:.2} s over two instances; the shared bucket allows {ceiling:.0}",
        granted.len()
    );
    assert!(granted.len() >= 20, "the bucket refills: {} granted", granted.len());
    // One burst, not one per instance: in the first half second, 10 and what refilled.
    let early = granted.iter().filter(|t| t.as_secs_f64() < 0.5).count();
    assert!(early <= 16, "{early} granted in the first half second over two instances");
    // After the first second's burst, the next second grants the rate: 10, +1 at the edges.
    let second = granted.iter().filter(|t| t.as_secs() == 1).count();
    assert!(second <= 11, "{second} granted in the second second");
    assert_eq!(a.state.metrics.ratelimit_redis_failures.get(), 0);
}

#[actix_web::test]
async fn without_redis_verify_still_answers_and_limits_per_instance() {
    // Nothing listens on port 1.
    let app = spawn_app_with(|s| s.redis_url = Some(tollgate::config::Secret::new("redis://127.0.0.1:1/")), None).await;
    let m = metered(&app, json!({"rate_limit": {"limit": 3, "window_seconds": 60}})).await;
    let sk = &m.tenant.sk_test;
    let started = Instant::now();
    let codes: Vec<String> = futures_util::future::join_all(
        (0..4).map(|_| app.verify(sk, json!({"key": m.key, "feature": "api_calls", "quantity": 0}))),
    )
    .await
    .into_iter()
    .map(|r| r.body["code"].as_str().unwrap().to_string())
    .collect();
    assert!(started.elapsed() < Duration::from_secs(2), "an absent Redis costs no waiting");
    assert_eq!(codes.iter().filter(|c| *c == "VALID").count(), 3, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| *c == "RATE_LIMITED").count(), 1, "{codes:?}");
    assert!(app.state.metrics.ratelimit_redis_failures.get() >= 1, "the failure is counted");
    let metrics = app.send(actix_web::http::Method::GET, "/metrics", &[], None).await;
    assert!(metrics.text.contains("tollgate_ratelimit_redis_failures_total"), "{}", metrics.text);
}
