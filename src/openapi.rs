//! The OpenAPI document. The router is the spec: every route is registered through
//! utoipa-actix-web with its `#[utoipa::path]`, and [`Conventions`] adds what holds for every
//! operation (auth headers, the idempotency header on POSTs, the error responses), so no route
//! can exist undocumented. `openapi/openapi.json` is a committed snapshot that a test compares.

use actix_web::{get, web, HttpResponse};
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as OpenApiDoc, Ref, RefOr, Required, ResponseBuilder};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::error::{ErrorBody, ErrorEnvelope, ErrorType};

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
    components(schemas(ErrorEnvelope, ErrorBody, ErrorType)),
    security(("bearer" = [])),
    tags(
        (name = "Accounts", description = "Tenant signup, login and secret keys."),
        (name = "Catalog", description = "Features and versioned plans: entitlements and charges."),
        (name = "Customers", description = "Your customers and what their plans grant them."),
        (name = "Subscriptions", description = "Customers on plans: trials, plan changes, cancellation."),
        (name = "API keys", description = "Your customers' API keys: issue, list, revoke, rotate."),
        (name = "Verify", description = "The per-request call: key, plan, rate limit, quota and usage in one round trip."),
        (name = "Usage", description = "Usage events and time series."),
        (name = "Invoices", description = "Periods closed into invoices: drafts, finalization, documents, the upcoming invoice."),
        (name = "Test clock", description = "Make a month pass in a second in test mode, running the billing work due on the way."),
        (name = "Operations", description = "Health, readiness and metrics."),
    )
)]
pub struct ApiDoc;

struct Conventions;

fn error_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorEnvelope"))).build())
        .into()
}

fn header_param(name: &str, description: &str) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::schema::Type::String)))
        .build()
}

impl Modify for Conventions {
    fn modify(&self, api: &mut OpenApiDoc) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A secret key (`sk_test_…`, `sk_live_…`) or a user's access token from login."))
                    .build(),
            ),
        );
        for item in api.paths.paths.values_mut() {
            let ops: [(&mut Option<Operation>, bool); 5] = [
                (&mut item.get, false),
                (&mut item.post, true),
                (&mut item.put, false),
                (&mut item.patch, false),
                (&mut item.delete, false),
            ];
            for (op, is_post) in ops {
                let Some(op) = op.as_mut() else { continue };
                // `security(())` on an operation marks it as open (signup, login, probes).
                let open = op.security.as_ref().is_some_and(|reqs| {
                    reqs.iter()
                        .all(|r| serde_json::to_value(r).is_ok_and(|v| v.as_object().is_some_and(|o| o.is_empty())))
                });
                let params = op.parameters.get_or_insert_with(Vec::new);
                if !open {
                    params.push(header_param(
                        "Billing-Mode",
                        "`test` (default) or `live`. Only for user access tokens; a secret key acts in its own mode.",
                    ));
                    if is_post {
                        params.push(header_param(
                            "Idempotency-Key",
                            "Makes the request safe to retry for 24 hours: the same key with the same request replays the first answer.",
                        ));
                        op.responses
                            .responses
                            .entry("409".into())
                            .or_insert_with(|| error_response("`idempotency_key_in_use`, or another conflict"));
                        op.responses
                            .responses
                            .entry("422".into())
                            .or_insert_with(|| error_response("`idempotency_key_reused`"));
                    }
                    op.responses
                        .responses
                        .entry("401".into())
                        .or_insert_with(|| error_response("Missing or invalid credentials"));
                }
                if is_post {
                    op.responses
                        .responses
                        .entry("413".into())
                        .or_insert_with(|| error_response("The body is larger than 1 MiB"));
                }
                op.responses
                    .responses
                    .entry("503".into())
                    .or_insert_with(|| error_response("The database is unavailable; retry"));
                op.responses
                    .responses
                    .entry("500".into())
                    .or_insert_with(|| error_response("Internal error (no details are given)"));
                if params.is_empty() {
                    op.parameters = None;
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

pub fn spec_json() -> String {
    let mut s = spec().to_pretty_json().expect("the spec serialises");
    s.push('\n');
    s
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
