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

    // Signed out: the cookie no longer works.
    let res = post_form(&app, "/dashboard/sign-out", &cookie, &[("csrf", &csrf)]).await;
    assert_eq!((res.status, res.header("location")), (303, Some("/dashboard/sign-in")));
    let res = app.send(Method::GET, "/dashboard", &[("Cookie", &cookie)], None).await;
    assert_eq!(res.status, 303);
}

#[actix_web::test]
async fn the_dashboard_in_a_real_browser_is_accessible_in_light_and_dark() {
    use crate::browser::{Browser, View};
    use fantoccini::Locator;
    let Some(b) = Browser::start(View::LIGHT).await else { return };
    let app = spawn_app().await;
    let t = app.signup().await;
    let sk = &t.sk_test;
    let plan = json!({"key": "basic", "name": "Basic", "currency": "USD", "interval": "month", "amount": "30.00"});
    assert_eq!(app.post("/v1/plans", sk, plan).await.status, 201);
    let c = customer(&app, sk, "a@example.com").await;
    assert_eq!(app.post("/v1/subscriptions", sk, json!({"customer": c, "plan": "basic"})).await.status, 201);

    for browser in [b, Browser::start(View::DARK_PHONE).await.expect("the second browser")] {
        browser.goto(&app.url("/dashboard")).await;
        browser.wait_heading("Sign in to Tollgate").await;
        browser.check_page("dashboard-sign-in").await;
        browser.client.find(Locator::Id("email")).await.unwrap().send_keys(&t.email).await.unwrap();
        browser.client.find(Locator::Id("password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
        browser.click("form button").await;
        browser.wait_heading("Overview").await;
        let summary = app.get("/v1/analytics/summary?currency=USD", sk).await.body;
        assert_eq!(browser.text(".tile-mrr").await, summary["mrr"].as_str().unwrap());
        assert_eq!(browser.text(".tile-subscribers").await, "1");
        browser.client.wait().for_element(Locator::Css(".chart canvas")).await.expect("the MRR chart is drawn");
        browser.check_page("dashboard-overview").await;
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
}
