use serde_json::json;

use crate::helpers::{customer, pro_plan, spawn_app};

#[actix_web::test]
async fn customers_are_created_read_changed_and_deleted() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let sk = &t.sk_test;
    let res = app
        .post(
            "/v1/customers",
            sk,
            json!({"email": "Billing@Globex.Example", "name": "Globex", "external_id": "globex-42",
            "metadata": {"crm_id": "A-1042"}, "tax_rate": "20"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let id = res.body["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("cus_"));
    assert_eq!(res.body["email"], "billing@globex.example");
    assert_eq!(res.body["tax_rate"], "20");
    assert_eq!(res.body["metadata"], json!({"crm_id": "A-1042"}));

    let path = format!("/v1/customers/{id}");
    assert_eq!(app.get(&path, sk).await.body, res.body);

    let res = app.patch(&path, sk, json!({"name": "Globex Corporation", "tax_rate": 7.25})).await;
    assert_eq!(
        (res.status, res.body["name"].as_str(), res.body["tax_rate"].as_str()),
        (200, Some("Globex Corporation"), Some("7.25"))
    );
    assert_eq!(res.body["external_id"], "globex-42", "fields not sent stay");
    let res = app.patch(&path, sk, json!({"tax_rate": null, "external_id": null, "metadata": {}})).await;
    assert_eq!((res.body["tax_rate"].is_null(), res.body["external_id"].is_null()), (true, true));
    assert_eq!(res.body["metadata"], json!({}));

    let res = app.delete(&path, sk).await;
    assert_eq!((res.status, res.body["deleted"].as_bool()), (200, Some(true)));
    assert_eq!(app.get(&path, sk).await.status, 404);
    assert_eq!(app.patch(&path, sk, json!({"name": "x"})).await.status, 404);
    assert_eq!(app.delete(&path, sk).await.status, 404);
}

#[actix_web::test]
async fn bad_customer_fields_are_refused() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let many: serde_json::Map<String, serde_json::Value> = (0..51).map(|i| (format!("k{i}"), json!("v"))).collect();
    let cases = [
        (json!({"email": "nope"}), "email"),
        (json!({}), "email"),
        (json!({"email": "a@b.io", "tax_rate": "101"}), "tax_rate"),
        (json!({"email": "a@b.io", "tax_rate": -1}), "tax_rate"),
        (json!({"email": "a@b.io", "tax_rate": "7.12345"}), "tax_rate"),
        (json!({"email": "a@b.io", "metadata": many}), "metadata"),
        (json!({"email": "a@b.io", "metadata": {"k": 5}}), "metadata.k"),
        (json!({"email": "a@b.io", "metadata": ["x"]}), "metadata"),
        (json!({"email": "a@b.io", "external_id": ""}), "external_id"),
        (json!({"email": "a@b.io", "vip": true}), "vip"),
    ];
    for (body, param) in cases {
        let res = app.post("/v1/customers", &t.sk_test, body.clone()).await;
        assert_eq!((res.status, res.error_param()), (400, Some(param)), "{body}: {}", res.text);
    }
}

#[actix_web::test]
async fn external_ids_are_unique_per_mode_and_free_again_after_delete() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let body = json!({"email": "a@example.com", "external_id": "user-1"});
    let first = app.post("/v1/customers", &t.sk_test, body.clone()).await;
    assert_eq!(first.status, 201);
    let dup = app.post("/v1/customers", &t.sk_test, body.clone()).await;
    assert_eq!((dup.status, dup.error_code(), dup.error_param()), (409, "external_id_taken", Some("external_id")));
    assert_eq!(app.post("/v1/customers", &t.sk_live, body.clone()).await.status, 201, "live is another namespace");

    let other = customer(&app, &t.sk_test, "b@example.com").await;
    let res = app.patch(&format!("/v1/customers/{other}"), &t.sk_test, json!({"external_id": "user-1"})).await;
    assert_eq!((res.status, res.error_code()), (409, "external_id_taken"));

    app.delete(&format!("/v1/customers/{}", first.body["id"].as_str().unwrap()), &t.sk_test).await;
    assert_eq!(app.post("/v1/customers", &t.sk_test, body).await.status, 201);
}

#[actix_web::test]
async fn customers_are_filtered_and_paged() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let sk = &t.sk_test;
    for i in 0..5 {
        app.post("/v1/customers", sk, json!({"email": format!("c{i}@example.com"), "external_id": format!("ext-{i}")}))
            .await;
    }
    let res = app.get("/v1/customers?email=C3@Example.com", sk).await;
    assert_eq!(res.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(res.body["data"][0]["external_id"], "ext-3");
    let res = app.get("/v1/customers?external_id=ext-1", sk).await;
    assert_eq!(res.body["data"][0]["email"], "c1@example.com");
    assert_eq!(app.get("/v1/customers?email=nobody@example.com", sk).await.body["data"], json!([]));

    let p1 = app.get("/v1/customers?limit=2", sk).await;
    assert_eq!(
        (p1.body["data"][0]["email"].as_str(), p1.body["has_more"].as_bool()),
        (Some("c4@example.com"), Some(true))
    );
    app.post("/v1/customers", sk, json!({"email": "late@example.com"})).await;
    let cursor = p1.body["next_cursor"].as_str().unwrap();
    let p2 = app.get(&format!("/v1/customers?limit=2&cursor={cursor}"), sk).await;
    let emails: Vec<_> = p2.body["data"].as_array().unwrap().iter().map(|c| c["email"].as_str().unwrap()).collect();
    assert_eq!(emails, ["c2@example.com", "c1@example.com"], "an insert does not shift later pages");
}

#[actix_web::test]
async fn a_customer_with_a_live_subscription_cannot_be_deleted() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let sk = &t.sk_test;
    pro_plan(&app, sk).await;
    let cus = customer(&app, sk, "sub@example.com").await;
    let sub = app.post("/v1/subscriptions", sk, json!({"customer": cus, "plan": "pro"})).await;
    let res = app.delete(&format!("/v1/customers/{cus}"), sk).await;
    assert_eq!((res.status, res.error_code()), (409, "customer_has_subscription"));
    let sub_id = sub.body["id"].as_str().unwrap();
    app.post(&format!("/v1/subscriptions/{sub_id}/cancel"), sk, json!({"at_period_end": false})).await;
    assert_eq!(app.delete(&format!("/v1/customers/{cus}"), sk).await.status, 200);
}
