//! Several instances on one database: changes propagate, quotas stay exact.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{metered, spawn_app, spawn_instance_on, TestApp};

/// Polls `b` until `check` holds, returning how long it took.
async fn until(b: &TestApp, sk: &str, body: serde_json::Value, check: impl Fn(&serde_json::Value) -> bool) -> Duration {
    let started = Instant::now();
    loop {
        let res = b.verify(sk, body.clone()).await;
        if check(&res.body) {
            return started.elapsed();
        }
        assert!(started.elapsed() < Duration::from_secs(5), "never propagated: {}", res.text);
        actix_web::rt::time::sleep(Duration::from_millis(10)).await;
    }
}

#[actix_web::test]
async fn revocations_and_plan_changes_reach_every_instance_within_a_second() {
    let a = spawn_app().await;
    let b = spawn_instance_on(&a).await;
    let m = metered(&a, json!({"limit": 1000, "reset": "day"})).await;
    let sk = &m.tenant.sk_test;
    // B has the key and the plan cached.
    let res = b.verify(sk, json!({"key": m.key, "feature": "api_calls"})).await;
    assert_eq!((res.body["code"].as_str(), res.body["feature"]["limit"].as_i64()), (Some("VALID"), Some(1000)));

    // A plan change made through A.
    let res = a
        .post(
            "/v1/plans",
            sk,
            json!({"key": "bigger", "name": "Bigger", "currency": "USD", "interval": "month", "amount": "20.00",
            "entitlements": [{"feature": "api_calls", "limit": 5000, "reset": "day"}]}),
        )
        .await;
    assert_eq!(res.status, 201);
    let res = a
        .post(&format!("/v1/subscriptions/{}/change", m.subscription), sk, json!({"plan": "bigger", "timing": "now"}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let took =
        until(&b, sk, json!({"key": m.key, "feature": "api_calls", "quantity": 0}), |v| v["feature"]["limit"] == 5000)
            .await;
    assert!(took < Duration::from_secs(1), "plan change took {took:?}");

    // A revocation made through A.
    a.post(&format!("/v1/api-keys/{}/revoke", m.key_id), sk, json!({})).await;
    let took = until(&b, sk, json!({"key": m.key}), |v| v["code"] == "KEY_REVOKED").await;
    assert!(took < Duration::from_secs(1), "revocation took {took:?}");

    // A secret key revoked through A stops working on B.
    let keys = a.get("/v1/secret-keys?mode=test", &m.tenant.token).await;
    let sk_id = keys.body["data"].as_array().unwrap().iter().find(|k| k["name"] == "Default").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(b.get("/v1/tenant", sk).await.status, 200);
    a.delete(&format!("/v1/secret-keys/{sk_id}"), &m.tenant.token).await;
    let started = Instant::now();
    while b.get("/v1/tenant", sk).await.status != 401 {
        assert!(started.elapsed() < Duration::from_secs(1), "secret key revocation did not reach B");
        actix_web::rt::time::sleep(Duration::from_millis(10)).await;
    }
}

#[actix_web::test]
async fn two_instances_share_one_exact_quota() {
    let a = spawn_app().await;
    let b = spawn_instance_on(&a).await;
    let m = metered(&a, json!({"limit": 100, "reset": "day"})).await;
    let sk = m.tenant.sk_test.clone();
    let body = json!({"key": m.key, "feature": "api_calls"});
    let calls: Vec<_> =
        (0..300)
            .map(|i| {
                if i % 2 == 0 {
                    a.post("/v1/verify", &sk, body.clone())
                } else {
                    b.post("/v1/verify", &sk, body.clone())
                }
            })
            .collect();
    let answers = futures_util::future::join_all(calls).await;
    let valid = answers.iter().filter(|r| r.body["code"] == "VALID").count();
    assert_eq!(valid, 100, "{:?}", answers.iter().filter(|r| r.status != 200).map(|r| &r.text).collect::<Vec<_>>());
    assert!(answers.iter().all(|r| r.body["code"] == "VALID" || r.body["code"] == "USAGE_EXCEEDED"));
}
