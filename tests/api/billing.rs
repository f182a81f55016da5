//! The billing cycle, end to end: test clocks, period closings, golden invoices worked out by
//! hand, finalization, numbering, immutability, documents and email.

use serde_json::{json, Value};

use crate::helpers::*;

async fn with_catalog(app: &TestApp, file: &str) -> Tenant {
    let t = app.signup().await;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/catalogs");
    let catalog: Value = serde_json::from_str(&std::fs::read_to_string(root.join(file)).unwrap()).unwrap();
    tollgate::catalog::loader::load(&app.address, &t.sk_test, &catalog).await.unwrap();
    t
}

async fn advance(app: &TestApp, sk: &str, to: &str) -> Value {
    let res = app.post("/v1/test-clock/advance", sk, json!({ "to": to })).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["now"], to);
    res.body
}

async fn subscribe(app: &TestApp, sk: &str, customer: &str, plan: &str, extra: Value) -> Value {
    let mut body = json!({"customer": customer, "plan": plan});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let res = app.post("/v1/subscriptions", sk, body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body
}

async fn usage(app: &TestApp, sk: &str, customer: &str, feature: &str, quantity: &str, at: &str) {
    let body = json!({"customer": customer, "feature": feature, "quantity": quantity,
        "event_id": uuid::Uuid::new_v4().to_string(), "timestamp": at});
    let res = app.post("/v1/usage", sk, body).await;
    assert_eq!(res.status, 201, "{}", res.text);
}

/// `n` customers (`<prefix><i>@example.com`), each subscribed to `pro`.
async fn subscribed(app: &TestApp, sk: &str, prefix: &str, n: usize) -> Vec<String> {
    let mut customers = Vec::new();
    for i in 0..n {
        let c = customer(app, sk, &format!("{prefix}{i}@example.com")).await;
        subscribe(app, sk, &c, "pro", json!({})).await;
        customers.push(c);
    }
    customers
}

/// The numbers of every invoice of the mode (up to 100), sorted.
async fn numbers(app: &TestApp, sk: &str) -> Vec<String> {
    let all = app.get("/v1/invoices?limit=100", sk).await;
    let mut numbers: Vec<String> =
        all.body["data"].as_array().unwrap().iter().map(|i| i["number"].as_str().unwrap().to_string()).collect();
    numbers.sort();
    numbers
}

/// The customer's invoices, oldest first.
async fn invoices(app: &TestApp, sk: &str, customer: &str) -> Vec<Value> {
    let res = app.get(&format!("/v1/invoices?customer={customer}&limit=100"), sk).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let mut list = res.body["data"].as_array().unwrap().clone();
    list.reverse();
    list
}

/// Each line as (kind, feature, quantity, unit_amount, amount).
fn lines(inv: &Value) -> Vec<(String, String, String, String, String)> {
    let s = |v: &Value| v.as_str().map(str::to_string).unwrap_or_else(|| "-".into());
    inv["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (s(&l["kind"]), s(&l["feature"]), s(&l["quantity"]), s(&l["unit_amount"]), s(&l["amount"])))
        .collect()
}

fn line(
    kind: &str,
    feature: &str,
    quantity: &str,
    unit: &str,
    amount: &str,
) -> (String, String, String, String, String) {
    (kind.into(), feature.into(), quantity.into(), unit.into(), amount.into())
}

fn totals(inv: &Value) -> (&str, &str, &str, &str) {
    (
        inv["subtotal"].as_str().unwrap(),
        inv["tax"].as_str().unwrap(),
        inv["total"].as_str().unwrap(),
        inv["amount_due"].as_str().unwrap(),
    )
}

#[actix_web::test]
async fn golden_hybrid_base_fee_in_advance_plus_overage_with_tax() {
    let app = spawn_app().await;
    let t = with_catalog(&app, "hybrid.json").await;
    let sk = &t.sk_test;
    advance(&app, sk, "2030-01-01T00:00:00Z").await;
    let res = app.post("/v1/customers", sk, json!({"email": "ada@example.com", "name": "Ada", "tax_rate": "20"})).await;
    let customer = res.body["id"].as_str().unwrap().to_string();
    let sub = subscribe(&app, sk, &customer, "pro", json!({})).await;
    assert_eq!(sub["current_period_end"], "2030-02-01T00:00:00Z");

    // At the start: January's fee, in advance, finalized at once. 99.00 + 20 % tax = 118.80.
    let inv = invoices(&app, sk, &customer).await;
    assert_eq!(inv.len(), 1);
    assert_eq!((inv[0]["status"].as_str(), inv[0]["number"].as_str()), (Some("open"), Some("TEST-000001")));
    assert_eq!(inv[0]["reason"], "subscription_create");
    assert_eq!(lines(&inv[0]), vec![line("subscription", "-", "1", "99.00", "99.00")]);
    assert_eq!(totals(&inv[0]), ("99.00", "19.80", "118.80", "118.80"));
    assert_eq!(inv[0]["due_at"], "2030-01-31T00:00:00Z", "30 days to pay by default");

    // January: 50,000 + 60,000 + 10,000 = 120,000 calls.
    advance(&app, sk, "2030-01-25T00:00:00Z").await;
    usage(&app, sk, &customer, "api_calls", "50000", "2030-01-03T10:00:00Z").await;
    usage(&app, sk, &customer, "api_calls", "60000", "2030-01-15T10:00:00Z").await;
    usage(&app, sk, &customer, "api_calls", "10000", "2030-01-24T23:59:59Z").await;

    // The period closes on Feb 1 into a draft; the grace hour ends at 01:00.
    advance(&app, sk, "2030-02-01T00:30:00Z").await;
    let inv = invoices(&app, sk, &customer).await;
    assert_eq!((inv.len(), inv[1]["status"].as_str(), &inv[1]["number"]), (2, Some("draft"), &Value::Null));
    assert_eq!(inv[1]["finalize_at"], "2030-02-01T01:00:00Z");
    advance(&app, sk, "2030-02-01T01:00:00Z").await;
    let inv = invoices(&app, sk, &customer).await;
    let closing = &inv[1];
    assert_eq!((closing["status"].as_str(), closing["number"].as_str()), (Some("open"), Some("TEST-000002")));
    assert_eq!(
        (closing["period_start"].as_str(), closing["period_end"].as_str()),
        (Some("2030-01-01T00:00:00Z"), Some("2030-02-01T00:00:00Z"))
    );
    // February's fee in advance: 99.00. January's usage: 120,000 − 50,000 included = 70,000 ×
    // 0.002 = 140.00. Subtotal 239.00; tax 20 % = 47.80; total 286.80.
    assert_eq!(
        lines(closing),
        vec![line("subscription", "-", "1", "99.00", "99.00"), line("usage", "api_calls", "70000", "0.002", "140.00")]
    );
    assert_eq!(totals(closing), ("239.00", "47.80", "286.80", "286.80"));
    assert_eq!(closing["lines"][0]["period_start"], "2030-02-01T00:00:00Z");
    assert_eq!(closing["lines"][1]["description"], "API calls: 120,000 request used, 50,000 included");
    assert_eq!(closing["issued_at"], "2030-02-01T01:00:00Z");
    assert_eq!(closing["due_at"], "2030-03-03T01:00:00Z");

    // The subscription renewed.
    let s = app.get(&format!("/v1/subscriptions/{}", sub["id"].as_str().unwrap()), sk).await;
    assert_eq!(
        (s.body["current_period_start"].as_str(), s.body["current_period_end"].as_str()),
        (Some("2030-02-01T00:00:00Z"), Some("2030-03-01T00:00:00Z"))
    );

    // Each finalized invoice was emailed to the customer.
    let outbox = app.state.mailer.outbox();
    let sent: Vec<_> = outbox.iter().filter(|m| m.to == "ada@example.com").collect();
    assert_eq!(sent.len(), 2, "{:?}", outbox.iter().map(|m| &m.subject).collect::<Vec<_>>());
    assert!(sent[1].subject.contains("TEST-000002") && sent[1].subject.contains("286.80"), "{}", sent[1].subject);
    assert!(sent[1].html.contains("140.00") && sent[1].text.contains("Amount due: USD 286.80"), "{}", sent[1].text);
}

#[actix_web::test]
async fn golden_pay_as_you_go_usage_in_arrears() {
    let app = spawn_app().await;
    let t = with_catalog(&app, "pay-as-you-go.json").await;
    let sk = &t.sk_test;
    advance(&app, sk, "2030-03-01T00:00:00Z").await;
    let customer = customer(&app, sk, "payg@example.com").await;
    subscribe(&app, sk, &customer, "payg", json!({})).await;
    assert!(invoices(&app, sk, &customer).await.is_empty(), "nothing is billed in advance");

    advance(&app, sk, "2030-03-30T00:00:00Z").await;
    usage(&app, sk, &customer, "api_calls", "200000", "2030-03-02T00:00:00Z").await;
    usage(&app, sk, &customer, "api_calls", "50000", "2030-03-20T00:00:00Z").await;
    usage(&app, sk, &customer, "data_mb", "1234.5", "2030-03-10T00:00:00Z").await;
    usage(&app, sk, &customer, "inferences", "333", "2030-03-29T23:00:00Z").await;
    // After the period: April's usage goes on the next invoice.
    advance(&app, sk, "2030-04-01T00:10:00Z").await;
    usage(&app, sk, &customer, "api_calls", "999", "2030-04-01T00:05:00Z").await;
    advance(&app, sk, "2030-04-01T02:00:00Z").await;

    let inv = invoices(&app, sk, &customer).await;
    assert_eq!(inv.len(), 1);
    // api_calls: 250,000 − 100,000 included = 150,000 × 0.001 = 150.00
    // data_mb: 1,234.5 × 0.01 = 12.345 → 12.35 (half away from zero)
    // inferences: 333 × 0.05 = 16.65
    // Subtotal 179.00, no tax rate, no base fee (it is 0).
    assert_eq!(
        lines(&inv[0]),
        vec![
            line("usage", "api_calls", "150000", "0.001", "150.00"),
            line("usage", "data_mb", "1234.5", "0.01", "12.35"),
            line("usage", "inferences", "333", "0.05", "16.65"),
        ]
    );
    assert_eq!(totals(&inv[0]), ("179.00", "0.00", "179.00", "179.00"));
    assert_eq!(inv[0]["status"], "open");
}

#[actix_web::test]
async fn golden_tiered_upgrade_mid_period_is_prorated_to_the_second() {
    let app = spawn_app().await;
    let t = with_catalog(&app, "tiered.json").await;
    let sk = &t.sk_test;
    // April has 30 days: the change on the 16th at 00:00 leaves exactly half the period.
    advance(&app, sk, "2030-04-01T00:00:00Z").await;
    let customer = customer(&app, sk, "up@example.com").await;
    let sub = subscribe(&app, sk, &customer, "starter", json!({})).await;
    let id = sub["id"].as_str().unwrap();
    advance(&app, sk, "2030-04-16T00:00:00Z").await;
    // The preview shows the invoice the change will bill, and changes nothing.
    let change = json!({"plan": "business", "timing": "now"});
    let preview = app.post(&format!("/v1/subscriptions/{id}/preview-change"), sk, change.clone()).await;
    assert_eq!(preview.status, 200, "{}", preview.text);
    assert_eq!(preview.body["subscription"]["plan"], "business");
    assert_eq!(
        lines(&preview.body["invoice"]),
        vec![line("proration", "-", "1", "-14.50", "-14.50"), line("proration", "-", "1", "149.50", "149.50")]
    );
    assert_eq!(totals(&preview.body["invoice"]), ("135.00", "0.00", "135.00", "135.00"));
    assert_eq!(invoices(&app, sk, &customer).await.len(), 1, "a preview bills nothing");
    assert_eq!(app.get(&format!("/v1/subscriptions/{id}"), sk).await.body["plan"], "starter");
    let later = json!({"plan": "business", "timing": "period_end"});
    let preview = app.post(&format!("/v1/subscriptions/{id}/preview-change"), sk, later).await;
    assert_eq!(
        (preview.body["invoice"].clone(), preview.body["subscription"]["pending_change"]["plan"].clone()),
        (json!(null), json!("business"))
    );
    let res = app.post(&format!("/v1/subscriptions/{id}/change"), sk, change).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["plan"], "business");
    assert_eq!(res.body["current_period_end"], "2030-05-01T00:00:00Z", "same cadence: the period is kept");

    let inv = invoices(&app, sk, &customer).await;
    assert_eq!(inv.len(), 2);
    let update = &inv[1];
    assert_eq!((update["reason"].as_str(), update["status"].as_str()), (Some("subscription_update"), Some("open")));
    assert_eq!(update["number"], "TEST-000002", "numbers stay gapless: the preview's was given back");
    // Unused Starter: −29.00 × 15/30 = −14.50. Remaining Business: 299.00 × 15/30 = 149.50.
    assert_eq!(
        lines(update),
        vec![line("proration", "-", "1", "-14.50", "-14.50"), line("proration", "-", "1", "149.50", "149.50")]
    );
    assert_eq!(totals(update), ("135.00", "0.00", "135.00", "135.00"));

    // Then an odd second: 10 seconds into May 16 a downgrade back to Starter. May has 31 days
    // (2,678,400 s); 1,382,390 s remain. Business credit: 299 × 1382390/2678400 = 154.3215… →
    // −154.32. Starter remaining: 29 × 1382390/2678400 = 14.9676… → 14.97. Total −139.35: nothing
    // is due and the customer keeps 139.35 of credit.
    advance(&app, sk, "2030-05-16T00:00:10Z").await;
    let res =
        app.post(&format!("/v1/subscriptions/{id}/change"), sk, json!({"plan": "starter", "timing": "now"})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let inv = invoices(&app, sk, &customer).await;
    let cycle = &inv[2];
    assert_eq!(lines(cycle), vec![line("subscription", "-", "1", "299.00", "299.00")], "May's Business fee");
    let down = &inv[3];
    assert_eq!(
        lines(down),
        vec![line("proration", "-", "1", "-154.32", "-154.32"), line("proration", "-", "1", "14.97", "14.97")]
    );
    assert_eq!(totals(down), ("-139.35", "0.00", "-139.35", "0.00"));
    assert_eq!(down["status"], "paid", "nothing to pay");

    // June's Starter fee (29.00) is paid from the credit: 110.35 remains for later.
    advance(&app, sk, "2030-06-01T01:00:00Z").await;
    let inv = invoices(&app, sk, &customer).await;
    let june = &inv[4];
    assert_eq!(lines(june), vec![line("subscription", "-", "1", "29.00", "29.00")]);
    assert_eq!(
        (june["total"].as_str(), june["credit_applied"].as_str(), june["amount_due"].as_str()),
        (Some("29.00"), Some("29.00"), Some("0.00"))
    );
}

#[actix_web::test]
async fn golden_freemium_free_month_then_a_scheduled_upgrade() {
    let app = spawn_app().await;
    let t = with_catalog(&app, "freemium.json").await;
    let sk = &t.sk_test;
    advance(&app, sk, "2030-01-10T08:00:00Z").await;
    let customer = customer(&app, sk, "free@example.com").await;
    let sub = subscribe(&app, sk, &customer, "free", json!({})).await;
    let id = sub["id"].as_str().unwrap();
    advance(&app, sk, "2030-01-20T00:00:00Z").await;
    usage(&app, sk, &customer, "api_calls", "90", "2030-01-19T00:00:00Z").await;
    let res = app
        .post(&format!("/v1/subscriptions/{id}/change"), sk, json!({"plan": "starter", "timing": "period_end"}))
        .await;
    assert_eq!(res.body["pending_change"]["plan"], "starter", "{}", res.text);

    // Feb 10: the free month bills nothing; the invoice closing it carries Starter's first fee.
    advance(&app, sk, "2030-02-10T09:00:00Z").await;
    let inv = invoices(&app, sk, &customer).await;
    assert_eq!(inv.len(), 1, "{inv:?}");
    assert_eq!(lines(&inv[0]), vec![line("subscription", "-", "1", "29.00", "29.00")]);
    assert_eq!(inv[0]["lines"][0]["description"], "Starter: Feb 10, 2030 – Mar 10, 2030");
    assert_eq!(totals(&inv[0]), ("29.00", "0.00", "29.00", "29.00"));
    let s = app.get(&format!("/v1/subscriptions/{id}"), sk).await;
    assert_eq!((s.body["plan"].as_str(), &s.body["pending_change"]), (Some("starter"), &Value::Null));
}

#[actix_web::test]
async fn a_trial_converts_and_its_usage_is_free() {
    let app = spawn_app().await;
    let t = with_catalog(&app, "hybrid.json").await;
    let sk = &t.sk_test;
    advance(&app, sk, "2030-01-01T00:00:00Z").await;
    let customer = customer(&app, sk, "trial@example.com").await;
    let sub = subscribe(&app, sk, &customer, "pro", json!({"trial_days": 14})).await;
    assert_eq!((sub["status"].as_str(), sub["trial_end"].as_str()), (Some("trialing"), Some("2030-01-15T00:00:00Z")));
    assert!(invoices(&app, sk, &customer).await.is_empty(), "no fee during a trial");
    advance(&app, sk, "2030-01-10T00:00:00Z").await;
    usage(&app, sk, &customer, "api_calls", "80000", "2030-01-09T00:00:00Z").await;

    advance(&app, sk, "2030-01-15T01:00:00Z").await;
    let inv = invoices(&app, sk, &customer).await;
    assert_eq!(inv.len(), 1);
    // The first paid period's fee only: trial usage is not billed.
    assert_eq!(lines(&inv[0]), vec![line("subscription", "-", "1", "99.00", "99.00")]);
    assert_eq!(inv[0]["lines"][0]["period_start"], "2030-01-15T00:00:00Z");
    assert_eq!(inv[0]["status"], "open");
    let s = app.get(&format!("/v1/subscriptions/{}", sub["id"].as_str().unwrap()), sk).await;
    assert_eq!(s.body["status"], "active");
    assert_eq!(
        (s.body["current_period_start"].as_str(), s.body["current_period_end"].as_str()),
        (Some("2030-01-15T00:00:00Z"), Some("2030-02-15T00:00:00Z"))
    );

    // The first paid month's usage is billed at its end: 60,000 − 50,000 = 10,000 × 0.002.
    advance(&app, sk, "2030-02-10T00:00:00Z").await;
    usage(&app, sk, &customer, "api_calls", "60000", "2030-02-01T00:00:00Z").await;
    advance(&app, sk, "2030-02-15T01:00:00Z").await;
    let inv = invoices(&app, sk, &customer).await;
    assert_eq!(
        lines(&inv[1]),
        vec![line("subscription", "-", "1", "99.00", "99.00"), line("usage", "api_calls", "10000", "0.002", "20.00")]
    );
}

#[actix_web::test]
async fn a_cancel_at_period_end_bills_the_last_usage_and_no_new_fee() {
    let app = spawn_app().await;
    let t = with_catalog(&app, "hybrid.json").await;
    let sk = &t.sk_test;
    advance(&app, sk, "2030-01-01T00:00:00Z").await;
    let customer = customer(&app, sk, "bye@example.com").await;
    let sub = subscribe(&app, sk, &customer, "pro", json!({})).await;
    let id = sub["id"].as_str().unwrap();
    let res = app.post(&format!("/v1/subscriptions/{id}/cancel"), sk, json!({"at_period_end": true})).await;
    assert_eq!(res.body["cancel_at_period_end"], true);
    advance(&app, sk, "2030-01-20T00:00:00Z").await;
    usage(&app, sk, &customer, "api_calls", "60000", "2030-01-19T00:00:00Z").await;
    advance(&app, sk, "2030-02-01T01:00:00Z").await;

    let inv = invoices(&app, sk, &customer).await;
    assert_eq!(inv.len(), 2);
    assert_eq!(lines(&inv[1]), vec![line("usage", "api_calls", "10000", "0.002", "20.00")]);
    assert_eq!(totals(&inv[1]), ("20.00", "0.00", "20.00", "20.00"));
    let s = app.get(&format!("/v1/subscriptions/{id}"), sk).await;
    assert_eq!(
        (s.body["status"].as_str(), s.body["ended_at"].as_str()),
        (Some("canceled"), Some("2030-02-01T00:00:00Z"))
    );
    // Nothing more, ever.
    advance(&app, sk, "2030-06-01T00:00:00Z").await;
    assert_eq!(invoices(&app, sk, &customer).await.len(), 2);
}

#[actix_web::test]
async fn a_subscription_started_on_jan_31_renews_on_the_last_days_of_shorter_months() {
    let app = spawn_app().await;
    let t = with_catalog(&app, "hybrid.json").await;
    let sk = &t.sk_test;
    advance(&app, sk, "2031-01-31T12:00:00Z").await;
    let customer = customer(&app, sk, "jan31@example.com").await;
    subscribe(&app, sk, &customer, "pro", json!({})).await;
    advance(&app, sk, "2031-05-01T00:00:00Z").await;
    let inv = invoices(&app, sk, &customer).await;
    let periods: Vec<_> = inv
        .iter()
        .map(|i| (i["lines"][0]["period_start"].as_str().unwrap(), i["lines"][0]["period_end"].as_str().unwrap()))
        .collect();
    assert_eq!(
        periods,
        vec![
            ("2031-01-31T12:00:00Z", "2031-02-28T12:00:00Z"),
            ("2031-02-28T12:00:00Z", "2031-03-31T12:00:00Z"),
            ("2031-03-31T12:00:00Z", "2031-04-30T12:00:00Z"),
            ("2031-04-30T12:00:00Z", "2031-05-31T12:00:00Z"),
        ]
    );
    let numbers: Vec<_> = inv.iter().map(|i| i["number"].as_str().unwrap()).collect();
    assert_eq!(numbers, vec!["TEST-000001", "TEST-000002", "TEST-000003", "TEST-000004"]);
}

#[actix_web::test]
async fn a_zero_decimal_currency_rounds_to_whole_yen() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let sk = &t.sk_test;
    let f = json!({"key": "api_calls", "name": "API calls", "type": "metered"});
    assert_eq!(app.post("/v1/features", sk, f).await.status, 201);
    let plan = json!({"key": "jp", "name": "JP", "currency": "JPY", "interval": "month", "amount": "1000",
        "charges": [{"feature": "api_calls", "model": "per_unit", "unit_amount": "0.5"}]});
    let res = app.post("/v1/plans", sk, plan).await;
    assert_eq!(res.status, 201, "{}", res.text);
    advance(&app, sk, "2030-01-01T00:00:00Z").await;
    let res = app.post("/v1/customers", sk, json!({"email": "jp@example.com", "tax_rate": "10"})).await;
    let customer = res.body["id"].as_str().unwrap().to_string();
    subscribe(&app, sk, &customer, "jp", json!({})).await;
    advance(&app, sk, "2030-01-20T00:00:00Z").await;
    usage(&app, sk, &customer, "api_calls", "1235", "2030-01-19T00:00:00Z").await;
    advance(&app, sk, "2030-02-01T01:00:00Z").await;
    let inv = invoices(&app, sk, &customer).await;
    assert_eq!(inv[0]["currency"], "JPY");
    assert_eq!(totals(&inv[0]), ("1000", "100", "1100", "1100"));
    // 1,235 × 0.5 = 617.5 → 618 (half away from zero). Subtotal 1,618; tax 10 % = 161.8 → 162.
    assert_eq!(
        lines(&inv[1]),
        vec![line("subscription", "-", "1", "1000", "1000"), line("usage", "api_calls", "1235", "0.5", "618")]
    );
    assert_eq!(totals(&inv[1]), ("1618", "162", "1780", "1780"));
}

#[actix_web::test]
async fn late_usage_lands_on_the_draft_and_is_refused_once_final() {
    let app = spawn_app().await;
    let t = with_catalog(&app, "hybrid.json").await;
    let sk = &t.sk_test;
    advance(&app, sk, "2030-01-01T00:00:00Z").await;
    let customer = customer(&app, sk, "late@example.com").await;
    subscribe(&app, sk, &customer, "pro", json!({})).await;
    advance(&app, sk, "2030-01-31T00:00:00Z").await;
    usage(&app, sk, &customer, "api_calls", "55000", "2030-01-30T00:00:00Z").await;
    advance(&app, sk, "2030-02-01T00:20:00Z").await;
    let draft = &invoices(&app, sk, &customer).await[1];
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["lines"][1]["amount"], "10.00", "5,000 over as of the closing");

    // An event of January that arrives during the grace period lands on the draft.
    usage(&app, sk, &customer, "api_calls", "1000", "2030-01-31T23:59:00Z").await;
    let res = app.post(&format!("/v1/invoices/{}/finalize", draft["id"].as_str().unwrap()), sk, json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["lines"][1]["quantity"], "6000");
    assert_eq!(res.body["lines"][1]["amount"], "12.00");
    assert_eq!(res.body["total"], "111.00");

    // Once final, January is closed: verify and usage refuse it; February is open.
    let late = json!({"customer": customer, "feature": "api_calls", "quantity": 1, "event_id": "late-1",
        "timestamp": "2030-01-31T23:59:30Z"});
    let res = app.post("/v1/usage", sk, late).await;
    assert_eq!((res.status, res.error_code(), res.error_param()), (400, "period_closed", Some("timestamp")));
    usage(&app, sk, &customer, "api_calls", "1", "2030-02-01T00:00:00Z").await;
    // The finalize job that was due at 01:00 finds nothing to do.
    advance(&app, sk, "2030-02-01T02:00:00Z").await;
    let inv = invoices(&app, sk, &customer).await;
    assert_eq!((inv.len(), inv[1]["total"].as_str()), (2, Some("111.00")));
}

#[actix_web::test]
async fn finalized_invoices_are_immutable_and_their_states_move_one_way() {
    let app = spawn_app().await;
    let t = with_catalog(&app, "hybrid.json").await;
    let sk = &t.sk_test;
    advance(&app, sk, "2030-01-01T00:00:00Z").await;
    let customer = customer(&app, sk, "imm@example.com").await;
    subscribe(&app, sk, &customer, "pro", json!({})).await;
    let inv = invoices(&app, sk, &customer).await;
    let id = inv[0]["id"].as_str().unwrap();

    // No route changes an open invoice's lines or totals; the database refuses any query.
    let res = app.post(&format!("/v1/invoices/{id}/finalize"), sk, json!({})).await;
    assert_eq!((res.status, res.error_code()), (409, "invoice_not_draft"));
    use diesel::RunQueryDsl;
    let mut db = app.db();
    let uuid = id.parse::<tollgate::ids::InvoiceId>().unwrap().0;
    for sql in [
        format!("UPDATE invoices SET total = 1 WHERE id = '{uuid}'"),
        format!("UPDATE invoice_lines SET amount = 1 WHERE invoice_id = '{uuid}'"),
        format!("DELETE FROM invoice_lines WHERE invoice_id = '{uuid}'"),
        format!("DELETE FROM invoices WHERE id = '{uuid}'"),
    ] {
        let err = diesel::sql_query(&sql).execute(&mut db).unwrap_err().to_string();
        assert!(err.contains("finalized"), "{sql}: {err}");
    }

    let res = app.post(&format!("/v1/invoices/{id}/mark-paid"), sk, json!({})).await;
    assert_eq!((res.status, res.body["status"].as_str()), (200, Some("paid")), "{}", res.text);
    assert!(res.body["paid_at"].is_string());
    let res = app.post(&format!("/v1/invoices/{id}/void"), sk, json!({})).await;
    assert_eq!((res.status, res.error_code()), (409, "invoice_not_voidable"));
    let res = app.post(&format!("/v1/invoices/{id}/mark-paid"), sk, json!({})).await;
    assert_eq!((res.status, res.error_code()), (409, "invoice_not_open"));
    assert_eq!(app.get(&format!("/v1/invoices/{id}"), sk).await.body["total"], "99.00");

    // Another tenant sees none of it.
    let other = app.signup().await;
    for path in [format!("/v1/invoices/{id}"), format!("/v1/invoices/{id}/document")] {
        assert_eq!(app.get(&path, &other.sk_test).await.status, 404);
    }
    assert_eq!(app.post(&format!("/v1/invoices/{id}/void"), &other.sk_test, json!({})).await.status, 404);
    assert_eq!(app.get("/v1/invoices", &other.sk_test).await.body["data"], json!([]));
    assert_eq!(app.get("/v1/invoices/in_nonsense", sk).await.status, 404);
    let res = app.get("/v1/invoices?status=bogus", sk).await;
    assert_eq!(res.status, 400);
}

#[actix_web::test]
async fn concurrent_finalizations_number_invoices_without_gaps() {
    let app = spawn_app().await;
    let t = with_catalog(&app, "hybrid.json").await;
    let sk = &t.sk_test;
    advance(&app, sk, "2030-01-01T00:00:00Z").await;
    subscribed(&app, sk, "n", 12).await;
    // Twelve drafts, finalized all at once by hand.
    advance(&app, sk, "2030-02-01T00:10:00Z").await;
    let drafts = app.get("/v1/invoices?status=draft&limit=100", sk).await;
    let ids: Vec<String> =
        drafts.body["data"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids.len(), 12);
    let paths: Vec<String> = ids.iter().map(|id| format!("/v1/invoices/{id}/finalize")).collect();
    let calls = paths.iter().map(|p| app.post(p, sk, json!({})));
    let results = futures_util::future::join_all(calls).await;
    let mut numbers: Vec<String> = results
        .iter()
        .map(|r| {
            assert_eq!(r.status, 200, "{}", r.text);
            r.body["number"].as_str().unwrap().to_string()
        })
        .collect();
    numbers.sort();
    let expected: Vec<String> = (13..=24).map(|n| format!("TEST-{n:06}")).collect();
    assert_eq!(numbers, expected, "12 start invoices, then 12 more: no gap, no repeat");
    // Live mode numbers on its own.
    assert_eq!(app.get("/v1/invoices", &t.sk_live).await.body["data"], json!([]));
}

#[actix_web::test]
async fn the_test_clock_moves_forward_only_and_only_in_test_mode() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let now = app.get("/v1/test-clock", &t.sk_test).await;
    assert_eq!(now.status, 200);
    let res = app.get("/v1/test-clock", &t.sk_live).await;
    assert_eq!((res.status, res.error_code()), (403, "test_mode_only"));
    let res = app.post("/v1/test-clock/advance", &t.sk_live, json!({"to": "2031-01-01T00:00:00Z"})).await;
    assert_eq!((res.status, res.error_code()), (403, "test_mode_only"));

    advance(&app, &t.sk_test, "2030-06-01T00:00:00Z").await;
    assert_eq!(app.get("/v1/test-clock", &t.sk_test).await.body["now"], "2030-06-01T00:00:00Z");
    for to in ["2030-05-31T23:59:59Z", "2030-06-01T00:00:00Z"] {
        let res = app.post("/v1/test-clock/advance", &t.sk_test, json!({ "to": to })).await;
        assert_eq!((res.status, res.error_code(), res.error_param()), (400, "clock_cannot_go_back", Some("to")));
    }
    let res = app.post("/v1/test-clock/advance", &t.sk_test, json!({"to": "yesterday"})).await;
    assert_eq!((res.status, res.error_param()), (400, Some("to")));
    let res = app.post("/v1/test-clock/advance", &t.sk_test, json!({"to": "2090-01-01T00:00:00Z"})).await;
    assert_eq!(res.status, 400, "{}", res.text);

    // Usage without a timestamp takes the test clock's time; live mode keeps real time.
    let c = customer(&app, &t.sk_test, "clock@example.com").await;
    let f = json!({"key": "api_calls", "name": "API calls", "type": "metered"});
    assert_eq!(app.post("/v1/features", &t.sk_test, f).await.status, 201);
    let res = app
        .post("/v1/usage", &t.sk_test, json!({"customer": c, "feature": "api_calls", "quantity": 1, "event_id": "e1"}))
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let series = app
        .get(
            &format!("/v1/customers/{c}/usage?feature=api_calls&from=2030-05-31T00:00:00Z&to=2030-06-02T00:00:00Z"),
            &t.sk_test,
        )
        .await;
    assert_eq!(series.body["data"][1]["start"], "2030-06-01T00:00:00Z", "{}", series.text);
    assert_eq!(series.body["data"][1]["value"], 1, "{}", series.text);
    // Another tenant's clock did not move.
    let other = app.signup().await;
    let theirs = app.get("/v1/test-clock", &other.sk_test).await.body["now"].as_str().unwrap().to_string();
    assert!(theirs.as_str() < "2030-01-01", "{theirs}");
}

#[actix_web::test]
async fn the_upcoming_invoice_shows_the_period_so_far() {
    let app = spawn_app().await;
    let t = with_catalog(&app, "hybrid.json").await;
    let sk = &t.sk_test;
    advance(&app, sk, "2030-01-01T00:00:00Z").await;
    let customer = customer(&app, sk, "soon@example.com").await;
    let res = app.get(&format!("/v1/customers/{customer}/upcoming-invoice"), sk).await;
    assert_eq!((res.status, res.error_code()), (404, "no_upcoming_invoice"));
    subscribe(&app, sk, &customer, "pro", json!({})).await;
    advance(&app, sk, "2030-01-15T00:00:00Z").await;
    usage(&app, sk, &customer, "api_calls", "109700", "2030-01-14T00:00:00Z").await;
    let res = app.get(&format!("/v1/customers/{customer}/upcoming-invoice"), sk).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        (res.body["status"].as_str(), &res.body["id"], &res.body["number"]),
        (Some("upcoming"), &Value::Null, &Value::Null)
    );
    // February's fee in advance, plus 59,700 calls over so far × 0.002 = 119.40.
    assert_eq!(
        lines(&res.body),
        vec![line("subscription", "-", "1", "99.00", "99.00"), line("usage", "api_calls", "59700", "0.002", "119.40")]
    );
    assert_eq!(res.body["total"], "218.40");
    assert_eq!(invoices(&app, sk, &customer).await.len(), 1, "a preview writes nothing");
}

#[actix_web::test]
async fn the_document_is_a_printable_page_with_every_line() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let sk = &t.sk_test;
    pro_plan(&app, sk).await;
    advance(&app, sk, "2030-01-01T00:00:00Z").await;
    let res = app.post("/v1/customers", sk, json!({"email": "doc@example.com", "name": "Doc <b>Brown</b>"})).await;
    let customer = res.body["id"].as_str().unwrap().to_string();
    subscribe(&app, sk, &customer, "pro", json!({})).await;
    advance(&app, sk, "2030-01-20T00:00:00Z").await;
    usage(&app, sk, &customer, "data_mb", "2500", "2030-01-10T00:00:00Z").await;
    usage(&app, sk, &customer, "inferences", "150", "2030-01-10T00:00:00Z").await;
    usage(&app, sk, &customer, "exports", "2001", "2030-01-10T00:00:00Z").await;
    advance(&app, sk, "2030-02-01T01:00:00Z").await;
    let inv = invoices(&app, sk, &customer).await;
    // docs/api.md's plan: 99.00 fee; api_calls none; data_mb graduated 1,000 free then 1,500 × 0.01
    // = 15.00; inferences volume, 150 > 100 so all at 0.04 = 6.00; exports 2,001 → 3 packages.
    assert_eq!(
        lines(&inv[1]),
        vec![
            line("subscription", "-", "1", "99.00", "99.00"),
            line("usage", "api_calls", "0", "0.002", "0.00"),
            line("usage", "data_mb", "2500", "-", "15.00"),
            line("usage", "inferences", "150", "0.04", "6.00"),
            line("usage", "exports", "3", "1.00", "3.00"),
        ]
    );
    assert_eq!(inv[1]["lines"][2]["tiers"][1]["quantity"], "1500");
    assert_eq!(totals(&inv[1]), ("123.00", "0.00", "123.00", "123.00"));

    let id = inv[1]["id"].as_str().unwrap();
    let res = app.get(&format!("/v1/invoices/{id}/document"), sk).await;
    assert_eq!(res.status, 200);
    assert!(res.header("content-type").unwrap().starts_with("text/html"));
    for needle in [
        "TEST-000002",
        "Acme Weather API",
        "doc@example.com",
        "USD 123.00",
        "above 1,000",
        "Feb 1, 2030",
        "Mar 3, 2030",
    ] {
        assert!(res.text.contains(needle), "the document shows {needle}");
    }
    assert!(
        res.text.contains("Doc &#60;b&#62;Brown&#60;/b&#62;") || res.text.contains("Doc &lt;b&gt;Brown&lt;/b&gt;"),
        "escaped"
    );
}

#[actix_web::test]
async fn tenant_settings_set_the_grace_period_and_the_days_to_pay() {
    let app = spawn_app().await;
    let t = with_catalog(&app, "hybrid.json").await;
    let sk = &t.sk_test;
    let res =
        app.patch("/v1/tenant", &t.token, json!({"invoice_grace_period_seconds": 0, "invoice_due_days": 14})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        (res.body["invoice_grace_period_seconds"].as_i64(), res.body["invoice_due_days"].as_i64()),
        (Some(0), Some(14))
    );
    for bad in [
        json!({"invoice_due_days": -1}),
        json!({"invoice_due_days": 366}),
        json!({"invoice_grace_period_seconds": 1.5}),
    ] {
        let res = app.patch("/v1/tenant", &t.token, bad).await;
        assert_eq!(res.status, 400, "{}", res.text);
    }
    advance(&app, sk, "2030-01-01T00:00:00Z").await;
    let customer = customer(&app, sk, "fast@example.com").await;
    subscribe(&app, sk, &customer, "pro", json!({})).await;
    advance(&app, sk, "2030-02-01T00:00:00Z").await;
    let inv = invoices(&app, sk, &customer).await;
    assert_eq!(
        (inv[1]["status"].as_str(), inv[1]["due_at"].as_str()),
        (Some("open"), Some("2030-02-15T00:00:00Z")),
        "no grace"
    );
}

#[actix_web::test]
async fn two_instances_closing_the_same_periods_make_one_invoice_each() {
    let a = spawn_app().await;
    let b = spawn_instance_on(&a).await;
    let t = with_catalog(&a, "hybrid.json").await;
    let sk = &t.sk_live;
    let catalog: Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/catalogs/hybrid.json"),
        )
        .unwrap(),
    )
    .unwrap();
    tollgate::catalog::loader::load(&a.address, sk, &catalog).await.unwrap();
    let customers = subscribed(&a, sk, "live", 8).await;
    // Live mode runs on the instance clock: both instances jump past the period end and the
    // grace period, and both workers race for the same jobs.
    let later = chrono::Utc::now() + chrono::TimeDelta::days(32);
    a.clock.set(later);
    b.clock.set(later);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let open = a.get("/v1/invoices?status=open&limit=100", sk).await;
        if open.body["data"].as_array().unwrap().len() >= 16 || std::time::Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    for c in &customers {
        let inv = invoices(&a, sk, c).await;
        let reasons: Vec<_> = inv.iter().map(|i| i["reason"].as_str().unwrap()).collect();
        assert_eq!(reasons, vec!["subscription_create", "subscription_cycle"], "{c}");
        assert_eq!(inv[1]["status"], "open");
    }
    assert_eq!(numbers(&a, sk).await, (1..=16).map(|n| format!("INV-{n:06}")).collect::<Vec<_>>());
    // The emails are jobs of their own, after the finalizations: wait for them, then a little
    // more, in case one went out twice.
    let sent = || a.state.mailer.outbox().len() + b.state.mailer.outbox().len();
    while sent() < 16 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(sent(), 16, "each invoice emailed once");
}

#[actix_web::test]
async fn a_failing_job_is_retried_with_backoff_then_set_aside() {
    use diesel::RunQueryDsl;
    let app = spawn_app().await;
    let t = app.signup().await;
    let tenant = t.id.parse::<tollgate::ids::TenantId>().unwrap().0;
    let mut db = app.db();
    // A job whose subject names no subscription: it fails every time it runs.
    diesel::sql_query(format!(
        "INSERT INTO jobs (id, tenant_id, mode, kind, subject, run_at) \
         VALUES (gen_random_uuid(), '{tenant}', 'test', 'close_period', 'not-a-subscription', '2030-01-01T00:00:00Z')"
    ))
    .execute(&mut db)
    .unwrap();

    // Advancing a day runs it at 00:00, then after 2 s, 4 s, 8 s … until it has failed ten
    // times; the advance itself goes through.
    let body = advance(&app, &t.sk_test, "2030-01-02T00:00:00Z").await;
    assert_eq!(body["jobs_run"], 10);
    #[derive(diesel::QueryableByName, Debug)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        attempts: i32,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        failed: bool,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        done: bool,
        #[diesel(sql_type = diesel::sql_types::Text)]
        last_error: String,
    }
    let row: Row = diesel::sql_query(
        "SELECT attempts, failed_at IS NOT NULL AS failed, done_at IS NOT NULL AS done, last_error FROM jobs",
    )
    .get_result(&mut db)
    .unwrap();
    assert_eq!((row.attempts, row.failed, row.done), (10, true, false), "{row:?}");
    assert!(row.last_error.contains("not-a-subscription"), "{}", row.last_error);
    // Set aside: a later advance does not run it again.
    let body = advance(&app, &t.sk_test, "2030-02-01T00:00:00Z").await;
    assert_eq!(body["jobs_run"], 0);
}

#[actix_web::test]
async fn a_test_clock_stands_still_while_real_time_passes() {
    let app = spawn_app().await;
    let t = with_catalog(&app, "hybrid.json").await;
    let sk = &t.sk_test;
    advance(&app, sk, "2030-01-01T00:00:00Z").await;
    let customer = customer(&app, sk, "worker@example.com").await;
    subscribe(&app, sk, &customer, "pro", json!({})).await;
    // Real time passes (the instance clock); the test clock does not move with it.
    app.clock.advance(chrono::TimeDelta::days(31) + chrono::TimeDelta::hours(2));
    #[derive(diesel::QueryableByName)]
    struct Pending {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        due_now: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        later: i64,
    }
    let pending = || -> Pending {
        use diesel::RunQueryDsl;
        diesel::sql_query(
            "SELECT count(*) FILTER (WHERE run_at <= '2030-01-01T00:00:00Z') AS due_now, \
                    count(*) FILTER (WHERE run_at > '2030-01-01T00:00:00Z') AS later \
             FROM jobs WHERE done_at IS NULL AND failed_at IS NULL",
        )
        .get_result(&mut app.db())
        .unwrap()
    };
    // The background worker runs what is due by the test clock (the invoice email), and nothing
    // that is due only by the instance clock.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while pending().due_now > 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let p = pending();
    assert_eq!(p.due_now, 0, "jobs due by the test clock ran");
    assert!(p.later >= 1, "the period's closing waits for the test clock");
    assert_eq!(invoices(&app, sk, &customer).await.len(), 1);
    assert_eq!(app.get("/v1/test-clock", sk).await.body["now"], "2030-01-01T00:00:00Z");
    // Everything in test mode is dated by the test clock, the customer included.
    let c = app.get(&format!("/v1/customers/{customer}"), sk).await;
    assert_eq!(c.body["created_at"], "2030-01-01T00:00:00Z", "{}", c.text);
    let usage = app
        .post("/v1/usage", sk, json!({"customer": customer, "feature": "api_calls", "quantity": 1, "event_id": "u1"}))
        .await;
    assert_eq!(usage.status, 201, "{}", usage.text);

    advance(&app, sk, "2030-02-01T01:00:00Z").await;
    let inv = invoices(&app, sk, &customer).await;
    assert_eq!(inv.len(), 2, "{inv:?}");
    assert_eq!((inv[1]["status"].as_str(), inv[1]["issued_at"].as_str()), (Some("open"), Some("2030-02-01T01:00:00Z")));
    assert_eq!(app.get("/v1/test-clock", sk).await.body["now"], "2030-02-01T01:00:00Z");
}

#[derive(diesel::QueryableByName, Debug)]
struct ClockRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    now: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    leased: bool,
}

/// The test clock's row as the database has it: where it stands and whether an advance holds
/// the tenant's test-mode jobs.
fn clock_row(app: &TestApp) -> ClockRow {
    use diesel::RunQueryDsl;
    diesel::sql_query(
        "SELECT to_char(frozen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS now, \
                advancing_until IS NOT NULL AS leased FROM test_clocks",
    )
    .get_result(&mut app.db())
    .unwrap()
}

#[actix_web::test]
async fn a_long_advance_commits_in_steps_and_shows_its_progress() {
    let app = spawn_app().await;
    let t = with_catalog(&app, "hybrid.json").await;
    let sk = &t.sk_test;
    advance(&app, sk, "2030-01-01T00:00:00Z").await;
    let customers = subscribed(&app, sk, "step", 20).await;
    // Two periods: every closing, finalization and email, far more than one step's jobs, while
    // the clock's row is watched.
    let to = "2030-03-01T02:00:00Z";
    let watch = async {
        let mut seen = Vec::new();
        for _ in 0..5000 {
            let row = clock_row(&app);
            let finished = row.now == to && !row.leased;
            seen.push((row.now, row.leased));
            if finished {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        seen
    };
    let (body, seen) = futures_util::join!(advance(&app, sk, to), watch);
    let ran = body["jobs_run"].as_i64().unwrap();
    assert!(ran > 16 * 4, "{ran} jobs: several steps");
    // Each step committed with the clock at its last job, leased to the advance, and the clock
    // only moved forward.
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0), "{seen:?}");
    assert!(seen.iter().all(|(now, _)| now.as_str() >= "2030-01-01T00:00:00Z" && now.as_str() <= to), "{seen:?}");
    assert!(
        seen.iter().any(|(now, leased)| *leased && now.as_str() > "2030-01-01T00:00:00Z" && now.as_str() < to),
        "a step between the start and the end was seen: {seen:?}"
    );
    assert_eq!(seen.last().unwrap(), &(to.to_string(), false), "done: the lease is given back");
    // Every period closed, in order, numbered without gaps.
    for c in &customers {
        let inv = invoices(&app, sk, c).await;
        let reasons: Vec<_> = inv.iter().map(|i| i["reason"].as_str().unwrap()).collect();
        assert_eq!(reasons, ["subscription_create", "subscription_cycle", "subscription_cycle"], "{c}");
        assert!(inv.iter().all(|i| i["status"] == "open"), "{inv:?}");
    }
    assert_eq!(numbers(&app, sk).await, (1..=60).map(|n| format!("TEST-{n:06}")).collect::<Vec<_>>());
}

#[actix_web::test]
async fn the_workers_leave_a_tenants_test_jobs_to_its_advance_while_it_runs() {
    use diesel::RunQueryDsl;
    let app = spawn_app().await;
    let t = with_catalog(&app, "hybrid.json").await;
    let sk = &t.sk_test;
    advance(&app, sk, "2030-01-01T00:00:00Z").await;
    // An advance holds the tenant's test-mode jobs (as between two of its steps).
    diesel::sql_query("UPDATE test_clocks SET advancing_until = '2999-01-01T00:00:00Z'")
        .execute(&mut app.db())
        .unwrap();
    // A subscription makes a job due now: its first invoice's email.
    let c = customer(&app, sk, "held@example.com").await;
    subscribe(&app, sk, &c, "pro", json!({})).await;
    #[derive(diesel::QueryableByName)]
    struct Due {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        due: i64,
    }
    let due = || -> i64 {
        diesel::sql_query(
            "SELECT count(*) AS due FROM jobs WHERE done_at IS NULL AND failed_at IS NULL \
               AND run_at <= '2030-01-01T00:00:00Z'",
        )
        .get_result::<Due>(&mut app.db())
        .unwrap()
        .due
    };
    assert!(due() >= 1);
    // Three of the worker's polls: it leaves the job alone.
    tokio::time::sleep(tollgate::jobs::POLL * 3).await;
    assert!(due() >= 1, "the worker kept out while the advance held the jobs");
    assert_eq!(app.state.mailer.outbox().len(), 0);
    // The lease ends (the advance is done, or was cut short and its lease expired): the worker
    // takes the job.
    diesel::sql_query("UPDATE test_clocks SET advancing_until = NULL").execute(&mut app.db()).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while due() > 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(due(), 0, "the worker ran it once the lease was over");
    assert!(!app.state.mailer.outbox().is_empty());
}

#[actix_web::test]
async fn bad_billing_requests_are_clear_errors() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let sk = &t.sk_test;
    for (body, param) in
        [(json!({"to": 5}), "to"), (json!({}), "to"), (json!({"to": "2031-01-01T00:00:00Z", "by": "1d"}), "by")]
    {
        let res = app.post("/v1/test-clock/advance", sk, body).await;
        assert_eq!((res.status, res.error_param()), (400, Some(param)), "{}", res.text);
    }
    for path in ["/v1/invoices?customer=nonsense", "/v1/invoices?limit=0", "/v1/invoices?cursor=x"] {
        assert_eq!(app.get(path, sk).await.status, 400, "{path}");
    }
    for path in ["/v1/invoices/in_0PYr3fWn4fTq0wKfM8sQ2i", "/v1/customers/cus_0PYr3fWn4fTq0wKfM8sQ2f/upcoming-invoice"]
    {
        let res = app.get(path, sk).await;
        assert_eq!((res.status, res.error_code()), (404, "resource_missing"), "{path}");
    }
    for action in ["finalize", "void", "mark-paid", "mark-uncollectible"] {
        let res = app.post(&format!("/v1/invoices/in_0PYr3fWn4fTq0wKfM8sQ2i/{action}"), sk, json!({})).await;
        assert_eq!(res.status, 404, "{action}");
    }
}

#[actix_web::test]
async fn a_job_of_a_kind_this_instance_does_not_know_fails_and_is_set_aside() {
    use diesel::RunQueryDsl;
    let app = spawn_app().await;
    let t = app.signup().await;
    advance(&app, &t.sk_test, "2030-01-01T00:00:00Z").await;
    // A newer instance's kind of job, during a rolling deploy.
    diesel::sql_query(
        "INSERT INTO jobs (id, tenant_id, mode, kind, subject, priority, run_at) \
         VALUES (gen_random_uuid(), $1, 'test', 'from_the_future', 'x', 0, '2030-01-01T12:00:00Z')",
    )
    .bind::<diesel::sql_types::Uuid, _>(t.id.parse::<tollgate::ids::TenantId>().unwrap().0)
    .execute(&mut app.db())
    .unwrap();
    let body = advance(&app, &t.sk_test, "2030-01-02T00:00:00Z").await;
    assert_eq!(body["jobs_run"], 10, "tried, with backoff, until set aside");
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        last_error: String,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        failed: bool,
    }
    let row: Row = diesel::sql_query(
        "SELECT last_error, failed_at IS NOT NULL AS failed FROM jobs WHERE kind = 'from_the_future'",
    )
    .get_result(&mut app.db())
    .unwrap();
    assert!(row.failed && row.last_error.contains("no runner for job kind"), "{}", row.last_error);
}
