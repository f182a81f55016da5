//! The tenant's dashboard: sign-in (the API's credentials and throttling), the session cookie,
//! CSRF, the mode switch, and tiles that show the analytics API's figures; then the same in
//! Chromium with axe-core.

use awc::http::Method;
use serde_json::json;

use crate::helpers::*;

fn form(fields: &[(&str, &str)]) -> Vec<u8> {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish().into_bytes()
}

async fn post_form(app: &TestApp, path: &str, cookie: &str, fields: &[(&str, &str)]) -> Res {
    let headers = [("Cookie", cookie), ("Content-Type", "application/x-www-form-urlencoded")];
    app.send(Method::POST, path, &headers, Some(form(fields))).await
}

fn csrf_of(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").expect("a form with a CSRF token") + 19;
    page[at..at + 64].to_string()
}

/// Signs the tenant's owner in: the session cookie (`name=value`) and a CSRF token.
async fn sign_in(app: &TestApp, t: &Tenant) -> (String, String) {
    let res = post_form(app, "/dashboard/sign-in", "", &[("email", &t.email), ("password", PASSWORD)]).await;
    assert_eq!(res.status, 303, "{}", res.text);
    let cookie = res.header("set-cookie").unwrap().split(';').next().unwrap().to_string();
    let page = get_page(app, "/dashboard", &cookie).await;
    (cookie, csrf_of(&page))
}

async fn get_page(app: &TestApp, path: &str, cookie: &str) -> String {
    let res = app.send(Method::GET, path, &[("Cookie", cookie)], None).await;
    assert_eq!(res.status, 200, "{path}: {}", res.text);
    res.text
}

/// The page at `path` once it shows `text` (jobs and deliveries run in the background), or as
/// it is after ten seconds.
async fn page_showing(app: &TestApp, path: &str, cookie: &str, text: &str) -> String {
    for _ in 0..100 {
        let page = get_page(app, path, cookie).await;
        if page.contains(text) {
            return page;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    get_page(app, path, cookie).await
}

/// The text between `<pre class="secret" id="{id}">` and `</pre>`: a secret shown once.
fn secret_in(page: &str, id: &str) -> String {
    let open = format!("<pre class=\"secret\" id=\"{id}\">");
    let at = page.find(&open).unwrap_or_else(|| panic!("no {id} in {page}")) + open.len();
    page[at..at + page[at..].find("</pre>").unwrap()].to_string()
}

#[actix_web::test]
async fn a_person_signs_in_switches_mode_and_sees_the_apis_figures() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let sk = &t.sk_test;
    let plan = json!({"key": "basic", "name": "Basic", "currency": "USD", "interval": "month", "amount": "30.00"});
    assert_eq!(app.post("/v1/plans", sk, plan).await.status, 201);
    for email in ["a@example.com", "b@example.com"] {
        let c = customer(&app, sk, email).await;
        assert_eq!(app.post("/v1/subscriptions", sk, json!({"customer": c, "plan": "basic"})).await.status, 201);
    }

    // Signed out: the overview sends to the sign-in page.
    let res = app.send(Method::GET, "/dashboard", &[], None).await;
    assert_eq!((res.status, res.header("location")), (303, Some("/dashboard/sign-in")));
    // A wrong password: the form again, with the error, and no cookie.
    let res = post_form(&app, "/dashboard/sign-in", "", &[("email", &t.email), ("password", "wrong password!")]).await;
    assert_eq!(res.status, 401);
    assert!(res.text.contains("The email or password is incorrect") && res.header("set-cookie").is_none());
    // A form posted from another site is refused.
    let headers = [("Content-Type", "application/x-www-form-urlencoded"), ("Origin", "https://evil.example")];
    let body = form(&[("email", &t.email), ("password", PASSWORD)]);
    assert_eq!(app.send(Method::POST, "/dashboard/sign-in", &headers, Some(body)).await.status, 403);

    let res = post_form(&app, "/dashboard/sign-in", "", &[("email", &t.email), ("password", PASSWORD)]).await;
    assert_eq!((res.status, res.header("location")), (303, Some("/dashboard")), "{}", res.text);
    let set = res.header("set-cookie").unwrap().to_string();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/dashboard"), "{set}");
    let cookie = set.split(';').next().unwrap().to_string();

    // The tiles are the analytics API's figures, in test mode.
    let page = app.send(Method::GET, "/dashboard", &[("Cookie", &cookie)], None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.header("content-security-policy").unwrap().contains("script-src 'self'"));
    let summary = app.get("/v1/analytics/summary?currency=USD", sk).await.body;
    assert_eq!(summary["mrr"], "60.00");
    for (class, value) in
        [("tile-mrr", "60.00"), ("tile-arr", "720.00"), ("tile-subscribers", "2"), ("tile-arpu", "30.00")]
    {
        assert!(page.text.contains(&format!("class=\"{class}\">{value}<")), "{class}: {}", page.text);
    }
    assert!(page.text.contains("Test mode"));
    // MRR by month with its movements, as `/v1/analytics/mrr` has them: this month, 60.00, all new.
    let series = app.get("/v1/analytics/mrr?currency=USD", sk).await.body;
    let this_month = series["data"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((this_month["mrr"].as_str(), this_month["new"].as_str()), (Some("60.00"), Some("60.00")));
    let row =
        "<td class=\"num\">60.00</td><td class=\"num\">2</td><td class=\"num\">60.00</td><td class=\"num\">0.00</td>";
    assert!(page.text.contains(row), "{}", page.text);

    // The switch: without its token nothing changes; with it, live mode (no plans there yet).
    assert_eq!(post_form(&app, "/dashboard/mode", &cookie, &[("mode", "live")]).await.status, 403);
    let csrf = csrf_of(&page.text);
    let res = post_form(&app, "/dashboard/mode", &cookie, &[("mode", "live"), ("csrf", &csrf)]).await;
    assert_eq!(res.status, 303);
    let page = app.send(Method::GET, "/dashboard", &[("Cookie", &cookie)], None).await;
    assert!(page.text.contains("Live mode") && page.text.contains("No plans yet in this mode"), "{}", page.text);
    // A form from a test-mode page (another tab) no longer acts: it would act in live mode.
    let res = post_form(&app, "/dashboard/settings/secret-keys", &cookie, &[("csrf", &csrf), ("name", "x")]).await;
    assert_eq!(res.status, 403, "{}", res.text);
    let csrf = csrf_of(&page.text);

    // Signed out: the cookie no longer works.
    let res = post_form(&app, "/dashboard/sign-out", &cookie, &[("csrf", &csrf)]).await;
    assert_eq!((res.status, res.header("location")), (303, Some("/dashboard/sign-in")));
    let res = app.send(Method::GET, "/dashboard", &[("Cookie", &cookie)], None).await;
    assert_eq!(res.status, 303);
}

/// A tenant with a metered plan (100.00 a month and 0.01 per API call) and two customers on it
/// since 2030-01-01; Globex used 1,000 calls in January; now is 2030-02-01 02:00, January closed.
async fn january_closed(app: &TestApp) -> (Tenant, String, String) {
    let t = app.signup().await;
    let sk = &t.sk_test;
    app.advance(sk, "2030-01-01T00:00:00Z").await;
    let f = json!({"key": "api_calls", "name": "API calls", "type": "metered"});
    assert_eq!(app.post("/v1/features", sk, f).await.status, 201);
    let plan = json!({"key": "pro", "name": "Pro", "currency": "USD", "interval": "month", "amount": "100.00",
        "entitlements": [{"feature": "api_calls", "limit": 50000}],
        "charges": [{"feature": "api_calls", "model": "per_unit", "unit_amount": "0.01"}]});
    let res = app.post("/v1/plans", sk, plan).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let body = json!({"email": "billing@globex.example", "name": "Globex", "external_id": "globex-42"});
    let globex = app.post("/v1/customers", sk, body).await.body["id"].as_str().unwrap().to_string();
    let initech = customer(app, sk, "ap@initech.example").await;
    for c in [&globex, &initech] {
        assert_eq!(app.post("/v1/subscriptions", sk, json!({"customer": c, "plan": "pro"})).await.status, 201);
    }
    app.advance(sk, "2030-01-15T00:00:00Z").await;
    let usage = json!({"customer": globex, "feature": "api_calls", "quantity": "1000", "event_id": "e1",
        "timestamp": "2030-01-14T00:00:00Z"});
    assert_eq!(app.post("/v1/usage", sk, usage).await.status, 201);
    app.advance(sk, "2030-02-01T02:00:00Z").await;
    (t, globex, initech)
}

#[actix_web::test]
async fn the_overview_shows_churn_revenue_and_usage_as_the_api_has_them() {
    let app = spawn_app().await;
    let (t, _, _) = january_closed(&app).await;
    let sk = &t.sk_test;
    let (cookie, _) = sign_in(&app, &t).await;
    let page = get_page(&app, "/dashboard", &cookie).await;

    // Thirty days back both customers paid, and both still do: 0 %.
    let summary = app.get("/v1/analytics/summary?currency=USD", sk).await.body;
    assert_eq!((summary["churn_rate_30d"].as_str(), summary["churned_30d"].as_i64()), (Some("0.00"), Some(0)));
    assert!(page.contains("class=\"tile-churn\">0.00 % <span class=\"muted\">(0 customers)</span>"), "{page}");
    // Revenue by month, row for row as `/v1/analytics/revenue` has it.
    let revenue = app.get("/v1/analytics/revenue?currency=USD", sk).await.body;
    let feb = revenue["data"].as_array().unwrap().iter().find(|m| m["month"] == "2030-02-01T00:00:00Z").unwrap();
    assert_ne!(feb["usage"], "0.00", "January's usage is billed on the invoice finalized in February: {revenue}");
    let row = format!(
        "<td>Feb 2030</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
        feb["invoiced"].as_str().unwrap(),
        feb["collected"].as_str().unwrap(),
        feb["usage"].as_str().unwrap()
    );
    assert!(page.contains(&row), "{row} in {page}");
    // Usage billed by feature: 1,000 calls × 0.01 = 10.00, as `/v1/analytics/usage` says.
    let usage = app.get("/v1/analytics/usage?currency=USD", sk).await;
    assert_eq!(usage.status, 200, "{}", usage.text);
    assert_eq!(usage.body["data"], json!([{"feature": "api_calls", "amount": "10.00"}]));
    assert!(page.contains("<td><code>api_calls</code></td><td class=\"num\">10.00</td>"), "{page}");
    // Both charts travel as data the script draws; the tables hold the same numbers.
    assert!(page.contains("id=\"revenue-data-USD\"") && page.contains("Collected (USD)"));
}

#[actix_web::test]
async fn customers_are_searched_shown_and_their_portal_opened() {
    let app = spawn_app().await;
    let (t, globex, _) = january_closed(&app).await;
    let (cookie, csrf) = sign_in(&app, &t).await;

    // By the start of an email or a name, any case; by an external id, exactly.
    for q in ["GLOB", "billing@", "globex-42"] {
        let page = get_page(&app, &format!("/dashboard/customers?search={q}"), &cookie).await;
        assert!(page.contains("billing@globex.example") && !page.contains("ap@initech.example"), "{q}: {page}");
    }
    let page = get_page(&app, "/dashboard/customers", &cookie).await;
    assert!(page.contains("billing@globex.example") && page.contains("ap@initech.example"));
    // LIKE's wildcards are only characters.
    let page = get_page(&app, "/dashboard/customers?search=%25", &cookie).await;
    assert!(page.contains("No customer matches “%”"), "{page}");
    // The API searches the same way.
    let res = app.get("/v1/customers?search=glob", &t.sk_test).await;
    assert_eq!(res.body["data"].as_array().unwrap().len(), 1, "{}", res.text);

    // A customer's page: facts, subscription, usage, invoices.
    let page = get_page(&app, &format!("/dashboard/customers/{globex}"), &cookie).await;
    assert!(page.contains("<h1>billing@globex.example</h1>") && page.contains("<code>globex-42</code>"));
    assert!(page.contains("<code>pro</code> v1") && page.contains("badge active"), "{page}");
    assert!(page.contains("<td><code>api_calls</code></td>") && page.contains("<td class=\"num\">50000</td>"));
    let invoices = app.get(&format!("/v1/invoices?customer={globex}"), &t.sk_test).await.body;
    for inv in invoices["data"].as_array().unwrap() {
        assert!(page.contains(&format!("id=\"invoice-{}\"", inv["id"].as_str().unwrap())), "{page}");
    }
    assert!(page.contains(&format!("/dashboard/customers/{globex}\">billing@globex.example</a>")), "{page}");
    // Another tenant's customer, or no customer at all: not found.
    let other = app.signup().await;
    let theirs = customer(&app, &other.sk_test, "x@example.com").await;
    for id in [theirs.as_str(), "cus_nope", "cus_%E2%80%AE"] {
        let res = app.send(Method::GET, &format!("/dashboard/customers/{id}"), &[("Cookie", &cookie)], None).await;
        assert_eq!(res.status, 404, "{id}: {}", res.text);
    }

    // "Open the portal as this customer": a portal link of the API's, to this server.
    let res = post_form(&app, &format!("/dashboard/customers/{globex}/portal"), &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(res.status, 303, "{}", res.text);
    let link = res.header("location").unwrap().to_string();
    assert!(link.starts_with("/portal/enter/ps_"), "{link}");
    let res = app.send(Method::GET, &link, &[], None).await;
    assert!(res.status == 200 && res.text.contains("Continue"), "{}", res.text);
    // Not without the form's token, nor for another tenant's customer.
    let res = post_form(&app, &format!("/dashboard/customers/{globex}/portal"), &cookie, &[]).await;
    assert_eq!(res.status, 403);
    let res = post_form(&app, &format!("/dashboard/customers/{theirs}/portal"), &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(res.status, 404);
}

#[actix_web::test]
async fn a_list_pages_on_with_its_filter() {
    let app = spawn_app().await;
    let t = app.signup().await;
    for i in 0..27 {
        customer(&app, &t.sk_test, &format!("page{i:02}@example.com")).await;
    }
    customer(&app, &t.sk_test, "other@example.com").await;
    let (cookie, _) = sign_in(&app, &t).await;
    let first = get_page(&app, "/dashboard/customers?search=page", &cookie).await;
    assert_eq!(first.matches("@example.com</a>").count(), 25, "{first}");
    // The next page's link keeps the search (`&` written as HTML's `&#38;`).
    let open = "<a href=\"/dashboard/customers?search=page&#38;cursor=";
    let at = first.find(open).expect("a next page that keeps the search") + 9;
    let next = first[at..at + first[at..].find('"').unwrap()].replace("&#38;", "&");
    let second = get_page(&app, &next, &cookie).await;
    // The two oldest of the 27, and not the customer the search leaves out.
    assert!(second.contains("page00@example.com") && second.contains("page01@example.com"), "{second}");
    assert_eq!(second.matches("@example.com</a>").count(), 2, "{second}");
    assert!(!second.contains("rel=\"next\""));
}

#[actix_web::test]
async fn invoices_are_listed_by_status_marked_paid_and_voided() {
    let app = spawn_app().await;
    let (t, globex, initech) = january_closed(&app).await;
    let sk = &t.sk_test;
    let (cookie, csrf) = sign_in(&app, &t).await;
    let open_of = |body: &serde_json::Value| -> String {
        let list = body["data"].as_array().unwrap();
        list.iter().find(|i| i["status"] == "open").expect("an open invoice")["id"].as_str().unwrap().to_string()
    };
    let a = open_of(&app.get(&format!("/v1/invoices?customer={globex}"), sk).await.body);
    let b = open_of(&app.get(&format!("/v1/invoices?customer={initech}"), sk).await.body);

    let page = get_page(&app, "/dashboard/invoices?status=open", &cookie).await;
    assert!(page.contains(&format!("invoice-{a}")) && page.contains(&format!("invoice-{b}")));
    assert!(!page.contains("badge paid"), "only open ones: {page}");
    assert!(page.contains(">billing@globex.example</a>") && page.contains(">ap@initech.example</a>"), "{page}");

    // Mark paid, then void: the API's invoices say so; the page says what happened.
    let res = post_form(&app, &format!("/dashboard/invoices/{a}/mark-paid"), &cookie, &[("csrf", &csrf)]).await;
    assert_eq!((res.status, res.header("location")), (303, Some("/dashboard/invoices?done=paid")), "{}", res.text);
    // The list's filter is kept: the form says where it came from.
    assert!(page.contains("name=\"back\" value=\"/dashboard/invoices?status=open\""), "{page}");
    assert_eq!(app.get(&format!("/v1/invoices/{a}"), sk).await.body["status"], "paid");
    assert!(get_page(&app, "/dashboard/invoices?done=paid", &cookie).await.contains("The invoice is marked paid."));
    let back = format!("/dashboard/customers/{initech}");
    let res =
        post_form(&app, &format!("/dashboard/invoices/{b}/void"), &cookie, &[("csrf", &csrf), ("back", &back)]).await;
    assert_eq!(res.header("location"), Some(format!("{back}?done=voided").as_str()));
    assert_eq!(app.get(&format!("/v1/invoices/{b}"), sk).await.body["status"], "void");
    let page = get_page(&app, "/dashboard/invoices?status=void", &cookie).await;
    assert!(page.contains(&format!("invoice-{b}")) && !page.contains(&format!("invoice-{a}")));

    // The API's rules hold: a paid invoice is not voided (409, said on the page); a form
    // without its token, another tenant's invoice, or an address elsewhere are refused.
    let res = post_form(&app, &format!("/dashboard/invoices/{a}/void"), &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(res.status, 409);
    assert!(res.text.contains("a paid invoice cannot be voided"), "{}", res.text);
    let res = post_form(&app, &format!("/dashboard/invoices/{b}/mark-paid"), &cookie, &[]).await;
    assert_eq!(res.status, 403);
    let other = app.signup().await;
    let (other_cookie, other_csrf) = sign_in(&app, &other).await;
    let res = post_form(&app, &format!("/dashboard/invoices/{a}/void"), &other_cookie, &[("csrf", &other_csrf)]).await;
    assert_eq!(res.status, 404);
    for back in ["https://evil.example/", "/dashboard/\r\nSet-Cookie: x=1", "/dashboard//evil.example"] {
        let fields = [("csrf", csrf.as_str()), ("back", back)];
        let res = post_form(&app, &format!("/dashboard/invoices/{a}/mark-paid"), &cookie, &fields).await;
        assert_eq!(res.status, 409, "already paid: {}", res.text);
        assert!(
            !res.text.contains("evil.example") && res.text.contains("href=\"/dashboard/invoices\""),
            "{}",
            res.text
        );
    }
    // Subscriptions by status.
    let page = get_page(&app, "/dashboard/subscriptions?status=active", &cookie).await;
    assert_eq!(page.matches("badge active").count(), 2, "{page}");
    let page = get_page(&app, "/dashboard/subscriptions?status=canceled", &cookie).await;
    assert!(page.contains("No subscriptions with this status."));
    // Plans.
    let page = get_page(&app, "/dashboard/plans", &cookie).await;
    assert!(page.contains("<code>pro</code>") && page.contains("100.00 USD every month"), "{page}");
}

#[actix_web::test]
async fn settings_keys_and_webhook_endpoints_go_through_the_apis_rules() {
    let app = spawn_app_with(|s| s.webhook_allow_private_networks = true, None).await;
    let t = app.signup().await;
    let (cookie, csrf) = sign_in(&app, &t).await;
    let page = get_page(&app, "/dashboard/settings", &cookie).await;
    assert!(page.contains("id=\"stripe-none\""), "not connected yet: {page}");

    // The settings form: what the API then reports.
    let fields = [
        ("csrf", csrf.as_str()),
        ("pricing_url", "https://example.com/pricing"),
        ("invoice_due_days", "14"),
        ("invoice_grace_period_seconds", "600"),
        ("retry_days", "2, 4"),
        ("block_after_days", ""),
        ("cancel_after_days", "30"),
        ("invoice", "on"),
        ("receipt", "on"),
    ];
    let res = post_form(&app, "/dashboard/settings", &cookie, &fields).await;
    assert_eq!((res.status, res.header("location")), (303, Some("/dashboard/settings?done=settings")), "{}", res.text);
    let tenant = app.get("/v1/tenant", &t.sk_test).await.body;
    assert_eq!(tenant["pricing_url"], "https://example.com/pricing");
    assert_eq!(
        (tenant["invoice_due_days"].as_i64(), tenant["invoice_grace_period_seconds"].as_i64()),
        (Some(14), Some(600))
    );
    assert_eq!(tenant["dunning"], json!({"retry_days": [2, 4], "block_after_days": null, "cancel_after_days": 30}));
    assert_eq!(tenant["emails"]["invoice"], true);
    assert_eq!(
        (tenant["emails"]["payment_failed"].as_bool(), tenant["emails"]["usage_threshold"].as_bool()),
        (Some(false), Some(false))
    );
    let page = get_page(&app, "/dashboard/settings?done=settings", &cookie).await;
    assert!(page.contains("Settings saved.") && page.contains("value=\"2, 4\""), "{page}");
    // The switches show what the API says: on for invoices and receipts, off for the rest.
    assert!(page.contains("id=\"email-invoice\" checked") && page.contains("id=\"email-receipt\" checked"));
    assert!(page.contains("id=\"email-payment_failed\">") && page.contains("id=\"email-usage_threshold\">"));

    // A value the API refuses is refused here too, and nothing changes.
    for (name, bad, said) in [
        ("invoice_due_days", "-3", "invoice_due_days"),
        ("invoice_due_days", "lots", "invoice_due_days"),
        ("retry_days", "1, x", "dunning"),
    ] {
        let res = post_form(&app, "/dashboard/settings", &cookie, &[("csrf", &csrf), (name, bad)]).await;
        assert!((400..500).contains(&res.status), "{name}={bad}: {}", res.text);
        assert!(res.text.contains(said), "the refusal names the field: {}", res.text);
    }
    assert_eq!(app.get("/v1/tenant", &t.sk_test).await.body["invoice_due_days"], 14);

    // A secret key, shown once, works against the API; revoked, it no longer does.
    let form = [("csrf", csrf.as_str()), ("name", "ci"), ("form_id", "f1")];
    let res = post_form(&app, "/dashboard/settings/secret-keys", &cookie, &form).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let key = secret_in(&res.text, "created-key");
    assert!(key.starts_with("sk_test_"), "{key}");
    // The same form again (a reload of the answer): nothing new, and the key is not shown again.
    let res = post_form(&app, "/dashboard/settings/secret-keys", &cookie, &form).await;
    assert!(res.text.contains("This form was already sent") && !res.text.contains(&key), "{}", res.text);
    assert_eq!(app.get("/v1/customers", &key).await.status, 200);
    let keys = app.get("/v1/secret-keys", &t.token).await.body;
    assert_eq!(keys["data"].as_array().unwrap().iter().filter(|k| k["name"] == "ci").count(), 1, "{keys}");
    let id = keys["data"].as_array().unwrap().iter().find(|k| k["name"] == "ci").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let res =
        post_form(&app, &format!("/dashboard/settings/secret-keys/{id}/revoke"), &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(res.status, 303, "{}", res.text);
    assert_eq!(app.get("/v1/customers", &key).await.status, 401);
    assert!(!get_page(&app, "/dashboard/settings", &cookie).await.contains(&key), "never shown again");

    // A webhook endpoint: its secret shown once; deliveries listed; deleted.
    let fields = [
        ("csrf", csrf.as_str()),
        ("url", "http://127.0.0.1:9/hooks"),
        ("description", "nothing listens"),
        ("form_id", "f2"),
    ];
    let res = post_form(&app, "/dashboard/webhooks", &cookie, &fields).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(secret_in(&res.text, "created-secret").starts_with("whsec_"));
    let res = post_form(&app, "/dashboard/webhooks", &cookie, &fields).await;
    assert!(res.text.contains("This form was already sent") && !res.text.contains("whsec_"), "{}", res.text);
    let endpoints = app.get("/v1/webhook-endpoints", &t.sk_test).await.body;
    assert_eq!(endpoints["data"].as_array().unwrap().len(), 1, "one endpoint for one form: {endpoints}");
    customer(&app, &t.sk_test, "someone@example.com").await; // customer.created, delivered nowhere
    let page = page_showing(&app, "/dashboard/webhooks", &cookie, "class=\"wide deliveries\"").await;
    assert!(page.contains("class=\"wide deliveries\"") && page.contains("<td class=\"num\">1</td>"), "{page}");
    let endpoints = app.get("/v1/webhook-endpoints", &t.sk_test).await.body;
    let id = endpoints["data"][0]["id"].as_str().unwrap().to_string();
    let res = post_form(&app, &format!("/dashboard/webhooks/{id}/delete"), &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(res.status, 303);
    assert_eq!(app.get("/v1/webhook-endpoints", &t.sk_test).await.body["data"], json!([]));
    // An address the API refuses is refused here.
    let res = post_form(&app, "/dashboard/webhooks", &cookie, &[("csrf", &csrf), ("url", "not a url")]).await;
    assert!((400..500).contains(&res.status), "{}", res.text);
}

#[actix_web::test]
async fn failed_payments_and_the_stripe_connection_are_shown() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let sk = &t.sk_test;
    let acct = app.connect_stripe(&t).await;
    app.advance(sk, "2027-01-01T00:00:00Z").await;
    let plan = json!({"key": "basic", "name": "Basic", "currency": "USD", "interval": "month", "amount": "20.00",
        "billing": "in_advance"});
    assert_eq!(app.post("/v1/plans", sk, plan).await.status, 201);
    let c = customer(&app, sk, "payer@example.com").await;
    let res = app
        .post(&format!("/v1/customers/{c}/payment-method"), sk, json!({"payment_method": "pm_card_chargeCustomerFail"}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(app.post("/v1/subscriptions", sk, json!({"customer": c, "plan": "basic"})).await.status, 201);
    app.advance(sk, "2027-01-01T02:00:00Z").await;

    let (cookie, _) = sign_in(&app, &t).await;
    let page = page_showing(&app, "/dashboard/payments", &cookie, "Your card was declined.").await;
    assert!(page.contains("Your card was declined.") && page.contains("<code>generic_decline</code>"), "{page}");
    assert!(page.contains(&format!("/dashboard/customers/{c}")) && page.contains("20.00 USD"));
    let page = get_page(&app, "/dashboard/settings", &cookie).await;
    assert!(page.contains(&format!("<code id=\"stripe-account\">{}</code>", acct.id)), "{page}");
}

#[actix_web::test]
async fn the_dashboard_in_a_real_browser_is_accessible_in_light_and_dark() {
    use crate::browser::{Browser, View};
    use fantoccini::Locator;
    let Some(b) = Browser::start(View::LIGHT).await else { return };
    let app = spawn_app().await;
    let (t, globex, _) = january_closed(&app).await;
    let sk = &t.sk_test;

    for browser in [b, Browser::start(View::DARK_PHONE).await.expect("the second browser")] {
        browser.goto(&app.url("/dashboard")).await;
        browser.wait_heading("Sign in to Tollgate").await;
        browser.check_page("dashboard-sign-in").await;
        browser.client.find(Locator::Id("email")).await.unwrap().send_keys(&t.email).await.unwrap();
        browser.client.find(Locator::Id("password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
        browser.click("form button").await;
        browser.wait_heading("Overview").await;

        // The tiles are the API's figures.
        let summary = app.get("/v1/analytics/summary?currency=USD", sk).await.body;
        for (tile, key) in
            [(".tile-mrr", "mrr"), (".tile-arr", "arr"), (".tile-arpu", "arpu"), (".tile-overdue", "overdue")]
        {
            assert_eq!(browser.text(tile).await, summary[key].as_str().unwrap(), "{tile}");
        }
        assert_eq!(browser.text(".tile-subscribers").await, summary["subscribers"].to_string());
        assert!(browser
            .text(".tile-churn")
            .await
            .starts_with(&format!("{} %", summary["churn_rate_30d"].as_str().unwrap())));
        browser
            .client
            .wait()
            .for_element(Locator::Css("[data-chart^='revenue'] canvas"))
            .await
            .expect("the revenue chart");
        browser.check_page("dashboard-overview").await;

        // Customers: search, then a customer's page, then their portal.
        browser.click("nav a[href='/dashboard/customers']").await;
        browser.wait_heading("Customers").await;
        browser.client.find(Locator::Id("search")).await.unwrap().send_keys("globex-42").await.unwrap();
        browser.click("form.search button").await;
        browser.client.wait().for_element(Locator::Css("#customers")).await.expect("the results");
        for _ in 0..50 {
            if !browser.text("#customers tbody").await.contains("initech") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let found = browser.text("#customers tbody").await;
        assert!(found.contains("billing@globex.example") && !found.contains("initech"), "{found}");
        browser.check_page("dashboard-customers").await;
        browser.click(&format!("#customers a[href='/dashboard/customers/{globex}']")).await;
        browser.wait_heading("billing@globex.example").await;
        browser.check_page("dashboard-customer").await;
        browser.click("#open-portal").await;
        browser.wait_heading("Acme Weather API billing").await;
        browser.click("form button").await;
        browser.wait_heading("Overview").await;
        assert!(browser.body().await.contains("Pro"), "the customer's portal: {}", browser.body().await);

        // Every other page, checked the same way.
        for (path, heading, name) in [
            ("/dashboard/invoices", "Invoices", "dashboard-invoices"),
            ("/dashboard/subscriptions", "Subscriptions", "dashboard-subscriptions"),
            ("/dashboard/plans", "Plans", "dashboard-plans"),
            ("/dashboard/payments", "Failed payments", "dashboard-payments"),
            ("/dashboard/webhooks", "Webhooks", "dashboard-webhooks"),
            ("/dashboard/settings", "Settings", "dashboard-settings"),
        ] {
            browser.goto(&app.url(path)).await;
            browser.wait_heading(heading).await;
            browser.check_page(name).await;
        }

        // Mark an invoice paid: the page says so, and so does the API.
        browser.goto(&app.url("/dashboard/invoices?status=open")).await;
        browser.wait_heading("Invoices").await;
        browser.click("form[action$='/mark-paid'] button").await;
        browser.client.wait().for_element(Locator::Id("notice")).await.expect("the notice");
        assert_eq!(browser.text("#notice").await, "The invoice is marked paid.");

        // The mode switch.
        browser.click("form[action='/dashboard/mode'] button").await;
        browser.wait_heading("Overview").await;
        for _ in 0..50 {
            if browser.text("#mode").await == "Live mode" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(browser.text("#mode").await, "Live mode");
        browser.close().await;
    }
    let paid = app.get("/v1/invoices?status=paid", sk).await.body;
    assert_eq!(paid["data"].as_array().unwrap().len(), 2, "one marked paid from each browser: {paid}");
}
