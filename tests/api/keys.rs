use chrono::TimeDelta;
use diesel::prelude::*;
use serde_json::json;

use crate::helpers::{customer, metered, spawn_app};

#[actix_web::test]
async fn api_keys_are_shown_once_listed_by_prefix_and_stored_as_hashes() {
    let app = spawn_app().await;
    let m = metered(&app, json!({"limit": 1000, "reset": "day"})).await;
    let sk = &m.tenant.sk_test;
    assert!(m.key.starts_with("tg_test_") && m.key.len() == 40);
    assert!(m.key_id.starts_with("key_"));
    let list = app.get(&format!("/v1/customers/{}/api-keys", m.customer), sk).await;
    let item = &list.body["data"][0];
    assert_eq!((item["prefix"].as_str(), item["last4"].as_str()), (Some(&m.key[..12]), Some(&m.key[36..])));
    assert!(item.get("key").is_none() && !list.text.contains(&m.key));
    use tollgate::schema::api_keys::dsl as k;
    let hashes: Vec<Vec<u8>> = k::api_keys.select(k::key_hash).load(&mut app.db()).unwrap();
    assert_eq!(hashes, vec![tollgate::crypto::sha256(m.key.as_bytes()).to_vec()]);

    let res = app.verify(sk, json!({"key": m.key})).await;
    assert_eq!((res.body["valid"].as_bool(), res.body["code"].as_str()), (Some(true), Some("VALID")));
    assert_eq!(res.body["customer"]["id"], m.customer.as_str());
    assert_eq!(res.body["subscription"], json!({"id": m.subscription, "plan": "metered", "status": "active"}));

    let past = (app.clock.now() - TimeDelta::hours(1)).to_rfc3339();
    let res = app.post(&format!("/v1/customers/{}/api-keys", m.customer), sk, json!({"expires_at": past})).await;
    assert_eq!((res.status, res.error_param()), (400, Some("expires_at")));
    assert_eq!(app.post("/v1/customers/cus_0352sLHK3ZUKZcolbHJtKm/api-keys", sk, json!({})).await.status, 404);
}

use tollgate::clock::Clock;

#[actix_web::test]
async fn revoked_expired_and_rotated_keys() {
    let app = spawn_app().await;
    let m = metered(&app, json!({"limit": 1000})).await;
    let sk = &m.tenant.sk_test;

    // Expiry.
    let soon = (app.clock.now() + TimeDelta::minutes(10)).to_rfc3339();
    let expiring = app.post(&format!("/v1/customers/{}/api-keys", m.customer), sk, json!({"expires_at": soon})).await;
    let expiring_key = expiring.body["key"].as_str().unwrap().to_string();
    assert_eq!(app.verify(sk, json!({"key": expiring_key})).await.body["code"], "VALID");
    app.clock.advance(TimeDelta::minutes(11));
    assert_eq!(app.verify(sk, json!({"key": expiring_key})).await.body["code"], "KEY_EXPIRED");

    // Rotation with a grace period: both work, then only the new one.
    let rotated = app.post(&format!("/v1/api-keys/{}/rotate", m.key_id), sk, json!({"grace_seconds": 60})).await;
    assert_eq!(rotated.status, 201, "{}", rotated.text);
    let new_key = rotated.body["key"].as_str().unwrap().to_string();
    assert_ne!(new_key, m.key);
    assert_eq!(app.verify(sk, json!({"key": m.key})).await.body["code"], "VALID");
    assert_eq!(app.verify(sk, json!({"key": new_key})).await.body["code"], "VALID");
    app.clock.advance(TimeDelta::seconds(61));
    assert_eq!(app.verify(sk, json!({"key": m.key})).await.body["code"], "KEY_EXPIRED");
    assert_eq!(app.verify(sk, json!({"key": new_key})).await.body["code"], "VALID");

    // Rotation without grace revokes at once; revocation is immediate.
    let id = rotated.body["id"].as_str().unwrap();
    let again = app.post(&format!("/v1/api-keys/{id}/rotate"), sk, json!({})).await;
    assert_eq!(app.verify(sk, json!({"key": new_key})).await.body["code"], "KEY_REVOKED");
    let newest = again.body["key"].as_str().unwrap().to_string();
    let res = app.post(&format!("/v1/api-keys/{}/revoke", again.body["id"].as_str().unwrap()), sk, json!({})).await;
    assert_eq!(res.status, 200);
    assert_eq!(app.verify(sk, json!({"key": newest})).await.body["code"], "KEY_REVOKED");
    let res = app.post(&format!("/v1/api-keys/{id}/rotate"), sk, json!({})).await;
    assert_eq!((res.status, res.error_code()), (409, "api_key_inactive"));
    let res = app.post(&format!("/v1/api-keys/{id}/rotate"), sk, json!({"grace_seconds": -1})).await;
    assert_eq!((res.status, res.error_param()), (400, Some("grace_seconds")));
}

#[actix_web::test]
async fn keys_belong_to_one_tenant_and_mode() {
    let app = spawn_app().await;
    let a = metered(&app, json!({"limit": 1000})).await;
    let b = app.signup().await;
    // Tenant B's secret key verifying tenant A's customer key.
    let res = app.verify(&b.sk_test, json!({"key": a.key, "feature": "api_calls"})).await;
    assert_eq!((res.body["valid"].as_bool(), res.body["code"].as_str()), (Some(false), Some("KEY_NOT_FOUND")));
    assert!(res.body.get("customer").is_none(), "nothing about A leaks");
    // A's own live key does not see test keys.
    assert_eq!(app.verify(&a.tenant.sk_live, json!({"key": a.key})).await.body["code"], "KEY_NOT_FOUND");
    // B cannot revoke, rotate or list A's keys.
    assert_eq!(app.post(&format!("/v1/api-keys/{}/revoke", a.key_id), &b.sk_test, json!({})).await.status, 404);
    assert_eq!(app.post(&format!("/v1/api-keys/{}/rotate", a.key_id), &b.sk_test, json!({})).await.status, 404);
    assert_eq!(app.get(&format!("/v1/customers/{}/api-keys", a.customer), &b.sk_test).await.status, 404);
    assert_eq!(app.verify(&a.tenant.sk_test, json!({"key": a.key})).await.body["code"], "VALID", "A's key still works");
    // A deleted customer's keys stop working.
    let other = customer(&app, &a.tenant.sk_test, "gone@example.com").await;
    let key = app.post(&format!("/v1/customers/{other}/api-keys"), &a.tenant.sk_test, json!({})).await;
    app.delete(&format!("/v1/customers/{other}"), &a.tenant.sk_test).await;
    assert_eq!(app.verify(&a.tenant.sk_test, json!({"key": key.body["key"]})).await.body["code"], "KEY_NOT_FOUND");
}
