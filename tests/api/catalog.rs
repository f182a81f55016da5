use serde_json::json;

use crate::helpers::{api_md_plan, customer, pro_plan, spawn_app};

#[actix_web::test]
async fn features_are_created_listed_and_validated() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let sk = &t.sk_test;
    let res = app
        .post(
            "/v1/features",
            sk,
            json!({"key": "api_calls", "name": "API calls", "type": "metered", "unit": "request"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert!(res.body["id"].as_str().unwrap().starts_with("feat_"));
    assert_eq!(res.body["aggregation"], "sum", "sum of quantity by default");
    let res = app.post("/v1/features", sk, json!({"key": "models", "name": "Models used", "type": "metered", "aggregation": "unique_count", "property": "model"})).await;
    assert_eq!((res.status, &res.body["property"]), (201, &json!("model")));
    app.post("/v1/features", sk, json!({"key": "sso", "name": "SSO", "type": "boolean"})).await;

    assert_eq!(app.get("/v1/features/api_calls", sk).await.body["unit"], "request");
    let list = app.get("/v1/features", sk).await;
    let keys: Vec<_> =
        list.body["data"].as_array().unwrap().iter().map(|f| f["key"].as_str().unwrap().to_string()).collect();
    assert_eq!(keys, ["sso", "models", "api_calls"]);
    assert_eq!(app.get("/v1/features/nope", sk).await.status, 404);

    let dup = app.post("/v1/features", sk, json!({"key": "api_calls", "name": "again", "type": "boolean"})).await;
    assert_eq!((dup.status, dup.error_code(), dup.error_param()), (409, "resource_already_exists", Some("key")));

    let cases = [
        (json!({"key": "a b", "name": "x", "type": "boolean"}), "key"),
        (json!({"key": "x", "name": "x", "type": "toggle"}), "type"),
        (json!({"key": "x", "name": "x", "type": "metered", "aggregation": "max"}), "property"),
        (json!({"key": "x", "name": "x", "type": "metered", "aggregation": "sum", "property": "p"}), "property"),
        (json!({"key": "x", "name": "x", "type": "boolean", "aggregation": "sum"}), "aggregation"),
        (json!({"key": "x", "name": "x", "type": "config", "unit": "MB"}), "unit"),
        (json!({"key": "x", "name": "x", "type": "metered", "aggregation": "median"}), "aggregation"),
    ];
    for (body, param) in cases {
        let res = app.post("/v1/features", sk, body.clone()).await;
        assert_eq!((res.status, res.error_param()), (400, Some(param)), "{body}: {}", res.text);
    }
}

#[actix_web::test]
async fn the_api_md_plan_is_expressible_and_shown_canonically() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let plan = pro_plan(&app, &t.sk_test).await;
    assert!(plan["id"].as_str().unwrap().starts_with("plan_"));
    assert_eq!(
        (plan["version"].as_i64(), plan["amount"].as_str(), plan["currency"].as_str()),
        (Some(1), Some("99.00"), Some("USD"))
    );
    assert_eq!(
        (plan["interval"].as_str(), plan["interval_count"].as_i64(), plan["billing"].as_str()),
        (Some("month"), Some(1), Some("in_advance"))
    );
    assert_eq!(
        plan["entitlements"],
        json!([
            {"feature": "batch_api"},
            {"feature": "api_calls", "limit": 100000, "reset": "day", "overage": "block", "rate_limit": {"limit": 50, "window_seconds": 1}},
            {"feature": "support_tier", "value": "dedicated"}])
    );
    assert_eq!(
        plan["charges"],
        json!([
            {"model": "per_unit", "feature": "api_calls", "unit_amount": "0.002", "included": 50000},
            {"model": "graduated", "feature": "data_mb", "tiers": [
                {"up_to": 1000, "unit_amount": "0.00", "flat_amount": "0.00"},
                {"up_to": null, "unit_amount": "0.01", "flat_amount": "0.00"}]},
            {"model": "volume", "feature": "inferences", "tiers": [
                {"up_to": 100, "unit_amount": "0.05", "flat_amount": "0.00"},
                {"up_to": null, "unit_amount": "0.04", "flat_amount": "0.00"}]},
            {"model": "package", "feature": "exports", "package_size": 1000, "package_amount": "1.00", "included": 0}])
    );
    let got = app.get("/v1/plans/pro", &t.sk_test).await;
    assert_eq!(got.body, plan);
    let dup = app.post("/v1/plans", &t.sk_test, api_md_plan()).await;
    assert_eq!((dup.status, dup.error_code(), dup.error_param()), (409, "resource_already_exists", Some("key")));
}

#[actix_web::test]
async fn invalid_plans_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let t = app.signup().await;
    pro_plan(&app, &t.sk_test).await;
    let with = |patch: serde_json::Value| {
        let mut p = api_md_plan();
        p["key"] = json!("other");
        for (k, v) in patch.as_object().unwrap() {
            p[k] = v.clone();
        }
        p
    };
    let cases = [
        (with(json!({"entitlements": [{"feature": "unknown_feature"}]})), "entitlements[0].feature"),
        (
            with(json!({"charges": [{"feature": "batch_api", "model": "per_unit", "unit_amount": "1"}]})),
            "charges[0].feature",
        ),
        (with(json!({"entitlements": [{"feature": "batch_api", "limit": 5}]})), "entitlements[0].limit"),
        (
            with(
                json!({"charges": [{"feature": "data_mb", "model": "graduated", "tiers": [{"up_to": 500}, {"up_to": 100}, {"up_to": null}]}]}),
            ),
            "charges[0].tiers[1].up_to",
        ),
        (
            with(json!({"charges": [{"feature": "data_mb", "model": "graduated", "tiers": [{"up_to": 500}]}]})),
            "charges[0].tiers[0].up_to",
        ),
        (with(json!({"amount": "-5.00"})), "amount"),
        (with(json!({"amount": "ninety"})), "amount"),
        (with(json!({"amount": 99})), "amount"),
        (
            with(json!({"charges": [{"feature": "api_calls", "model": "per_unit", "unit_amount": "0.0000000000001"}]})),
            "charges[0].unit_amount",
        ),
        (with(json!({"currency": "XYZ"})), "currency"),
        (
            with(
                json!({"charges": [{"feature": "api_calls", "model": "per_unit", "unit_amount": "1", "currency": "EUR"}]}),
            ),
            "charges[0].currency",
        ),
        (with(json!({"interval": "fortnight"})), "interval"),
        (with(json!({"charges": [{"feature": "api_calls", "model": "tiered"}]})), "charges[0].model"),
    ];
    for (body, param) in cases {
        let res = app.post("/v1/plans", &t.sk_test, body.clone()).await;
        assert_eq!(res.status, 400, "{param}: {}", res.text);
        assert_eq!(res.error_param(), Some(param), "{}", res.text);
    }
    assert_eq!(
        app.get("/v1/plans", &t.sk_test).await.body["data"].as_array().unwrap().len(),
        1,
        "nothing half-created"
    );
}

#[actix_web::test]
async fn editing_a_plan_with_subscribers_makes_a_new_version() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let sk = &t.sk_test;
    pro_plan(&app, sk).await;

    // No subscriber yet: edited in place.
    let res = app.patch("/v1/plans/pro", sk, json!({"name": "Pro (2026)"})).await;
    assert_eq!(
        (res.status, res.body["version"].as_i64(), res.body["name"].as_str()),
        (200, Some(1), Some("Pro (2026)"))
    );

    let cus = customer(&app, sk, "first@example.com").await;
    let sub = app.post("/v1/subscriptions", sk, json!({"customer": cus, "plan": "pro"})).await;
    assert_eq!((sub.status, sub.body["plan_version"].as_i64()), (201, Some(1)));

    let res = app
        .patch(
            "/v1/plans/pro",
            sk,
            json!({"amount": "109.00", "entitlements": [{"feature": "api_calls", "limit": 200000, "reset": "day"}]}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!((res.body["version"].as_i64(), res.body["amount"].as_str()), (Some(2), Some("109.00")));
    assert_eq!(res.body["charges"].as_array().unwrap().len(), 4, "charges not given stay as they were");
    assert_eq!(res.body["name"], "Pro (2026)");

    let v1 = app.get("/v1/plans/pro?version=1", sk).await;
    assert_eq!(
        (v1.body["version"].as_i64(), v1.body["amount"].as_str(), v1.body["latest_version"].as_i64()),
        (Some(1), Some("99.00"), Some(2))
    );
    assert_eq!(v1.body["entitlements"][1]["limit"], 100000, "version 1 is untouched");
    assert_eq!(app.get("/v1/plans/pro", sk).await.body["version"], 2);
    assert_eq!(app.get("/v1/plans/pro?version=3", sk).await.status, 404);

    // The subscriber keeps version 1; a new subscriber gets version 2.
    let id = sub.body["id"].as_str().unwrap();
    assert_eq!(app.get(&format!("/v1/subscriptions/{id}"), sk).await.body["plan_version"], 1);
    let ent = app.get(&format!("/v1/customers/{cus}/entitlements/api_calls"), sk).await;
    assert_eq!(ent.body["limit"], 100000);
    let cus2 = customer(&app, sk, "second@example.com").await;
    let sub2 = app.post("/v1/subscriptions", sk, json!({"customer": cus2, "plan": "pro"})).await;
    assert_eq!(sub2.body["plan_version"], 2);

    let bad = app
        .patch("/v1/plans/pro", sk, json!({"charges": [{"feature": "nope", "model": "per_unit", "unit_amount": "1"}]}))
        .await;
    assert_eq!((bad.status, bad.error_param()), (400, Some("charges[0].feature")));
    assert_eq!(app.get("/v1/plans/pro", sk).await.body["version"], 2, "a refused edit changes nothing");
}

#[actix_web::test]
async fn archived_plans_take_no_new_subscriptions() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let sk = &t.sk_test;
    pro_plan(&app, sk).await;
    let a = customer(&app, sk, "a@example.com").await;
    let existing = app.post("/v1/subscriptions", sk, json!({"customer": a, "plan": "pro"})).await;
    let res = app.post("/v1/plans/pro/archive", sk, json!({})).await;
    assert_eq!((res.status, res.body["archived"].as_bool()), (200, Some(true)));

    let b = customer(&app, sk, "b@example.com").await;
    let res = app.post("/v1/subscriptions", sk, json!({"customer": b, "plan": "pro"})).await;
    assert_eq!((res.status, res.error_code(), res.error_param()), (400, "plan_archived", Some("plan")));
    let id = existing.body["id"].as_str().unwrap();
    assert_eq!(app.get(&format!("/v1/subscriptions/{id}"), sk).await.body["status"], "active", "existing ones go on");

    assert_eq!(app.get("/v1/plans?archived=false", sk).await.body["data"].as_array().unwrap().len(), 0);
    assert_eq!(app.get("/v1/plans?archived=true", sk).await.body["data"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn the_four_example_catalogs_load_through_the_api() {
    let app = spawn_app().await;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/catalogs");
    // (file, features, plans, a plan to check, what its api_calls entitlement or charge says)
    let cases = [("freemium.json", 1, 4), ("pay-as-you-go.json", 3, 1), ("tiered.json", 7, 3), ("hybrid.json", 1, 1)];
    for (file, features, plans) in cases {
        let t = app.signup().await;
        let catalog: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(root.join(file)).unwrap()).unwrap();
        let report = tollgate::catalog::loader::load(&app.address, &t.sk_test, &catalog).await.unwrap();
        assert_eq!((report.features_created, report.plans_created), (features, plans), "{file}");
        let again = tollgate::catalog::loader::load(&app.address, &t.sk_test, &catalog).await.unwrap();
        assert_eq!(
            (again.features_existing, again.plans_existing, again.plans_created),
            (features, plans, 0),
            "{file} twice"
        );
        let listed = app.get("/v1/plans", &t.sk_test).await;
        assert_eq!(listed.body["data"].as_array().unwrap().len(), plans, "{file}");
        let plan =
            |key: &str| listed.body["data"].as_array().unwrap().iter().find(|p| p["key"] == key).unwrap().clone();
        match file {
            "freemium.json" => {
                for (key, amount, per_day, per_second) in [
                    ("free", "0.00", 100, 1),
                    ("starter", "29.00", 10000, 10),
                    ("pro", "99.00", 100000, 50),
                    ("business", "499.00", 1000000, 100),
                ] {
                    let p = plan(key);
                    assert_eq!(p["amount"], amount);
                    assert_eq!(p["entitlements"][0]["limit"], per_day);
                    assert_eq!(p["entitlements"][0]["reset"], "day");
                    assert_eq!(p["entitlements"][0]["rate_limit"], json!({"limit": per_second, "window_seconds": 1}));
                }
            }
            "pay-as-you-go.json" => {
                let p = plan("payg");
                assert_eq!(p["amount"], "0.00");
                assert_eq!(
                    p["charges"][0],
                    json!({"model": "per_unit", "feature": "api_calls", "unit_amount": "0.001", "included": 100000})
                );
                assert_eq!(p["charges"][1]["unit_amount"], "0.01");
                assert_eq!(p["charges"][2]["unit_amount"], "0.05");
            }
            "tiered.json" => {
                let granted = |key: &str| -> Vec<String> {
                    plan(key)["entitlements"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|e| e["feature"].as_str().unwrap().to_string())
                        .collect()
                };
                assert_eq!(plan("starter")["amount"], "29.00");
                assert!(!granted("starter").contains(&"batch_api".to_string()));
                assert!(granted("pro").contains(&"batch_api".to_string()));
                assert!(
                    granted("business").contains(&"webhooks".to_string())
                        && granted("business").contains(&"sla".to_string())
                );
                assert_eq!(plan("business")["amount"], "299.00");
                let limit = |key: &str| {
                    plan(key)["entitlements"].as_array().unwrap().iter().find(|e| e["feature"] == "api_calls").unwrap()
                        ["limit"]
                        .clone()
                };
                assert_eq!(
                    (limit("starter"), limit("pro"), limit("business")),
                    (json!(1000), json!(50000), json!(500000))
                );
            }
            _ => {
                let p = plan("pro");
                assert_eq!(p["amount"], "99.00");
                assert_eq!(
                    p["charges"][0],
                    json!({"model": "per_unit", "feature": "api_calls", "unit_amount": "0.002", "included": 50000})
                );
                assert_eq!(
                    p["entitlements"][0],
                    json!({"feature": "api_calls", "limit": null, "reset": "billing_period", "overage": "block"})
                );
            }
        }
    }
}
