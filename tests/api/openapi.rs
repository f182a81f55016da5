use actix_web::http::Method;

use crate::helpers::spawn_app;

const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");

/// `openapi/openapi.json` is what the code generates; `UPDATE_OPENAPI=1 cargo test` rewrites it.
#[test]
fn the_committed_spec_matches_the_code() {
    let generated = tollgate::openapi::spec_json();
    if std::env::var("UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(SNAPSHOT, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(SNAPSHOT).unwrap_or_default();
    assert!(committed == generated, "openapi/openapi.json is stale: run `UPDATE_OPENAPI=1 cargo test` and commit it");
}

#[test]
fn every_operation_is_documented_with_its_errors() {
    let spec: serde_json::Value = serde_json::from_str(&tollgate::openapi::spec_json()).unwrap();
    let mut count = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            count += 1;
            let id = op["operationId"].as_str().unwrap_or_default();
            assert!(!id.is_empty(), "{method} {path} has an operationId");
            assert!(op["summary"].is_string(), "{id} has a summary");
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.contains_key("500"), "{id} documents 500");
            let open = op["security"].as_array().is_some_and(|s| s.iter().all(|r| r.as_object().unwrap().is_empty()));
            if !open {
                assert!(responses.contains_key("401"), "{id} documents 401");
            }
            if method == "post" && !open {
                let params = op["parameters"].as_array().unwrap();
                assert!(params.iter().any(|p| p["name"] == "Idempotency-Key"), "{id} documents Idempotency-Key");
            }
        }
    }
    assert!(count >= 9);
    assert_eq!(spec["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    assert!(spec["components"]["schemas"]["SignupRequest"]["example"].is_object(), "schemas carry examples");
}

#[actix_web::test]
async fn the_spec_and_a_browsable_reference_are_served_offline() {
    let app = spawn_app().await;
    let res = app.send(Method::GET, "/openapi.json", &[], None).await;
    assert_eq!(res.status, 200);
    let committed: serde_json::Value = serde_json::from_str(&tollgate::openapi::spec_json()).unwrap();
    assert_eq!(res.body, committed);

    let docs = app.send(Method::GET, "/docs", &[], None).await;
    assert_eq!(docs.status, 200);
    assert!(docs.header("content-type").unwrap().starts_with("text/html"));
    assert!(docs.text.contains(r#"src="/docs/redoc.standalone.js""#));
    assert!(docs.text.contains(r#"spec-url="/openapi.json""#));
    assert!(!docs.text.contains("https://"), "no asset from the internet");
    let js = app.send(Method::GET, "/docs/redoc.standalone.js", &[], None).await;
    assert_eq!(js.status, 200);
    assert!(js.text.len() > 500_000);
}
