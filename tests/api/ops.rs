use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use actix_web::http::Method;
use actix_web::{web, HttpResponse};

use crate::helpers::{spawn_app, spawn_app_with};

#[actix_web::test]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    let res = app.send(Method::GET, "/healthz", &[], None).await;
    assert_eq!((res.status, res.body["status"].as_str()), (200, Some("ok")));
    let res = app.send(Method::GET, "/readyz", &[], None).await;
    assert_eq!((res.status, res.body["status"].as_str()), (200, Some("ok")));
}

#[actix_web::test]
async fn an_exhausted_pool_answers_503_in_the_envelope_instead_of_hanging() {
    let app = spawn_app_with(
        |s| {
            s.db_pool_size = 1;
            s.db_pool_timeout = Duration::from_millis(200);
        },
        None,
    )
    .await;
    let tenant = app.signup().await;
    let pool = app.state.pool.clone();
    let held = web::block(move || pool.get().unwrap()).await.unwrap();

    let started = std::time::Instant::now();
    let res = app.send(Method::GET, "/readyz", &[], None).await;
    assert_eq!(res.status, 503);
    assert_eq!(res.error_code(), "database_unavailable");
    let res = app.get("/v1/tenant", &tenant.sk_test).await;
    assert_eq!(res.status, 503);
    assert_eq!(res.error_code(), "database_unavailable");
    assert!(started.elapsed() < Duration::from_secs(5), "answered promptly");

    drop(held);
    assert_eq!(app.get("/v1/tenant", &tenant.sk_test).await.status, 200);
}

#[actix_web::test]
async fn metrics_count_requests_by_route_pattern_and_status() {
    let app = spawn_app().await;
    let tenant = app.signup().await;
    app.get("/v1/tenant", &tenant.sk_test).await;
    app.get("/v1/tenant", "sk_test_wrong").await;
    app.delete("/v1/secret-keys/skey_nonexistent", &tenant.token).await;
    let res = app.send(Method::GET, "/metrics", &[], None).await;
    assert_eq!(res.status, 200);
    assert!(res.header("content-type").unwrap().starts_with("text/plain"));
    let m = &res.text;
    assert!(m.contains(r#"tollgate_http_requests_total{method="GET",route="/v1/tenant",status="200"} 1"#), "{m}");
    assert!(m.contains(r#"tollgate_http_requests_total{method="GET",route="/v1/tenant",status="401"} 1"#));
    assert!(m.contains(r#"route="/v1/secret-keys/{id}",status="404""#), "patterns, not raw paths");
    assert!(m.contains(r#"tollgate_http_request_duration_seconds_bucket{method="POST",route="/v1/signup""#));
    assert!(m.contains("tollgate_db_pool_max_connections 4"));
    assert!(m.contains("tollgate_db_pool_connections"));
}

#[actix_web::test]
async fn request_ids_are_echoed_or_generated() {
    let app = spawn_app().await;
    let res = app.send(Method::GET, "/healthz", &[("X-Request-Id", "trace-abc_123")], None).await;
    assert_eq!(res.header("x-request-id"), Some("trace-abc_123"));
    let res = app.send(Method::GET, "/healthz", &[], None).await;
    let generated = res.header("x-request-id").unwrap();
    assert_eq!(generated.len(), 32);
    let res = app.send(Method::GET, "/nowhere", &[("X-Request-Id", "no spaces <allowed>")], None).await;
    assert_eq!(res.status, 404);
    assert_ne!(res.header("x-request-id"), Some("no spaces <allowed>"));
    assert_eq!(res.header("x-request-id").unwrap().len(), 32);
}

/// Set when `/test/slow` has started on a request: from then on the request is in flight.
static SLOW_STARTED: AtomicBool = AtomicBool::new(false);

fn slow_route(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/test/slow",
        web::get().to(|| async {
            SLOW_STARTED.store(true, Ordering::SeqCst);
            actix_web::rt::time::sleep(Duration::from_millis(1500)).await;
            HttpResponse::Ok().body("finished")
        }),
    );
}

#[actix_web::test]
async fn a_graceful_stop_lets_in_flight_requests_finish() {
    let app = spawn_app_with(|_| {}, Some(slow_route)).await;
    let client = app.client.clone();
    let url = app.url("/test/slow");
    let in_flight = actix_web::rt::spawn(async move {
        let mut res = client.get(url).send().await.expect("answered");
        (res.status().as_u16(), res.body().await.unwrap())
    });
    // Stopping before the request has reached the handler (the worker may still be starting)
    // would test something else: a connection never accepted is refused, as it should be.
    for _ in 0..500 {
        if SLOW_STARTED.load(Ordering::SeqCst) {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(SLOW_STARTED.load(Ordering::SeqCst), "the slow request started within 5 s");
    // What SIGTERM does.
    let stopping = app.handle.stop(true);
    let (status, body) = in_flight.await.unwrap();
    assert_eq!((status, &body[..]), (200, &b"finished"[..]));
    stopping.await;
    assert!(app.client.get(app.url("/healthz")).send().await.is_err(), "no longer listening");
}

#[actix_web::test]
async fn usage_batches_count_for_verify_and_the_writer_reports_each_lane() {
    let app = spawn_app().await;
    let m = crate::helpers::metered(&app, serde_json::json!({"limit": 10, "reset": "month"})).await;
    let sk = &m.tenant.sk_test;
    let events: Vec<_> = (0..3)
        .map(|i| serde_json::json!({"customer": m.customer, "feature": "api_calls", "quantity": 2, "event_id": format!("b-{i}")}))
        .collect();
    let res = app.post("/v1/usage/batch", sk, serde_json::json!({"events": events})).await;
    assert_eq!((res.status, res.body["accepted"].as_i64()), (200, Some(3)), "{}", res.text);
    // The batch's 6 (a bulk writer's share of the counter) count for verify, and for the
    // entitlement.
    let ok = app.verify(sk, serde_json::json!({"key": m.key, "feature": "api_calls", "quantity": 4})).await;
    assert_eq!((ok.body["valid"].as_bool(), ok.body["feature"]["used"].as_i64()), (Some(true), Some(10)));
    let over = app.verify(sk, serde_json::json!({"key": m.key, "feature": "api_calls", "quantity": 1})).await;
    assert_eq!(
        (over.body["code"].as_str(), over.body["feature"]["remaining"].as_i64()),
        (Some("USAGE_EXCEEDED"), Some(0))
    );
    let ent = app.get(&format!("/v1/customers/{}/entitlements/api_calls", m.customer), sk).await;
    assert_eq!((ent.status, ent.body["used"].as_i64()), (200, Some(10)), "{}", ent.text);

    let m = app.send(Method::GET, "/metrics", &[], None).await.text;
    for line in [
        r#"tollgate_usage_batch_entries_sum{lane="bulk"} 3"#,
        r#"tollgate_usage_batch_seconds_count{lane="bulk"} 1"#,
        r#"tollgate_usage_batch_seconds_count{lane="verify"} 2"#,
        r#"tollgate_usage_queue_wait_seconds_count{lane="verify"} 2"#,
        "tollgate_usage_admission_wait_seconds_count 1",
    ] {
        assert!(m.contains(line), "{line} in {m}");
    }
}
