use std::collections::BTreeMap;

use actix_web::http::Method;
use serde_json::Value;

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
            assert_ne!(op["security"], serde_json::json!([{}]), "{id}: an open operation says `security: []`");
            if !open {
                assert!(responses.contains_key("401"), "{id} documents 401");
            }
            if method == "post" && !open && !["/v1/verify", "/v1/usage", "/v1/usage/batch"].contains(&path.as_str()) {
                let params = op["parameters"].as_array().unwrap();
                assert!(params.iter().any(|p| p["name"] == "Idempotency-Key"), "{id} documents Idempotency-Key");
            }
        }
    }
    assert!(count >= 9);
    assert_eq!(spec["components"]["securitySchemes"]["secretKey"]["scheme"], "bearer");
    assert_eq!(spec["components"]["securitySchemes"]["userToken"]["bearerFormat"], "JWT");
    assert!(spec["components"]["schemas"]["SignupRequest"]["examples"][0].is_object(), "schemas carry examples");
}

/// What generated clients need beyond the statuses: lists typed by their item, an example on
/// every successful answer, OpenAPI 3.1's `examples` in schemas, bodies optional exactly when
/// they have no required field, and the constraints the server enforces.
#[test]
fn the_document_is_usable_by_generated_clients() {
    let spec: Value = serde_json::from_str(&tollgate::openapi::spec_json()).unwrap();
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    assert!(!schemas.keys().any(|k| k.starts_with("List_")));
    assert_eq!(schemas["CustomerList"]["properties"]["data"]["items"]["$ref"], "#/components/schemas/CustomerResponse");
    assert_eq!(schemas["InvoiceList"]["properties"]["data"]["items"]["$ref"], "#/components/schemas/InvoiceResponse");
    // A real invoice always has an id; the preview is its own schema without one.
    let own = &schemas["InvoiceResponse"]["allOf"][1];
    assert!(own["required"].as_array().unwrap().contains(&"id".into()));
    assert_eq!(own["properties"]["id"]["$ref"], "#/components/schemas/InvoiceId");
    assert!(schemas["UpcomingInvoice"].to_string().contains("InvoiceSummary"));
    assert!(!schemas["UpcomingInvoice"].to_string().contains("InvoiceId"));
    assert_eq!(schemas["CustomerId"]["pattern"], "^cus_[0-6][0-9A-Za-z]{21}$");
    assert!(schemas["Amount"]["pattern"].is_string());

    fn no_example_in_schemas(v: &Value, at: &str) {
        match v {
            Value::Object(o) => {
                if at.contains("/schema") || at.starts_with("/components/schemas") {
                    assert!(!o.contains_key("example") || o.contains_key("schema"), "`example` in a schema at {at}");
                }
                o.iter().for_each(|(k, v)| no_example_in_schemas(v, &format!("{at}/{k}")));
            }
            Value::Array(a) => a.iter().enumerate().for_each(|(i, v)| no_example_in_schemas(v, &format!("{at}/{i}"))),
            _ => {}
        }
    }
    no_example_in_schemas(&spec["components"]["schemas"], "/components/schemas");

    let mut bodies = BTreeMap::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for (status, response) in op["responses"].as_object().unwrap() {
                if let Some(media) = response["content"]["application/json"].as_object() {
                    if status.starts_with('2') {
                        assert!(media.contains_key("example"), "{method} {path} {status} has an example");
                    }
                }
                assert!(response["headers"]["X-Request-Id"].is_object(), "{method} {path} {status} has X-Request-Id");
            }
            if let Some(body) = op.get("requestBody") {
                bodies.insert(format!("{method} {path}"), body["required"].as_bool().unwrap());
            }
        }
    }
    assert!(!bodies["patch /v1/tenant"]);
    assert!(!bodies["patch /v1/customers/{id}"]);
    assert!(bodies["post /v1/customers"]);
    let replayed = &spec["paths"]["/v1/customers"]["post"]["responses"]["201"]["headers"]["Idempotent-Replayed"];
    assert!(replayed.is_object());
    let person = &spec["paths"]["/v1/secret-keys"]["post"]["security"];
    assert_eq!(person, &serde_json::json!([{"userToken": []}]));
    assert_eq!(spec["paths"]["/v1/signup"]["post"]["security"], serde_json::json!([]));
}

/// What the document says of bodies is what the server does: an optional body may be left out
/// (it reads as `{}`), a required one may not.
#[actix_web::test]
async fn optional_bodies_may_be_left_out() {
    let app = spawn_app().await;
    let tenant = app.signup().await;
    let res =
        app.send(Method::PATCH, "/v1/tenant", &[("Authorization", &format!("Bearer {}", tenant.token))], None).await;
    assert_eq!(res.status, 200, "{}", res.text);
    // A body is an object: serde alone would fill the request from an array, field by field.
    let auth = format!("Bearer {}", tenant.token);
    let headers = [("Authorization", auth.as_str()), ("Content-Type", "application/json")];
    let res = app.send(Method::PATCH, "/v1/tenant", &headers, Some(b"[null, null]".to_vec())).await;
    assert_eq!(res.status, 400, "{}", res.text);
    assert_eq!(res.body["error"]["code"], "parameter_invalid");
    let sk = format!("Bearer {}", tenant.sk_test);
    let res = app.send(Method::POST, "/v1/customers", &[("Authorization", &sk)], None).await;
    assert_eq!(res.status, 400);
    assert_eq!(res.body["error"]["code"], "parameter_missing");
    // A secret key may not administer the account, whatever the body.
    let res = app.send(Method::PATCH, "/v1/tenant", &[("Authorization", &sk)], None).await;
    assert_eq!(res.status, 403);
    assert_eq!(res.body["error"]["code"], "user_token_required");
}

/// Every `enum` in the document, wherever it is, lists exactly the strings the server sends and
/// accepts: the serde names of the Rust enum behind it. An enum the table below does not know
/// fails too, so a new one is checked from the day it appears.
#[test]
fn every_enum_in_the_document_is_what_the_wire_carries() {
    use tollgate::catalog::models::{Billing, ChargeModel, FeatureType, Overage, Reset};
    use tollgate::catalog::period::Interval;
    use tollgate::error::{ErrorCode, ErrorType};
    use tollgate::invoices::models::{InvoiceStatus, LineKind, Reason};
    use tollgate::ledger::aggregate::Aggregation;
    use tollgate::payments::credit_notes::{CreditReason, RefundStatus};
    use tollgate::payments::models::PaymentStatus;
    use tollgate::subscriptions::models::{Status, Timing};
    use tollgate::tenancy::Mode;
    use tollgate::usage::models::Granularity;
    use tollgate::verify::models::VerifyCode;
    use tollgate::webhooks::models::EndpointStatus;

    fn wire<T: serde::Serialize>(all: &[T]) -> Vec<String> {
        all.iter().map(|v| serde_json::to_value(v).unwrap().as_str().unwrap().to_owned()).collect()
    }
    let rust: BTreeMap<&str, Vec<String>> = BTreeMap::from([
        ("Aggregation", wire(Aggregation::ALL)),
        ("Billing", wire(Billing::ALL)),
        ("ChargeModel", wire(ChargeModel::ALL)),
        ("CreditReason", wire(CreditReason::ALL)),
        ("ErrorCode", wire(ErrorCode::ALL)),
        ("ErrorType", wire(ErrorType::ALL)),
        ("EndpointStatus", wire(EndpointStatus::ALL)),
        ("EventType", tollgate::events::TYPES.iter().chain(["*"].iter()).map(|s| s.to_string()).collect()),
        ("FeatureType", wire(FeatureType::ALL)),
        ("Granularity", wire(Granularity::ALL)),
        ("BucketInterval", wire(tollgate::analytics::models::BucketInterval::ALL)),
        ("Interval", wire(Interval::ALL)),
        ("InvoiceStatus", wire(InvoiceStatus::ALL)),
        ("LineKind", wire(LineKind::ALL)),
        ("Mode", wire(Mode::ALL)),
        ("Overage", wire(Overage::ALL)),
        ("PaymentStatus", wire(PaymentStatus::ALL)),
        ("Reason", wire(Reason::ALL)),
        ("RefundStatus", wire(RefundStatus::ALL)),
        ("Reset", wire(Reset::ALL)),
        ("Status", wire(Status::ALL)),
        ("Timing", wire(Timing::ALL)),
        ("VerifyCode", wire(VerifyCode::ALL)),
    ]);
    // Serde and the document agree on the words, and the words are what a client sends back.
    assert_eq!(rust["ChargeModel"], ["per_unit", "graduated", "volume", "package"]);
    assert_eq!(serde_json::from_value::<ChargeModel>("per_unit".into()).unwrap(), ChargeModel::PerUnit);

    fn walk<'a>(v: &'a Value, at: String, found: &mut Vec<(String, &'a Value)>) {
        match v {
            Value::Object(o) => {
                if let Some(e) = o.get("enum") {
                    found.push((at.clone(), e));
                }
                for (k, v) in o {
                    walk(v, format!("{at}/{k}"), found);
                }
            }
            Value::Array(a) => a.iter().enumerate().for_each(|(i, v)| walk(v, format!("{at}/{i}"), found)),
            _ => {}
        }
    }
    let spec: Value = serde_json::from_str(&tollgate::openapi::spec_json()).unwrap();
    let mut found = Vec::new();
    walk(&spec, String::new(), &mut found);
    let mut seen = Vec::new();
    for (at, values) in found {
        if at == "/components/schemas/Currency" {
            // Every code the server takes for a price, and nothing else.
            let codes: Vec<&str> = values.as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
            for code in &codes {
                assert_eq!(tollgate::money::Currency::parse(code).map(|c| c.code()), Ok(*code));
            }
            assert!(codes.len() > 150 && codes.contains(&"JPY") && codes.contains(&"KWD"), "{codes:?}");
            assert!(!codes.contains(&"XAU"), "gold has no minor unit: not for prices");
            continue;
        }
        let name = at
            .strip_prefix("/components/schemas/")
            .unwrap_or_else(|| panic!("an enum outside components at {at}: name it (a text_enum) and refer to it"));
        let expected = rust.get(name).unwrap_or_else(|| panic!("the enum {name} is not checked: add it to this test"));
        let documented: Vec<&str> = values.as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(&documented, expected, "{name}");
        seen.push(name.to_owned());
    }
    assert_eq!(
        seen,
        rust.keys().map(|k| k.to_string()).collect::<Vec<_>>(),
        "every enum of the table is in the document"
    );
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
