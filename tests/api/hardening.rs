//! Bad input found by probing the service from outside: each answers 400 in the envelope, names
//! the field at fault where there is one, and never disturbs anyone else's requests.

use serde_json::json;

use crate::helpers::{metered, spawn_app};

#[actix_web::test]
async fn nul_characters_in_bodies_are_400_with_the_field() {
    let app = spawn_app().await;
    let m = metered(&app, json!({"limit": 1000})).await;
    let sk = &m.tenant.sk_test;
    let cases = [
        ("/v1/customers", json!({"email": "a@example.com", "metadata": {"note": "a\u{0}b"}}), "metadata.note"),
        ("/v1/customers", json!({"email": "a@example.com", "metadata": {"k\u{0}": "v"}}), "metadata"),
        ("/v1/subscriptions", json!({"customer": m.customer, "plan": "met\u{0}ered"}), "plan"),
        (&format!("/v1/subscriptions/{}/change", m.subscription) as &str, json!({"plan": "a\u{0}"}), "plan"),
        (
            "/v1/verify",
            json!({"key": m.key, "feature": "api_calls", "properties": {"p": ["x", "\u{0}"]}}),
            "properties.p[1]",
        ),
        (
            "/v1/usage",
            json!({"customer": m.customer, "feature": "api_calls", "quantity": 1, "event_id": "e\u{0}"}),
            "event_id",
        ),
    ];
    for (path, body, param) in cases {
        let res = app.post(path, sk, body).await;
        assert_eq!(
            (res.status, res.error_code(), res.error_param()),
            (400, "parameter_invalid", Some(param)),
            "{path}"
        );
    }
    // Nothing was recorded.
    let ent = app.get(&format!("/v1/customers/{}/entitlements/api_calls", m.customer), sk).await;
    assert_eq!(ent.body["used"], 0, "{}", ent.text);
}

#[actix_web::test]
async fn a_nul_in_one_event_of_a_batch_rejects_that_event_only() {
    let app = spawn_app().await;
    let m = metered(&app, json!({})).await;
    let sk = &m.tenant.sk_test;
    let mut events: Vec<_> = (0..999)
        .map(|i| json!({"customer": m.customer, "feature": "api_calls", "quantity": 1, "event_id": format!("ok-{i}")}))
        .collect();
    events.insert(
        500,
        json!({"customer": m.customer, "feature": "api_calls", "quantity": 1, "event_id": "bad",
               "properties": {"region": "eu\u{0}"}}),
    );
    let res = app.post("/v1/usage/batch", sk, json!({"events": events})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["accepted"], 999);
    let rejected = res.body["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["index"], 500);
    assert_eq!(rejected[0]["error"]["param"], "events[500].properties.region");
    // The same batch again: still answered (duplicates), never a 503.
    let again = app.post("/v1/usage/batch", sk, json!({"events": events})).await;
    assert_eq!((again.status, again.body["duplicates"].as_u64()), (200, Some(999)), "{}", again.text);
}

#[actix_web::test]
async fn nul_characters_in_urls_are_400() {
    let app = spawn_app().await;
    let m = metered(&app, json!({})).await;
    let sk = &m.tenant.sk_test;
    let cus = &m.customer;
    let cases: Vec<(String, Option<&str>)> = vec![
        ("/v1/features/a%00b".into(), None),
        ("/v1/plans/a%00b".into(), None),
        ("/v1/customers?email=a%00b%40example.com".into(), Some("email")),
        ("/v1/customers?external_id=x%00".into(), Some("external_id")),
        (format!("/v1/customers/{cus}/usage?feature=api%00calls"), Some("feature")),
        (format!("/v1/customers/{cus}/entitlements/api%00calls"), None),
        ("/v1/invoices?customer=%00".into(), Some("customer")),
    ];
    for (path, param) in cases {
        let res = app.get(&path, sk).await;
        assert_eq!((res.status, res.error_code(), res.error_param()), (400, "parameter_invalid", param), "{path}");
    }
}

#[actix_web::test]
async fn bad_content_from_one_tenant_never_fails_another_tenants_verifies() {
    let app = spawn_app().await;
    let good = metered(&app, json!({"limit": 100000})).await;
    let bad = metered(&app, json!({"limit": 100000})).await;
    let mut calls = Vec::new();
    for i in 0..60 {
        calls.push(app.post(
            "/v1/verify",
            &good.tenant.sk_test,
            json!({"key": good.key, "feature": "api_calls", "properties": {"i": i}}),
        ));
        calls.push(app.post(
            "/v1/verify",
            &bad.tenant.sk_test,
            json!({"key": bad.key, "feature": "api_calls", "properties": {"i": "\u{0}"}}),
        ));
    }
    let answers = futures_util::future::join_all(calls).await;
    for (i, a) in answers.iter().enumerate() {
        if i % 2 == 0 {
            assert_eq!((a.status, a.body["code"].as_str()), (200, Some("VALID")), "{}", a.text);
        } else {
            assert_eq!(a.status, 400, "{}", a.text);
        }
    }
    let ent = app.get(&format!("/v1/customers/{}/entitlements/api_calls", good.customer), &good.tenant.sk_test).await;
    assert_eq!(ent.body["used"], 60);
}

#[actix_web::test]
async fn times_outside_years_1_to_9999_are_400_everywhere() {
    let app = spawn_app().await;
    let m = metered(&app, json!({})).await;
    let sk = &m.tenant.sk_test;
    let cus = &m.customer;
    for t in ["-262143-01-02T00:00:00Z", "-200000-01-01T00:00:00Z", "+10000-01-01T00:00:00Z", "0000-12-31T23:00:00Z"] {
        let q = t.replace('+', "%2B");
        for (path, param) in [
            (format!("/v1/customers/{cus}/usage?feature=api_calls&to={q}"), "to"),
            (format!("/v1/customers/{cus}/usage?feature=api_calls&from={q}"), "from"),
        ] {
            let res = app.get(&path, sk).await;
            assert_eq!(
                (res.status, res.error_code(), res.error_param()),
                (400, "parameter_invalid", Some(param)),
                "{path}"
            );
        }
        for (path, body, param) in [
            ("/v1/verify".to_string(), json!({"key": m.key, "feature": "api_calls", "timestamp": t}), "timestamp"),
            (
                "/v1/usage".to_string(),
                json!({"customer": cus, "feature": "api_calls", "quantity": 1, "event_id": "t", "timestamp": t}),
                "timestamp",
            ),
            (format!("/v1/customers/{cus}/api-keys"), json!({"expires_at": t}), "expires_at"),
            ("/v1/test-clock/advance".to_string(), json!({"to": t}), "to"),
        ] {
            let res = app.post(&path, sk, body).await;
            assert_eq!(
                (res.status, res.error_code(), res.error_param()),
                (400, "parameter_invalid", Some(param)),
                "{path} {t}"
            );
        }
    }
    // The range's ends are fine where they make sense.
    let res = app
        .get(
            &format!("/v1/customers/{cus}/usage?feature=api_calls&from=0001-01-01T00:00:00Z&to=0001-01-02T00:00:00Z"),
            sk,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
}

#[actix_web::test]
async fn decimals_that_cannot_be_exact_are_refused_not_rounded() {
    let app = spawn_app().await;
    let m = metered(&app, json!({})).await;
    let sk = &m.tenant.sk_test;
    let res = app
        .post(
            "/v1/usage",
            sk,
            json!({"customer": m.customer, "feature": "api_calls", "quantity": 1e-40, "event_id": "tiny"}),
        )
        .await;
    assert_eq!((res.status, res.error_param()), (400, Some("quantity")), "{}", res.text);
    let res = app
        .post(
            "/v1/plans",
            sk,
            json!({"key": "fine", "name": "Fine", "currency": "USD", "interval": "month", "amount": "1.00",
                   "charges": [{"feature": "api_calls", "model": "per_unit",
                                "unit_amount": "0.0000000000000000000000000000000000000001"}]}),
        )
        .await;
    assert_eq!((res.status, res.error_param()), (400, Some("charges[0].unit_amount")), "{}", res.text);
}

#[actix_web::test]
async fn login_is_throttled_per_email_alike_for_unknown_emails() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let unknown = "nobody-here@example.com";
    let mut seen = Vec::new();
    for email in [t.email.as_str(), unknown] {
        let statuses: Vec<u16> = futures_util::future::join_all(
            (0..12).map(|_| app.post_open("/v1/auth/login", json!({"email": email, "password": "wrong password!"}))),
        )
        .await
        .iter()
        .map(|r| r.status)
        .collect();
        let mut sorted = statuses.clone();
        sorted.sort();
        assert_eq!(sorted, [[401; 10].as_slice(), &[429, 429]].concat(), "{email}");
        let res = app.post_open("/v1/auth/login", json!({"email": email, "password": "wrong password!"})).await;
        assert_eq!((res.status, res.error_code()), (429, "rate_limited"));
        seen.push((res.header("retry-after").map(str::to_string), res.body["error"]["message"].clone()));
    }
    assert_eq!(seen[0], seen[1], "an unknown email is throttled exactly like a wrong password");
    assert_eq!(seen[0].0.as_deref(), Some("60"));

    // Even the right password waits; a minute later it gets in, and its bucket is full again.
    let right = json!({"email": t.email, "password": crate::helpers::PASSWORD});
    assert_eq!(app.post_open("/v1/auth/login", right.clone()).await.status, 429);
    app.clock.advance(chrono::TimeDelta::seconds(60));
    assert_eq!(app.post_open("/v1/auth/login", right.clone()).await.status, 200);
    for _ in 0..9 {
        let res = app.post_open("/v1/auth/login", json!({"email": t.email, "password": "wrong password!"})).await;
        assert_eq!(res.status, 401);
    }
}

#[actix_web::test]
async fn login_is_throttled_per_client_address() {
    let app = spawn_app().await;
    let attempts = futures_util::future::join_all((0..101).map(|i| {
        app.post_open("/v1/auth/login", json!({"email": format!("u{i}@example.com"), "password": "guess guess"}))
    }))
    .await;
    let limited = attempts.iter().filter(|r| r.status == 429).count();
    assert_eq!(limited, 1, "100 attempts from one address, then 429");
    assert!(attempts.iter().all(|r| r.status == 401 || r.status == 429));
    app.clock.advance(chrono::TimeDelta::seconds(1));
    let res = app.post_open("/v1/auth/login", json!({"email": "late@example.com", "password": "guess guess"})).await;
    assert_eq!(res.status, 401, "one more a second later");
}

#[actix_web::test]
async fn every_list_refuses_unknown_query_parameters() {
    let app = spawn_app().await;
    let m = metered(&app, json!({})).await;
    let sk = &m.tenant.sk_test;
    for path in [
        "/v1/invoices?custmer=cus_x".to_string(),
        "/v1/features?lmit=5".to_string(),
        format!("/v1/customers/{}/api-keys?lmit=5", m.customer),
    ] {
        let res = app.get(&path, sk).await;
        assert_eq!((res.status, res.error_code()), (400, "parameter_unknown"), "{path}: {}", res.text);
    }
}

#[actix_web::test]
async fn a_request_head_too_large_for_the_server_answers_431_in_the_envelope() {
    use std::io::{Read, Write};
    let app = spawn_app().await;
    let addr = app.address.trim_start_matches("http://").to_string();
    let answer = actix_web::web::block(move || {
        let mut conn = std::net::TcpStream::connect(addr).unwrap();
        conn.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
        let head = format!(
            "GET /v1/tenant HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer {}\r\n\r\n",
            "a".repeat(1024 * 1024)
        );
        let mut writer = conn.try_clone().unwrap();
        // The server stops reading after 128 KiB: write on, and read what it answers.
        let sender = std::thread::spawn(move || {
            let _ = writer.write_all(head.as_bytes());
        });
        let mut out = Vec::new();
        let _ = conn.read_to_end(&mut out);
        let _ = sender.join();
        String::from_utf8_lossy(&out).to_string()
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 431 "), "{answer}");
    let body = answer.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer}"));
    assert_eq!(v["error"]["code"], "header_too_large");
    assert_eq!(v["error"]["type"], "invalid_request");
    // The server is fine, and a normal request goes through.
    let t = app.signup().await;
    assert_eq!(app.get("/v1/tenant", &t.sk_test).await.status, 200);
}
