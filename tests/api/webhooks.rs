//! Outbound webhooks: endpoints, the events outbox, signed deliveries (checked with the
//! `standardwebhooks` crate, the reference implementation), retries, `410 Gone`, rotation,
//! address checks and isolation.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::{json, Value};

use crate::helpers::*;

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Hook {
    headers: actix_web::http::header::HeaderMap,
    body: Vec<u8>,
}

impl Hook {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    /// Verifies the delivery with the reference Standard Webhooks implementation.
    fn verify(&self, secret: &str) -> bool {
        let mut h = hyper::http::HeaderMap::new();
        for name in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
            let v = self.headers.get(name).unwrap().to_str().unwrap();
            h.insert(name, hyper::http::HeaderValue::from_str(v).unwrap());
        }
        standardwebhooks::Webhook::new(secret).unwrap().verify(&self.body, &h).is_ok()
    }
}

/// A receiver on loopback answering the scripted statuses in turn (then 200).
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Hook>>>,
    script: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    async fn start(statuses: &[u16]) -> Receiver {
        Self::start_slow(statuses, Duration::ZERO).await
    }

    /// A receiver that takes `delay` to answer each request.
    async fn start_slow(statuses: &[u16], delay: Duration) -> Receiver {
        let got: Arc<Mutex<Vec<Hook>>> = Arc::default();
        let script = Arc::new(Mutex::new(statuses.iter().copied().collect::<VecDeque<u16>>()));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (g, s) = (got.clone(), script.clone());
        let server = HttpServer::new(move || {
            let (g, s) = (g.clone(), s.clone());
            App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
                let (g, s) = (g.clone(), s.clone());
                async move {
                    tokio::time::sleep(delay).await;
                    g.lock().unwrap().push(Hook { headers: req.headers().clone(), body: body.to_vec() });
                    let status = s.lock().unwrap().pop_front().unwrap_or(200);
                    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).finish()
                }
            }))
        })
        .workers(2)
        .listen(listener)
        .unwrap()
        .run();
        actix_web::rt::spawn(server);
        Receiver { url: format!("http://127.0.0.1:{port}/hooks"), got, script }
    }

    async fn wait_for(&self, n: usize) -> Vec<Hook> {
        for _ in 0..200 {
            if self.got.lock().unwrap().len() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let got = self.got.lock().unwrap().clone();
        assert!(got.len() >= n, "{} deliveries, wanted {n}", got.len());
        got
    }
}

async fn app_with_loopback() -> TestApp {
    spawn_app_with(|s| s.webhook_allow_private_networks = true, None).await
}

async fn endpoint(app: &TestApp, sk: &str, url: &str, events: Value) -> (String, String) {
    let res = app.post("/v1/webhook-endpoints", sk, json!({"url": url, "events": events})).await;
    assert_eq!(res.status, 201, "{}", res.text);
    (res.body["id"].as_str().unwrap().into(), res.body["secret"].as_str().unwrap().into())
}

#[actix_web::test]
async fn an_event_is_delivered_signed_with_the_resource_as_the_api_shows_it() {
    let app = app_with_loopback().await;
    let t = app.signup().await;
    let sk = &t.sk_test;
    let rx = Receiver::start(&[]).await;
    let (id, secret) = endpoint(&app, sk, &rx.url, json!(["customer.created"])).await;
    assert!(secret.starts_with("whsec_"));
    // The secret is shown once.
    let got = app.get(&format!("/v1/webhook-endpoints/{id}"), sk).await;
    assert_eq!((got.status, got.body.get("secret")), (200, None));
    assert_eq!(got.body["status"], "enabled");

    let res = app.post("/v1/customers", sk, json!({"email": "ada@example.com"})).await;
    let customer = res.body.clone();
    let hooks = rx.wait_for(1).await;
    let hook = &hooks[0];
    assert!(hook.verify(&secret), "the reference implementation accepts the signature");
    assert!(!hook.verify("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), "and refuses another secret");
    let body = hook.json();
    assert_eq!(body["type"], "customer.created");
    assert_eq!(body["mode"], "test");
    assert_eq!(body["data"]["object"], customer);
    assert_eq!(hook.headers.get("webhook-id").unwrap().to_str().unwrap(), body["id"].as_str().unwrap());

    // The events API shows the same event, and the endpoint's log the delivery.
    let event = body["id"].as_str().unwrap();
    let listed = app.get("/v1/events?type=customer.created", sk).await;
    assert_eq!(listed.body["data"][0], body);
    assert_eq!(app.get(&format!("/v1/events/{event}"), sk).await.body, body);
    let log = app.get(&format!("/v1/webhook-endpoints/{id}/deliveries"), sk).await;
    assert_eq!((&log.body["data"][0]["status_code"], &log.body["data"][0]["attempt"]), (&json!(200), &json!(1)));

    // Not subscribed: no delivery for an update.
    let cus = customer["id"].as_str().unwrap();
    assert_eq!(app.patch(&format!("/v1/customers/{cus}"), sk, json!({"name": "Ada"})).await.status, 200);
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(rx.got.lock().unwrap().len(), 1);
}

#[actix_web::test]
async fn failures_are_retried_410_disables_and_a_rotation_signs_with_both_secrets() {
    let app = app_with_loopback().await;
    let t = app.signup().await;
    let sk = &t.sk_test;
    let rx = Receiver::start(&[500]).await;
    let (id, old_secret) = endpoint(&app, sk, &rx.url, json!(["*"])).await;
    app.post("/v1/customers", sk, json!({"email": "ada@example.com"})).await;
    rx.wait_for(1).await;
    // The first attempt failed; the next is about 5 s later on the wall clock.
    let mut log = Value::Null;
    for _ in 0..50 {
        log = app.get(&format!("/v1/webhook-endpoints/{id}/deliveries"), sk).await.body;
        if !log["data"].as_array().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(log["data"][0]["status_code"], 500);
    assert!(log["data"][0]["next_attempt_at"].is_string());
    app.clock.advance(chrono::TimeDelta::seconds(6));
    let hooks = rx.wait_for(2).await;
    assert_eq!(hooks[0].headers.get("webhook-id"), hooks[1].headers.get("webhook-id"), "the same id on every attempt");

    // After a rotation both secrets verify, for a day.
    let res = app.post(&format!("/v1/webhook-endpoints/{id}/rotate-secret"), sk, json!({})).await;
    let new_secret = res.body["secret"].as_str().unwrap().to_string();
    assert_ne!(new_secret, old_secret);
    app.post("/v1/customers", sk, json!({"email": "grace@example.com"})).await;
    let hooks = rx.wait_for(3).await;
    assert!(hooks[2].verify(&new_secret) && hooks[2].verify(&old_secret));

    // 410 Gone: disabled at once, and nothing more is sent.
    rx.script.lock().unwrap().push_back(410);
    app.post("/v1/customers", sk, json!({"email": "linus@example.com"})).await;
    rx.wait_for(4).await;
    let mut ep = Value::Null;
    for _ in 0..50 {
        ep = app.get(&format!("/v1/webhook-endpoints/{id}"), sk).await.body;
        if ep["status"] == "disabled" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(ep["status"], "disabled");
    assert!(ep["disabled_reason"].as_str().unwrap().contains("410"));
    // The tenant's people are told.
    let mut told = None;
    for _ in 0..100 {
        told =
            app.state.mailer.outbox().into_iter().find(|m| m.subject.contains("webhook endpoint") && m.to == t.email);
        if told.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let told = told.expect("an email to the tenant's person");
    assert!(told.text.contains(&rx.url) && told.text.contains("410"), "{}", told.text);
    app.post("/v1/customers", sk, json!({"email": "barbara@example.com"})).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(rx.got.lock().unwrap().len(), 4);
}

#[actix_web::test]
async fn private_addresses_are_refused_in_every_spelling() {
    let app = spawn_app().await;
    let t = app.signup().await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://0x7f000001/",
        "http://2130706433/",
        "http://0177.0.0.1/",
        "http://localhost/",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[fd00:ec2::254]/",
        "ftp://example.com/",
        "https://user:pw@example.com/",
    ] {
        let res = app.post("/v1/webhook-endpoints", &t.sk_test, json!({"url": url, "events": ["*"]})).await;
        assert_eq!((res.status, res.error_code()), (400, "url_not_allowed"), "{url}: {}", res.text);
    }
    let res =
        app.post("/v1/webhook-endpoints", &t.sk_test, json!({"url": "http://127.0.0.1/", "events": ["nope"]})).await;
    assert_eq!(res.status / 100, 4);
}

#[actix_web::test]
async fn endpoints_and_events_stay_in_their_tenant_and_mode() {
    let app = app_with_loopback().await;
    let (a, b) = (app.signup().await, app.signup().await);
    let rx = Receiver::start(&[]).await;
    let (id, _) = endpoint(&app, &a.sk_test, &rx.url, json!(["*"])).await;
    for sk in [&b.sk_test, &a.sk_live] {
        assert_eq!(app.get(&format!("/v1/webhook-endpoints/{id}"), sk).await.status, 404);
        assert_eq!(app.delete(&format!("/v1/webhook-endpoints/{id}"), sk).await.status, 404);
    }
    // Another tenant's and another mode's events reach neither this endpoint nor its list.
    app.post("/v1/customers", &b.sk_test, json!({"email": "x@example.com"})).await;
    app.post("/v1/customers", &a.sk_live, json!({"email": "y@example.com"})).await;
    app.post("/v1/customers", &a.sk_test, json!({"email": "z@example.com"})).await;
    let hooks = rx.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(rx.got.lock().unwrap().len(), 1);
    assert_eq!(hooks[0].json()["data"]["object"]["email"], "z@example.com");
    let events = app.get("/v1/events", &a.sk_test).await.body;
    assert_eq!(events["data"].as_array().unwrap().len(), 1);
    let res = app.delete(&format!("/v1/webhook-endpoints/{id}"), &a.sk_test).await;
    assert_eq!((res.status, &res.body["deleted"]), (200, &json!(true)));
}

#[actix_web::test]
async fn every_event_type_arrives_signed_with_its_resource() {
    let app = app_with_loopback().await;
    let t = app.signup().await;
    let sk = &t.sk_test;
    let rx = Receiver::start(&[]).await;
    let (_, secret) = endpoint(&app, sk, &rx.url, json!(["*"])).await;
    // Stripe, for payments.
    app.connect_stripe(&t).await;
    let plan = json!({"key": "basic", "name": "Basic", "currency": "USD", "interval": "month", "amount": "20.00"});
    assert_eq!(app.post("/v1/plans", sk, plan).await.status, 201);

    // A customer who pays, is refunded in part, has a key, and leaves.
    let cus = customer(&app, sk, "ada@example.com").await;
    let res =
        app.post(&format!("/v1/customers/{cus}/payment-method"), sk, json!({"payment_method": "pm_card_visa"})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let sub = app.post("/v1/subscriptions", sk, json!({"customer": cus, "plan": "basic"})).await.body;
    let sub = sub["id"].as_str().unwrap();
    let inv = loop {
        let res = app.get(&format!("/v1/invoices?customer={cus}"), sk).await;
        if res.body["data"][0]["status"] == "paid" {
            break res.body["data"][0]["id"].as_str().unwrap().to_string();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let res = app
        .post(&format!("/v1/invoices/{inv}/credit-notes"), sk, json!({"amount": "1.00", "reason": "duplicate"}))
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let key = app.post(&format!("/v1/customers/{cus}/api-keys"), sk, json!({"name": "prod"})).await.body;
    app.post(&format!("/v1/api-keys/{}/revoke", key["id"].as_str().unwrap()), sk, json!({})).await;
    app.patch(&format!("/v1/customers/{cus}"), sk, json!({"name": "Ada"})).await;
    app.post(&format!("/v1/subscriptions/{sub}/cancel"), sk, json!({"at_period_end": true})).await;
    let res = app.post(&format!("/v1/subscriptions/{sub}/cancel"), sk, json!({"at_period_end": false})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    // A customer whose card is declined; their invoice is given up, another voided.
    let bob = customer(&app, sk, "bob@example.com").await;
    let pm = json!({"payment_method": "pm_card_chargeCustomerFail"});
    assert_eq!(app.post(&format!("/v1/customers/{bob}/payment-method"), sk, pm).await.status, 200);
    app.post("/v1/subscriptions", sk, json!({"customer": bob, "plan": "basic"})).await;
    let mut expected: Vec<&str> = tollgate::events::TYPES.to_vec();
    // Trials and usage thresholds have their own tests.
    expected.retain(|t| {
        !matches!(
            *t,
            "customer.deleted"
                | "invoice.voided"
                | "invoice.uncollectible"
                | "subscription.trial_will_end"
                | "usage.threshold_reached"
        )
    });
    let types =
        |hooks: &[Hook]| hooks.iter().map(|h| h.json()["type"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    let mut hooks = Vec::new();
    for _ in 0..100 {
        hooks = rx.got.lock().unwrap().clone();
        if types(&hooks).iter().any(|t| t == "payment.failed") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let bob_inv =
        app.get(&format!("/v1/invoices?customer={bob}"), sk).await.body["data"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(app.post(&format!("/v1/invoices/{bob_inv}/mark-uncollectible"), sk, json!({})).await.status, 200);
    assert_eq!(app.post(&format!("/v1/invoices/{bob_inv}/void"), sk, json!({})).await.status, 200);
    let carol = customer(&app, sk, "carol@example.com").await;
    assert_eq!(app.delete(&format!("/v1/customers/{carol}"), sk).await.status, 200);
    expected.extend(["customer.deleted", "invoice.voided", "invoice.uncollectible"]);

    let mut seen = Vec::new();
    for _ in 0..100 {
        hooks = rx.got.lock().unwrap().clone();
        seen = types(&hooks);
        if expected.iter().all(|t| seen.iter().any(|s| s == t)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let missing: Vec<_> = expected.iter().filter(|t| !seen.iter().any(|s| s == *t)).collect();
    assert!(missing.is_empty(), "never delivered: {missing:?} (got {seen:?})");
    for h in &hooks {
        assert!(h.verify(&secret), "{}", h.json()["type"]);
        let e = h.json();
        let object = &e["data"]["object"];
        let kind = e["type"].as_str().unwrap();
        // The object is the resource itself, and never a secret.
        assert!(object["id"].is_string(), "{kind}: {object}");
        assert!(object.get("key").is_none() && object.get("secret").is_none(), "{kind}: {object}");
        // What the API answers for the resource now has the same id and kind of fields.
        let prefix = object["id"].as_str().unwrap().split('_').next().unwrap();
        let expected_prefix = match kind.split('.').next().unwrap() {
            "customer" => "cus",
            "subscription" => "sub",
            "invoice" => "in",
            "payment" => "pay",
            "credit_note" => "cn",
            "api_key" => "key",
            other => panic!("an event of an unknown resource: {other}"),
        };
        assert_eq!(prefix, expected_prefix, "{kind}");
    }
    // Every event the API lists is delivered, once (the last ones may still be on their way).
    let listed = app.get("/v1/events?limit=100", sk).await.body["data"].as_array().unwrap().len();
    rx.wait_for(listed).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(rx.got.lock().unwrap().len(), listed);
}

#[actix_web::test]
async fn a_slow_endpoint_does_not_hold_up_the_others() {
    let app = app_with_loopback().await;
    let t = app.signup().await;
    let sk = &t.sk_test;
    let slow = Receiver::start_slow(&[], Duration::from_secs(4)).await;
    let fast = Receiver::start(&[]).await;
    endpoint(&app, sk, &slow.url, json!(["customer.created"])).await;
    endpoint(&app, sk, &fast.url, json!(["customer.created"])).await;
    let started = std::time::Instant::now();
    for i in 0..6 {
        app.post("/v1/customers", sk, json!({"email": format!("c{i}@example.com")})).await;
    }
    fast.wait_for(6).await;
    assert!(started.elapsed() < Duration::from_secs(4), "the fast endpoint waited: {:?}", started.elapsed());
    assert!(slow.got.lock().unwrap().len() < 6, "the slow one is still at it");
}

#[actix_web::test]
async fn a_trial_ending_is_announced_three_days_ahead() {
    let app = app_with_loopback().await;
    let t = app.signup().await;
    let sk = &t.sk_test;
    let rx = Receiver::start(&[]).await;
    endpoint(&app, sk, &rx.url, json!(["subscription.trial_will_end"])).await;
    app.advance(sk, "2027-01-01T00:00:00Z").await;
    let plan = json!({"key": "trial", "name": "Trial", "currency": "USD", "interval": "month", "amount": "20.00", "trial_days": 14});
    assert_eq!(app.post("/v1/plans", sk, plan).await.status, 201);
    let cus = customer(&app, sk, "ada@example.com").await;
    let sub = app.post("/v1/subscriptions", sk, json!({"customer": cus, "plan": "trial"})).await.body;
    app.advance(sk, "2027-01-11T00:00:00Z").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(rx.got.lock().unwrap().is_empty(), "not yet: four days before the end");
    app.advance(sk, "2027-01-12T01:00:00Z").await;
    let hooks = rx.wait_for(1).await;
    let e = hooks[0].json();
    assert_eq!(e["type"], "subscription.trial_will_end");
    assert_eq!(e["created_at"], "2027-01-12T00:00:00Z");
    assert_eq!(e["data"]["object"]["id"], sub["id"]);
    assert_eq!(e["data"]["object"]["trial_end"], "2027-01-15T00:00:00Z");
}

#[actix_web::test]
async fn two_instances_deliver_each_event_once() {
    let app = app_with_loopback().await;
    let other = spawn_instance_on_with(&app, |s| s.webhook_allow_private_networks = true).await;
    let t = app.signup().await;
    let rx = Receiver::start(&[]).await;
    endpoint(&app, &t.sk_test, &rx.url, json!(["customer.created"])).await;
    for i in 0..10 {
        let on = if i % 2 == 0 { &app } else { &other };
        on.post("/v1/customers", &t.sk_test, json!({"email": format!("c{i}@example.com")})).await;
    }
    rx.wait_for(10).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let hooks = rx.got.lock().unwrap().clone();
    let mut ids: Vec<_> =
        hooks.iter().map(|h| h.headers.get("webhook-id").unwrap().to_str().unwrap().to_string()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!((hooks.len(), ids.len()), (10, 10));
}

#[actix_web::test]
async fn usage_thresholds_are_announced_once_per_threshold_and_window() {
    let app = app_with_loopback().await;
    let m = metered(&app, json!({"limit": 10, "reset": "month"})).await;
    let sk = &m.tenant.sk_test;
    let rx = Receiver::start(&[]).await;
    let (_, secret) = endpoint(&app, sk, &rx.url, json!(["usage.threshold_reached"])).await;
    let call = json!({"key": m.key, "feature": "api_calls"});

    // Seven calls: 70 %, nothing yet.
    for _ in 0..7 {
        assert_eq!(app.verify(sk, call.clone()).await.body["valid"], true);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(rx.got.lock().unwrap().is_empty());
    // Six more at once: the 8th call crosses 80 %, the 10th 100 %, the last three are refused.
    let calls = (0..6).map(|_| app.verify(sk, call.clone()));
    let valid = futures_util::future::join_all(calls).await.iter().filter(|r| r.body["valid"] == true).count();
    assert_eq!(valid, 3);
    // Usage recorded past the limit (the usage API records whatever the limit says) and a
    // refused call cross nothing new.
    let usage = json!({"customer": m.customer, "feature": "api_calls", "quantity": 5, "event_id": "late-1"});
    assert_eq!(app.post("/v1/usage", sk, usage).await.status, 201);
    assert_eq!(app.verify(sk, call.clone()).await.body["code"], "USAGE_EXCEEDED");

    let hooks = rx.wait_for(2).await;
    let objects: Vec<Value> = hooks.iter().map(|h| h.json()["data"]["object"].clone()).collect();
    assert!(hooks.iter().all(|h| h.verify(&secret) && h.json()["type"] == "usage.threshold_reached"));
    let mut by_threshold = objects.clone();
    by_threshold.sort_by_key(|o| o["threshold"].as_u64());
    assert_eq!(
        by_threshold
            .iter()
            .map(|o| (o["threshold"].clone(), o["used"].clone(), o["limit"].clone()))
            .collect::<Vec<_>>(),
        vec![(json!(80), json!(8), json!(10)), (json!(100), json!(10), json!(10))]
    );
    for o in &objects {
        assert_eq!((o["customer"].as_str(), o["feature"].as_str()), (Some(m.customer.as_str()), Some("api_calls")));
        assert!(o["resets_at"].is_string() && o["window_start"].is_string(), "{o}");
    }

    // A new month is a new window: a usage batch that takes it to 90 % announces 80 % once.
    let next = chrono::DateTime::parse_from_rfc3339(objects[0]["resets_at"].as_str().unwrap()).unwrap();
    app.advance(sk, &(next + chrono::TimeDelta::hours(1)).to_rfc3339()).await;
    let events: Vec<Value> = (0..9)
        .map(|i| json!({"customer": m.customer, "feature": "api_calls", "quantity": 1, "event_id": format!("n-{i}")}))
        .collect();
    let res = app.post("/v1/usage/batch", sk, json!({ "events": events })).await;
    assert_eq!((res.status, res.body["accepted"].clone()), (200, json!(9)), "{}", res.text);
    let hooks = rx.wait_for(3).await;
    let third = hooks[2].json();
    assert_eq!(
        (third["data"]["object"]["threshold"].clone(), third["data"]["object"]["used"].clone()),
        (json!(80), json!(8))
    );
    assert_ne!(third["data"]["object"]["window_start"], objects[0]["window_start"]);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(rx.got.lock().unwrap().len(), 3);
    let listed = app.get("/v1/events?type=usage.threshold_reached", sk).await;
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 3, "{}", listed.text);
}

#[actix_web::test]
async fn events_are_kept_30_days_and_a_mode_has_at_most_16_endpoints() {
    let app = app_with_loopback().await;
    let t = app.signup().await;
    let sk = &t.sk_test;
    let rx = Receiver::start(&[]).await;
    let (endpoint_id, _) = endpoint(&app, sk, &rx.url, json!(["customer.created"])).await;
    customer(&app, sk, "ada@example.com").await;
    rx.wait_for(1).await;
    assert_eq!(app.get("/v1/events", sk).await.body["data"].as_array().unwrap().len(), 1);
    let deliveries = format!("/v1/webhook-endpoints/{endpoint_id}/deliveries");
    assert_eq!(app.get(&deliveries, sk).await.body["data"].as_array().unwrap().len(), 1);

    // 29 days on, still there; past 30 days, pruned (the worker prunes every hour).
    app.clock.advance(chrono::TimeDelta::days(29));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(app.get("/v1/events", sk).await.body["data"].as_array().unwrap().len(), 1);
    app.clock.advance(chrono::TimeDelta::days(1) + chrono::TimeDelta::hours(2));
    let mut left = 1;
    for _ in 0..50 {
        left = app.get("/v1/events", sk).await.body["data"].as_array().unwrap().len();
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(left, 0);
    assert_eq!(app.get(&deliveries, sk).await.body["data"].as_array().unwrap().len(), 0);

    // Sixteen endpoints per mode; the seventeenth is refused until one is deleted.
    for _ in 1..16 {
        endpoint(&app, sk, &rx.url, json!(["*"])).await;
    }
    let res = app.post("/v1/webhook-endpoints", sk, json!({"url": rx.url, "events": ["*"]})).await;
    assert_eq!((res.status, res.error_code()), (400, "too_many_endpoints"), "{}", res.text);
    let live = app.post("/v1/webhook-endpoints", &t.sk_live, json!({"url": rx.url, "events": ["*"]})).await;
    assert_eq!(live.status, 201, "the other mode has its own: {}", live.text);
    assert_eq!(app.delete(&format!("/v1/webhook-endpoints/{endpoint_id}"), sk).await.status, 200);
    let res = app.post("/v1/webhook-endpoints", sk, json!({"url": rx.url, "events": ["*"]})).await;
    assert_eq!(res.status, 201, "{}", res.text);
}
