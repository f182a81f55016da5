//! The database goes away: every request fails within the pool timeout (plus a small margin) in
//! the envelope, and the service recovers by itself when the database returns. The outage is a
//! TCP proxy between the service and PostgreSQL that the test cuts and restores.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{metered, spawn_app_with};

enum Target {
    Tcp(String),
    Unix(String),
}

/// Where the test database server listens, from its URL (TCP, or the private cluster's socket).
fn target() -> Target {
    let url = crate::helpers::base_url();
    if let Some(q) = url.split_once('?').map(|(_, q)| q) {
        let param =
            |k: &str| form_urlencoded::parse(q.as_bytes()).find(|(name, _)| name == k).map(|(_, v)| v.into_owned());
        if let (Some(dir), Some(port)) = (param("host"), param("port")) {
            return Target::Unix(format!("{dir}/.s.PGSQL.{port}"));
        }
    }
    let authority = url.split_once("://").unwrap().1.split('/').next().unwrap();
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    Target::Tcp(if hostport.contains(':') { hostport.to_string() } else { format!("{hostport}:5432") })
}

trait Stream: Read + Write + Send {
    fn cut(&self);
    fn split(&self) -> Box<dyn Stream>;
}

impl Stream for TcpStream {
    fn cut(&self) {
        let _ = self.shutdown(Shutdown::Both);
    }
    fn split(&self) -> Box<dyn Stream> {
        Box::new(self.try_clone().unwrap())
    }
}

impl Stream for UnixStream {
    fn cut(&self) {
        let _ = self.shutdown(Shutdown::Both);
    }
    fn split(&self) -> Box<dyn Stream> {
        Box::new(self.try_clone().unwrap())
    }
}

struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<Box<dyn Stream>>>>,
}

impl Proxy {
    fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let open: Arc<Mutex<Vec<Box<dyn Stream>>>> = Arc::default();
        let (up2, open2, target) = (up.clone(), open.clone(), target());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if !up2.load(Ordering::SeqCst) {
                    drop(client); // refused: the server is "down"
                    continue;
                }
                let server: Box<dyn Stream> = match &target {
                    Target::Tcp(addr) => Box::new(TcpStream::connect(addr).unwrap()),
                    Target::Unix(path) => Box::new(UnixStream::connect(path).unwrap()),
                };
                let client: Box<dyn Stream> = Box::new(client);
                let mut list = open2.lock().unwrap();
                for (mut from, mut to) in [(client.split(), server.split()), (server.split(), client.split())] {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        to.cut();
                    });
                }
                list.push(client);
                list.push(server);
            }
        });
        Proxy { port, up, open }
    }

    /// The database is gone: open connections break, new ones are refused.
    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for s in self.open.lock().unwrap().drain(..) {
            s.cut();
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

#[actix_web::test]
async fn during_an_outage_every_request_fails_within_the_pool_timeout_and_then_recovers() {
    let proxy = Proxy::start();
    let port = proxy.port;
    let timeout = Duration::from_millis(1000);
    let app = spawn_app_with(
        move |s| {
            let real = s.database_url.clone().unwrap();
            // The path's last segment, before any query (which may hold a socket path).
            let db = real.expose().split('?').next().unwrap().rsplit('/').next().unwrap().to_string();
            s.database_url =
                Some(tollgate::config::Secret::new(format!("postgresql://postgres@127.0.0.1:{port}/{db}")));
            s.db_pool_timeout = timeout;
        },
        None,
    )
    .await;
    let m = metered(&app, json!({"limit": 1000})).await;
    let sk = m.tenant.sk_test.clone();
    let verify = json!({"key": m.key, "feature": "api_calls"});
    assert_eq!(app.verify(&sk, verify.clone()).await.body["code"], "VALID");

    proxy.cut();
    let usage =
        |i: usize| json!({"customer": m.customer, "feature": "api_calls", "quantity": 1, "event_id": format!("u{i}")});
    // The first wave finds the pooled connections broken; the second finds none and waits for
    // a new one until the pool timeout. Each request must fail within that timeout.
    let margin = Duration::from_millis(600);
    for wave in 0..3 {
        let started = Instant::now();
        let mut calls = Vec::new();
        for i in 0..4 {
            calls.push(app.post("/v1/verify", &sk, verify.clone()));
            calls.push(app.post("/v1/usage", &sk, usage(10 * wave + i)));
        }
        let answers = futures_util::future::join_all(calls).await;
        let elapsed = started.elapsed();
        for a in &answers {
            assert_eq!((a.status, a.error_code()), (503, "database_unavailable"), "{}", a.text);
        }
        assert!(elapsed < timeout + margin, "wave {wave} failed after {elapsed:?}, with a pool timeout of {timeout:?}");
    }
    let started = Instant::now();
    let list = app.get("/v1/customers", &sk).await;
    assert_eq!(list.status, 503, "{}", list.text);
    assert!(started.elapsed() < timeout + margin, "{:?}", started.elapsed());

    proxy.restore();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let res = app.post("/v1/verify", &sk, verify.clone()).await;
        if res.status == 200 {
            assert_eq!(res.body["code"], "VALID");
            break;
        }
        assert!(Instant::now() < deadline, "the service did not recover: {}", res.text);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let res = app.post("/v1/usage", &sk, usage(99)).await;
    assert_eq!(res.status, 201, "{}", res.text);
}

#[actix_web::test]
async fn with_every_connection_taken_requests_fail_within_the_pool_timeout() {
    let timeout = Duration::from_millis(1000);
    let app = spawn_app_with(move |s| s.db_pool_timeout = timeout, None).await;
    let m = metered(&app, json!({"limit": 1000})).await;
    let sk = m.tenant.sk_test.clone();
    let verify = json!({"key": m.key, "feature": "api_calls"});
    assert_eq!(app.verify(&sk, verify.clone()).await.body["code"], "VALID");

    // Something holds every pooled connection (a stuck query, a burst of slow reports).
    let pool = app.state.pool.clone();
    let held: Vec<_> = (0..pool.max_size()).map(|_| pool.get().unwrap()).collect();
    let started = Instant::now();
    let mut calls = Vec::new();
    for i in 0..4 {
        calls.push(app.post("/v1/verify", &sk, verify.clone()));
        let usage = json!({"customer": m.customer, "feature": "api_calls", "quantity": 1, "event_id": format!("u{i}")});
        calls.push(app.post("/v1/usage", &sk, usage));
    }
    let answers = futures_util::future::join_all(calls).await;
    let elapsed = started.elapsed();
    for a in &answers {
        assert_eq!((a.status, a.error_code()), (503, "database_unavailable"), "{}", a.text);
    }
    assert!(elapsed >= timeout, "they waited for a connection ({elapsed:?})");
    assert!(elapsed < timeout + Duration::from_millis(600), "all failed after {elapsed:?}, pool timeout {timeout:?}");
    drop(held);
    assert_eq!(app.verify(&sk, verify).await.body["code"], "VALID");
}
