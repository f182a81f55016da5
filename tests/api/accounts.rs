use std::time::Instant;

use actix_web::http::Method;
use base64::Engine;
use chrono::TimeDelta;
use jsonwebtoken::{encode, EncodingKey, Header};
use serde_json::json;
use tollgate::clock::Clock;

use crate::helpers::{spawn_app, JWT_SECRET, PASSWORD};

#[actix_web::test]
async fn signup_creates_a_tenant_a_user_a_token_and_one_key_per_mode() {
    let app = spawn_app().await;
    let res = app
        .post_open("/v1/signup", json!({"organization": "  Acme  ", "email": "Ada@Example.COM", "password": PASSWORD}))
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let b = &res.body;
    assert!(b["tenant"]["id"].as_str().unwrap().starts_with("ten_"));
    assert_eq!(b["tenant"]["name"], "Acme");
    assert!(b["user"]["id"].as_str().unwrap().starts_with("usr_"));
    assert_eq!(b["user"]["email"], "ada@example.com");
    assert!(b["secret_keys"]["test"].as_str().unwrap().starts_with("sk_test_"));
    assert!(b["secret_keys"]["live"].as_str().unwrap().starts_with("sk_live_"));
    assert!(!res.text.contains("password"), "no hash or password in the answer");

    let token = b["access_token"].as_str().unwrap();
    let me = app.get("/v1/tenant", token).await;
    assert_eq!((me.status, &me.body["id"], me.body["mode"].as_str()), (200, &b["tenant"]["id"], Some("test")));
}

#[actix_web::test]
async fn signup_validates_each_field() {
    let app = spawn_app().await;
    let cases = [
        (json!({"organization": "A", "email": "a@b.io", "password": "short"}), "password", "parameter_invalid"),
        (json!({"organization": "A", "email": "not-an-email", "password": PASSWORD}), "email", "parameter_invalid"),
        (json!({"organization": "   ", "email": "a@b.io", "password": PASSWORD}), "organization", "parameter_invalid"),
        (json!({"organization": "A", "email": "a@b.io", "password": "x".repeat(300)}), "password", "parameter_invalid"),
        (json!({"email": "a@b.io", "password": PASSWORD}), "organization", "parameter_missing"),
        (
            json!({"organization": "A", "email": "a@b.io", "password": PASSWORD, "plan": "x"}),
            "plan",
            "parameter_unknown",
        ),
    ];
    for (body, param, code) in cases {
        let res = app.post_open("/v1/signup", body.clone()).await;
        assert_eq!(res.status, 400, "{body}");
        assert_eq!((res.error_code(), res.error_param()), (code, Some(param)), "{body}");
    }
}

#[actix_web::test]
async fn an_email_signs_up_once_whatever_its_case() {
    let app = spawn_app().await;
    let body = |email: &str| json!({"organization": "A", "email": email, "password": PASSWORD});
    assert_eq!(app.post_open("/v1/signup", body("dup@example.com")).await.status, 201);
    let res = app.post_open("/v1/signup", body("DUP@Example.com")).await;
    assert_eq!((res.status, res.error_code(), res.error_param()), (409, "email_taken", Some("email")));
}

#[actix_web::test]
async fn login_works_and_refuses_unknown_email_and_wrong_password_alike() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let res = app.post_open("/v1/auth/login", json!({"email": t.email.to_uppercase(), "password": PASSWORD})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!((res.body["token_type"].as_str(), res.body["expires_in"].as_i64()), (Some("Bearer"), Some(3600)));
    assert_eq!(app.get("/v1/tenant", res.body["access_token"].as_str().unwrap()).await.body["id"], t.id.as_str());

    let time = |email: String, password: &'static str| {
        let app = &app;
        async move {
            let started = Instant::now();
            let res = app.post_open("/v1/auth/login", json!({"email": email, "password": password})).await;
            (started.elapsed(), res)
        }
    };
    let mut wrong = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..3 {
        let (d1, r1) = time(t.email.clone(), "wrong password!").await;
        let (d2, r2) = time("nobody@example.com".into(), "wrong password!").await;
        assert_eq!((r1.status, r2.status), (401, 401));
        assert_eq!(r1.body, r2.body, "the same answer");
        assert_eq!(r1.error_code(), "invalid_credentials");
        wrong.push(d1);
        unknown.push(d2);
    }
    wrong.sort();
    unknown.sort();
    let (w, u) = (wrong[1].as_secs_f64(), unknown[1].as_secs_f64());
    // Both paths run one Argon2 verification; without the dummy hash, an unknown email would
    // answer in a millisecond.
    assert!(u > w * 0.5 && u < w * 2.0, "median wrong-password {w:.4}s vs unknown-email {u:.4}s");
}

fn forge(claims: serde_json::Value, alg: jsonwebtoken::Algorithm, key: &[u8]) -> String {
    encode(&Header::new(alg), &claims, &EncodingKey::from_secret(key)).unwrap()
}

#[actix_web::test]
async fn access_tokens_are_refused_unless_everything_checks_out() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let user = app.get("/v1/tenant", &t.token).await;
    assert_eq!(user.status, 200);
    let key = tollgate::crypto::jwt::signing_key(JWT_SECRET);
    let claims_b64 = t.token.split('.').nth(1).unwrap().to_string();
    let claims: serde_json::Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&claims_b64).unwrap()).unwrap();
    let now = app.clock.now().timestamp();
    let with = |patch: serde_json::Value| {
        let mut c = claims.clone();
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                c.as_object_mut().unwrap().remove(k);
            } else {
                c[k] = v.clone();
            }
        }
        c
    };
    use jsonwebtoken::Algorithm::{HS256, HS384};

    // A token forged by us with the right key and claims is accepted: the cases below fail
    // for the one reason each names.
    let good = forge(with(json!({"iat": now, "exp": now + 600})), HS256, &key);
    assert_eq!(app.get("/v1/tenant", &good).await.status, 200);

    let none_alg = format!(
        "{}.{}.",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
        claims_b64
    );
    let cases = [
        ("alg none", none_alg),
        ("another algorithm", forge(with(json!({})), HS384, &key)),
        ("bad signature", forge(with(json!({})), HS256, b"another key entirely, 32 bytes long")),
        ("the root secret, not the derived key", forge(with(json!({})), HS256, JWT_SECRET.as_bytes())),
        ("wrong audience", forge(with(json!({"aud": "someone-else"})), HS256, &key)),
        ("wrong issuer", forge(with(json!({"iss": "evil"})), HS256, &key)),
        ("no exp", forge(with(json!({"exp": null})), HS256, &key)),
        ("expired", forge(with(json!({"iat": now - 7200, "exp": now - 3600})), HS256, &key)),
        ("lifetime over an hour", forge(with(json!({"iat": now, "exp": now + 86400})), HS256, &key)),
        ("garbage", "not.a.jwt".to_string()),
    ];
    for (why, token) in cases {
        let res = app.get("/v1/tenant", &token).await;
        assert_eq!(res.status, 401, "{why}: {}", res.text);
        assert!(matches!(res.error_code(), "invalid_token" | "token_expired"), "{why}");
        assert_eq!(res.header("www-authenticate"), Some("Bearer"));
    }

    // Our own token expires with the clock.
    app.clock.advance(TimeDelta::seconds(3601));
    let res = app.get("/v1/tenant", &t.token).await;
    assert_eq!((res.status, res.error_code()), (401, "token_expired"));
}

#[actix_web::test]
async fn credentials_must_be_a_bearer_token() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let res = app.send(Method::GET, "/v1/tenant", &[], None).await;
    assert_eq!((res.status, res.error_code()), (401, "authentication_required"));
    assert_eq!(res.header("www-authenticate"), Some("Bearer"));
    let basic = format!("Basic {}", t.sk_test);
    let res = app.send(Method::GET, "/v1/tenant", &[("Authorization", &basic)], None).await;
    assert_eq!((res.status, res.error_code()), (401, "invalid_authorization_header"));
    for bad in ["sk_test_short", "sk_prod_00000000000000000000000000000000", "sk_test_00000000000000000000000000000000"]
    {
        let res = app.get("/v1/tenant", bad).await;
        assert_eq!((res.status, res.error_code()), (401, "invalid_api_key"), "{bad}");
    }
}

#[actix_web::test]
async fn billing_mode_selects_the_mode_of_a_user_token_only() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let user = format!("Bearer {}", t.token);
    let res = app.send(Method::GET, "/v1/tenant", &[("Authorization", &user), ("Billing-Mode", "live")], None).await;
    assert_eq!(res.body["mode"], "live");
    let res = app.send(Method::GET, "/v1/tenant", &[("Authorization", &user), ("Billing-Mode", "prod")], None).await;
    assert_eq!((res.status, res.error_code(), res.error_param()), (400, "parameter_invalid", Some("Billing-Mode")));

    assert_eq!(app.get("/v1/tenant", &t.sk_live).await.body["mode"], "live");
    assert_eq!(app.get("/v1/tenant", &t.sk_test).await.body["mode"], "test");
    let key = format!("Bearer {}", t.sk_test);
    let res = app.send(Method::GET, "/v1/tenant", &[("Authorization", &key), ("Billing-Mode", "live")], None).await;
    assert_eq!((res.status, res.error_code()), (403, "mode_mismatch"));
    let res = app.send(Method::GET, "/v1/tenant", &[("Authorization", &key), ("Billing-Mode", "test")], None).await;
    assert_eq!(res.status, 200);
}

#[actix_web::test]
async fn a_person_sets_the_tenant_name_and_pricing_page() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let res = app
        .patch("/v1/tenant", &t.token, json!({"name": "Acme APIs", "pricing_url": "https://acme.dev/pricing"}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        (res.body["name"].as_str(), res.body["pricing_url"].as_str()),
        (Some("Acme APIs"), Some("https://acme.dev/pricing"))
    );
    assert_eq!(app.get("/v1/tenant", &t.sk_live).await.body["pricing_url"], "https://acme.dev/pricing");
    for bad in
        [json!({"pricing_url": "javascript:alert(1)"}), json!({"pricing_url": "https://"}), json!({"pricing_url": 5})]
    {
        let res = app.patch("/v1/tenant", &t.token, bad.clone()).await;
        assert_eq!((res.status, res.error_param()), (400, Some("pricing_url")), "{bad}");
    }
    let res = app.patch("/v1/tenant", &t.sk_test, json!({"name": "Hijack"})).await;
    assert_eq!((res.status, res.error_code()), (403, "user_token_required"));
    let res = app.patch("/v1/tenant", &t.token, json!({"pricing_url": null})).await;
    assert!(res.body["pricing_url"].is_null());
}
