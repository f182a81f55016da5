//! A `VALID` verify is committed before it is answered: kill the server with SIGKILL in the
//! middle of a stream of verifies, restart it, and every acknowledged event is there once.

use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_tollgate");

fn start(url: &str, port: u16) -> Child {
    Command::new(BIN)
        .arg("serve")
        .env("DATABASE_URL", url)
        .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env("JWT_SECRET", crate::helpers::JWT_SECRET)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts")
}

async fn post(client: &awc::Client, url: &str, token: &str, body: Value) -> Result<(u16, Value), String> {
    let mut res = client
        .post(url)
        .insert_header(("Authorization", format!("Bearer {token}")))
        .send_json(&body)
        .await
        .map_err(|e| e.to_string())?;
    let v: Value = res.json().await.map_err(|e| e.to_string())?;
    Ok((res.status().as_u16(), v))
}

async fn wait_ready(client: &awc::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(res) = client.get(format!("{base}/readyz")).send().await {
            if res.status().is_success() {
                return;
            }
        }
        assert!(Instant::now() < deadline, "the server did not become ready");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

#[actix_web::test]
async fn every_acknowledged_verify_survives_kill_9() {
    let (url, db_name) = crate::helpers::fresh_database();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let client = awc::Client::builder().timeout(Duration::from_secs(10)).finish();
    let mut server = start(&url, port);
    wait_ready(&client, &base).await;

    // A tenant, a metered feature without limit, a subscribed customer and its key.
    let (_, signup) = post(
        &client,
        &format!("{base}/v1/signup"),
        "",
        json!({"organization": "Durable", "email": "d@example.com", "password": crate::helpers::PASSWORD}),
    )
    .await
    .unwrap();
    let sk = signup["secret_keys"]["test"].as_str().unwrap().to_string();
    post(
        &client,
        &format!("{base}/v1/features"),
        &sk,
        json!({"key": "api_calls", "name": "API calls", "type": "metered"}),
    )
    .await
    .unwrap();
    post(
        &client,
        &format!("{base}/v1/plans"),
        &sk,
        json!({"key": "p", "name": "P", "currency": "USD", "interval": "month", "amount": "0",
        "entitlements": [{"feature": "api_calls", "limit": 100000000, "reset": "never"}]}),
    )
    .await
    .unwrap();
    let (_, cus) =
        post(&client, &format!("{base}/v1/customers"), &sk, json!({"email": "c@example.com"})).await.unwrap();
    let cus = cus["id"].as_str().unwrap().to_string();
    post(&client, &format!("{base}/v1/subscriptions"), &sk, json!({"customer": cus, "plan": "p"})).await.unwrap();
    let (_, key) = post(&client, &format!("{base}/v1/customers/{cus}/api-keys"), &sk, json!({})).await.unwrap();
    let key = key["key"].as_str().unwrap().to_string();

    // 24 clients stream verifies with their own event ids; what was answered VALID is noted.
    let acked: Arc<Mutex<HashSet<String>>> = Arc::default();
    let mut tasks = Vec::new();
    for worker in 0..24 {
        let (client, base, sk, key, acked) = (client.clone(), base.clone(), sk.clone(), key.clone(), acked.clone());
        tasks.push(actix_web::rt::spawn(async move {
            for n in 0.. {
                let id = format!("w{worker}-{n}");
                match post(
                    &client,
                    &format!("{base}/v1/verify"),
                    &sk,
                    json!({"key": key, "feature": "api_calls", "event_id": id}),
                )
                .await
                {
                    Ok((200, v)) if v["code"] == "VALID" => {
                        acked.lock().unwrap().insert(id);
                    }
                    Ok(other) => panic!("unexpected answer {other:?}"),
                    Err(_) => return, // the server is gone
                }
            }
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while acked.lock().unwrap().len() < 500 {
        assert!(Instant::now() < deadline, "verifies too slow");
        actix_web::rt::time::sleep(Duration::from_millis(5)).await;
    }
    unsafe { libc::kill(server.id() as i32, libc::SIGKILL) };
    server.wait().unwrap();
    for t in tasks {
        t.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();

    // Restart on the same database: it serves again, and the ledger has every acknowledged
    // event exactly once (and nothing the counter does not know of).
    let mut server = start(&url, port);
    wait_ready(&client, &base).await;
    let (_, after) =
        post(&client, &format!("{base}/v1/verify"), &sk, json!({"key": key, "feature": "api_calls", "quantity": 0}))
            .await
            .unwrap();
    assert_eq!(after["code"], "VALID");

    let mut conn = diesel::PgConnection::establish(&url).unwrap();
    use tollgate::schema::usage_events::dsl as e;
    let stored: Vec<String> = e::usage_events.select(e::event_id).load(&mut conn).unwrap();
    let stored_set: HashSet<String> = stored.iter().cloned().collect();
    assert_eq!(stored.len(), stored_set.len(), "no event twice");
    let missing: Vec<_> = acked.difference(&stored_set).collect();
    assert!(missing.is_empty(), "{} acknowledged events were lost, e.g. {:?}", missing.len(), missing.first());
    assert!(stored.len() >= acked.len());
    assert_eq!(after["feature"]["used"].as_u64(), Some(stored.len() as u64), "the counter matches the ledger");

    unsafe { libc::kill(server.id() as i32, libc::SIGKILL) };
    server.wait().unwrap();
    let _ = std::thread::spawn(move || {
        let mut c = diesel::PgConnection::establish(&crate::helpers::base_url()).unwrap();
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")).execute(&mut c).unwrap();
    })
    .join();
}
