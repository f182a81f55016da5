use actix_web::http::Method;
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::json;
use tollgate::clock::Clock;

use crate::helpers::{metered, spawn_app};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

#[actix_web::test]
async fn usage_events_are_recorded_once_and_count_towards_limits() {
    let app = spawn_app().await;
    let m = metered(&app, json!({"limit": 10, "reset": "day"})).await;
    let sk = &m.tenant.sk_test;
    app.patch(&format!("/v1/customers/{}", m.customer), sk, json!({"external_id": "globex-42"})).await;
    let ev = |id: &str, q: serde_json::Value| json!({"customer": m.customer, "feature": "api_calls", "quantity": q, "event_id": id});
    let res = app.post("/v1/usage", sk, ev("e1", json!(4))).await;
    assert_eq!((res.status, &res.body), (201, &json!({"id": "e1", "duplicate": false})));
    let res = app.post("/v1/usage", sk, ev("e1", json!(4))).await;
    assert_eq!((res.status, &res.body), (200, &json!({"id": "e1", "duplicate": true})));
    let res = app
        .post(
            "/v1/usage",
            sk,
            json!({"customer_external_id": "globex-42", "feature": "api_calls", "quantity": "5.5", "event_id": "e2"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    // Recorded whatever the limit says: 4 + 5.5 + 3 = 12.5 > 10.
    assert_eq!(app.post("/v1/usage", sk, ev("e3", json!(3))).await.status, 201);
    let ent = app.get(&format!("/v1/customers/{}/entitlements/api_calls", m.customer), sk).await;
    assert_eq!(
        (ent.body["used"].as_i64(), ent.body["remaining"].as_i64(), ent.body["has_access"].as_bool()),
        (Some(13), Some(0), Some(false))
    );
    assert_eq!(app.verify(sk, json!({"key": m.key, "feature": "api_calls"})).await.body["code"], "USAGE_EXCEEDED");

    let cases = [
        (json!({"customer": m.customer, "feature": "nope", "quantity": 1, "event_id": "x"}), 400, "feature"),
        (json!({"customer": m.customer, "feature": "batch_api", "quantity": 1, "event_id": "x"}), 400, "feature"),
        (json!({"customer": m.customer, "feature": "api_calls", "quantity": -2, "event_id": "x"}), 400, "quantity"),
        (json!({"customer": m.customer, "feature": "api_calls", "quantity": 1}), 400, "event_id"),
        (json!({"feature": "api_calls", "quantity": 1, "event_id": "x"}), 400, "customer"),
        (
            json!({"customer_external_id": "nobody", "feature": "api_calls", "quantity": 1, "event_id": "x"}),
            404,
            "customer_external_id",
        ),
        (
            json!({"customer": "cus_0352sLHK3ZUKZcolbHJtKm", "feature": "api_calls", "quantity": 1, "event_id": "x"}),
            404,
            "customer",
        ),
        (
            json!({"customer": m.customer, "feature": "api_calls", "quantity": 1, "event_id": "x",
                "timestamp": (app.clock.now() - TimeDelta::days(40)).to_rfc3339()}),
            400,
            "timestamp",
        ),
    ];
    for (body, status, param) in cases {
        let res = app.post("/v1/usage", sk, body.clone()).await;
        assert_eq!((res.status, res.error_param()), (status, Some(param)), "{body}: {}", res.text);
    }
}

#[actix_web::test]
async fn batches_report_each_event_and_refuse_more_than_1000() {
    let app = spawn_app().await;
    let m = metered(&app, json!({})).await;
    let sk = &m.tenant.sk_test;
    let ev = |id: String| json!({"customer": m.customer, "feature": "api_calls", "quantity": 2, "event_id": id});
    let mut events: Vec<_> = (0..10).map(|i| ev(format!("b-{i}"))).collect();
    events.push(ev("b-3".into()));
    events.push(json!({"customer": m.customer, "feature": "api_calls", "quantity": -1, "event_id": "bad"}));
    events.push(json!({"customer": m.customer, "feature": "ghost", "quantity": 1, "event_id": "bad2"}));
    events.push(json!("not an event"));
    let res = app.post("/v1/usage/batch", sk, json!({"events": events})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!((res.body["accepted"].as_i64(), res.body["duplicates"].as_i64()), (Some(10), Some(1)));
    let rejected = res.body["rejected"].as_array().unwrap();
    let params: Vec<_> = rejected
        .iter()
        .map(|r| (r["index"].as_i64().unwrap(), r["error"]["param"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        params,
        [(11, "events[11].quantity".to_string()), (12, "events[12].feature".into()), (13, "events[13]".into())]
    );
    // Again: all duplicates.
    let again = app
        .post("/v1/usage/batch", sk, json!({"events": (0..10).map(|i| ev(format!("b-{i}"))).collect::<Vec<_>>()}))
        .await;
    assert_eq!((again.body["accepted"].as_i64(), again.body["duplicates"].as_i64()), (Some(0), Some(10)));
    let ent = app.get(&format!("/v1/customers/{}/entitlements/api_calls", m.customer), sk).await;
    assert_eq!(ent.body["used"], 20);

    let too_many: Vec<_> = (0..1001).map(|i| ev(format!("big-{i}"))).collect();
    let res = app.post("/v1/usage/batch", sk, json!({"events": too_many})).await;
    assert_eq!((res.status, res.error_code(), res.error_param()), (400, "too_many_events", Some("events")));
    let ent = app.get(&format!("/v1/customers/{}/entitlements/api_calls", m.customer), sk).await;
    assert_eq!(ent.body["used"], 20, "nothing of it was stored");
}

#[actix_web::test]
async fn a_batch_reports_each_bad_event_by_its_index_whatever_its_text() {
    let app = spawn_app().await;
    let m = metered(&app, json!({})).await;
    let sk = &m.tenant.sk_test;
    let c = &m.customer;
    let ok = |id: &str| format!(r#"{{"customer":"{c}","feature":"api_calls","quantity":1,"event_id":"{id}"}}"#);
    // As sent, not as a JSON library would write it: a key twice, an item that is no object,
    // an unknown field, and one event whose text holds an escaped NUL.
    let body = format!(
        r#"{{"events":[{},{{"customer":"{c}","feature":"api_calls","quantity":1,"quantity":5,"event_id":"twice"}},7,
        {{"customer":"{c}","feature":"api_calls","quantity":1,"event_id":"x","extra":true}},
        {{"customer":"{c}","feature":"api_calls","quantity":1,"event_id":"nul\u0000"}},{}]}}"#,
        ok("first"),
        ok("last")
    );
    let auth = format!("Bearer {sk}");
    let headers = [("Authorization", auth.as_str()), ("Content-Type", "application/json")];
    let res = app.send(Method::POST, "/v1/usage/batch", &headers, Some(body.into_bytes())).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!((res.body["accepted"].as_i64(), res.body["duplicates"].as_i64()), (Some(2), Some(0)));
    let rejected: Vec<_> = res.body["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["index"].as_i64().unwrap(), r["error"]["code"].as_str().unwrap(), r["error"]["param"].as_str()))
        .collect();
    assert_eq!(
        rejected,
        [
            (1, "parameter_invalid", Some("events[1].quantity")),
            (2, "parameter_invalid", Some("events[2]")),
            (3, "parameter_unknown", Some("events[3].extra")),
            (4, "parameter_invalid", Some("events[4].event_id")),
        ]
    );
    let ent = app.get(&format!("/v1/customers/{c}/entitlements/api_calls"), sk).await;
    assert_eq!(ent.body["used"], 2, "the two good events, and only they");

    // A body that is not JSON at all records nothing.
    let res = app.send(Method::POST, "/v1/usage/batch", &headers, Some(br#"{"events":[{"customer":"#.to_vec())).await;
    assert_eq!((res.status, res.error_code()), (400, "invalid_json"));
}

#[actix_web::test]
async fn usage_reads_back_as_a_time_series_for_each_aggregation() {
    let app = spawn_app().await;
    app.clock.set(at("2026-03-10T12:00:00Z"));
    let m = metered(&app, json!({})).await;
    let sk = &m.tenant.sk_test;
    for (key, aggregation) in [("peak", "max"), ("users", "unique_count"), ("seats", "latest")] {
        let f = json!({"key": key, "name": key, "type": "metered", "aggregation": aggregation, "property": "n"});
        assert_eq!(app.post("/v1/features", sk, f).await.status, 201);
    }
    let post = |feature: &str, id: String, ts: &str, q: i64, n: serde_json::Value| {
        app.post("/v1/usage", sk, json!({"customer": m.customer, "feature": feature, "quantity": q, "event_id": id, "timestamp": ts, "properties": {"n": n}}))
    };
    let times = ["2026-03-08T01:15:00Z", "2026-03-08T01:45:00Z", "2026-03-08T03:00:00Z", "2026-03-09T10:00:00Z"];
    for (i, ts) in times.iter().enumerate() {
        for feature in ["api_calls", "requests", "peak", "users", "seats"] {
            let n = json!(if i == 3 { 1 } else { 10 * (i as i64 + 1) });
            assert_eq!(post(feature, format!("{feature}-{i}"), ts, (i + 1) as i64, n).await.status, 201);
        }
    }
    let app = &app;
    let series = |feature: &str, q: &str| {
        let path = format!("/v1/customers/{}/usage?feature={feature}&{q}", m.customer);
        async move { app.get(&path, sk).await }
    };
    let day = "from=2026-03-08T00:00:00Z&to=2026-03-11T00:00:00Z&granularity=day";
    let values = |res: &crate::helpers::Res| {
        res.body["data"].as_array().unwrap().iter().map(|p| p["value"].clone()).collect::<Vec<_>>()
    };
    let res = series("api_calls", day).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["data"][0]["start"], "2026-03-08T00:00:00Z");
    assert_eq!(values(&res), [json!(6), json!(4), json!(0)], "sum of quantities, empty days included");
    assert_eq!(values(&series("requests", day).await), [json!(3), json!(1), json!(0)], "count of events");
    assert_eq!(values(&series("peak", day).await), [json!(30), json!(1), json!(0)], "max of n");
    assert_eq!(values(&series("users", day).await), [json!(3), json!(1), json!(0)], "distinct n");
    assert_eq!(values(&series("seats", day).await), [json!(30), json!(1), json!(0)], "latest n");
    let hourly = series("api_calls", "from=2026-03-08T00:00:00Z&to=2026-03-08T04:00:00Z&granularity=hour").await;
    assert_eq!(values(&hourly), [json!(0), json!(3), json!(0), json!(3)]);

    for (q, param) in [
        ("from=2026-03-09T00:00:00Z&to=2026-03-08T00:00:00Z", "from"),
        ("from=2020-01-01T00:00:00Z&to=2026-03-08T00:00:00Z&granularity=hour", "granularity"),
        ("granularity=week", "granularity"),
    ] {
        let res = series("api_calls", q).await;
        assert_eq!((res.status, res.error_param()), (400, Some(param)), "{q}");
    }
    assert_eq!(series("batch_api", day).await.status, 400);
    assert_eq!(series("ghost", day).await.status, 404);
}

#[actix_web::test]
async fn another_tenant_cannot_record_or_read_usage() {
    let app = spawn_app().await;
    let a = metered(&app, json!({})).await;
    let b = app.signup().await;
    app.post("/v1/features", &b.sk_test, json!({"key": "api_calls", "name": "x", "type": "metered"})).await;
    let res = app
        .post(
            "/v1/usage",
            &b.sk_test,
            json!({"customer": a.customer, "feature": "api_calls", "quantity": 1, "event_id": "x"}),
        )
        .await;
    assert_eq!((res.status, res.error_param()), (404, Some("customer")));
    assert_eq!(app.get(&format!("/v1/customers/{}/usage?feature=api_calls", a.customer), &b.sk_test).await.status, 404);
    // Event ids are per tenant: B's "x" does not make A's "x" a duplicate.
    let res = app
        .post(
            "/v1/usage",
            &a.tenant.sk_test,
            json!({"customer": a.customer, "feature": "api_calls", "quantity": 1, "event_id": "x"}),
        )
        .await;
    assert_eq!((res.status, res.body["duplicate"].as_bool()), (201, Some(false)));
}
