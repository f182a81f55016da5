//! The OpenAPI document. The router is the spec: every route is registered through
//! utoipa-actix-web with its `#[utoipa::path]`, and [`Conventions`] adds what holds for every
//! operation (auth headers, the idempotency header on POSTs, the error responses), so no route
//! can exist undocumented. `openapi/openapi.json` is a committed snapshot that a test compares.

use actix_web::{get, web, HttpResponse};
use utoipa::openapi::header::{Header, HeaderBuilder};
use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::server::ServerBuilder;
use utoipa::openapi::{
    ContentBuilder, ObjectBuilder, OpenApi as OpenApiDoc, Ref, RefOr, Required, Response, ResponseBuilder,
};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::error::{ErrorBody, ErrorCode, ErrorEnvelope, ErrorType};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tollgate API",
        description = "Billing for API products: verify customer API keys and enforce plan limits on every request, \
                       record usage, and turn it into invoices.\n\n\
                       Authenticate with `Authorization: Bearer <secret key or access token>`. Errors use one envelope: \
                       `{\"error\": {\"type\", \"code\", \"message\", \"param\"}}`. Lists are paged with `limit` and `cursor`.",
        license(name = "Apache-2.0")
    ),
    modifiers(&Conventions),
    // Ids that appear only as path parameters are listed here (the others come with bodies).
    components(schemas(
        ErrorEnvelope,
        ErrorBody,
        ErrorType,
        ErrorCode,
        crate::ids::StripeAccountId,
        crate::usage::thresholds::UsageThresholdReached
    )),
    security(("secretKey" = []), ("userToken" = [])),
    tags(
        (name = "Accounts", description = "Tenant signup, login and secret keys."),
        (name = "Catalog", description = "Features and versioned plans: entitlements and charges."),
        (name = "Customers", description = "Your customers and what their plans grant them."),
        (name = "Subscriptions", description = "Customers on plans: trials, plan changes, cancellation."),
        (name = "API keys", description = "Your customers' API keys: issue, list, revoke, rotate."),
        (name = "Verify", description = "The per-request call: key, plan, rate limit, quota and usage in one round trip."),
        (name = "Usage", description = "Usage events and time series."),
        (name = "Invoices", description = "Periods closed into invoices: drafts, finalization, documents, the upcoming invoice."),
        (name = "Payments", description = "Collecting invoices through your own Stripe account: connecting it, payment methods, attempts, Stripe's webhooks."),
        (name = "Webhooks", description = "Your endpoints for events (signed per Standard Webhooks), the events and their deliveries."),
        (name = "Customer portal", description = "Links that sign a customer in to the hosted portal: their keys, plan, usage, invoices and payment method."),
        (name = "Analytics", description = "MRR and its movements, revenue by month and a summary, per currency."),
        (name = "Test clock", description = "Make a month pass in a second in test mode, running the billing work due on the way."),
        (name = "Operations", description = "Health, readiness and metrics."),
    )
)]
pub struct ApiDoc;

struct Conventions;

/// The two credentials (docs/api.md, "Credentials").
pub const SECRET_KEY: &str = "secretKey";
pub const USER_TOKEN: &str = "userToken";

/// What an operation takes, as far as the conventions care.
struct Shape {
    /// No credential (signup, login, probes).
    open: bool,
    /// Only a person's access token (account administration).
    person_only: bool,
    post: bool,
    /// Reads a JSON body.
    body: bool,
    /// Has `{…}` path parameters: the resource may not exist.
    path_params: bool,
    /// Has query parameters.
    query: bool,
    /// Honours `Idempotency-Key`.
    idempotent: bool,
}

/// The error responses every operation of a shape can give, with the codes behind each.
fn conventional_errors(shape: &Shape) -> Vec<(&'static str, String)> {
    let codes = |list: &[ErrorCode]| list.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ");
    let mut out: Vec<(&'static str, String)> = Vec::new();
    let mut bad_request = Vec::new();
    if !shape.open {
        bad_request.push(ErrorCode::ParameterInvalid);
    }
    if shape.body {
        bad_request.extend([
            ErrorCode::InvalidJson,
            ErrorCode::BodyUnreadable,
            ErrorCode::ParameterInvalid,
            ErrorCode::ParameterMissing,
            ErrorCode::ParameterUnknown,
        ]);
    }
    if shape.query {
        bad_request.extend([ErrorCode::ParameterInvalid, ErrorCode::ParameterUnknown]);
    }
    let mut seen = std::collections::BTreeSet::new();
    bad_request.retain(|c| seen.insert(c.as_str()));
    if !bad_request.is_empty() {
        out.push(("400", format!("{}: the request is malformed or a header or field is invalid", codes(&bad_request))));
    }
    if !shape.open {
        out.push((
            "401",
            format!(
                "{}: missing or invalid credentials",
                codes(&[
                    ErrorCode::AuthenticationRequired,
                    ErrorCode::InvalidAuthorizationHeader,
                    ErrorCode::InvalidApiKey,
                    ErrorCode::ApiKeyRevoked,
                    ErrorCode::InvalidToken,
                    ErrorCode::TokenExpired,
                ])
            ),
        ));
        let mut forbidden = vec![ErrorCode::ModeMismatch];
        if shape.person_only {
            forbidden.push(ErrorCode::UserTokenRequired);
        }
        out.push(("403", format!("{}: this credential may not make this call", codes(&forbidden))));
    }
    if shape.path_params {
        out.push((
            "404",
            format!("{}: no such resource in this tenant and mode", codes(&[ErrorCode::ResourceMissing])),
        ));
    }
    if shape.idempotent {
        out.push((
            "409",
            format!(
                "{}: the first request with this Idempotency-Key is still running",
                codes(&[ErrorCode::IdempotencyKeyInUse, ErrorCode::IdempotencyKeyUnreadable])
            ),
        ));
    }
    if shape.body || shape.post {
        out.push(("413", format!("{}: the body is larger than 1 MiB", codes(&[ErrorCode::PayloadTooLarge]))));
    }
    if shape.body {
        out.push(("415", format!("{}: send the body as application/json", codes(&[ErrorCode::UnsupportedMediaType]))));
    }
    let mut unprocessable = Vec::new();
    if shape.body || shape.query {
        unprocessable.push(ErrorCode::ParameterInvalid);
    }
    if shape.idempotent {
        unprocessable.push(ErrorCode::IdempotencyKeyReused);
    }
    if !unprocessable.is_empty() {
        out.push(("422", format!("{}: well-formed, but a value is not acceptable", codes(&unprocessable))));
    }
    out.push((
        "503",
        format!(
            "{}: the database is unavailable or busy, or the server is stopping; retry",
            codes(&[ErrorCode::DatabaseUnavailable, ErrorCode::DatabaseBusy, ErrorCode::ShuttingDown])
        ),
    ));
    out.push(("500", format!("{}: an internal error (no details are given)", codes(&[ErrorCode::InternalError]))));
    out
}

fn error_response(description: String) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .header(REQUEST_ID_HEADER, request_id_header())
        .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorEnvelope"))).build())
        .into()
}

const REQUEST_ID_HEADER: &str = "X-Request-Id";
const REPLAYED_HEADER: &str = "Idempotent-Replayed";

fn request_id_header() -> Header {
    HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(Type::String))
        .description(Some("The request's id (yours if you sent a sane `X-Request-Id`), also in the server's log."))
        .build()
}

fn string_header(name: &str, schema: impl Into<RefOr<Schema>>, description: &str) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

impl Modify for Conventions {
    fn modify(&self, api: &mut OpenApiDoc) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            SECRET_KEY,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A secret key, `sk_test_…` or `sk_live_…`: what your servers use. It acts in its own mode.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            USER_TOKEN,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A person's access token, from signup or login. It acts in test mode unless \
                         `Billing-Mode: live` is sent. Account administration (secret keys, the tenant's \
                         settings) takes only this one.",
                    ))
                    .build(),
            ),
        );
        if api.servers.is_none() {
            api.servers = Some(vec![ServerBuilder::new()
                .url("http://127.0.0.1:8080")
                .description(Some("`tollgate serve` on its default address"))
                .build()]);
        }
        let schemas = api.components.as_ref().map(|c| c.schemas.clone()).unwrap_or_default();
        for (path, item) in api.paths.paths.iter_mut() {
            let ops: [(&mut Option<Operation>, bool); 5] = [
                (&mut item.get, false),
                (&mut item.post, true),
                (&mut item.put, false),
                (&mut item.patch, false),
                (&mut item.delete, false),
            ];
            for (op, post) in ops {
                let Some(op) = op.as_mut() else { continue };
                let requirements: Vec<serde_json::Value> =
                    op.security.iter().flatten().filter_map(|r| serde_json::to_value(r).ok()).collect();
                // `security(())` on an operation marks it as open (signup, login, probes).
                let open =
                    op.security.is_some() && requirements.iter().all(|v| v.as_object().is_some_and(|o| o.is_empty()));
                let person_only = !requirements.is_empty()
                    && requirements
                        .iter()
                        .all(|v| v.as_object().is_some_and(|o| o.len() == 1 && o.contains_key(USER_TOKEN)));
                let params = op.parameters.get_or_insert_with(Vec::new);
                let shape = Shape {
                    open,
                    person_only,
                    post,
                    body: op.request_body.is_some(),
                    path_params: path.contains('{'),
                    query: params.iter().any(|p| p.parameter_in == ParameterIn::Query),
                    idempotent: post && !open && !crate::idempotency::exempt(path),
                };
                // A missing body reads as `{}`: a body with no required field may be left out.
                if let Some(body) = op.request_body.as_mut() {
                    let optional = body.content.get("application/json").and_then(|c| c.schema.as_ref()).is_some_and(
                        |schema| match schema {
                            RefOr::Ref(r) => {
                                let name = r.ref_location.rsplit('/').next().unwrap_or_default();
                                matches!(schemas.get(name), Some(RefOr::T(Schema::Object(o))) if o.required.is_empty())
                            }
                            RefOr::T(Schema::Object(o)) => o.required.is_empty(),
                            RefOr::T(_) => false,
                        },
                    );
                    body.required = Some(if optional { Required::False } else { Required::True });
                }
                if !open {
                    params.push(string_header(
                        crate::auth::BILLING_MODE_HEADER,
                        Ref::from_schema_name("Mode"),
                        "The mode to act in, for a person's access token (default `test`). A secret key acts in \
                         its own mode: naming the other one answers 403 `mode_mismatch`.",
                    ));
                }
                if shape.idempotent {
                    params.push(string_header(
                        "Idempotency-Key",
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .min_length(Some(1))
                            .max_length(Some(255))
                            .pattern(Some("^[!-~]+$")),
                        "Makes the request safe to retry for 24 hours: the same key with the same request replays \
                         the first answer (with `Idempotent-Replayed: true`). 1 to 255 visible ASCII characters.",
                    ));
                }
                if params.is_empty() {
                    op.parameters = None;
                }
                for (status, description) in conventional_errors(&shape) {
                    match op.responses.responses.get_mut(status) {
                        Some(RefOr::T(r)) => {
                            // The operation's own words first, then the conventions' codes.
                            if !r.description.contains(&description) {
                                r.description = format!("{}. Also {description}", r.description.trim_end_matches('.'));
                            }
                            r.headers.entry(REQUEST_ID_HEADER.into()).or_insert_with(request_id_header);
                        }
                        Some(RefOr::Ref(_)) => {}
                        None => {
                            op.responses.responses.insert(status.into(), error_response(description));
                        }
                    }
                }
                for (status, response) in op.responses.responses.iter_mut() {
                    let RefOr::T(r) = response else { continue };
                    r.headers.entry(REQUEST_ID_HEADER.into()).or_insert_with(request_id_header);
                    if shape.idempotent && status.starts_with('2') {
                        r.headers.entry(REPLAYED_HEADER.into()).or_insert_with(|| {
                            HeaderBuilder::new()
                                .schema(ObjectBuilder::new().schema_type(Type::String))
                                .description(Some("`true` when this answer is the stored answer to an earlier request with the same Idempotency-Key."))
                                .build()
                        });
                    }
                }
            }
        }
    }
}

/// The routes that make up the API; used both to serve and to generate the spec.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    // The hot path first: actix tries routes in order, and each dynamic route tried before a
    // match costs a regex match.
    cfg.configure(crate::verify::routes)
        .configure(crate::usage::routes)
        .configure(crate::accounts::routes)
        .configure(crate::catalog::routes)
        .configure(crate::customers::routes)
        .configure(crate::entitlements::routes)
        .configure(crate::subscriptions::routes)
        .configure(crate::keys::routes)
        .configure(crate::invoices::routes)
        .configure(crate::payments::routes)
        .configure(crate::webhooks::routes)
        .configure(crate::portal::routes)
        .configure(crate::analytics::routes)
        .configure(crate::testclock::routes)
        .configure(crate::ops::routes);
}

/// The OpenAPI document of the code as it is.
pub fn spec() -> OpenApiDoc {
    let (_, mut api) =
        actix_web::App::new().into_utoipa_app().openapi(ApiDoc::openapi()).configure(configure).split_for_parts();
    // Modifiers ran on the base document; run them again over the registered paths.
    Conventions.modify(&mut api);
    api
}

/// The document as served and committed, as text.
pub fn spec_json() -> String {
    document_json(&spec())
}

/// [`document`] of `spec`, as text.
pub fn document_json(spec: &OpenApiDoc) -> String {
    let mut s = serde_json::to_string_pretty(&document(spec)).expect("the spec serialises");
    s.push('\n');
    s
}

/// The document as served and committed.
pub fn spec_value() -> serde_json::Value {
    document(&spec())
}

/// `spec` with the finishing touches that are simpler on JSON than on utoipa's types.
pub fn document(spec: &OpenApiDoc) -> serde_json::Value {
    let mut doc = serde_json::to_value(spec).expect("the spec serialises");
    polish::lists_by_reference(&mut doc);
    polish::examples_not_example(&mut doc);
    polish::response_examples(&mut doc);
    polish::open_operations(&mut doc);
    doc
}

mod polish {
    use serde_json::{json, Map, Value};

    const SCHEMAS: &str = "#/components/schemas/";

    fn schemas(doc: &mut Value) -> &mut Map<String, Value> {
        doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut).expect("components.schemas")
    }

    fn rename_refs(v: &mut Value, from: &str, to: &str) {
        match v {
            Value::Object(o) => {
                if o.get("$ref").and_then(Value::as_str) == Some(from) {
                    o.insert("$ref".into(), Value::String(to.into()));
                }
                o.values_mut().for_each(|v| rename_refs(v, from, to));
            }
            Value::Array(a) => a.iter_mut().for_each(|v| rename_refs(v, from, to)),
            _ => {}
        }
    }

    /// utoipa inlines a generic's argument: `List_CustomerResponse.data.items` would be a copy
    /// of `CustomerResponse`. Point it at the item's schema instead, and name the list after
    /// its item (`CustomerList`), as generated SDKs name their classes after schemas.
    pub fn lists_by_reference(doc: &mut Value) {
        let lists: Vec<String> = schemas(doc).keys().filter(|k| k.starts_with("List_")).cloned().collect();
        for old in lists {
            let item = old.trim_start_matches("List_").to_owned();
            let mut list = schemas(doc).remove(&old).expect("listed");
            if let Some(items) = list.pointer_mut("/properties/data/items") {
                let inline = std::mem::replace(items, json!({ "$ref": format!("{SCHEMAS}{item}") }));
                schemas(doc).entry(item.clone()).or_insert(inline);
            }
            let base = item.strip_suffix("Response").or_else(|| item.strip_suffix("Object")).unwrap_or(&item);
            let new = format!("{base}List");
            schemas(doc).insert(new.clone(), list);
            rename_refs(doc, &format!("{SCHEMAS}{old}"), &format!("{SCHEMAS}{new}"));
        }
        schemas(doc).sort_keys();
    }

    /// OpenAPI 3.1 schemas are JSON Schema: `examples` (a list), not the deprecated `example`.
    /// And no text anywhere may hold a NUL character (PostgreSQL cannot store it): a string
    /// without a stricter rule says so.
    fn schema_examples(v: &mut Value) {
        let Value::Object(o) = v else { return };
        if let Some(example) = o.remove("example") {
            o.entry("examples").or_insert_with(|| Value::Array(vec![example]));
        }
        let string = match o.get("type") {
            Some(Value::String(t)) => t == "string",
            Some(Value::Array(ts)) => ts.iter().any(|t| t == "string"),
            _ => false,
        };
        let checked_format = o.get("format").and_then(Value::as_str).is_some_and(|f| f != "password");
        if string && !o.contains_key("pattern") && !o.contains_key("enum") && !checked_format {
            o.insert("pattern".into(), Value::String(crate::types::NO_NUL_PATTERN.into()));
        }
        for key in ["properties", "patternProperties"] {
            if let Some(Value::Object(props)) = o.get_mut(key) {
                props.values_mut().for_each(schema_examples);
            }
        }
        for key in ["items", "additionalProperties", "not"] {
            if let Some(child) = o.get_mut(key) {
                schema_examples(child);
            }
        }
        for key in ["allOf", "oneOf", "anyOf", "prefixItems"] {
            if let Some(Value::Array(parts)) = o.get_mut(key) {
                parts.iter_mut().for_each(schema_examples);
            }
        }
    }

    /// Every `schema` of the document (components, parameters, bodies, headers).
    pub fn examples_not_example(doc: &mut Value) {
        fn find(v: &mut Value) {
            match v {
                Value::Object(o) => {
                    for (k, child) in o.iter_mut() {
                        match k.as_str() {
                            "schema" => schema_examples(child),
                            // Response headers: what the server sends, described in words.
                            "headers" => {}
                            _ => find(child),
                        }
                    }
                }
                Value::Array(a) => a.iter_mut().for_each(find),
                _ => {}
            }
        }
        schemas(doc).values_mut().for_each(schema_examples);
        if let Some(paths) = doc.get_mut("paths") {
            find(paths);
        }
    }

    /// An example of a value of `schema`, from the examples the schemas carry, else from their
    /// types.
    fn example_of(schema: &Value, all: &Map<String, Value>, depth: usize) -> Option<Value> {
        if depth > 8 {
            return None;
        }
        let o = schema.as_object()?;
        if let Some(r) = o.get("$ref").and_then(Value::as_str) {
            return example_of(all.get(r.strip_prefix(SCHEMAS)?)?, all, depth + 1);
        }
        if let Some(e) = o.get("examples").and_then(Value::as_array).and_then(|e| e.first()) {
            return Some(e.clone());
        }
        if let Some(e) = o.get("enum").and_then(Value::as_array).and_then(|e| e.first()) {
            return Some(e.clone());
        }
        if let Some(parts) = o.get("allOf").and_then(Value::as_array) {
            let mut merged = Map::new();
            for part in parts {
                if let Some(Value::Object(p)) = example_of(part, all, depth + 1) {
                    merged.extend(p);
                }
            }
            return Some(Value::Object(merged));
        }
        if let Some(parts) = o.get("oneOf").or_else(|| o.get("anyOf")).and_then(Value::as_array) {
            let non_null = parts.iter().filter(|p| p.get("type").and_then(Value::as_str) != Some("null"));
            return non_null.filter_map(|p| example_of(p, all, depth + 1)).next().or(Some(Value::Null));
        }
        let ty = match o.get("type") {
            Some(Value::String(t)) => t.as_str(),
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or("null"),
            _ => "object",
        };
        Some(match ty {
            "object" => {
                let mut out = Map::new();
                for (name, prop) in o.get("properties").and_then(Value::as_object).into_iter().flatten() {
                    if let Some(v) = example_of(prop, all, depth + 1) {
                        out.insert(name.clone(), v);
                    }
                }
                Value::Object(out)
            }
            "array" => Value::Array(o.get("items").and_then(|i| example_of(i, all, depth + 1)).into_iter().collect()),
            "string" => match o.get("format").and_then(Value::as_str) {
                Some("date-time") => json!("2026-11-24T10:00:00Z"),
                Some("email") => json!("ada@example.com"),
                _ => json!("text"),
            },
            "integer" | "number" => json!(o.get("minimum").cloned().unwrap_or(json!(0))),
            "boolean" => json!(true),
            _ => Value::Null,
        })
    }

    /// An operation without credentials says `security: []`: utoipa writes `[{}]` (one empty
    /// requirement), which means the same, but generated clients read it as "needs a credential".
    pub fn open_operations(doc: &mut Value) {
        let Some(Value::Object(paths)) = doc.get_mut("paths") else { return };
        for op in paths.values_mut().filter_map(Value::as_object_mut).flat_map(|item| item.values_mut()) {
            if op.get("security") == Some(&json!([{}])) {
                op["security"] = json!([]);
            }
        }
    }

    /// Every successful JSON answer carries an example, built from its schema's examples.
    pub fn response_examples(doc: &mut Value) {
        let all = schemas(doc).clone();
        let Some(Value::Object(paths)) = doc.get_mut("paths") else { return };
        for op in paths.values_mut().filter_map(Value::as_object_mut).flat_map(|item| item.values_mut()) {
            let Some(Value::Object(responses)) = op.get_mut("responses") else { continue };
            for (_, response) in responses.iter_mut().filter(|(status, _)| status.starts_with('2')) {
                let Some(Value::Object(content)) = response.get_mut("content") else { continue };
                for media in content.values_mut().filter_map(Value::as_object_mut) {
                    if media.contains_key("example") || media.contains_key("examples") {
                        continue;
                    }
                    if let Some(e) = media.get("schema").and_then(|s| example_of(s, &all, 0)) {
                        media.insert("example".into(), e);
                    }
                }
            }
        }
    }
}

/// The spec, rendered once at start-up.
pub struct SpecJson(pub String);

#[get("/openapi.json")]
pub async fn openapi_json(spec: web::Data<SpecJson>) -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(spec.0.clone())
}

#[get("/docs")]
pub async fn docs() -> HttpResponse {
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(include_str!("../templates/docs.html"))
}

#[get("/docs/redoc.standalone.js")]
pub async fn docs_asset() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=86400"))
        .body(&include_bytes!("../static/redoc/redoc.standalone.js")[..])
}
