use chrono::TimeDelta;
use diesel::prelude::*;
use serde_json::json;
use tollgate::auth::{Actor, Auth};
use tollgate::clock::Clock;
use tollgate::idempotency::Digests;
use tollgate::tenancy::{Mode, Scope};

use crate::helpers::{spawn_app, spawn_app_with, Tenant, TestApp};

async fn key_count(app: &TestApp, t: &Tenant) -> usize {
    app.get("/v1/secret-keys?limit=100", &t.token).await.body["data"].as_array().unwrap().len()
}

#[actix_web::test]
async fn the_same_key_and_body_replay_the_first_answer() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let body = json!({"name": "deploy", "mode": "live"});
    let first = app.post_with("/v1/secret-keys", &t.token, body.clone(), &[("Idempotency-Key", "req-1")]).await;
    assert_eq!(first.status, 201);
    assert_eq!(first.header("idempotent-replayed"), None);
    let again = app.post_with("/v1/secret-keys", &t.token, body.clone(), &[("Idempotency-Key", "req-1")]).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.text, first.text, "byte-identical answer, the shown-once key included");
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(key_count(&app, &t).await, 3, "one effect");

    // Stored encrypted: the plaintext key is not in the table.
    let key = first.body["key"].as_str().unwrap();
    let mut conn = app.db();
    let stored: Vec<Option<Vec<u8>>> = tollgate::schema::idempotency_keys::table
        .select(tollgate::schema::idempotency_keys::response)
        .load(&mut conn)
        .unwrap();
    assert_eq!(stored.len(), 1);
    let blob = stored[0].clone().unwrap();
    assert!(!blob.windows(key.len()).any(|w| w == key.as_bytes()));

    // A different key runs anew.
    let other = app.post_with("/v1/secret-keys", &t.token, body, &[("Idempotency-Key", "req-2")]).await;
    assert_ne!(other.body["id"], first.body["id"]);
}

#[actix_web::test]
async fn the_same_key_with_another_body_is_422() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let h = [("Idempotency-Key", "req-1")];
    assert_eq!(app.post_with("/v1/secret-keys", &t.token, json!({"name": "a", "mode": "test"}), &h).await.status, 201);
    let res = app.post_with("/v1/secret-keys", &t.token, json!({"name": "b", "mode": "test"}), &h).await;
    assert_eq!(
        (res.status, res.error_code(), res.error_param()),
        (422, "idempotency_key_reused", Some("Idempotency-Key"))
    );
    assert_eq!(key_count(&app, &t).await, 3);
}

#[actix_web::test]
async fn concurrent_identical_requests_have_one_effect_and_one_answer() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let body = json!({"name": "race", "mode": "test"});
    let futures: Vec<_> = (0..12)
        .map(|_| app.post_with("/v1/secret-keys", &t.token, body.clone(), &[("Idempotency-Key", "same-key")]))
        .collect();
    let answers = futures_util::future::join_all(futures).await;
    for a in &answers {
        assert_eq!(a.status, 201, "{}", a.text);
        assert_eq!(a.text, answers[0].text);
    }
    assert_eq!(key_count(&app, &t).await, 3, "exactly one key created");
}

#[actix_web::test]
async fn a_request_still_running_elsewhere_is_409() {
    let app = spawn_app_with(|s| s.idempotency_wait = std::time::Duration::from_millis(100), None).await;
    let t = app.signup().await;
    let body = json!({"name": "slow", "mode": "test"});
    let tenant: tollgate::ids::TenantId = t.id.parse().unwrap();
    let scope = Scope { tenant_id: tenant, mode: Mode::Test };
    let auth = Auth { scope, actor: Actor::User(t.user_id.parse().unwrap()) };
    let d = Digests::new(
        &app.state.idempotency_secret,
        auth,
        "busy",
        "POST",
        "/v1/secret-keys",
        "",
        body.to_string().as_bytes(),
    );
    // Another instance has claimed the key and not finished.
    let now = app.clock.now();
    let mut conn = app.db();
    tollgate::idempotency::repo::begin(
        &mut conn,
        scope,
        &d.key_digest,
        &d.request_digest,
        now,
        TimeDelta::seconds(60),
        TimeDelta::hours(24),
    )
    .unwrap();

    let res = app.post_with("/v1/secret-keys", &t.token, body.clone(), &[("Idempotency-Key", "busy")]).await;
    assert_eq!((res.status, res.error_code()), (409, "idempotency_key_in_use"));
    assert_eq!(key_count(&app, &t).await, 2);

    // A claim whose server died (older than a minute) is taken over.
    app.clock.advance(TimeDelta::seconds(61));
    let res = app.post_with("/v1/secret-keys", &t.token, body, &[("Idempotency-Key", "busy")]).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(key_count(&app, &t).await, 3);
}

#[actix_web::test]
async fn keys_are_scoped_per_tenant_and_mode_and_expire_after_a_day() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let b = app.signup().await;
    let body = json!({"name": "x", "mode": "test"});
    let h = [("Idempotency-Key", "shared-name")];
    let ra = app.post_with("/v1/secret-keys", &a.token, body.clone(), &h).await;
    let rb = app.post_with("/v1/secret-keys", &b.token, body.clone(), &h).await;
    assert_eq!((ra.status, rb.status), (201, 201));
    assert_ne!(ra.body["id"], rb.body["id"], "B never sees A's answer");
    let live = app
        .post_with(
            "/v1/secret-keys",
            &a.token,
            body.clone(),
            &[("Idempotency-Key", "shared-name"), ("Billing-Mode", "live")],
        )
        .await;
    assert_eq!(live.status, 201);
    assert_ne!(live.body["id"], ra.body["id"], "live and test keep separate keys");

    app.clock.advance(TimeDelta::hours(25));
    // The token is long expired by now: log in again.
    let login = app.post_open("/v1/auth/login", json!({"email": a.email, "password": crate::helpers::PASSWORD})).await;
    let token = login.body["access_token"].as_str().unwrap();
    let later = app.post_with("/v1/secret-keys", token, body, &h).await;
    assert_eq!(later.status, 201);
    assert_eq!(later.header("idempotent-replayed"), None);
    assert_ne!(later.body["id"], ra.body["id"], "forgotten after 24 hours");
}

#[actix_web::test]
async fn malformed_keys_are_refused() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let long = "k".repeat(256);
    for bad in [long.as_str(), "has space", "tab\there"] {
        let res = app
            .post_with("/v1/secret-keys", &t.token, json!({"name": "x", "mode": "test"}), &[("Idempotency-Key", bad)])
            .await;
        assert_eq!((res.status, res.error_param()), (400, Some("Idempotency-Key")), "{bad:?}");
    }
    assert_eq!(key_count(&app, &t).await, 2);
}

#[actix_web::test]
async fn an_answer_is_never_replayed_to_another_credential() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let h = [("Idempotency-Key", "K")];
    let body = json!({"name": "production server", "mode": "live"});
    let first = app.post_with("/v1/secret-keys", &t.token, body.clone(), &h).await;
    assert_eq!(first.status, 201, "{}", first.text);
    let live_key = first.body["key"].as_str().unwrap();
    assert!(live_key.starts_with("sk_live_"));

    // The tenant's test secret key sends the same request with the same key: it runs as its own
    // request (and a secret key may not create secret keys), never seeing the live key.
    let other = app.post_with("/v1/secret-keys", &t.sk_test, body.clone(), &h).await;
    assert_eq!((other.status, other.error_code()), (403, "user_token_required"), "{}", other.text);
    assert!(!other.text.contains(live_key));
    assert_eq!(other.header("idempotent-replayed"), None);

    // So is the live secret key.
    let live = app.post_with("/v1/secret-keys", &t.sk_live, body.clone(), &h).await;
    assert_eq!(live.status, 403);
    assert!(!live.text.contains(live_key));

    // A resource a secret key may create: each credential gets its own answer.
    let cbody = json!({"email": "ada@example.com"});
    let a = app.post_with("/v1/customers", &t.sk_test, cbody.clone(), &[("Idempotency-Key", "C")]).await;
    let b = app.post_with("/v1/customers", &t.token, cbody.clone(), &[("Idempotency-Key", "C")]).await;
    assert_eq!((a.status, b.status), (201, 201), "{} {}", a.text, b.text);
    assert_ne!(a.body["id"], b.body["id"]);
    assert_eq!(b.header("idempotent-replayed"), None);
    // The same credential still replays its own answer.
    let again = app.post_with("/v1/customers", &t.sk_test, cbody, &[("Idempotency-Key", "C")]).await;
    assert_eq!((again.header("idempotent-replayed"), again.text.as_str()), (Some("true"), a.text.as_str()));
}

#[actix_web::test]
async fn a_revoked_secret_key_gets_401_not_a_replay() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let made = app.post("/v1/secret-keys", &t.token, json!({"name": "ci", "mode": "test"})).await;
    let (sk, sk_id) = (made.body["key"].as_str().unwrap(), made.body["id"].as_str().unwrap());
    let h = [("Idempotency-Key", "create-cus")];
    let first = app.post_with("/v1/customers", sk, json!({"email": "a@example.com"}), &h).await;
    assert_eq!(first.status, 201);
    assert_eq!(app.delete(&format!("/v1/secret-keys/{sk_id}"), &t.token).await.status, 200);
    let again = app.post_with("/v1/customers", sk, json!({"email": "a@example.com"}), &h).await;
    assert_eq!((again.status, again.error_code()), (401, "api_key_revoked"));
}

#[actix_web::test]
async fn verify_is_never_replayed() {
    let app = spawn_app().await;
    let m = crate::helpers::metered(&app, json!({"feature": "api_calls", "limit": 100})).await;
    let h = [("Idempotency-Key", "verify-1")];
    let body = json!({"key": m.key, "feature": "api_calls", "quantity": 0});
    let first = app.post_with("/v1/verify", &m.tenant.sk_test, body.clone(), &h).await;
    assert_eq!(first.body["code"], "VALID", "{}", first.text);
    let revoked = app.post(&format!("/v1/api-keys/{}/revoke", m.key_id), &m.tenant.sk_test, json!({})).await;
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    let again = app.post_with("/v1/verify", &m.tenant.sk_test, body, &h).await;
    assert_eq!(again.header("idempotent-replayed"), None);
    assert_eq!(again.body["code"], "KEY_REVOKED", "{}", again.text);

    // Usage is made safe by its event id, and is never replayed either.
    let usage = json!({"customer": m.customer, "feature": "api_calls", "quantity": 1, "event_id": "e1"});
    let first = app.post_with("/v1/usage", &m.tenant.sk_test, usage.clone(), &[("Idempotency-Key", "u")]).await;
    let again = app.post_with("/v1/usage", &m.tenant.sk_test, usage, &[("Idempotency-Key", "u")]).await;
    assert_eq!((first.status, again.status), (201, 200), "{} {}", first.text, again.text);
    assert_eq!((again.header("idempotent-replayed"), &again.body["duplicate"]), (None, &json!(true)));
}

#[actix_web::test]
async fn signup_and_login_ignore_the_header_whatever_it_holds() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let h = [("Idempotency-Key", "has space")];
    let login = json!({"email": t.email, "password": crate::helpers::PASSWORD});
    let res = app
        .send(
            actix_web::http::Method::POST,
            "/v1/auth/login",
            &[h[0], ("Content-Type", "application/json")],
            Some(login.to_string().into_bytes()),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
}
