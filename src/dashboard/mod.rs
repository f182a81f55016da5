//! The tenant's dashboard (`/dashboard`, docs/api.md "Dashboard"): a person of the tenant signs
//! in with email and password and sees the business. The same web stack and rules as the
//! customer portal ([`crate::portal::web`]: headers, CSP, CSRF, HTML refusals), with its own
//! session: a random cookie secret stored hashed, an hour idle, 12 hours at most, and a
//! test/live switch. Every figure comes from the services the API uses, for the person's
//! tenant only.

pub mod billing;
pub mod customers;
pub mod pages;
pub mod sessions;
pub mod settings;
pub mod web;

/// Registers the pruning of ended sessions.
pub fn register(registry: &mut crate::jobs::Registry) {
    registry.register_chore(sessions::PRUNE);
}

/// The dashboard's pages (not part of the OpenAPI document).
pub fn pages(cfg: &mut actix_web::web::ServiceConfig) {
    cfg.service(pages::sign_in_page)
        .service(pages::sign_in)
        .service(pages::overview)
        .service(pages::switch_mode)
        .service(pages::sign_out)
        .service(customers::list)
        .service(customers::detail)
        .service(customers::open_portal)
        .service(billing::plans)
        .service(billing::subscriptions)
        .service(billing::invoices)
        .service(billing::void)
        .service(billing::mark_paid)
        .service(billing::payments)
        .service(settings::settings)
        .service(settings::save_settings)
        .service(settings::create_secret_key)
        .service(settings::revoke_secret_key)
        .service(settings::connect_stripe)
        .service(settings::disconnect_stripe)
        .service(settings::webhooks)
        .service(settings::add_endpoint)
        .service(settings::delete_endpoint);
}
