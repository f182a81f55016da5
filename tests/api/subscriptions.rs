use chrono::{DateTime, Utc};
use serde_json::json;

use crate::helpers::{customer, pro_plan, spawn_app, TestApp};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

async fn yearly_plan(app: &TestApp, sk: &str) {
    let res = app
        .post(
            "/v1/plans",
            sk,
            json!({"key": "pro_yearly", "name": "Pro yearly", "currency": "USD", "interval": "year", "amount": "990.00",
            "entitlements": [{"feature": "api_calls", "limit": 200000, "reset": "day"}]}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
}

#[actix_web::test]
async fn a_subscription_started_on_jan_31_renews_on_the_last_day_of_february() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let sk = &t.sk_test;
    pro_plan(&app, sk).await;
    app.clock.set(at("2026-01-31T10:30:00Z"));
    let cus = customer(&app, sk, "jan31@example.com").await;
    let res = app.post("/v1/subscriptions", sk, json!({"customer": cus, "plan": "pro"})).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let b = &res.body;
    assert!(b["id"].as_str().unwrap().starts_with("sub_"));
    assert_eq!(
        (b["status"].as_str(), b["plan"].as_str(), b["plan_version"].as_i64()),
        (Some("active"), Some("pro"), Some(1))
    );
    assert_eq!(b["current_period_start"], "2026-01-31T10:30:00Z");
    assert_eq!(b["current_period_end"], "2026-02-28T10:30:00Z");
    assert_eq!(
        (b["trial_end"].is_null(), b["cancel_at_period_end"].as_bool(), b["pending_change"].is_null()),
        (true, Some(false), true)
    );

    let again = app.post("/v1/subscriptions", sk, json!({"customer": cus, "plan": "pro"})).await;
    assert_eq!((again.status, again.error_code()), (409, "customer_already_subscribed"));

    let list = app.get(&format!("/v1/subscriptions?customer={cus}"), sk).await;
    assert_eq!(list.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(list.body["data"][0]["id"], b["id"]);
}

#[actix_web::test]
async fn trials_come_from_the_plan_or_the_request() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let sk = &t.sk_test;
    pro_plan(&app, sk).await;
    app.patch("/v1/plans/pro", sk, json!({"trial_days": 14})).await;
    app.clock.set(at("2026-03-01T00:00:00Z"));
    let a = customer(&app, sk, "a@example.com").await;
    let res = app.post("/v1/subscriptions", sk, json!({"customer": a, "plan": "pro"})).await;
    assert_eq!(
        (res.body["status"].as_str(), res.body["trial_end"].as_str()),
        (Some("trialing"), Some("2026-03-15T00:00:00Z"))
    );
    assert_eq!(res.body["current_period_end"], "2026-03-15T00:00:00Z");
    let b = customer(&app, sk, "b@example.com").await;
    let res = app.post("/v1/subscriptions", sk, json!({"customer": b, "plan": "pro", "trial_days": 0})).await;
    assert_eq!(
        (res.body["status"].as_str(), res.body["current_period_end"].as_str()),
        (Some("active"), Some("2026-04-01T00:00:00Z"))
    );
    let c = customer(&app, sk, "c@example.com").await;
    let res = app.post("/v1/subscriptions", sk, json!({"customer": c, "plan": "pro", "trial_days": 1000})).await;
    assert_eq!((res.status, res.error_param()), (400, Some("trial_days")));
}

#[actix_web::test]
async fn plans_change_now_or_at_period_end() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let sk = &t.sk_test;
    pro_plan(&app, sk).await;
    yearly_plan(&app, sk).await;
    app.clock.set(at("2026-05-10T00:00:00Z"));
    let cus = customer(&app, sk, "mover@example.com").await;
    let sub = app.post("/v1/subscriptions", sk, json!({"customer": cus, "plan": "pro"})).await;
    let path = format!("/v1/subscriptions/{}", sub.body["id"].as_str().unwrap());

    let res = app.post(&format!("{path}/change"), sk, json!({"plan": "pro_yearly", "timing": "period_end"})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["plan"], "pro", "not yet");
    assert_eq!(
        res.body["pending_change"],
        json!({"plan": "pro_yearly", "plan_version": 1, "effective_at": "2026-06-10T00:00:00Z"})
    );

    let same = app.post(&format!("{path}/change"), sk, json!({"plan": "pro", "timing": "now"})).await;
    assert_eq!((same.status, same.error_code()), (400, "plan_unchanged"));

    app.clock.set(at("2026-05-20T12:00:00Z"));
    let res = app.post(&format!("{path}/change"), sk, json!({"plan": "pro_yearly", "timing": "now"})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!((res.body["plan"].as_str(), res.body["pending_change"].is_null()), (Some("pro_yearly"), true));
    assert_eq!(res.body["current_period_start"], "2026-05-20T12:00:00Z", "a yearly plan starts a new period");
    assert_eq!(res.body["current_period_end"], "2027-05-20T12:00:00Z");
    let ent = app.get(&format!("/v1/customers/{cus}/entitlements/api_calls"), sk).await;
    assert_eq!(ent.body["limit"], 200000, "the new plan applies at once");

    let res = app.post(&format!("{path}/change"), sk, json!({"plan": "nope", "timing": "now"})).await;
    assert_eq!((res.status, res.error_param()), (404, Some("plan")));
    let res = app.post(&format!("{path}/change"), sk, json!({"plan": "pro", "timing": "tomorrow"})).await;
    assert_eq!((res.status, res.error_param()), (400, Some("timing")));
}

#[actix_web::test]
async fn an_immediate_change_on_the_same_cadence_keeps_the_period() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let sk = &t.sk_test;
    pro_plan(&app, sk).await;
    app.post(
        "/v1/plans",
        sk,
        json!({"key": "business", "name": "Business", "currency": "USD", "interval": "month", "amount": "499.00"}),
    )
    .await;
    app.clock.set(at("2026-05-10T00:00:00Z"));
    let cus = customer(&app, sk, "up@example.com").await;
    let sub = app.post("/v1/subscriptions", sk, json!({"customer": cus, "plan": "pro"})).await;
    app.clock.set(at("2026-05-25T00:00:00Z"));
    let res = app
        .post(
            &format!("/v1/subscriptions/{}/change", sub.body["id"].as_str().unwrap()),
            sk,
            json!({"plan": "business", "timing": "now"}),
        )
        .await;
    assert_eq!(res.body["plan"], "business");
    assert_eq!(
        (res.body["current_period_start"].as_str(), res.body["current_period_end"].as_str()),
        (Some("2026-05-10T00:00:00Z"), Some("2026-06-10T00:00:00Z"))
    );
}

#[actix_web::test]
async fn cancel_at_period_end_resume_and_cancel_now() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let sk = &t.sk_test;
    pro_plan(&app, sk).await;
    let cus = customer(&app, sk, "leaver@example.com").await;
    let sub = app.post("/v1/subscriptions", sk, json!({"customer": cus, "plan": "pro"})).await;
    let path = format!("/v1/subscriptions/{}", sub.body["id"].as_str().unwrap());

    let res = app.post(&format!("{path}/cancel"), sk, json!({})).await;
    assert_eq!(
        (res.status, res.body["cancel_at_period_end"].as_bool(), res.body["status"].as_str()),
        (200, Some(true), Some("active"))
    );
    let res = app.post(&format!("{path}/resume"), sk, json!({})).await;
    assert_eq!((res.status, res.body["cancel_at_period_end"].as_bool()), (200, Some(false)));
    let res = app.post(&format!("{path}/resume"), sk, json!({})).await;
    assert_eq!((res.status, res.error_code()), (409, "not_scheduled_to_cancel"));

    let res = app.post(&format!("{path}/cancel"), sk, json!({"at_period_end": false})).await;
    assert_eq!(
        (res.body["status"].as_str(), res.body["canceled_at"].is_string(), res.body["ended_at"].is_string()),
        (Some("canceled"), true, true)
    );
    for (action, body) in
        [("cancel", json!({})), ("resume", json!({})), ("change", json!({"plan": "pro", "timing": "now"}))]
    {
        let res = app.post(&format!("{path}/{action}"), sk, body).await;
        assert_eq!((res.status, res.error_code()), (409, "subscription_canceled"), "{action}");
    }
    assert_eq!(
        app.get(&format!("/v1/customers/{cus}/entitlements"), sk).await.body["data"],
        json!([]),
        "no access once canceled"
    );
    let again = app.post("/v1/subscriptions", sk, json!({"customer": cus, "plan": "pro"})).await;
    assert_eq!(again.status, 201, "a canceled subscription does not block a new one");
}

#[actix_web::test]
async fn subscriptions_need_a_real_customer_and_plan() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let sk = &t.sk_test;
    pro_plan(&app, sk).await;
    let cus = customer(&app, sk, "x@example.com").await;
    let res = app.post("/v1/subscriptions", sk, json!({"customer": "cus_0352sLHK3ZUKZcolbHJtKm", "plan": "pro"})).await;
    assert_eq!((res.status, res.error_param()), (404, Some("customer")));
    let res = app.post("/v1/subscriptions", sk, json!({"customer": "not-an-id", "plan": "pro"})).await;
    assert_eq!((res.status, res.error_param()), (400, Some("customer")));
    let res = app.post("/v1/subscriptions", sk, json!({"customer": cus, "plan": "enterprise"})).await;
    assert_eq!((res.status, res.error_param()), (404, Some("plan")));
    assert_eq!(app.get("/v1/subscriptions/sub_0352sLHK3ZUKZcolbHJtKm", sk).await.status, 404);
    assert_eq!(app.get("/v1/subscriptions?customer=garbage", sk).await.error_param(), Some("customer"));
}

#[actix_web::test]
async fn entitlements_resolve_the_plan_in_force() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let sk = &t.sk_test;
    pro_plan(&app, sk).await;
    app.post("/v1/features", sk, json!({"key": "sso", "name": "SSO", "type": "boolean"})).await;
    app.clock.set(at("2026-07-04T15:00:00Z"));
    let cus = customer(&app, sk, "ent@example.com").await;
    assert_eq!(app.get(&format!("/v1/customers/{cus}/entitlements"), sk).await.body, json!({"data": []}));
    let none = app.get(&format!("/v1/customers/{cus}/entitlements/batch_api"), sk).await;
    assert_eq!((none.status, none.body["has_access"].as_bool()), (200, Some(false)));

    app.post("/v1/subscriptions", sk, json!({"customer": cus, "plan": "pro"})).await;
    let list = app.get(&format!("/v1/customers/{cus}/entitlements"), sk).await;
    let data = list.body["data"].as_array().unwrap();
    assert_eq!(data.len(), 3);
    let by = |k: &str| data.iter().find(|e| e["feature"] == k).unwrap().clone();
    assert_eq!(
        by("api_calls"),
        json!({"feature": "api_calls", "type": "metered", "has_access": true, "limit": 100000, "used": 0, "remaining": 100000,
               "resets_at": "2026-07-05T00:00:00Z", "value": null, "rate_limit": {"limit": 50, "window_seconds": 1}, "overage": "block"})
    );
    assert_eq!(
        (by("batch_api")["type"].as_str(), by("batch_api")["has_access"].as_bool()),
        (Some("boolean"), Some(true))
    );
    assert_eq!(
        (by("support_tier")["type"].as_str(), by("support_tier")["value"].as_str()),
        (Some("config"), Some("dedicated"))
    );

    let one = app.get(&format!("/v1/customers/{cus}/entitlements/api_calls"), sk).await;
    assert_eq!(one.body, by("api_calls"));
    let missing = app.get(&format!("/v1/customers/{cus}/entitlements/sso"), sk).await;
    assert_eq!(
        (missing.status, missing.body["has_access"].as_bool(), missing.body["type"].as_str()),
        (200, Some(false), Some("boolean"))
    );
    assert_eq!(app.get(&format!("/v1/customers/{cus}/entitlements/nope"), sk).await.status, 404);
    assert_eq!(app.get("/v1/customers/cus_0352sLHK3ZUKZcolbHJtKm/entitlements", sk).await.status, 404);
}

#[actix_web::test]
async fn concurrent_subscribes_for_one_customer_create_exactly_one() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let sk = &t.sk_test;
    pro_plan(&app, sk).await;
    let cus = customer(&app, sk, "race@example.com").await;
    let tries: Vec<_> =
        (0..8).map(|_| app.post("/v1/subscriptions", sk, json!({"customer": cus, "plan": "pro"}))).collect();
    let answers = futures_util::future::join_all(tries).await;
    let created = answers.iter().filter(|a| a.status == 201).count();
    assert_eq!(created, 1, "{:?}", answers.iter().map(|a| a.status).collect::<Vec<_>>());
    for a in answers.iter().filter(|a| a.status != 201) {
        assert_eq!((a.status, a.error_code()), (409, "customer_already_subscribed"));
    }
    let list = app.get(&format!("/v1/subscriptions?customer={cus}"), sk).await;
    assert_eq!(list.body["data"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn concurrent_edits_of_a_subscribed_plan_make_consecutive_versions() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let sk = &t.sk_test;
    pro_plan(&app, sk).await;
    let cus = customer(&app, sk, "v@example.com").await;
    app.post("/v1/subscriptions", sk, json!({"customer": cus, "plan": "pro"})).await;
    let edits: Vec<_> =
        (1..=4).map(|i| app.patch("/v1/plans/pro", sk, json!({"amount": format!("{}.00", 100 + i)}))).collect();
    let answers = futures_util::future::join_all(edits).await;
    assert!(answers.iter().all(|a| a.status == 200), "{:?}", answers.iter().map(|a| &a.text).collect::<Vec<_>>());
    // The first edit made version 2; later ones change version 2 in place (nobody is on it yet).
    let latest = app.get("/v1/plans/pro", sk).await;
    assert_eq!(latest.body["version"], 2);
    assert_eq!(app.get("/v1/plans/pro?version=1", sk).await.body["amount"], "99.00");
}
