//! Outbound webhooks (docs/api.md "Webhooks"): the tenant's endpoints, the events API, and the
//! deliveries of the events outbox ([`crate::events`]) to them.
//!
//! - [`address`]: which URLs may take webhooks (public addresses only, in every spelling).
//! - [`delivery`]: signing (Standard Webhooks), sending, retrying, disabling.
//! - [`service`], [`handlers`]: the API.

pub mod address;
pub mod delivery;
pub mod handlers;
pub mod models;
pub mod service;
pub use handlers::routes;

use std::sync::Arc;

/// Registers the delivery job, the pruning of old events and the webhooks' context.
pub fn register(registry: &mut crate::jobs::Registry, sender: Arc<delivery::Sender>) {
    registry.provide(sender);
    registry.register_external(crate::events::DELIVER, |q, job, now| Box::pin(delivery::run(q, job, now)));
    registry.register(delivery::DISABLED_EMAIL, delivery::run_disabled_email);
    registry.register_chore(crate::events::PRUNE);
}
