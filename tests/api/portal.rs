//! The customer portal over plain HTTP: the session link's one exchange, the cookie, CSRF,
//! the security headers, and a customer kept to their own data. The browser tests
//! (`portal_browser.rs`) drive the same pages in Chromium.

use awc::http::Method;
use serde_json::{json, Value};

use crate::helpers::*;

/// The path of a session's URL (the tests' `PUBLIC_URL` is not the test server's address).
pub fn path_of(url: &str) -> String {
    let rest = url.split_once("://").unwrap().1;
    rest[rest.find('/').unwrap()..].to_string()
}

/// A browser's visit: the cookie it holds, sent along.
pub struct Visitor<'a> {
    pub app: &'a TestApp,
    pub cookie: String,
}

impl Visitor<'_> {
    pub async fn get(&self, path: &str) -> Res {
        self.app.send(Method::GET, path, &[("Cookie", &self.cookie)], None).await
    }

    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Res {
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        let headers = [("Cookie", self.cookie.as_str()), ("Content-Type", "application/x-www-form-urlencoded")];
        self.app.send(Method::POST, path, &headers, Some(body.into_bytes())).await
    }

    /// The CSRF token of the page at `path`.
    pub async fn csrf(&self, path: &str) -> String {
        let page = self.get(path).await;
        assert_eq!(page.status, 200, "{}", page.text);
        let at = page.text.find("name=\"csrf\" value=\"").expect("a form with a CSRF token") + 19;
        page.text[at..at + 64].to_string()
    }
}

/// Follows a portal link: its page (which spends nothing), then its Continue button.
pub async fn spend(app: &TestApp, link: &str) -> Res {
    let page = app.send(Method::GET, link, &[], None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("Continue") && page.header("set-cookie").is_none());
    app.send(Method::POST, link, &[], None).await
}

/// Opens a portal session for `customer` and visits its link: the visitor with its cookie.
pub async fn enter<'a>(app: &'a TestApp, sk: &str, customer: &str) -> (Visitor<'a>, Value) {
    let res = app
        .post("/v1/portal-sessions", sk, json!({"customer": customer, "return_url": "https://example.com/account"}))
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let first = spend(app, &path_of(res.body["url"].as_str().unwrap())).await;
    assert_eq!((first.status, first.header("location")), (303, Some("/portal")), "{}", first.text);
    let set = first.header("set-cookie").unwrap().to_string();
    let cookie = set.split(';').next().unwrap().to_string();
    (Visitor { app, cookie }, res.body)
}

#[actix_web::test]
async fn a_session_link_works_once_and_signs_the_customer_in_with_a_strict_cookie() {
    let app = spawn_app().await;
    let m = metered(&app, json!({"limit": 1000, "reset": "month"})).await;
    let sk = &m.tenant.sk_test;

    // Bad requests.
    let res = app.post("/v1/portal-sessions", sk, json!({"customer": "cus_0PYr3fWn4fTq0wKfM8sQ2f"})).await;
    assert_eq!((res.status, res.error_code()), (404, "resource_missing"));
    let res =
        app.post("/v1/portal-sessions", sk, json!({"customer": m.customer, "return_url": "javascript:alert(1)"})).await;
    assert_eq!((res.status, res.error_param()), (422, Some("return_url")));

    let res = app.post("/v1/portal-sessions", sk, json!({"customer": m.customer})).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert!(res.body["id"].as_str().unwrap().starts_with("bps_"));
    let link = path_of(res.body["url"].as_str().unwrap());
    assert!(link.starts_with("/portal/enter/ps_"), "{link}");
    // Fetching the link (a preview, a mail scanner) spends nothing: it still works after.
    let email = app.get(&format!("/v1/customers/{}", m.customer), sk).await.body["email"].as_str().unwrap().to_string();
    let preview = app.send(Method::GET, &link, &[], None).await;
    assert!(preview.text.contains("Continue") && preview.text.contains(&email), "{}", preview.text);
    let first = spend(&app, &link).await;
    assert_eq!((first.status, first.header("location")), (303, Some("/portal")));
    let set = first.header("set-cookie").unwrap();
    for part in ["HttpOnly", "SameSite=Lax", "Path=/portal"] {
        assert!(set.contains(part), "{set}");
    }
    assert!(!set.contains("Secure"), "not over http: {set}");
    let cookie = set.split(';').next().unwrap().to_string();

    // The same link again: refused, as a page, and no cookie.
    for method in [Method::GET, Method::POST] {
        let again = app.send(method, &link, &[], None).await;
        assert_eq!(again.status, 410);
        assert!(again.text.contains("This link has expired") && again.header("set-cookie").is_none());
    }
    // A made-up link.
    assert_eq!(app.send(Method::GET, "/portal/enter/ps_nothing", &[], None).await.status, 404);
    assert_eq!(app.send(Method::POST, "/portal/enter/ps_nothing", &[], None).await.status, 404);

    // The cookie opens the overview, with the portal's headers.
    let v = Visitor { app: &app, cookie };
    let page = v.get("/portal").await;
    assert_eq!(page.status, 200, "{}", page.text);
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline") && csp.contains("frame-ancestors 'none'")
    );
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    assert!(page.text.contains("Acme Weather API") && page.text.contains("Metered"), "{}", page.text);
    // Without a cookie, or with a made-up one: signed out.
    assert_eq!(app.send(Method::GET, "/portal", &[], None).await.status, 401);
    assert_eq!(app.send(Method::GET, "/portal", &[("Cookie", "tollgate_portal=forged")], None).await.status, 401);

    // An unused link expires after 15 minutes of wall-clock time.
    let res = app.post("/v1/portal-sessions", sk, json!({"customer": m.customer})).await;
    app.clock.advance(chrono::TimeDelta::minutes(16));
    assert_eq!(app.send(Method::POST, &path_of(res.body["url"].as_str().unwrap()), &[], None).await.status, 410);
    // A session ends after an hour without a request.
    let (idle, _) = enter(&app, sk, &m.customer).await;
    assert_eq!(idle.get("/portal").await.status, 200);
    app.clock.advance(chrono::TimeDelta::minutes(61));
    assert_eq!(idle.get("/portal").await.status, 401);
}

#[actix_web::test]
async fn the_tenant_revokes_a_session_and_forms_need_their_csrf_token() {
    let app = spawn_app().await;
    let m = metered(&app, json!({"limit": 1000, "reset": "month"})).await;
    let sk = &m.tenant.sk_test;
    let (v, session) = enter(&app, sk, &m.customer).await;

    // A form without its token, or with another session's, changes nothing.
    let res = v.post_form("/portal/keys", &[("name", "sneaky")]).await;
    assert_eq!(res.status, 403);
    assert!(res.text.contains("This form has expired"));
    let (other, _) = enter(&app, sk, &m.customer).await;
    let foreign = other.csrf("/portal/keys").await;
    assert_eq!(v.post_form("/portal/keys", &[("name", "sneaky"), ("csrf", &foreign)]).await.status, 403);
    let keys = app.get(&format!("/v1/customers/{}/api-keys", m.customer), sk).await;
    assert_eq!(keys.body["data"].as_array().unwrap().len(), 1, "only the helper's key: {}", keys.text);

    // With it, the key is created and shown once.
    let csrf = v.csrf("/portal/keys").await;
    let res = v.post_form("/portal/keys", &[("name", "laptop"), ("csrf", &csrf)]).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(res.text.contains("tg_test_") && res.text.contains("shown only this once"));

    // Revoked by the tenant: the cookie no longer works; another tenant cannot revoke it.
    let id = session["id"].as_str().unwrap();
    let stranger = app.signup().await;
    let res = app.post(&format!("/v1/portal-sessions/{id}/revoke"), &stranger.sk_test, json!({})).await;
    assert_eq!(res.status, 404);
    assert_eq!(v.get("/portal").await.status, 200);
    let res = app.post(&format!("/v1/portal-sessions/{id}/revoke"), sk, json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(res.body["revoked_at"].is_string());
    assert_eq!(v.get("/portal").await.status, 401);
    assert_eq!(v.get("/portal/keys").await.status, 401);
}

#[actix_web::test]
async fn a_customer_sees_and_touches_only_their_own_keys() {
    let app = spawn_app().await;
    let m = metered(&app, json!({"limit": 1000, "reset": "month"})).await;
    let sk = &m.tenant.sk_test;
    // Another customer of the same tenant, with a key.
    let bob = customer(&app, sk, "bob@example.com").await;
    let bob_key = app.post(&format!("/v1/customers/{bob}/api-keys"), sk, json!({"name": "bob"})).await.body;
    let bob_key_id = bob_key["id"].as_str().unwrap();

    let (v, _) = enter(&app, sk, &m.customer).await;
    let page = v.get("/portal/keys").await;
    assert!(page.text.contains(&m.key_id) && !page.text.contains(bob_key_id), "{}", page.text);
    let csrf = v.csrf("/portal/keys").await;
    for action in ["revoke", "rotate"] {
        let res = v.post_form(&format!("/portal/keys/{bob_key_id}/{action}"), &[("csrf", &csrf)]).await;
        assert_eq!(res.status, 404, "{action}: {}", res.text);
        let res = v.post_form(&format!("/portal/keys/not-an-id/{action}"), &[("csrf", &csrf)]).await;
        assert_eq!(res.status, 404, "{action}");
    }
    // Bob's key is untouched (he has no plan, so it answers that, not "revoked").
    let verdict = app.verify(sk, json!({"key": bob_key["key"], "feature": "api_calls"})).await;
    assert_eq!(verdict.body["code"], "NO_SUBSCRIPTION");

    // A rotation refused for its value does not use up its form: corrected, the same form rotates.
    let rotate = format!("/portal/keys/{}/rotate", m.key_id);
    let res = v.post_form(&rotate, &[("csrf", &csrf), ("form_id", "rot-1"), ("grace_seconds", "soon")]).await;
    assert_eq!(res.status, 422, "{}", res.text);
    let res = v.post_form(&rotate, &[("csrf", &csrf), ("form_id", "rot-1"), ("grace_seconds", "60")]).await;
    assert!(res.status == 200 && res.text.contains("Key rotated."), "{}", res.text);
    let res = v.post_form(&rotate, &[("csrf", &csrf), ("form_id", "rot-1"), ("grace_seconds", "60")]).await;
    assert!(res.text.contains("This form was already sent"), "sent again, it rotates nothing: {}", res.text);

    // Their own: revoked.
    let res = v.post_form(&format!("/portal/keys/{}/revoke", m.key_id), &[("csrf", &csrf)]).await;
    assert_eq!((res.status, res.header("location")), (303, Some("/portal/keys")));
    let verdict = app.verify(sk, json!({"key": m.key, "feature": "api_calls"})).await;
    assert_eq!(verdict.body["code"], "KEY_REVOKED");
}

/// A portal link's path for `customer`.
async fn link(app: &TestApp, sk: &str, customer: &str) -> String {
    let res = app
        .post("/v1/portal-sessions", sk, json!({"customer": customer, "return_url": "https://example.com/account"}))
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    app.url(&path_of(res.body["url"].as_str().unwrap()))
}

/// Polls `f` until it holds (the page's form posted and its change committed).
async fn eventually<F: std::future::Future<Output = bool>>(what: &str, mut f: impl FnMut() -> F) {
    for _ in 0..100 {
        if f().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("never: {what}");
}

#[actix_web::test]
async fn a_customer_runs_their_account_in_the_portal_in_a_real_browser() {
    use crate::browser::{Browser, View};
    use fantoccini::Locator;
    let Some(b) = Browser::start(View::LIGHT).await else { return };
    let app = spawn_app().await;
    let m = metered(&app, json!({"limit": 1000, "reset": "month"})).await;
    let sk = &m.tenant.sk_test;
    app.connect_stripe(&m.tenant).await;
    let bigger = json!({"key": "bigger", "name": "Bigger", "currency": "USD", "interval": "month", "amount": "40.00",
        "entitlements": [{"feature": "api_calls", "limit": 10000, "reset": "month"}]});
    assert_eq!(app.post("/v1/plans", sk, bigger).await.status, 201);
    for _ in 0..3 {
        app.verify(sk, json!({"key": m.key, "feature": "api_calls", "quantity": 100})).await;
    }

    // The link signs in and lands on the overview: usage against the limit, with its chart.
    b.goto(&link(&app, sk, &m.customer).await).await;
    b.wait_heading("Acme Weather API billing").await;
    b.check_page("enter").await;
    b.click("form button").await;
    b.wait_heading("Overview").await;
    assert!(b.client.current_url().await.unwrap().path() == "/portal", "the token left the address bar");
    let usage = b.text("#usage-api_calls .meter-text").await;
    assert!(usage.starts_with("300 of 1,000 used"), "{usage}");
    b.client.wait().for_element(Locator::Css("#usage-api_calls .chart canvas")).await.expect("the chart is drawn");
    let today = b.text("#usage-api_calls tbody tr:last-child").await;
    assert!(today.ends_with("300"), "the table beside the chart: {today}");
    assert!(b.body().await.contains("Acme Weather API"));
    b.check_page("overview").await;

    // A key: created, shown once, working; then revoked.
    b.goto(&app.url("/portal/keys")).await;
    b.wait_heading("API keys").await;
    b.check_page("keys").await;
    b.client.find(Locator::Id("key-name")).await.unwrap().send_keys("ci").await.unwrap();
    b.click("form[action='/portal/keys'] button").await;
    let shown = b.client.wait().for_element(Locator::Id("new-key")).await.unwrap();
    let key = shown.attr("value").await.unwrap().expect("the new key");
    assert!(key.starts_with("tg_test_"), "{key}");
    let verdict = app.verify(sk, json!({"key": key, "feature": "api_calls"})).await;
    assert_eq!(verdict.body["valid"], true, "{}", verdict.text);
    let keys = app.get(&format!("/v1/customers/{}/api-keys", m.customer), sk).await.body;
    let id = keys["data"].as_array().unwrap().iter().find(|k| k["name"] == "ci").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    b.click(&format!("#key-{id} form[action$='/revoke'] button")).await;
    eventually("the key is revoked", || async {
        app.verify(sk, json!({"key": key, "feature": "api_calls"})).await.body["code"] == "KEY_REVOKED"
    })
    .await;

    // An upgrade, with its prorated amount shown before it is confirmed; it is what is billed.
    b.goto(&app.url("/portal/plan")).await;
    b.wait_heading("Plan").await;
    b.check_page("plan").await;
    b.click("#plan-bigger button").await;
    b.wait_heading("Change to Bigger").await;
    b.check_page("plan-change").await;
    let due = b.text("#due-now").await;
    assert!(due.starts_with("USD "), "{due}");
    b.click("form[action='/portal/plan/change'] button").await;
    let sub = format!("/v1/subscriptions/{}", m.subscription);
    eventually("the plan changed", || async { app.get(&sub, sk).await.body["plan"] == "bigger" }).await;
    let invoices = app.get(&format!("/v1/invoices?customer={}", m.customer), sk).await.body;
    let update = &invoices["data"][0];
    assert_eq!(update["reason"], "subscription_update");
    assert_eq!(format!("USD {}", update["amount_due"].as_str().unwrap()), due, "billed what the preview said");

    // Cancel at the period's end, then change one's mind.
    b.wait_heading("Plan").await;
    b.click("form[action='/portal/plan/cancel'] button").await;
    eventually("canceling", || async { app.get(&sub, sk).await.body["cancel_at_period_end"] == true }).await;
    b.click("form[action='/portal/plan/resume'] button").await;
    eventually("resumed", || async { app.get(&sub, sk).await.body["cancel_at_period_end"] == false }).await;

    // Invoices, and one's document.
    b.goto(&app.url("/portal/invoices")).await;
    b.wait_heading("Invoices").await;
    b.check_page("invoices").await;
    let number = update["number"].as_str().unwrap();
    b.click(&format!("a[href='/portal/invoices/{}']", update["id"].as_str().unwrap())).await;
    eventually("the document opens", || async { b.body().await.contains(number) }).await;
    let styled = b.client.execute("return document.querySelector('style').sheet !== null;", vec![]).await.unwrap();
    assert_eq!(styled, json!(true), "the document's own style passes the CSP (by its hash)");

    // The payment method: none yet, and a way to add one through Stripe.
    b.goto(&app.url("/portal/payment-method")).await;
    b.wait_heading("Payment method").await;
    assert_eq!(b.text("#card").await, "No card on file.");
    b.client.find(Locator::LinkText("Add a card")).await.expect("a link to Stripe Checkout");
    b.check_page("payment-method").await;
    b.close().await;

    // Dark mode on a phone: every page readable, nothing wider than the screen.
    let Some(phone) = Browser::start(View::DARK_PHONE).await else { return };
    phone.goto(&link(&app, sk, &m.customer).await).await;
    phone.click("form button").await;
    phone.wait_heading("Overview").await;
    phone.check_page("overview").await;
    for (path, heading, name) in [
        ("/portal/keys", "API keys", "keys"),
        ("/portal/plan", "Plan", "plan"),
        ("/portal/invoices", "Invoices", "invoices"),
        ("/portal/payment-method", "Payment method", "payment-method"),
    ] {
        phone.goto(&app.url(path)).await;
        phone.wait_heading(heading).await;
        phone.check_page(name).await;
    }
    phone.close().await;
}

#[actix_web::test]
async fn plan_changes_and_invoices_work_as_plain_forms_and_stay_the_customers_own() {
    let app = spawn_app().await;
    let m = metered(&app, json!({"limit": 1000, "reset": "month"})).await;
    let sk = &m.tenant.sk_test;
    for (key, amount) in [("bigger", "40.00"), ("smaller", "5.00")] {
        let plan = json!({"key": key, "name": key, "currency": "USD", "interval": "month", "amount": amount});
        assert_eq!(app.post("/v1/plans", sk, plan).await.status, 201);
    }
    let (v, _) = enter(&app, sk, &m.customer).await;
    let csrf = v.csrf("/portal/plan").await;
    let sub = format!("/v1/subscriptions/{}", m.subscription);

    // A cheaper plan is taken at the period's end, whatever the form says.
    let preview = v.get("/portal/plan/change?plan=smaller").await;
    assert!(preview.text.contains("You keep your current plan until"), "{}", preview.text);
    // Without the version shown, or with another one, nothing changes.
    let res = v.post_form("/portal/plan/change", &[("plan", "smaller"), ("csrf", &csrf)]).await;
    assert_eq!(res.status, 409, "{}", res.text);
    let res = v.post_form("/portal/plan/change", &[("plan", "smaller"), ("version", "7"), ("csrf", &csrf)]).await;
    assert_eq!(res.status, 409, "{}", res.text);
    let fields = [("plan", "smaller"), ("version", "1"), ("timing", "now"), ("csrf", csrf.as_str())];
    let res = v.post_form("/portal/plan/change", &fields).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let s = app.get(&sub, sk).await.body;
    assert_eq!((s["plan"].clone(), s["pending_change"]["plan"].clone()), (json!("metered"), json!("smaller")));
    // A dearer one now, for the previewed amount; an unknown or archived one is refused.
    let preview = v.get("/portal/plan/change?plan=bigger").await;
    assert!(preview.text.contains("Due now"), "{}", preview.text);
    assert_eq!(v.get("/portal/plan/change?plan=nope").await.status, 404);
    let res = v.post_form("/portal/plan/change", &[("plan", "bigger"), ("version", "1"), ("csrf", &csrf)]).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(app.get(&sub, sk).await.body["plan"], "bigger");
    // The plan one is on is no change.
    assert_eq!(v.get("/portal/plan/change?plan=bigger").await.status, 400);
    // Cancel and resume; no plan change while set to cancel.
    assert_eq!(v.post_form("/portal/plan/cancel", &[("csrf", &csrf)]).await.status, 200);
    assert_eq!(app.get(&sub, sk).await.body["cancel_at_period_end"], true);
    let res = v.post_form("/portal/plan/change", &[("plan", "smaller"), ("version", "1"), ("csrf", &csrf)]).await;
    assert_eq!(res.status, 409, "{}", res.text);
    assert_eq!(v.post_form("/portal/plan/resume", &[("csrf", &csrf)]).await.status, 200);
    assert_eq!(app.get(&sub, sk).await.body["cancel_at_period_end"], false);

    // Invoices: the customer's own, with documents; another customer's is a 404.
    let mine = app.get(&format!("/v1/invoices?customer={}", m.customer), sk).await.body["data"][0]["id"].clone();
    let page = v.get("/portal/invoices").await;
    assert!(page.text.contains(mine.as_str().unwrap()), "{}", page.text);
    assert_eq!(v.get(&format!("/portal/invoices/{}", mine.as_str().unwrap())).await.status, 200);
    let bob = customer(&app, sk, "bob@example.com").await;
    assert_eq!(app.post("/v1/subscriptions", sk, json!({"customer": bob, "plan": "smaller"})).await.status, 201);
    let theirs = app.get(&format!("/v1/invoices?customer={bob}"), sk).await.body["data"][0]["id"].clone();
    let res = v.get(&format!("/portal/invoices/{}", theirs.as_str().unwrap())).await;
    assert_eq!(res.status, 404);
    assert!(!res.text.contains("bob@example.com"));
    // Payments not connected: said so.
    let page = v.get("/portal/payment-method").await;
    assert!(page.text.contains("Payments are not connected"), "{}", page.text);
}

#[actix_web::test]
async fn an_open_invoice_is_paid_from_the_portal_and_a_form_sent_twice_creates_one_key() {
    let app = spawn_app().await;
    let m = metered(&app, json!({"limit": 1000, "reset": "month"})).await;
    let sk = &m.tenant.sk_test;
    app.connect_stripe(&m.tenant).await;
    // Dan's first card is declined: his invoice stays open. Then he has a good one.
    let dan = customer(&app, sk, "dan@example.com").await;
    let pm = |p: &str| json!({"payment_method": p});
    let res = app.post(&format!("/v1/customers/{dan}/payment-method"), sk, pm("pm_card_chargeCustomerFail")).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(app.post("/v1/subscriptions", sk, json!({"customer": dan, "plan": "metered"})).await.status, 201);
    let invoices = format!("/v1/invoices?customer={dan}");
    let mut inv = Value::Null;
    for _ in 0..50 {
        inv = app.get(&invoices, sk).await.body["data"][0].clone();
        if inv["attempt_count"].as_i64() >= Some(1) && inv["status"] == "open" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!((inv["status"].as_str(), inv["attempt_count"].as_i64()), (Some("open"), Some(1)), "{inv}");
    assert_eq!(app.post(&format!("/v1/customers/{dan}/payment-method"), sk, pm("pm_card_visa")).await.status, 200);

    let (v, _) = enter(&app, sk, &dan).await;
    let page = v.get("/portal/invoices").await;
    let id = inv["id"].as_str().unwrap();
    assert!(page.text.contains(&format!("/portal/invoices/{id}/pay")), "{}", page.text);
    let csrf = v.csrf("/portal/invoices").await;
    let res = v.post_form(&format!("/portal/invoices/{id}/pay"), &[("csrf", &csrf)]).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(res.text.contains("is paid"), "{}", res.text);
    assert_eq!(app.get(&format!("/v1/invoices/{id}"), sk).await.body["status"], "paid");
    // Another customer's invoice cannot be paid from here.
    let other = app.get(&format!("/v1/invoices?customer={}", m.customer), sk).await.body["data"][0]["id"].clone();
    let res = v.post_form(&format!("/portal/invoices/{}/pay", other.as_str().unwrap()), &[("csrf", &csrf)]).await;
    assert_eq!(res.status, 404);

    // The create-key form sent twice (a double click): one key.
    let page = v.get("/portal/keys").await;
    let at = page.text.find("name=\"form_id\" value=\"").unwrap() + 22;
    let form_id = page.text[at..at + 22].to_string();
    let fields = [("name", "twice"), ("csrf", csrf.as_str()), ("form_id", form_id.as_str())];
    let first = v.post_form("/portal/keys", &fields).await;
    let second = v.post_form("/portal/keys", &fields).await;
    assert!(first.text.contains("tg_test_"));
    assert!(second.text.contains("already sent") && !second.text.contains("id=\"new-key\""), "{}", second.text);
    let keys = app.get(&format!("/v1/customers/{dan}/api-keys"), sk).await.body;
    assert_eq!(keys["data"].as_array().unwrap().len(), 1);
}
