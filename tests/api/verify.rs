use chrono::TimeDelta;
use serde_json::json;
use tollgate::clock::Clock;

use crate::helpers::{customer, metered, spawn_app};

#[actix_web::test]
async fn every_verdict_code() {
    let app = spawn_app().await;
    let m = metered(&app, json!({"limit": 2, "reset": "day"})).await;
    let sk = &m.tenant.sk_test;
    for key in ["tg_test_00000000000000000000000000000000", "garbage", "", "sk_test_notakey", &"x".repeat(5000)] {
        let res = app.verify(sk, json!({"key": key, "feature": "api_calls"})).await;
        assert_eq!(
            (res.body["valid"].as_bool(), res.body["code"].as_str()),
            (Some(false), Some("KEY_NOT_FOUND")),
            "{key:.20}"
        );
    }
    let ok = app.verify(sk, json!({"key": m.key, "feature": "api_calls"})).await;
    assert_eq!(ok.body["code"], "VALID");
    assert_eq!(ok.body["feature"]["limit"], 2);
    assert_eq!((ok.body["feature"]["used"].as_i64(), ok.body["feature"]["remaining"].as_i64()), (Some(1), Some(1)));
    assert!(ok.body["feature"]["resets_at"].as_str().unwrap().ends_with("T00:00:00Z"));
    assert!(ok.body["event"]["id"].as_str().unwrap().starts_with("evt_"));
    assert_eq!(app.verify(sk, json!({"key": m.key, "feature": "api_calls"})).await.body["code"], "VALID");
    let over = app.verify(sk, json!({"key": m.key, "feature": "api_calls"})).await;
    assert_eq!((over.body["valid"].as_bool(), over.body["code"].as_str()), (Some(false), Some("USAGE_EXCEEDED")));
    assert_eq!((over.body["feature"]["used"].as_i64(), over.body["feature"]["remaining"].as_i64()), (Some(2), Some(0)));
    assert!(over.body.get("event").is_none(), "nothing recorded");
    assert!(over.body.get("upgrade_url").is_none(), "no pricing page set");

    let res = app.verify(sk, json!({"key": m.key, "feature": "not_a_feature"})).await;
    assert_eq!(res.body["code"], "FEATURE_NOT_IN_PLAN");
    let res = app.verify(sk, json!({"key": m.key, "feature": "exports"})).await;
    assert_eq!(
        (res.body["code"].as_str(), res.body["feature"]["has_access"].as_bool()),
        (Some("FEATURE_NOT_IN_PLAN"), Some(false))
    );

    // With a pricing page, the shortfall verdicts carry it.
    let res = app.patch("/v1/tenant", &m.tenant.token, json!({"pricing_url": "https://acme.dev/pricing"})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    for feature in ["exports", "api_calls"] {
        let res = app.verify(sk, json!({"key": m.key, "feature": feature})).await;
        assert_eq!(res.body["upgrade_url"], "https://acme.dev/pricing", "{feature}");
    }

    let res = app.verify(sk, json!({"key": m.key, "feature": "batch_api"})).await;
    assert_eq!((res.body["code"].as_str(), res.body["feature"]["has_access"].as_bool()), (Some("VALID"), Some(true)));
    assert!(res.body.get("event").is_none(), "boolean features record no usage");

    // No subscription.
    let lone = customer(&app, sk, "lone@example.com").await;
    let key = app.post(&format!("/v1/customers/{lone}/api-keys"), sk, json!({})).await;
    let res = app.verify(sk, json!({"key": key.body["key"], "feature": "api_calls"})).await;
    assert_eq!(
        (res.body["code"].as_str(), res.body["customer"]["id"].as_str()),
        (Some("NO_SUBSCRIPTION"), Some(lone.as_str()))
    );
    // Revoked.
    app.post(&format!("/v1/api-keys/{}/revoke", key.body["id"].as_str().unwrap()), sk, json!({})).await;
    assert_eq!(app.verify(sk, json!({"key": key.body["key"]})).await.body["code"], "KEY_REVOKED");
}

#[actix_web::test]
async fn the_limit_resets_with_its_window_and_counts_a_count_feature_per_event() {
    let app = spawn_app().await;
    app.clock.set(chrono::DateTime::parse_from_rfc3339("2026-06-01T23:00:00Z").unwrap().to_utc());
    let m = metered(&app, json!({"limit": 5, "reset": "day"})).await;
    let sk = &m.tenant.sk_test;
    assert_eq!(
        app.verify(sk, json!({"key": m.key, "feature": "api_calls", "quantity": 5})).await.body["code"],
        "VALID"
    );
    assert_eq!(app.verify(sk, json!({"key": m.key, "feature": "api_calls"})).await.body["code"], "USAGE_EXCEEDED");
    // A request bigger than what is left is refused whole.
    app.clock.advance(TimeDelta::hours(1));
    assert_eq!(
        app.verify(sk, json!({"key": m.key, "feature": "api_calls", "quantity": 6})).await.body["code"],
        "USAGE_EXCEEDED"
    );
    let res = app.verify(sk, json!({"key": m.key, "feature": "api_calls", "quantity": 4})).await;
    assert_eq!((res.body["code"].as_str(), res.body["feature"]["remaining"].as_i64()), (Some("VALID"), Some(1)));
    assert_eq!(res.body["feature"]["resets_at"], "2026-06-03T00:00:00Z");

    // `requests` counts events (limit 3 a day), whatever their quantity.
    for _ in 0..3 {
        let r = app.verify(sk, json!({"key": m.key, "feature": "requests", "quantity": 10})).await;
        assert_eq!(r.body["code"], "VALID");
    }
    assert_eq!(app.verify(sk, json!({"key": m.key, "feature": "requests"})).await.body["code"], "USAGE_EXCEEDED");
    let ent = app.get(&format!("/v1/customers/{}/entitlements/requests", m.customer), sk).await;
    assert_eq!(
        (ent.body["used"].as_i64(), ent.body["remaining"].as_i64(), ent.body["has_access"].as_bool()),
        (Some(3), Some(0), Some(false))
    );
    let ent = app.get(&format!("/v1/customers/{}/entitlements/api_calls", m.customer), sk).await;
    assert_eq!((ent.body["used"].as_i64(), ent.body["remaining"].as_i64()), (Some(4), Some(1)));
}

#[actix_web::test]
async fn quantity_zero_checks_and_event_ids_make_retries_safe() {
    let app = spawn_app().await;
    let m = metered(&app, json!({"limit": 3, "reset": "month"})).await;
    let sk = &m.tenant.sk_test;
    let check = app.verify(sk, json!({"key": m.key, "feature": "api_calls", "quantity": 0})).await;
    assert_eq!((check.body["code"].as_str(), check.body["feature"]["used"].as_i64()), (Some("VALID"), Some(0)));
    assert!(check.body.get("event").is_none());

    let first = app.verify(sk, json!({"key": m.key, "feature": "api_calls", "event_id": "req-1"})).await;
    assert_eq!(first.body["event"], json!({"id": "req-1", "duplicate": false}));
    for _ in 0..3 {
        let retry = app.verify(sk, json!({"key": m.key, "feature": "api_calls", "event_id": "req-1"})).await;
        assert_eq!(
            (retry.body["code"].as_str(), &retry.body["event"]),
            (Some("VALID"), &json!({"id": "req-1", "duplicate": true}))
        );
        assert_eq!(retry.body["feature"]["used"], 1, "a retry consumes nothing");
    }
    // The same id in usage is the same event, forever.
    let res = app
        .post(
            "/v1/usage",
            sk,
            json!({"customer": m.customer, "feature": "api_calls", "quantity": 1, "event_id": "req-1"}),
        )
        .await;
    assert_eq!((res.status, res.body["duplicate"].as_bool()), (200, Some(true)));
    assert_eq!(
        app.verify(sk, json!({"key": m.key, "feature": "api_calls", "quantity": 0})).await.body["feature"]["used"],
        1
    );
}

#[actix_web::test]
async fn overage_allow_grants_past_the_limit_and_reports_it() {
    let app = spawn_app().await;
    let m = metered(&app, json!({"limit": 1, "overage": "allow"})).await;
    let sk = &m.tenant.sk_test;
    for used in 1..=3 {
        let res = app.verify(sk, json!({"key": m.key, "feature": "api_calls"})).await;
        assert_eq!((res.body["code"].as_str(), res.body["feature"]["used"].as_i64()), (Some("VALID"), Some(used)));
        assert_eq!(res.body["feature"]["remaining"], 0);
    }
}

#[actix_web::test]
async fn bad_input_is_400_and_never_500() {
    let app = spawn_app().await;
    let m = metered(&app, json!({"limit": 10})).await;
    let sk = &m.tenant.sk_test;
    let cases = [
        (json!({"key": m.key, "feature": "api_calls", "quantity": -1}), "quantity"),
        (json!({"key": m.key, "feature": "api_calls", "quantity": "lots"}), "quantity"),
        (json!({"key": m.key, "feature": "api_calls", "quantity": 1e30}), "quantity"),
        (json!({"key": m.key, "feature": "api_calls", "quantity": [1]}), "quantity"),
        (json!({"key": 42}), "key"),
        (json!({"feature": "api_calls"}), "key"),
        (json!({"key": m.key, "event_id": ""}), "event_id"),
        (json!({"key": m.key, "timestamp": "yesterday"}), "timestamp"),
        (
            json!({"key": m.key, "feature": "api_calls", "timestamp": (app.clock.now() - TimeDelta::days(36)).to_rfc3339()}),
            "timestamp",
        ),
        (
            json!({"key": m.key, "feature": "api_calls", "timestamp": (app.clock.now() + TimeDelta::minutes(6)).to_rfc3339()}),
            "timestamp",
        ),
        (json!({"key": m.key, "properties": "x"}), "properties"),
        (json!({"key": m.key, "properties": {"blob": "x".repeat(5000)}}), "properties"),
        (json!({"key": m.key, "surprise": 1}), "surprise"),
    ];
    for (body, param) in cases {
        let res = app.post("/v1/verify", sk, body.clone()).await;
        assert_eq!((res.status, res.error_param()), (400, Some(param)), "{:.120}: {}", body.to_string(), res.text);
    }
    assert_eq!(
        app.verify(sk, json!({"key": m.key, "feature": "api_calls", "quantity": 0})).await.body["feature"]["used"],
        0
    );
    // Without credentials, or with a customer key as credentials.
    assert_eq!(app.post("/v1/verify", &m.key, json!({"key": m.key})).await.status, 401);
}

#[actix_web::test]
async fn two_hundred_simultaneous_verifies_against_a_limit_of_100_grant_exactly_100() {
    let app = spawn_app().await;
    let m = metered(&app, json!({"limit": 100, "reset": "day"})).await;
    let sk = m.tenant.sk_test.clone();
    let calls: Vec<_> =
        (0..200).map(|_| app.post("/v1/verify", &sk, json!({"key": m.key, "feature": "api_calls"}))).collect();
    let answers = futures_util::future::join_all(calls).await;
    let valid = answers.iter().filter(|a| a.body["code"] == "VALID").count();
    let exceeded = answers.iter().filter(|a| a.body["code"] == "USAGE_EXCEEDED").count();
    assert_eq!((valid, exceeded), (100, 100));
    let stored: i64 = {
        use diesel::prelude::*;
        use tollgate::schema::usage_events::dsl as e;
        e::usage_events.count().get_result(&mut app.db()).unwrap()
    };
    assert_eq!(stored, 100, "exactly the granted requests are in the ledger");
    let ent = app.get(&format!("/v1/customers/{}/entitlements/api_calls", m.customer), &sk).await;
    assert_eq!((ent.body["used"].as_i64(), ent.body["remaining"].as_i64()), (Some(100), Some(0)));
}

#[actix_web::test]
async fn rate_limits_answer_with_ietf_headers_and_retry_after() {
    let app = spawn_app().await;
    let m = metered(&app, json!({"rate_limit": {"limit": 3, "window_seconds": 1}})).await;
    let sk = &m.tenant.sk_test;
    for remaining in [2, 1, 0] {
        let res = app.verify(sk, json!({"key": m.key, "feature": "api_calls"})).await;
        assert_eq!(
            (res.body["code"].as_str(), res.body["rate_limit"]["remaining"].as_i64()),
            (Some("VALID"), Some(remaining))
        );
        assert_eq!(res.header("ratelimit-policy"), Some("\"api_calls\";q=3;w=1"));
        assert_eq!(res.header("ratelimit"), Some(format!("\"api_calls\";r={remaining};t=1").as_str()));
    }
    let limited = app.verify(sk, json!({"key": m.key, "feature": "api_calls"})).await;
    assert_eq!((limited.body["valid"].as_bool(), limited.body["code"].as_str()), (Some(false), Some("RATE_LIMITED")));
    assert_eq!(limited.header("retry-after"), Some("1"));
    assert!(limited.body.get("event").is_none());
    // The clock moves on: one more request fits.
    app.clock.advance(TimeDelta::milliseconds(334));
    assert_eq!(app.verify(sk, json!({"key": m.key, "feature": "api_calls"})).await.body["code"], "VALID");
    let ent = app.get(&format!("/v1/customers/{}/entitlements/api_calls", m.customer), sk).await;
    assert_eq!(ent.body["used"], 4, "rate-limited requests recorded nothing");
}

#[actix_web::test]
async fn a_threshold_the_crossing_write_could_not_see_is_reported_by_the_next_even_a_refusal() {
    let app = spawn_app().await;
    let m = metered(&app, json!({"limit": 10, "reset": "month"})).await;
    let sk = &m.tenant.sk_test;
    let ok = app.verify(sk, json!({"key": m.key, "feature": "api_calls", "quantity": 7})).await;
    assert_eq!(ok.body["feature"]["used"].as_i64(), Some(7));
    // A usage batch committed at the same instant as that verify, which saw neither it nor the
    // verify: its writer's share of the counter holds 3, and no one reported 80 % or 100 %.
    diesel::RunQueryDsl::execute(
        diesel::sql_query(
            "INSERT INTO usage_counter_shares (tenant_id, mode, customer_id, feature, window_start, share, used) \
             SELECT tenant_id, mode, customer_id, feature, window_start, 7, 3 FROM usage_counters",
        ),
        &mut app.db(),
    )
    .unwrap();
    assert_eq!(threshold_events(&app, sk).await, []);

    // The next verify finds the counter full: refused, and both thresholds are reported.
    let over = app.verify(sk, json!({"key": m.key, "feature": "api_calls", "quantity": 1})).await;
    assert_eq!((over.body["code"].as_str(), over.body["feature"]["used"].as_i64()), (Some("USAGE_EXCEEDED"), Some(10)));
    let mut got = Vec::new();
    for _ in 0..50 {
        got = threshold_events(&app, sk).await;
        if got.len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(got, [(80, 10), (100, 10)]);
    // Once per window: more refusals report nothing more.
    app.verify(sk, json!({"key": m.key, "feature": "api_calls", "quantity": 1})).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(threshold_events(&app, sk).await.len(), 2);
}

/// The `usage.threshold_reached` events of the tenant: (threshold, used), sorted.
async fn threshold_events(app: &crate::helpers::TestApp, sk: &str) -> Vec<(i64, i64)> {
    let res = app.get("/v1/events?type=usage.threshold_reached", sk).await;
    let mut got: Vec<(i64, i64)> = res.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["data"]["object"]["threshold"].as_i64().unwrap(), e["data"]["object"]["used"].as_i64().unwrap()))
        .collect();
    got.sort();
    got
}
