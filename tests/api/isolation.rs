//! Tenant B cannot reach tenant A's catalog, customers or subscriptions, and test and live are
//! separate worlds.

use serde_json::json;

use crate::helpers::{customer, pro_plan, spawn_app};

#[actix_web::test]
async fn another_tenant_sees_nothing_and_changes_nothing() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let b = app.signup().await;
    pro_plan(&app, &a.sk_test).await;
    let cus = customer(&app, &a.sk_test, "a-customer@example.com").await;
    let sub = app.post("/v1/subscriptions", &a.sk_test, json!({"customer": cus, "plan": "pro"})).await;
    let sub_id = sub.body["id"].as_str().unwrap().to_string();
    let bk = &b.sk_test;

    for path in [
        "/v1/features/api_calls".to_string(),
        "/v1/plans/pro".to_string(),
        format!("/v1/customers/{cus}"),
        format!("/v1/customers/{cus}/entitlements"),
        format!("/v1/customers/{cus}/entitlements/api_calls"),
        format!("/v1/subscriptions/{sub_id}"),
    ] {
        let res = app.get(&path, bk).await;
        assert_eq!((res.status, res.error_code()), (404, "resource_missing"), "GET {path}");
    }
    for path in ["/v1/features", "/v1/plans", "/v1/customers", "/v1/subscriptions"] {
        assert_eq!(app.get(path, bk).await.body["data"], json!([]), "list {path}");
    }
    assert_eq!(app.get(&format!("/v1/subscriptions?customer={cus}"), bk).await.body["data"], json!([]));

    // Writes aimed at A's objects.
    assert_eq!(app.patch("/v1/plans/pro", bk, json!({"amount": "1.00"})).await.status, 404);
    assert_eq!(app.post("/v1/plans/pro/archive", bk, json!({})).await.status, 404);
    assert_eq!(app.patch(&format!("/v1/customers/{cus}"), bk, json!({"name": "hijacked"})).await.status, 404);
    assert_eq!(app.delete(&format!("/v1/customers/{cus}"), bk).await.status, 404);
    for action in ["cancel", "resume"] {
        assert_eq!(app.post(&format!("/v1/subscriptions/{sub_id}/{action}"), bk, json!({})).await.status, 404);
    }
    assert_eq!(
        app.post(&format!("/v1/subscriptions/{sub_id}/change"), bk, json!({"plan": "pro", "timing": "now"}))
            .await
            .status,
        404
    );
    // B subscribing A's customer, or B's customer to A's plan.
    let res = app.post("/v1/subscriptions", bk, json!({"customer": cus, "plan": "pro"})).await;
    assert_eq!((res.status, res.error_param()), (404, Some("customer")));
    let b_cus = customer(&app, bk, "b-customer@example.com").await;
    let res = app.post("/v1/subscriptions", bk, json!({"customer": b_cus, "plan": "pro"})).await;
    assert_eq!((res.status, res.error_param()), (404, Some("plan")));
    // B's plan may not use A's features.
    let res = app
        .post(
            "/v1/plans",
            bk,
            json!({"key": "x", "name": "X", "currency": "USD", "interval": "month", "amount": "1.00",
            "entitlements": [{"feature": "api_calls"}]}),
        )
        .await;
    assert_eq!((res.status, res.error_param()), (400, Some("entitlements[0].feature")));

    // A is untouched.
    let plan = app.get("/v1/plans/pro", &a.sk_test).await;
    assert_eq!((plan.body["amount"].as_str(), plan.body["archived"].as_bool()), (Some("99.00"), Some(false)));
    assert!(app.get(&format!("/v1/customers/{cus}"), &a.sk_test).await.body["name"].is_null());
    assert_eq!(app.get(&format!("/v1/subscriptions/{sub_id}"), &a.sk_test).await.body["status"], "active");
}

#[actix_web::test]
async fn test_and_live_modes_do_not_see_each_other() {
    let app = spawn_app().await;
    let t = app.signup().await;
    pro_plan(&app, &t.sk_test).await;
    let cus = customer(&app, &t.sk_test, "test-mode@example.com").await;
    for path in ["/v1/features/api_calls".to_string(), "/v1/plans/pro".to_string(), format!("/v1/customers/{cus}")] {
        assert_eq!(app.get(&path, &t.sk_live).await.status, 404, "{path} from live");
        assert_eq!(app.get(&path, &t.sk_test).await.status, 200, "{path} from test");
    }
    assert_eq!(app.get("/v1/plans", &t.sk_live).await.body["data"], json!([]));
    // The same keys can be used in live for live objects.
    pro_plan(&app, &t.sk_live).await;
    let live_cus = customer(&app, &t.sk_live, "live@example.com").await;
    assert_eq!(app.get(&format!("/v1/customers/{live_cus}"), &t.sk_test).await.status, 404, "live from test");
    let res = app.post("/v1/subscriptions", &t.sk_live, json!({"customer": cus, "plan": "pro"})).await;
    assert_eq!((res.status, res.error_param()), (404, Some("customer")), "a test customer cannot subscribe in live");
    // A user token reaches live data only when it says so.
    let live = format!("Bearer {}", t.token);
    let res = app
        .send(
            actix_web::http::Method::GET,
            &format!("/v1/customers/{live_cus}"),
            &[("Authorization", &live), ("Billing-Mode", "live")],
            None,
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(app.get(&format!("/v1/customers/{live_cus}"), &t.token).await.status, 404);
}
