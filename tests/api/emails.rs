//! The customer emails, through a real SMTP server (aiosmtpd) the test starts: who gets them,
//! from whom, the subject, both parts and the amounts; and each kind's switch.

use serde_json::json;

use crate::helpers::*;

#[actix_web::test]
async fn customers_get_their_emails_over_smtp_and_a_tenant_can_turn_a_kind_off() {
    let Some(smtp) = SmtpServer::start() else { return };
    let url = smtp.url();
    let app = spawn_app_with(move |s| s.smtp_url = Some(tollgate::config::Secret::new(url)), None).await;
    let t = app.signup().await;
    let sk = &t.sk_test;
    app.advance(sk, "2027-01-01T00:00:00Z").await;
    app.connect_stripe(&t).await;
    for plan in [
        json!({"key": "basic", "name": "Basic", "currency": "USD", "interval": "month", "amount": "20.00"}),
        json!({"key": "trial", "name": "Trial", "currency": "USD", "interval": "month", "amount": "20.00", "trial_days": 14}),
    ] {
        assert_eq!(app.post("/v1/plans", sk, plan).await.status, 201);
    }
    let customer_with = |email: &'static str, pm: &'static str| {
        let app = &app;
        async move {
            let cus = customer(app, sk, email).await;
            let res = app.post(&format!("/v1/customers/{cus}/payment-method"), sk, json!({"payment_method": pm})).await;
            assert_eq!(res.status, 200, "{}", res.text);
            cus
        }
    };

    // Ada pays: the invoice, then the receipt.
    let ada = customer_with("ada@example.com", "pm_card_visa").await;
    app.post("/v1/subscriptions", sk, json!({"customer": ada, "plan": "basic"})).await;
    let invoice = smtp.mail_starting("Invoice TEST-000001").await;
    assert_eq!(
        (invoice.from_name.as_str(), invoice.to.as_slice()),
        ("Acme Weather API", &["ada@example.com".to_string()][..])
    );
    assert!(invoice.text.contains("20.00") && invoice.html.contains("20.00"));
    let receipt = smtp.mail_starting("Receipt from Acme Weather API: USD 20.00 paid for invoice TEST-000001").await;
    assert_eq!(receipt.to, ["ada@example.com"]);
    assert_eq!(receipt.from, "billing@tollgate.localhost");
    assert!(
        receipt.text.contains("Amount paid: USD 20.00") && receipt.text.contains("visa ending in 4242"),
        "{}",
        receipt.text
    );
    assert!(receipt.html.contains("USD 20.00") && receipt.html.contains("<table>"));

    // Carol's card is declined: she is asked for another, with a link.
    let carol = customer_with("carol@example.com", "pm_card_chargeCustomerFail").await;
    app.post("/v1/subscriptions", sk, json!({"customer": carol, "plan": "basic"})).await;
    let failed = smtp.mail_starting("Your payment failed: USD 20.00").await;
    assert_eq!(failed.to, ["carol@example.com"]);
    assert!(failed.text.contains("Update your payment method: http") && failed.html.contains("href=\"http"));

    // Bob's trial: told three days ahead; then he cancels.
    let bob = customer(&app, sk, "bob@example.com").await;
    let sub = app.post("/v1/subscriptions", sk, json!({"customer": bob, "plan": "trial"})).await.body;
    app.advance(sk, "2027-01-12T01:00:00Z").await;
    let trial = smtp.mail_starting("Your Trial trial with Acme Weather API ends on Jan 15, 2027").await;
    assert_eq!(trial.to, ["bob@example.com"]);
    assert!(trial.text.contains("Then: USD 20.00 per month"), "{}", trial.text);
    let res = app
        .post(&format!("/v1/subscriptions/{}/cancel", sub["id"].as_str().unwrap()), sk, json!({"at_period_end": false}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let canceled = smtp.mail_starting("Your Trial subscription with Acme Weather API is canceled").await;
    assert!(canceled.text.contains("Canceled on: Jan 12, 2027"), "{}", canceled.text);

    // Receipts off: Dan pays, and gets his invoice but no receipt.
    let res = app.patch("/v1/tenant", &t.token, json!({"emails": {"receipt": false}})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["emails"]["receipt"], false);
    assert_eq!(res.body["emails"]["invoice"], true);
    let dan = customer_with("dan@example.com", "pm_card_visa").await;
    app.post("/v1/subscriptions", sk, json!({"customer": dan, "plan": "basic"})).await;
    smtp.mail_starting("Invoice TEST-000003").await;
    // The payment settles right after its invoice; give the receipt job time to have run.
    for _ in 0..20 {
        let res = app.get(&format!("/v1/invoices?customer={dan}"), sk).await;
        if res.body["data"][0]["status"] == "paid" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let to_dan: Vec<_> = smtp.mails().into_iter().filter(|m| m.to == ["dan@example.com"]).map(|m| m.subject).collect();
    assert!(to_dan.iter().all(|s| !s.starts_with("Receipt")), "{to_dan:?}");
}

#[actix_web::test]
async fn a_customer_is_told_at_80_and_100_percent_of_a_limit_unless_the_tenant_turned_it_off() {
    let Some(smtp) = SmtpServer::start() else { return };
    let url = smtp.url();
    let app = spawn_app_with(move |s| s.smtp_url = Some(tollgate::config::Secret::new(url)), None).await;
    let m = metered(&app, json!({"limit": 1500, "reset": "month"})).await;
    let sk = &m.tenant.sk_test;
    let email = app.get(&format!("/v1/customers/{}", m.customer), sk).await.body["email"].as_str().unwrap().to_string();

    let res = app.verify(sk, json!({"key": m.key, "feature": "api_calls", "quantity": 1250})).await;
    assert_eq!(res.body["valid"], true);
    let at80 = smtp.mail_starting("You have used 80% of your API calls limit with Acme Weather API").await;
    assert_eq!((at80.to.as_slice(), at80.from_name.as_str()), (&[email.clone()][..], "Acme Weather API"));
    assert!(at80.text.contains("Used: 1,250 of 1,500"), "{}", at80.text);
    assert!(at80.html.contains("1,250 of 1,500"), "{}", at80.html);
    assert!(at80.text.contains("Resets on: "), "{}", at80.text);

    let res = app.verify(sk, json!({"key": m.key, "feature": "api_calls", "quantity": 250})).await;
    assert_eq!(res.body["valid"], true);
    let at100 = smtp.mail_starting("You have reached your API calls limit with Acme Weather API").await;
    assert!(at100.text.contains("Used: 1,500 of 1,500"), "{}", at100.text);

    // Turned off: another customer of the tenant crosses both thresholds, and hears nothing;
    // the events are still written.
    let res = app.patch("/v1/tenant", &m.tenant.token, json!({"emails": {"usage_threshold": false}})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let other = customer(&app, sk, "quiet@example.com").await;
    assert_eq!(app.post("/v1/subscriptions", sk, json!({"customer": other, "plan": "metered"})).await.status, 201);
    let usage = json!({"customer": other, "feature": "api_calls", "quantity": 1600, "event_id": "big-1"});
    assert_eq!(app.post("/v1/usage", sk, usage).await.status, 201);
    let mut events = 0;
    for _ in 0..50 {
        let listed = app.get("/v1/events?type=usage.threshold_reached", sk).await;
        events = listed.body["data"].as_array().unwrap().len();
        if events == 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(events, 4);
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let usage_mails: Vec<_> = smtp.mails().into_iter().filter(|m| m.subject.starts_with("You have")).collect();
    assert_eq!(usage_mails.len(), 2, "{:?}", usage_mails.iter().map(|m| &m.to).collect::<Vec<_>>());
    assert!(usage_mails.iter().all(|m| m.to == [email.clone()]));
}
