//! Payments through Stripe, end to end against the fake Stripe server (`fake-stripe/`), which
//! the real `async-stripe` client talks to unchanged: connecting an account, payment methods,
//! collection on finalization, dunning, webhooks, credit notes and refunds, Stripe's units.

use std::time::Duration;

use actix_web::http::Method;
use diesel::RunQueryDsl;
use fake_stripe::{Account, Delivery, Fault};
use serde_json::{json, Value};

use crate::helpers::*;

const T0: &str = "2027-01-01T00:00:00Z";

/// A flat plan billed in advance, in `currency`.
async fn plan(app: &TestApp, sk: &str, key: &str, currency: &str, amount: &str) {
    let body = json!({"key": key, "name": key, "currency": currency, "interval": "month", "amount": amount,
        "billing": "in_advance", "trial_days": 0});
    let res = app.post("/v1/plans", sk, body).await;
    assert_eq!(res.status, 201, "{}", res.text);
}

async fn attach(app: &TestApp, sk: &str, customer: &str, pm: &str) -> Res {
    app.post(&format!("/v1/customers/{customer}/payment-method"), sk, json!({"payment_method": pm})).await
}

/// A connected tenant whose customer has `pm` and subscribes to a `currency` `amount` plan at
/// T0: its first invoice is finalized at once and collected by a job (run by the worker, or by
/// the advance to T0 + 2 h at the latest).
struct Paying {
    t: Tenant,
    acct: Account,
    customer: String,
    subscription: String,
}

async fn paying(app: &TestApp, pm: &str, currency: &str, amount: &str) -> Paying {
    let t = app.signup().await;
    let acct = app.connect_stripe(&t).await;
    app.advance(&t.sk_test, T0).await;
    plan(app, &t.sk_test, "basic", currency, amount).await;
    let customer = customer(app, &t.sk_test, "payer@example.com").await;
    let res = attach(app, &t.sk_test, &customer, pm).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let sub = app.post("/v1/subscriptions", &t.sk_test, json!({"customer": customer, "plan": "basic"})).await;
    assert_eq!(sub.status, 201, "{}", sub.text);
    app.advance(&t.sk_test, "2027-01-01T02:00:00Z").await;
    Paying { t, acct, customer, subscription: sub.body["id"].as_str().unwrap().into() }
}

async fn the_invoice(app: &TestApp, p: &Paying) -> Value {
    let res = app.get(&format!("/v1/invoices?customer={}", p.customer), &p.t.sk_test).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let list = res.body["data"].as_array().unwrap();
    list.last().expect("the customer has an invoice").clone()
}

async fn payments_of(app: &TestApp, sk: &str, invoice: &str) -> Vec<Value> {
    let res = app.get(&format!("/v1/invoices/{invoice}/payments"), sk).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body["data"].as_array().unwrap().clone()
}

/// Polls `path` until `done` holds (webhooks and jobs run in the background).
async fn eventually(app: &TestApp, path: &str, sk: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..100 {
        let res = app.get(path, sk).await;
        if res.status == 200 && done(&res.body) {
            return res.body;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{path} never reached the expected state: {}", app.get(path, sk).await.text);
}

/// The first email whose subject starts so (emails are sent by jobs, in the background).
async fn mail_starting(app: &TestApp, subject: &str) -> tollgate::email::Sent {
    for _ in 0..100 {
        if let Some(m) = app.state.mailer.outbox().into_iter().find(|m| m.subject.starts_with(subject)) {
            return m;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no email {subject:?}: {:?}", app.state.mailer.outbox().iter().map(|m| &m.subject).collect::<Vec<_>>());
}

#[actix_web::test]
async fn connecting_checks_the_key_registers_a_webhook_endpoint_and_keeps_secrets_sealed() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let fake = fake_stripe();
    let acct = fake.create_account(false);

    // Only a person connects, with a key of the mode they act in, that Stripe accepts.
    let res = app.put("/v1/stripe-account", &t.sk_test, json!({"api_key": acct.secret_key})).await;
    assert_eq!((res.status, res.error_code()), (403, "user_token_required"));
    let live = fake.create_account(true);
    let res = app.put("/v1/stripe-account", &t.token, json!({"api_key": live.secret_key})).await;
    assert_eq!((res.status, res.error_code()), (400, "stripe_mode_mismatch"));
    let res = app.put("/v1/stripe-account", &t.token, json!({"api_key": "pk_test_123"})).await;
    assert_eq!((res.status, res.error_code()), (400, "stripe_key_invalid"));
    let revoked = fake.create_account(false);
    fake.revoke_key(&revoked.secret_key);
    let res = app.put("/v1/stripe-account", &t.token, json!({"api_key": revoked.secret_key})).await;
    assert_eq!((res.status, res.error_code()), (400, "stripe_key_invalid"));
    assert!(res.body["error"]["message"].as_str().unwrap().starts_with("Stripe: "), "{}", res.text);
    let res = app.get("/v1/stripe-account", &t.sk_test).await;
    assert_eq!((res.status, res.error_code()), (404, "stripe_not_connected"));

    let res = app.put("/v1/stripe-account", &t.token, json!({"api_key": acct.secret_key})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["stripe_account"], acct.id.as_str());
    assert_eq!(res.body["livemode"], false);
    let endpoint = res.body["webhook_endpoint"].as_str().unwrap().to_string();
    let url = res.body["webhook_url"].as_str().unwrap().to_string();
    assert!(url.starts_with(&format!("{}/v1/stripe/webhooks/sa_", app.address)), "{url}");
    let hint = res.body["api_key_hint"].as_str().unwrap();
    assert!(hint.starts_with("sk_test_") && hint.len() < 20, "{hint}");

    // Stripe has the endpoint: our URL, the pinned API version, the events listed explicitly.
    let endpoints = fake.webhook_endpoints(&acct.id);
    assert_eq!(endpoints.len(), 1);
    assert_eq!(endpoints[0]["id"], endpoint.as_str());
    assert_eq!(endpoints[0]["url"], url.as_str());
    assert_eq!(endpoints[0]["api_version"], "2026-09-30.endive");
    let events = endpoints[0]["enabled_events"].as_array().unwrap();
    assert!(events.contains(&json!("payment_intent.succeeded")) && !events.contains(&json!("*")));

    // A dump of the database holds neither the key nor the signing secret in clear.
    let mut db = app.db();
    let dump: Vec<String> = diesel::sql_query("SELECT row_to_json(a)::text AS row FROM stripe_accounts a")
        .load::<Row>(&mut db)
        .unwrap()
        .into_iter()
        .map(|r| r.row)
        .collect();
    assert_eq!(dump.len(), 1);
    let secret_tail = &acct.secret_key[acct.secret_key.len() - 12..];
    assert!(!dump[0].contains(secret_tail) && !dump[0].contains("whsec_"), "{}", dump[0]);

    let res = app.get("/v1/stripe-account", &t.sk_test).await;
    assert_eq!((res.status, res.body["webhook_endpoint"].as_str()), (200, Some(endpoint.as_str())));
    // Disconnecting removes the endpoint at Stripe.
    let res = app.delete("/v1/stripe-account", &t.token).await;
    assert_eq!((res.status, &res.body["deleted"]), (200, &json!(true)), "{}", res.text);
    assert!(fake.webhook_endpoints(&acct.id).is_empty());
    let res = app.get("/v1/stripe-account", &t.sk_test).await;
    assert_eq!(res.error_code(), "stripe_not_connected");
}

#[derive(diesel::QueryableByName)]
struct Row {
    #[diesel(sql_type = diesel::sql_types::Text)]
    row: String,
}

#[actix_web::test]
async fn a_finalized_invoice_is_charged_once_and_paid() {
    let app = spawn_app().await;
    let p = paying(&app, "pm_card_visa", "USD", "20.00").await;
    let sk = &p.t.sk_test;

    let c = app.get(&format!("/v1/customers/{}", p.customer), sk).await.body;
    assert!(c["stripe_customer"].as_str().unwrap().starts_with("cus_"));
    assert_eq!(c["payment_method"]["brand"], "visa");
    assert_eq!(c["payment_method"]["last4"], "4242");

    let inv = the_invoice(&app, &p).await;
    let pays = payments_of(&app, sk, inv["id"].as_str().unwrap()).await;
    assert_eq!(inv["status"], "paid", "{inv} {pays:?}");
    assert_eq!(inv["amount_due"], "20.00");
    assert_eq!(inv["amount_paid"], "20.00");
    assert_eq!(inv["attempt_count"], 1);
    assert_eq!(inv["paid_at"], T0);
    assert_eq!(inv["next_payment_attempt"], Value::Null);
    assert_eq!(pays.len(), 1);
    assert_eq!(
        (&pays[0]["status"], &pays[0]["amount"], &pays[0]["currency"]),
        (&json!("succeeded"), &json!("20.00"), &json!("USD"))
    );
    let intent = pays[0]["stripe_payment_intent"].as_str().unwrap();

    // At Stripe: one PaymentIntent, of 2000 cents, off-session on the customer's card, keyed and
    // labelled with our payment.
    let pis = fake_stripe().payment_intents(&p.acct.id);
    assert_eq!(pis.len(), 1);
    assert_eq!(
        (pis[0]["id"].as_str(), &pis[0]["amount"], &pis[0]["currency"]),
        (Some(intent), &json!(2000), &json!("usd"))
    );
    assert_eq!(pis[0]["metadata"]["tollgate_payment"], pays[0]["id"]);
    assert_eq!(pis[0]["customer"], c["stripe_customer"]);
    let keys: Vec<_> = fake_stripe()
        .requests()
        .into_iter()
        .filter(|r| {
            r.account.as_deref() == Some(p.acct.id.as_str()) && r.path == "/v1/payment_intents" && r.method == "POST"
        })
        .map(|r| r.idempotency_key)
        .collect();
    assert_eq!(keys, vec![Some(format!("tg_pi_{}", pays[0]["id"].as_str().unwrap()))]);

    // Stripe's webhooks for it arrive, are filed once each, and change nothing.
    assert!(fake_stripe().wait_for_deliveries(Duration::from_secs(10)));
    let inv = the_invoice(&app, &p).await;
    assert_eq!((&inv["status"], &inv["amount_paid"]), (&json!("paid"), &json!("20.00")));
    // Paying again: nothing is left.
    let id = inv["id"].as_str().unwrap().to_string();
    let res = app.post(&format!("/v1/invoices/{id}/pay"), sk, json!({})).await;
    assert_eq!((res.status, res.error_code()), (409, "invoice_not_open"));

    // The customer disputes the charge, and wins nothing back: the payment says so.
    let dispute = fake_stripe().create_dispute(intent).unwrap();
    let path = format!("/v1/invoices/{id}/payments");
    let pays = eventually(&app, &path, sk, |b| b["data"][0]["dispute"]["status"] == "needs_response").await;
    assert!(pays["data"][0]["dispute"]["reason"].is_string());
    fake_stripe().close_dispute(&dispute, false).unwrap();
    eventually(&app, &path, sk, |b| b["data"][0]["dispute"]["status"] == "lost").await;
}

#[actix_web::test]
async fn a_declined_card_starts_dunning_and_a_new_card_pays_at_once() {
    let app = spawn_app().await;
    let p = paying(&app, "pm_card_chargeCustomerFail", "USD", "20.00").await;
    let sk = &p.t.sk_test;
    let inv = the_invoice(&app, &p).await;
    let id = inv["id"].as_str().unwrap().to_string();
    assert_eq!(inv["status"], "open");
    assert_eq!(inv["attempt_count"], 1);
    // The first retry a day after the first failure.
    assert_eq!(inv["next_payment_attempt"], "2027-01-02T00:00:00Z");
    let pays = payments_of(&app, sk, &id).await;
    assert_eq!((&pays[0]["status"], &pays[0]["failure_code"]), (&json!("failed"), &json!("generic_decline")));
    assert_eq!(pays[0]["failure_message"], "Your card was declined.");
    let sub = app.get(&format!("/v1/subscriptions/{}", p.subscription), sk).await.body;
    assert_eq!(sub["status"], "past_due");
    // The customer is told, with the reason and a link to give another card.
    let told = mail_starting(&app, "Your payment failed: USD 20.00").await;
    assert!(told.text.contains("Your card was declined.") && told.text.contains("Update your payment method: http"));

    // The retry on day 1 fails too; the next is on day 3.
    app.advance(sk, "2027-01-02T12:00:00Z").await;
    let inv = app.get(&format!("/v1/invoices/{id}"), sk).await.body;
    assert_eq!((&inv["attempt_count"], &inv["next_payment_attempt"]), (&json!(2), &json!("2027-01-04T00:00:00Z")));

    // A new card: charged at once, the invoice paid, dunning over.
    let res = attach(&app, sk, &p.customer, "pm_card_visa").await;
    assert_eq!(res.status, 200, "{}", res.text);
    let inv = eventually(&app, &format!("/v1/invoices/{id}"), sk, |i| i["status"] == "paid").await;
    assert_eq!((&inv["attempt_count"], &inv["amount_paid"]), (&json!(3), &json!("20.00")));
    let sub = app.get(&format!("/v1/subscriptions/{}", p.subscription), sk).await.body;
    assert_eq!(sub["status"], "active");
    // Later retries find nothing to do: three PaymentIntents in all.
    app.advance(sk, "2027-01-09T00:00:00Z").await;
    assert_eq!(fake_stripe().payment_intents(&p.acct.id).len(), 3);
    assert_eq!(payments_of(&app, sk, &id).await.len(), 3);
}

#[actix_web::test]
async fn an_unpaid_invoice_blocks_access_then_cancels_the_subscription() {
    let app = spawn_app().await;
    let p = paying(&app, "pm_card_chargeDeclinedInsufficientFunds", "USD", "20.00").await;
    let sk = &p.t.sk_test;
    let key = app.post(&format!("/v1/customers/{}/api-keys", p.customer), sk, json!({"name": "prod"})).await;
    let key = key.body["key"].as_str().unwrap().to_string();
    let verdict = app.verify(sk, json!({"key": key})).await;
    assert_eq!((&verdict.body["valid"], &verdict.body["code"]), (&json!(true), &json!("VALID")));
    assert_eq!(verdict.body["subscription"]["status"], "past_due");

    // Retries on days 1, 3, 5 and 7 all fail; access holds until day 14.
    app.advance(sk, "2027-01-14T00:00:00Z").await;
    let id = the_invoice(&app, &p).await["id"].as_str().unwrap().to_string();
    let inv = app.get(&format!("/v1/invoices/{id}"), sk).await.body;
    assert_eq!((&inv["attempt_count"], &inv["next_payment_attempt"]), (&json!(5), &Value::Null));
    assert_eq!(app.verify(sk, json!({"key": key})).await.body["code"], "VALID");
    app.advance(sk, "2027-01-15T02:00:00Z").await;
    let verdict = app.verify(sk, json!({"key": key})).await;
    assert_eq!((&verdict.body["valid"], &verdict.body["code"]), (&json!(false), &json!("PAYMENT_REQUIRED")));

    // Day 21: canceled, and the invoice uncollectible.
    app.advance(sk, "2027-01-22T02:00:00Z").await;
    let inv = app.get(&format!("/v1/invoices/{id}"), sk).await.body;
    assert_eq!(inv["status"], "uncollectible");
    let sub = app.get(&format!("/v1/subscriptions/{}", p.subscription), sk).await.body;
    assert_eq!((&sub["status"], &sub["canceled_at"]), (&json!("canceled"), &json!("2027-01-22T00:00:00Z")));
    assert_eq!(app.verify(sk, json!({"key": key})).await.body["code"], "NO_SUBSCRIPTION");
    assert_eq!(fake_stripe().payment_intents(&p.acct.id).len(), 5);
}

#[actix_web::test]
async fn a_hard_decline_is_not_retried_and_the_policy_is_the_tenants() {
    let app = spawn_app().await;
    let p = paying(&app, "pm_card_chargeDeclinedLostCard", "USD", "20.00").await;
    let sk = &p.t.sk_test;
    let inv = the_invoice(&app, &p).await;
    assert_eq!((&inv["status"], &inv["next_payment_attempt"]), (&json!("open"), &Value::Null));
    let pays = payments_of(&app, sk, inv["id"].as_str().unwrap()).await;
    assert_eq!(pays[0]["failure_code"], "lost_card");

    // The policy: defaults, changes, and what is refused.
    let res = app.get("/v1/tenant", &p.t.token).await;
    assert_eq!(
        res.body["dunning"],
        json!({"retry_days": [1, 3, 5, 7], "block_after_days": 14, "cancel_after_days": 21})
    );
    let res =
        app.patch("/v1/tenant", &p.t.token, json!({"dunning": {"retry_days": [4, 2], "block_after_days": null}})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["dunning"], json!({"retry_days": [2, 4], "block_after_days": null, "cancel_after_days": 21}));
    for (bad, param) in [
        (json!({"retry_days": [3, 3]}), "dunning.retry_days"),
        (json!({"retry_days": [0]}), "dunning.retry_days[0]"),
        (json!({"cancel_after_days": 366}), "dunning.cancel_after_days"),
    ] {
        let res = app.patch("/v1/tenant", &p.t.token, json!({ "dunning": bad })).await;
        assert!(res.status == 400 || res.status == 422, "{}", res.text);
        assert_eq!(res.error_param(), Some(param), "{}", res.text);
    }
}

#[actix_web::test]
async fn a_lost_answer_is_retried_with_the_same_key_and_charges_once() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let acct = app.connect_stripe(&t).await;
    let sk = &t.sk_test;
    app.advance(sk, T0).await;
    plan(&app, sk, "basic", "USD", "20.00").await;
    let customer = customer(&app, sk, "payer@example.com").await;
    assert_eq!(attach(&app, sk, &customer, "pm_card_visa").await.status, 200);
    let sub = app.post("/v1/subscriptions", sk, json!({"customer": customer, "plan": "basic"})).await;
    assert_eq!(sub.status, 201);
    // Stripe charges, and the answer never arrives; then Stripe is briefly down. Its webhooks
    // are lost too, so only the retries can settle it.
    fake_stripe().set_delivery_for(&acct.id, Delivery { copies: 1, hold: false, drop: true });
    fake_stripe().inject_fault_for(&acct.id, "POST", "/v1/payment_intents", Fault::LoseResponse);
    fake_stripe().inject_fault_for(&acct.id, "POST", "/v1/payment_intents", Fault::Status(503));
    app.advance(sk, "2027-01-01T02:00:00Z").await;
    let res = app.get(&format!("/v1/invoices?customer={customer}"), sk).await;
    let inv = &res.body["data"][0];
    assert_eq!((&inv["status"], &inv["attempt_count"]), (&json!("paid"), &json!(1)), "{inv}");
    let pis = fake_stripe().payment_intents(&acct.id);
    assert_eq!(pis.len(), 1, "exactly one charge");
    let keys: Vec<_> = fake_stripe()
        .requests()
        .into_iter()
        .filter(|r| {
            r.account.as_deref() == Some(acct.id.as_str()) && r.path == "/v1/payment_intents" && r.method == "POST"
        })
        .map(|r| (r.idempotency_key.unwrap_or_default(), r.status, r.replayed))
        .collect();
    // The lost answer, the outage, then the first answer replayed under the same key.
    assert_eq!(keys.len(), 3, "{keys:?}");
    assert!(keys.iter().all(|k| k.0 == keys[0].0), "one key for every try: {keys:?}");
    assert_eq!((keys[0].1, keys[1].1, keys[2].1, keys[2].2), (200, 503, 200, true), "{keys:?}");
}

#[actix_web::test]
async fn stripe_webhooks_are_verified_and_each_event_counts_once_in_any_order() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let res = app.post_open("/v1/stripe/webhooks/sa_0PYr3fWn4fTq0wKfM8sQ2k", json!({"id": "evt_1"})).await;
    assert_eq!(res.status, 404, "{}", res.text);

    let acct = app.connect_stripe(&t).await;
    let url = app.get("/v1/stripe-account", &t.sk_test).await.body["webhook_url"].as_str().unwrap().to_string();
    let path = url.strip_prefix(&app.address).unwrap().to_string();
    let body = json!({"id": "evt_forged", "type": "payment_intent.succeeded", "livemode": false,
        "data": {"object": {"id": "pi_x"}}})
    .to_string();
    for signature in [None, Some("t=1,v1=00"), Some("garbage")] {
        let mut h = vec![("Content-Type", "application/json")];
        if let Some(s) = signature {
            h.push(("Stripe-Signature", s));
        }
        let res = app.send(Method::POST, &path, &h, Some(body.clone().into_bytes())).await;
        assert_eq!((res.status, res.error_code()), (400, "signature_invalid"), "{}", res.text);
    }

    // Every event three times, the whole lot in reverse order.
    let fake = fake_stripe();
    fake.set_delivery_for(&acct.id, Delivery { copies: 3, hold: true, drop: false });
    let sk = &t.sk_test;
    app.advance(sk, T0).await;
    plan(&app, sk, "basic", "USD", "20.00").await;
    let customer = customer(&app, sk, "payer@example.com").await;
    let session = app
        .post(
            &format!("/v1/customers/{customer}/checkout-sessions"),
            sk,
            json!({"success_url": "https://example.com/ok", "cancel_url": "https://example.com/no"}),
        )
        .await;
    assert_eq!(session.status, 201, "{}", session.text);
    assert!(session.body["url"].as_str().unwrap().starts_with(&fake.base_url()));
    fake.complete_checkout_session(session.body["id"].as_str().unwrap(), "pm_card_mastercard").unwrap();
    fake.set_delivery_for(&acct.id, Delivery::default());
    fake.release_held_for(&acct.id, true);
    assert!(fake.wait_for_deliveries(Duration::from_secs(10)));
    let delivered: Vec<_> = fake.deliveries().into_iter().filter(|d| d.url == url).collect();
    assert!(delivered.len() >= 6 && delivered.iter().all(|d| d.status == Some(200)), "{delivered:?}");

    // The card saved on Stripe's page is the customer's payment method.
    let c = eventually(&app, &format!("/v1/customers/{customer}"), sk, |c| !c["payment_method"].is_null()).await;
    assert_eq!(c["payment_method"]["brand"], "mastercard");
    let mut db = app.db();
    let filed: Vec<Row> = diesel::sql_query("SELECT count(*)::text AS row FROM stripe_events").load(&mut db).unwrap();
    let distinct = delivered.iter().map(|d| d.event_id.clone()).collect::<std::collections::HashSet<_>>().len();
    assert_eq!(filed[0].row, distinct.to_string(), "one row per event, not per delivery");
}

#[actix_web::test]
async fn a_card_declined_at_attach_is_402_with_stripes_message() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let customer = customer(&app, &t.sk_test, "payer@example.com").await;
    let res = attach(&app, &t.sk_test, &customer, "pm_card_visa").await;
    assert_eq!((res.status, res.error_code()), (404, "stripe_not_connected"));
    app.connect_stripe(&t).await;
    let res = attach(&app, &t.sk_test, &customer, "pm_card_chargeDeclined").await;
    assert_eq!((res.status, res.error_code()), (402, "card_declined"), "{}", res.text);
    assert_eq!(res.body["error"]["message"], "Your card was declined.");
    let c = app.get(&format!("/v1/customers/{customer}"), &t.sk_test).await.body;
    assert_eq!(c["payment_method"], Value::Null);
    let res = attach(&app, &t.sk_test, "cus_0PYr3fWn4fTq0wKfM8sQ2f", "pm_card_visa").await;
    assert_eq!(res.status, 404);
}

#[actix_web::test]
async fn amounts_go_to_stripe_in_stripes_units_or_not_at_all() {
    let app = spawn_app().await;
    let yen = paying(&app, "pm_card_visa", "JPY", "1501").await;
    assert_eq!(fake_stripe().payment_intents(&yen.acct.id)[0]["amount"], 1501);
    assert_eq!(the_invoice(&app, &yen).await["status"], "paid");

    let dinar = paying(&app, "pm_card_visa", "KWD", "5.120").await;
    assert_eq!(fake_stripe().payment_intents(&dinar.acct.id)[0]["amount"], 5120);

    // KWD 5.124 cannot be said in Stripe's units (the last digit must be 0): refused, not rounded.
    let odd = paying(&app, "pm_card_visa", "KWD", "5.124").await;
    assert!(fake_stripe().payment_intents(&odd.acct.id).is_empty());
    let inv = the_invoice(&app, &odd).await;
    assert_eq!(inv["status"], "open");
    let pays = payments_of(&app, &odd.t.sk_test, inv["id"].as_str().unwrap()).await;
    assert_eq!((&pays[0]["status"], &pays[0]["failure_code"]), (&json!("failed"), &json!("amount_not_chargeable")));
}

#[actix_web::test]
async fn credit_notes_lower_what_is_due_or_refund_and_never_exceed_the_invoice() {
    let app = spawn_app().await;
    let p = paying(&app, "pm_card_visa", "USD", "20.00").await;
    let sk = &p.t.sk_test;
    let id = the_invoice(&app, &p).await["id"].as_str().unwrap().to_string();
    let path = format!("/v1/invoices/{id}/credit-notes");

    let res = app.post(&path, sk, json!({"amount": "5.00", "reason": "order_change", "refund": true})).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(
        (&res.body["number"], &res.body["amount"], &res.body["status"]),
        (&json!("TEST-CN-000001"), &json!("5.00"), &json!("issued"))
    );
    assert_eq!(res.body["refund"]["status"], "succeeded", "{}", res.text);
    let refunds = fake_stripe().refunds(&p.acct.id);
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0]["amount"], 500);
    assert_eq!(refunds[0]["id"], res.body["refund"]["stripe_refund"]);

    let res = app.post(&path, sk, json!({"amount": "15.01", "reason": "duplicate"})).await;
    assert_eq!((res.status, res.error_code()), (400, "credit_exceeds_invoice"), "{}", res.text);
    let res = app.post(&path, sk, json!({"amount": "0.001", "reason": "duplicate"})).await;
    assert_eq!(res.status / 100, 4, "{}", res.text);
    let res = app.post(&path, sk, json!({"amount": "15.00", "reason": "product_unsatisfactory"})).await;
    assert_eq!(
        (res.status, &res.body["number"], &res.body["applied_to"]),
        (201, &json!("TEST-CN-000002"), &json!("balance"))
    );
    let inv = app.get(&format!("/v1/invoices/{id}"), sk).await.body;
    assert_eq!((&inv["status"], &inv["amount_credited"]), (&json!("paid"), &json!("20.00")));
    let res = app.post(&path, sk, json!({"amount": "0.01", "reason": "duplicate"})).await;
    assert_eq!(res.error_code(), "credit_exceeds_invoice");
    let list = app.get(&format!("/v1/credit-notes?invoice={id}"), sk).await;
    assert_eq!(list.body["data"].as_array().unwrap().len(), 2);

    // The balance pays toward the next invoice: 20.00 less 15.00 of credit.
    app.advance(sk, "2027-02-01T02:00:00Z").await;
    let res = app.get(&format!("/v1/invoices?customer={}", p.customer), sk).await;
    let next = &res.body["data"][0];
    assert_eq!(
        (&next["credit_applied"], &next["amount_due"], &next["status"]),
        (&json!("15.00"), &json!("5.00"), &json!("paid"))
    );
    assert_eq!(fake_stripe().payment_intents(&p.acct.id).last().unwrap()["amount"], 500);
}

#[actix_web::test]
async fn two_instances_running_the_jobs_charge_once() {
    let app = spawn_app().await;
    let other = spawn_instance_on(&app).await;
    let t = app.signup().await;
    let acct = app.connect_stripe(&t).await;
    let sk = &t.sk_test;
    plan(&app, sk, "basic", "USD", "20.00").await;
    let customer = customer(&app, sk, "payer@example.com").await;
    assert_eq!(attach(&app, sk, &customer, "pm_card_visa").await.status, 200);
    let sub = app.post("/v1/subscriptions", sk, json!({"customer": customer, "plan": "basic"})).await;
    assert_eq!(sub.status, 201);
    // The first invoice is finalized at once; both instances' workers see its collection job.
    let res = app.get(&format!("/v1/invoices?customer={customer}"), sk).await;
    let id = res.body["data"][0]["id"].as_str().unwrap().to_string();
    eventually(&other, &format!("/v1/invoices/{id}"), sk, |i| i["status"] == "paid").await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(fake_stripe().payment_intents(&acct.id).len(), 1);
    assert_eq!(payments_of(&app, sk, &id).await.len(), 1);
}

#[actix_web::test]
async fn three_d_secure_off_session_asks_the_customer_by_email_and_their_card_then_pays() {
    let app = spawn_app().await;
    let p = paying(&app, "pm_card_authenticationRequired", "USD", "20.00").await;
    let sk = &p.t.sk_test;
    let inv = the_invoice(&app, &p).await;
    let id = inv["id"].as_str().unwrap().to_string();
    assert_eq!((&inv["status"], &inv["next_payment_attempt"]), (&json!("open"), &Value::Null));
    let pays = payments_of(&app, sk, &id).await;
    assert_eq!(
        (&pays[0]["status"], &pays[0]["failure_code"]),
        (&json!("requires_action"), &json!("authentication_required"))
    );

    // The customer is asked, with a link to Stripe's page.
    let mail = mail_starting(&app, "Please confirm your payment").await;
    assert_eq!(mail.to, "payer@example.com");
    assert!(mail.subject.contains("USD 20.00") && mail.subject.contains("Acme Weather API"), "{}", mail.subject);
    let link = mail
        .text
        .lines()
        .find_map(|l| l.strip_prefix("Confirm your card: "))
        .expect("the text part has the link")
        .trim()
        .to_string();
    assert!(link.starts_with(&format!("{}checkout/cs_test_", fake_stripe().base_url())), "{link}");
    assert!(mail.html.contains(&link), "the HTML part has the same link");

    // They confirm a card there: it is charged at once, and the waiting attempt gives way.
    let session = link.rsplit('/').next().unwrap();
    fake_stripe().complete_checkout_session(session, "pm_card_visa").unwrap();
    let inv = eventually(&app, &format!("/v1/invoices/{id}"), sk, |i| i["status"] == "paid").await;
    assert_eq!(inv["amount_paid"], "20.00");
    let statuses: Vec<_> = payments_of(&app, sk, &id).await.iter().map(|p| p["status"].clone()).collect();
    assert_eq!(statuses, vec![json!("canceled"), json!("succeeded")]);
    let sub = app.get(&format!("/v1/subscriptions/{}", p.subscription), sk).await.body;
    assert_eq!(sub["status"], "active");
}

#[actix_web::test]
async fn reconciliation_files_the_events_stripe_could_not_deliver() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let acct = app.connect_stripe(&t).await;
    let sk = &t.sk_test;
    app.advance(sk, T0).await;
    let customer = customer(&app, sk, "payer@example.com").await;
    // Stripe's deliveries to this account are lost.
    fake_stripe().set_delivery_for(&acct.id, Delivery { copies: 1, hold: false, drop: true });
    let session = app
        .post(
            &format!("/v1/customers/{customer}/checkout-sessions"),
            sk,
            json!({"success_url": "https://example.com/ok", "cancel_url": "https://example.com/no"}),
        )
        .await;
    fake_stripe().complete_checkout_session(session.body["id"].as_str().unwrap(), "pm_card_visa").unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let c = app.get(&format!("/v1/customers/{customer}"), sk).await.body;
    assert_eq!(c["payment_method"], Value::Null, "no webhook came");

    // A day later the reconciliation has listed them from Stripe and processed them.
    app.advance(sk, "2027-01-02T12:00:00Z").await;
    let c = eventually(&app, &format!("/v1/customers/{customer}"), sk, |c| !c["payment_method"].is_null()).await;
    assert_eq!((&c["payment_method"]["brand"], &c["payment_method"]["last4"]), (&json!("visa"), &json!("4242")));
}

/// A tenant with a paying customer, Stripe's webhooks to it lost, and `fault` waiting for its
/// first charge; the customer subscribes at T0, and the first charge has been tried when this
/// returns.
async fn first_charge_meets(app: &TestApp, fault: Fault) -> (Tenant, Account, String) {
    let t = app.signup().await;
    let sk = &t.sk_test;
    app.advance(sk, T0).await;
    // Reconciliation runs daily from here, after what the tests look at.
    let acct = app.connect_stripe(&t).await;
    plan(app, sk, "basic", "USD", "20.00").await;
    let customer = customer(app, sk, "payer@example.com").await;
    assert_eq!(attach(app, sk, &customer, "pm_card_visa").await.status, 200);
    let fake = fake_stripe();
    fake.set_delivery_for(&acct.id, Delivery { copies: 1, hold: false, drop: true });
    fake.inject_fault_for(&acct.id, "POST", "/v1/payment_intents", fault);
    let sub = app.post("/v1/subscriptions", sk, json!({"customer": customer, "plan": "basic"})).await;
    assert_eq!(sub.status, 201);
    // The worker makes the first try at once.
    for _ in 0..100 {
        if charges_tried(&acct).len() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(charges_tried(&acct).len(), 1);
    (t, acct, customer)
}

/// The account's PaymentIntent creations as the fake saw them: (key, status).
fn charges_tried(acct: &Account) -> Vec<(String, u16)> {
    fake_stripe()
        .requests()
        .into_iter()
        .filter(|r| {
            r.account.as_deref() == Some(acct.id.as_str()) && r.path == "/v1/payment_intents" && r.method == "POST"
        })
        .map(|r| (r.idempotency_key.unwrap_or_default(), r.status))
        .collect()
}

#[actix_web::test]
async fn a_charge_whose_answer_was_lost_is_looked_up_before_anything_is_sent_again() {
    let app = spawn_app().await;
    let (t, acct, customer) = first_charge_meets(&app, Fault::LoseResponse).await;
    let sk = &t.sk_test;
    // A minute later (Stripe would replay even a stored 500 under the key), the retry first
    // searches for the attempt's PaymentIntent by its metadata, finds it, and records it.
    app.clock.advance(chrono::TimeDelta::minutes(1));
    app.advance(sk, "2027-01-01T02:00:00Z").await;
    let res = app.get(&format!("/v1/invoices?customer={customer}"), sk).await;
    let inv = &res.body["data"][0];
    assert_eq!((&inv["status"], &inv["amount_paid"]), (&json!("paid"), &json!("20.00")), "{inv}");
    assert_eq!(charges_tried(&acct).len(), 1, "nothing was sent again");
    assert_eq!(fake_stripe().payment_intents(&acct.id).len(), 1);
    let searched = fake_stripe()
        .requests()
        .into_iter()
        .any(|r| r.account.as_deref() == Some(acct.id.as_str()) && r.path == "/v1/payment_intents/search");
    assert!(searched);
}

#[actix_web::test]
async fn an_attempt_stripe_never_took_is_tried_anew_after_the_keys_lifetime() {
    let app = spawn_app().await;
    let (t, acct, customer) = first_charge_meets(&app, Fault::Status(500)).await;
    let sk = &t.sk_test;
    // A day later on the wall clock Stripe has forgotten the key: a resend under it could charge
    // twice, so the retry only searches, finds nothing, and a new attempt (with a new key) pays.
    app.clock.advance(chrono::TimeDelta::hours(25));
    app.advance(sk, "2027-01-01T02:00:00Z").await;
    let res = app.get(&format!("/v1/invoices?customer={customer}"), sk).await;
    let inv = res.body["data"][0].clone();
    assert_eq!((&inv["status"], &inv["attempt_count"]), (&json!("paid"), &json!(2)), "{inv}");
    let statuses: Vec<_> =
        payments_of(&app, sk, inv["id"].as_str().unwrap()).await.iter().map(|p| p["status"].clone()).collect();
    assert_eq!(statuses, vec![json!("canceled"), json!("succeeded")]);
    let tried = charges_tried(&acct);
    assert_eq!(tried.len(), 2, "{tried:?}");
    assert_ne!(tried[0].0, tried[1].0, "a new attempt, a new key");
    assert_eq!(fake_stripe().payment_intents(&acct.id).len(), 1);
}

#[actix_web::test]
async fn a_signed_event_of_another_mode_is_ignored() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let acct = app.connect_stripe(&t).await;
    let url = app.get("/v1/stripe-account", &t.sk_test).await.body["webhook_url"].as_str().unwrap().to_string();
    let path = url.strip_prefix(&app.address).unwrap().to_string();
    let secret = fake_stripe().webhook_endpoints(&acct.id)[0]["secret"].as_str().unwrap().to_string();
    let sign = |body: &str| {
        let t = chrono::Utc::now().timestamp();
        let sig = tollgate::payments::signature::sign(&secret, t, body.as_bytes());
        format!("t={t},v1={}", sig.iter().map(|b| format!("{b:02x}")).collect::<String>())
    };
    // A live event sent to a test-mode connection: signed right, answered 200, and not filed.
    let body = json!({"id": "evt_live_1", "type": "payment_intent.succeeded", "livemode": true,
        "data": {"object": {"id": "pi_live_1"}}})
    .to_string();
    let h = sign(&body);
    let res = app
        .send(
            Method::POST,
            &path,
            &[("Content-Type", "application/json"), ("Stripe-Signature", &h)],
            Some(body.into_bytes()),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    // The same signature on another body does not verify.
    let other = json!({"id": "evt_2", "type": "payment_intent.succeeded", "livemode": false, "data": {"object": {}}});
    let res = app
        .send(
            Method::POST,
            &path,
            &[("Content-Type", "application/json"), ("Stripe-Signature", &h)],
            Some(other.to_string().into_bytes()),
        )
        .await;
    assert_eq!((res.status, res.error_code()), (400, "signature_invalid"));
    let mut db = app.db();
    let filed: Vec<Row> =
        diesel::sql_query("SELECT count(*)::text AS row FROM stripe_events WHERE id LIKE 'evt_live%'")
            .load(&mut db)
            .unwrap();
    assert_eq!(filed[0].row, "0");
}

#[actix_web::test]
async fn settling_by_hand_ends_dunning_and_stripes_own_refusals_start_none() {
    let app = spawn_app().await;
    // A decline: past due. Marked paid by hand (a bank transfer): dunning is over.
    let p = paying(&app, "pm_card_chargeCustomerFail", "USD", "20.00").await;
    let sk = &p.t.sk_test;
    let id = the_invoice(&app, &p).await["id"].as_str().unwrap().to_string();
    let sub = format!("/v1/subscriptions/{}", p.subscription);
    assert_eq!(app.get(&sub, sk).await.body["status"], "past_due");
    let res = app.post(&format!("/v1/invoices/{id}/mark-paid"), sk, json!({})).await;
    assert_eq!((res.status, &res.body["next_payment_attempt"]), (200, &Value::Null), "{}", res.text);
    eventually(&app, &sub, sk, |s| s["status"] == "active").await;
    // Its scheduled retry finds nothing to do.
    app.advance(sk, "2027-01-03T00:00:00Z").await;
    assert_eq!(fake_stripe().payment_intents(&p.acct.id).len(), 1);

    // Below Stripe's minimum charge: Stripe refuses the request, not the card. No dunning, no
    // email to the customer, no retry.
    let small = paying(&app, "pm_card_visa", "USD", "0.30").await;
    let inv = the_invoice(&app, &small).await;
    assert_eq!((&inv["status"], &inv["next_payment_attempt"]), (&json!("open"), &Value::Null));
    let pays = payments_of(&app, &small.t.sk_test, inv["id"].as_str().unwrap()).await;
    assert_eq!((&pays[0]["status"], &pays[0]["failure_code"]), (&json!("failed"), &json!("amount_too_small")));
    let sub = app.get(&format!("/v1/subscriptions/{}", small.subscription), &small.t.sk_test).await.body;
    assert_eq!(sub["status"], "active");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let told = app.state.mailer.outbox().into_iter().any(|m| m.subject.starts_with("Your payment failed: USD 0.30"));
    assert!(!told, "the customer is not told their card failed");
}
