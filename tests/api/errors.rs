//! docs/api.md's conventions: every error, from any layer, in one envelope.

use actix_web::http::Method;
use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with};

#[actix_web::test]
async fn unknown_routes_are_404_and_wrong_methods_405_with_allow() {
    let app = spawn_app().await;
    let res = app.send(Method::GET, "/v1/nothing-here", &[], None).await;
    assert_eq!(res.status, 404);
    assert_eq!(res.error_code(), "route_not_found");

    let res = app.send(Method::PUT, "/v1/tenant", &[], None).await;
    assert_eq!(res.status, 405);
    assert_eq!(res.error_code(), "method_not_allowed");
    assert_eq!(res.header("allow"), Some("GET, PATCH"));

    let res = app.send(Method::PATCH, "/v1/secret-keys/skey_x", &[], None).await;
    assert_eq!(res.status, 405);
    assert_eq!(res.header("allow"), Some("DELETE"));
    let res = app.send(Method::DELETE, "/v1/secret-keys", &[], None).await;
    assert_eq!(res.header("allow"), Some("GET, POST"));
}

#[actix_web::test]
async fn an_id_in_the_path_is_read_only_for_an_authenticated_caller() {
    let app = spawn_app().await;
    let sk = app.signup().await.sk_test;
    for path in ["/v1/customers/not-an-id", "/v1/invoices/cus_0PYr3fWn4fTq0wKfM8sQ2f", "/v1/customers/x/entitlements/f"]
    {
        let res = app.send(Method::GET, path, &[], None).await;
        assert_eq!((res.status, res.error_code()), (401, "authentication_required"), "{path}");
        let res = app.send(Method::GET, path, &[("Authorization", "Bearer sk_test_nope")], None).await;
        assert_eq!(res.status, 401, "{path}");
    }
    // Authenticated: a malformed id, or an id of another kind, is no such resource.
    let res = app.get("/v1/customers/not-an-id", &sk).await;
    assert_eq!((res.status, res.error_code()), (404, "resource_missing"));
    assert_eq!(res.body["error"]["message"], "no such customer");
    let res = app.get("/v1/invoices/cus_0PYr3fWn4fTq0wKfM8sQ2f", &sk).await;
    assert_eq!(res.body["error"]["message"], "no such invoice");
    let res = app.post("/v1/api-keys/in_0PYr3fWn4fTq0wKfM8sQ2i/revoke", &sk, json!({})).await;
    assert_eq!(res.body["error"]["message"], "no such API key");
}

#[actix_web::test]
async fn malformed_json_and_wrong_types_name_the_problem() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let auth = format!("Bearer {}", t.token);
    let h = [("Authorization", auth.as_str()), ("Content-Type", "application/json")];

    let res = app.send(Method::POST, "/v1/secret-keys", &h, Some(br#"{"name": "x", "mode": "#.to_vec())).await;
    assert_eq!((res.status, res.error_code()), (400, "invalid_json"));
    assert_eq!(res.error_param(), None);

    let res = app.post("/v1/secret-keys", &t.token, json!({"name": 42, "mode": "test"})).await;
    assert_eq!((res.status, res.error_code(), res.error_param()), (400, "parameter_invalid", Some("name")));

    let res = app.post("/v1/secret-keys", &t.token, json!({"name": "x", "mode": "production"})).await;
    assert_eq!((res.status, res.error_code(), res.error_param()), (400, "parameter_invalid", Some("mode")));

    let res = app.post("/v1/secret-keys", &t.token, json!({"name": "x"})).await;
    assert_eq!((res.status, res.error_code(), res.error_param()), (400, "parameter_missing", Some("mode")));

    let res = app.post("/v1/secret-keys", &t.token, json!({"name": "x", "mode": "test", "admin": true})).await;
    assert_eq!((res.status, res.error_code(), res.error_param()), (400, "parameter_unknown", Some("admin")));

    let res = app.post("/v1/secret-keys", &t.token, json!(["not", "an", "object"])).await;
    assert_eq!((res.status, res.error_code()), (400, "parameter_invalid"));

    let res = app.post("/v1/secret-keys", &t.token, json!({"name": "", "mode": "test"})).await;
    assert_eq!((res.status, res.error_param()), (400, Some("name")));

    let res = app.post("/v1/secret-keys", &t.token, json!({"name": "x".repeat(101), "mode": "test"})).await;
    assert_eq!((res.status, res.error_param()), (400, Some("name")));

    let res = app.send(Method::GET, "/v1/secret-keys?limit=abc", &[("Authorization", &auth)], None).await;
    assert_eq!((res.status, res.error_code(), res.error_param()), (400, "parameter_invalid", Some("limit")));
}

#[actix_web::test]
async fn a_body_that_is_not_json_is_415() {
    let app = spawn_app().await;
    let res = app
        .send(
            Method::POST,
            "/v1/signup",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            Some(b"a=b".to_vec()),
        )
        .await;
    assert_eq!((res.status, res.error_code()), (415, "unsupported_media_type"));
}

#[actix_web::test]
async fn bodies_over_one_mebibyte_are_413_with_or_without_an_idempotency_key() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let big = format!(r#"{{"name": "{}", "mode": "test"}}"#, "a".repeat(1024 * 1024));
    let auth = format!("Bearer {}", t.token);
    for extra in [None, Some(("Idempotency-Key", "big-1"))] {
        let mut h = vec![("Authorization", auth.as_str()), ("Content-Type", "application/json")];
        h.extend(extra);
        let res = app.send(Method::POST, "/v1/secret-keys", &h, Some(big.clone().into_bytes())).await;
        assert_eq!((res.status, res.error_code()), (413, "payload_too_large"), "{extra:?}");
    }
    // Nothing was created.
    let list = app.get("/v1/secret-keys", &t.token).await;
    assert_eq!(list.body["data"].as_array().unwrap().len(), 2);
}

fn panicking_route(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/test/panic",
        web::get().to(|| async {
            if std::hint::black_box(true) {
                panic!("secret internals: password=hunter2");
            }
            HttpResponse::Ok().finish()
        }),
    );
}

#[actix_web::test]
async fn a_panicking_handler_answers_an_opaque_500_and_the_server_stays_up() {
    let app = spawn_app_with(|_| {}, Some(panicking_route)).await;
    for _ in 0..3 {
        let res = app.send(Method::GET, "/test/panic", &[], None).await;
        assert_eq!(res.status, 500);
        assert_eq!(res.error_code(), "internal_error");
        assert!(!res.text.contains("hunter2"), "no internals leak: {}", res.text);
    }
    assert_eq!(app.send(Method::GET, "/healthz", &[], None).await.status, 200);
}
