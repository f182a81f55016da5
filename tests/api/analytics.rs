//! Revenue analytics: golden scenarios driven by the test clock, every figure worked out by
//! hand, and the MRR identity over random histories.

use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

use crate::helpers::*;

async fn plan(app: &TestApp, sk: &str, key: &str, currency: &str, interval: &str, amount: &str, trial_days: i64) {
    let body = json!({"key": key, "name": key, "currency": currency, "interval": interval, "amount": amount, "trial_days": trial_days});
    let res = app.post("/v1/plans", sk, body).await;
    assert_eq!(res.status, 201, "{}", res.text);
}

async fn subscribe(app: &TestApp, sk: &str, customer: &str, plan: &str) -> String {
    let res = app.post("/v1/subscriptions", sk, json!({"customer": customer, "plan": plan})).await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body["id"].as_str().unwrap().to_string()
}

/// The series' buckets as (mrr, subscribers, new, expansion, contraction, churn, reactivation).
fn figures(series: &Value) -> Vec<(String, i64, String, String, String, String, String)> {
    let s = |v: &Value| v.as_str().unwrap().to_string();
    series["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                s(&b["mrr"]),
                b["subscribers"].as_i64().unwrap(),
                s(&b["new"]),
                s(&b["expansion"]),
                s(&b["contraction"]),
                s(&b["churn"]),
                s(&b["reactivation"]),
            )
        })
        .collect()
}

fn cents(s: &str) -> i64 {
    let d: rust_decimal::Decimal = s.parse().unwrap();
    i64::try_from(d * rust_decimal::Decimal::from(100)).unwrap()
}

/// `mrr(end) = mrr(start) + new + reactivation + expansion − contraction − churn`, bucket by
/// bucket, starting from `start`.
fn assert_identity(series: &Value, start: i64) {
    let mut before = start;
    for b in series["data"].as_array().unwrap() {
        let c = |k: &str| cents(b[k].as_str().unwrap());
        let moved = before + c("new") + c("reactivation") + c("expansion") - c("contraction") - c("churn");
        assert_eq!(c("mrr"), moved, "bucket {}: {b}", b["start"]);
        before = c("mrr");
    }
}

#[actix_web::test]
async fn golden_mrr_movements_over_three_months_in_two_currencies() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let sk = &t.sk_test;
    app.advance(sk, "2030-01-01T00:00:00Z").await;
    plan(&app, sk, "basic", "USD", "month", "30.00", 0).await;
    plan(&app, sk, "pro", "USD", "month", "100.00", 0).await;
    plan(&app, sk, "annual", "USD", "year", "1200.00", 0).await; // 1,200 ÷ 12 = 100.00 a month
    plan(&app, sk, "trial", "USD", "month", "50.00", 14).await;
    plan(&app, sk, "weekly", "EUR", "week", "10.00", 0).await; // 10 × 52 ÷ 12 = 43.333… → 43.33
    let (a, b, c, d) = (
        customer(&app, sk, "a@example.com").await,
        customer(&app, sk, "b@example.com").await,
        customer(&app, sk, "c@example.com").await,
        customer(&app, sk, "d@example.com").await,
    );

    // January. A takes basic (30) on the 1st and upgrades to pro (100) on the 20th: over the
    // month, A goes from 0 to 100, all of it new. B takes the annual plan on the 10th: new 100.
    // C starts a 14-day trial on the 25th: 0 until February 8.
    let sub_a = subscribe(&app, sk, &a, "basic").await;
    app.advance(sk, "2030-01-10T00:00:00Z").await;
    let sub_b = subscribe(&app, sk, &b, "annual").await;
    app.advance(sk, "2030-01-20T00:00:00Z").await;
    let res = app.post(&format!("/v1/subscriptions/{sub_a}/change"), sk, json!({"plan": "pro", "timing": "now"})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    app.advance(sk, "2030-01-25T00:00:00Z").await;
    subscribe(&app, sk, &c, "trial").await;

    // February. C's trial ends on the 8th: new 50. A schedules a downgrade to basic for the end of
    // the period (March 1). B cancels at once on the 20th: churn 100. End: A 100 + C 50 = 150.
    app.advance(sk, "2030-02-15T00:00:00Z").await;
    let res = app
        .post(&format!("/v1/subscriptions/{sub_a}/change"), sk, json!({"plan": "basic", "timing": "period_end"}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    app.advance(sk, "2030-02-20T00:00:00Z").await;
    let res = app.post(&format!("/v1/subscriptions/{sub_b}/cancel"), sk, json!({"at_period_end": false})).await;
    assert_eq!(res.status, 200, "{}", res.text);

    // February 25: thirty days back (January 26) A and B paid (C was in trial); now B has
    // churned: one of two, 50 %.
    app.advance(sk, "2030-02-25T00:00:00Z").await;
    let s = app.get("/v1/analytics/summary?currency=USD", sk).await.body;
    assert_eq!((s["churned_30d"].as_i64(), s["churn_rate_30d"].as_str()), (Some(1), Some("50.00")), "{s}");

    // March. A's downgrade takes effect on the 1st: contraction 70. B comes back to basic on the
    // 10th: reactivation 30 (B had MRR before). D takes the weekly EUR plan: EUR only.
    // End: A 30 + B 30 + C 50 = 110, three subscribers.
    app.advance(sk, "2030-03-10T00:00:00Z").await;
    subscribe(&app, sk, &b, "basic").await;
    subscribe(&app, sk, &d, "weekly").await;
    app.advance(sk, "2030-03-15T00:00:00Z").await;

    let usd = app.get("/v1/analytics/mrr?currency=USD&from=2030-01-01T00:00:00Z&to=2030-04-01T00:00:00Z", sk).await;
    assert_eq!(usd.status, 200, "{}", usd.text);
    let z = || "0.00".to_string();
    assert_eq!(
        figures(&usd.body),
        vec![
            ("200.00".into(), 2, "200.00".into(), z(), z(), z(), z()),
            ("150.00".into(), 2, "50.00".into(), z(), z(), "100.00".into(), z()),
            ("110.00".into(), 3, z(), z(), "70.00".into(), z(), "30.00".into()),
        ]
    );
    assert_eq!(usd.body["data"][0]["start"], "2030-01-01T00:00:00Z");
    assert_identity(&usd.body, 0);

    let eur = app.get("/v1/analytics/mrr?currency=EUR&from=2030-01-01T00:00:00Z&to=2030-04-01T00:00:00Z", sk).await;
    assert_eq!(
        figures(&eur.body)[2],
        ("43.33".into(), 1, "43.33".into(), z(), z(), z(), z()),
        "a currency of its own, never added to the dollars"
    );
    assert_eq!(figures(&eur.body)[0].0, "0.00");

    // Now (March 15): 110.00 a month, 1,320.00 a year, 3 subscribers, 110 ÷ 3 = 36.666… → 36.67.
    let s = app.get("/v1/analytics/summary?currency=USD", sk).await;
    assert_eq!(s.status, 200, "{}", s.text);
    assert_eq!(
        (s.body["mrr"].as_str(), s.body["arr"].as_str(), s.body["subscribers"].as_i64(), s.body["arpu"].as_str()),
        (Some("110.00"), Some("1320.00"), Some(3), Some("36.67"))
    );
    // Thirty days back (February 13) A, B and C paid; all three pay now (B came back): no churn.
    assert_eq!((s.body["churned_30d"].as_i64(), s.body["churn_rate_30d"].as_str()), (Some(0), Some("0.00")));
    // Overdue: what the open invoices past their due date ask for, as the invoices API lists them.
    let mut overdue = 0;
    for cus in [&a, &b, &c] {
        for inv in app.get(&format!("/v1/invoices?customer={cus}&limit=100"), sk).await.body["data"].as_array().unwrap()
        {
            if inv["status"] == "open" && inv["due_at"].as_str().is_some_and(|d| d < "2030-03-15T00:00:00Z") {
                overdue += cents(inv["amount_due"].as_str().unwrap());
            }
        }
    }
    assert_eq!(cents(s.body["overdue"].as_str().unwrap()), overdue);

    // Bad requests: a currency that is not one, a range backwards.
    let res = app.get("/v1/analytics/summary?currency=XYZ", sk).await;
    assert_eq!((res.status, res.error_param()), (400, Some("currency")));
    let res = app.get("/v1/analytics/mrr?currency=USD&from=2030-03-01T00:00:00Z&to=2030-01-01T00:00:00Z", sk).await;
    assert_eq!((res.status, res.error_param()), (400, Some("from")));
    // Another tenant sees none of it.
    let other = app.signup().await;
    let s = app.get("/v1/analytics/summary?currency=USD", &other.sk_test).await;
    assert_eq!((s.body["mrr"].as_str(), s.body["subscribers"].as_i64()), (Some("0.00"), Some(0)));
    assert!(s.body["churn_rate_30d"].is_null(), "no subscribers thirty days ago: no rate");
}

#[actix_web::test]
async fn the_mrr_identity_holds_in_every_bucket_of_random_histories() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let sk = &t.sk_test;
    app.advance(sk, "2030-01-01T00:00:00Z").await;
    let plans = [
        ("p10", "month", "10.00", 0),
        ("p25", "month", "25.00", 0),
        ("y120", "year", "130.00", 0),
        ("w3", "week", "3.00", 0),
        ("tr", "month", "40.00", 7),
    ];
    for (key, interval, amount, trial) in plans {
        plan(&app, sk, key, "USD", interval, amount, trial).await;
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261129);
    let mut customers = Vec::new();
    for i in 0..6 {
        customers.push(customer(&app, sk, &format!("r{i}@example.com")).await);
    }
    let mut day = chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
    for _ in 0..40 {
        day += chrono::TimeDelta::days(rng.gen_range(1..6));
        app.advance(sk, &format!("{day}T00:00:00Z")).await;
        let cus = &customers[rng.gen_range(0..customers.len())];
        let subs = app.get(&format!("/v1/subscriptions?customer={cus}"), sk).await.body;
        let open = subs["data"].as_array().unwrap().iter().find(|s| s["status"] != "canceled").cloned();
        let plan = plans[rng.gen_range(0..plans.len())].0;
        match (open, rng.gen_range(0..4)) {
            (None, _) => drop(app.post("/v1/subscriptions", sk, json!({"customer": cus, "plan": plan})).await),
            (Some(s), 0) => {
                let id = s["id"].as_str().unwrap();
                app.post(&format!("/v1/subscriptions/{id}/cancel"), sk, json!({"at_period_end": rng.gen_bool(0.5)}))
                    .await;
            }
            (Some(s), _) => {
                let id = s["id"].as_str().unwrap();
                let timing = if rng.gen_bool(0.5) { "now" } else { "period_end" };
                app.post(&format!("/v1/subscriptions/{id}/change"), sk, json!({"plan": plan, "timing": timing})).await;
            }
        }
    }
    for interval in ["day", "week", "month"] {
        let to = format!("{}T00:00:00Z", day + chrono::TimeDelta::days(1));
        let series = app
            .get(&format!("/v1/analytics/mrr?currency=USD&interval={interval}&from=2030-01-01T00:00:00Z&to={to}"), sk)
            .await;
        assert_eq!(series.status, 200, "{}", series.text);
        assert!(series.body["data"].as_array().unwrap().len() > 2);
        assert_identity(&series.body, 0);
    }
    // The last bucket's end is now: it agrees with the summary, and with the subscriptions as
    // the API shows them (each active or past-due one at its plan's monthly amount, rounded).
    let summary = app.get("/v1/analytics/summary?currency=USD", sk).await.body;
    let monthly = |plan: &str| match plan {
        "p10" => 1000,
        "p25" => 2500,
        "y120" => 1083, // 130 ÷ 12 = 10.8333… → 10.83
        "w3" => 1300,   // 3 × 52 ÷ 12 = 13.00
        "tr" => 4000,
        other => panic!("{other}"),
    };
    let mut expected = 0;
    for cus in &customers {
        for s in app.get(&format!("/v1/subscriptions?customer={cus}"), sk).await.body["data"].as_array().unwrap() {
            if s["status"] == "active" || s["status"] == "past_due" {
                expected += monthly(s["plan"].as_str().unwrap());
            }
        }
    }
    assert_eq!(cents(summary["mrr"].as_str().unwrap()), expected, "{summary}");
    let to = format!("{}T00:00:00Z", day + chrono::TimeDelta::days(1));
    let series =
        app.get(&format!("/v1/analytics/mrr?currency=USD&interval=day&from=2030-01-01T00:00:00Z&to={to}"), sk).await;
    let last = series.body["data"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(cents(last["mrr"].as_str().unwrap()), expected);
    // The seed's history has every kind of movement, so the identity was tested on all of them.
    for kind in ["new", "expansion", "contraction", "churn", "reactivation"] {
        let total: i64 = series.body["data"].as_array().unwrap().iter().map(|b| cents(b[kind].as_str().unwrap())).sum();
        assert!(total > 0, "no {kind} in the random history: pick another seed");
    }
}
