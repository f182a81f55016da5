//! The customer portal (docs/api.md "Customer portal"): a tenant's customer manages their keys,
//! plan, usage, invoices and payment method on pages Tollgate serves.
//!
//! - [`sessions`]: the link a tenant's server asks for (`POST /v1/portal-sessions`), its one
//!   exchange for a cookie, and the cookie's look-up.
//! - [`web`]: what every page shares: security headers (a strict CSP, no inline script), the
//!   CSRF token of every form, HTML error pages.
//! - [`pages`]: the pages, server-rendered (askama) and enhanced with htmx; each goes through
//!   the services the API uses, for the session's customer only.

pub mod handlers;
pub mod pages;
pub mod sessions;
pub mod web;

pub use handlers::routes;

/// Registers the pruning of ended sessions.
pub fn register(registry: &mut crate::jobs::Registry) {
    registry.register_chore(sessions::PRUNE);
}

/// The portal's pages (not part of the OpenAPI document).
pub fn pages(cfg: &mut actix_web::web::ServiceConfig) {
    cfg.service(pages::enter_page)
        .service(pages::enter)
        .service(pages::overview_page)
        .service(pages::keys_list)
        .service(pages::create_key)
        .service(pages::rotate_key)
        .service(pages::revoke_key)
        .service(pages::plan_view)
        .service(pages::preview_plan_change)
        .service(pages::change_plan)
        .service(pages::cancel_plan)
        .service(pages::resume_plan)
        .service(pages::invoice_list)
        .service(pages::invoice_document)
        .service(pages::pay_invoice)
        .service(pages::payment_page)
        .service(pages::update_payment_method)
        .service(pages::sign_out)
        .service(pages::asset);
}
