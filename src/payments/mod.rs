//! Payments (docs/api.md "Payments"): each tenant's own Stripe account is the payment rail;
//! our invoices stay the source of truth (no Stripe Invoices or Subscriptions).
//!
//! - [`gateway`]: clients per connected account, sealed secrets, what a failed call means.
//! - [`amounts`]: Stripe's minor units (not ISO 4217's), converted exactly or refused.
//! - [`service`]: connecting, customers and payment methods, collecting an invoice (the
//!   attempt is written before Stripe is called; its id is the idempotency key).
//! - [`webhooks`], [`signature`]: Stripe's events in (an inbox processed by jobs).
//! - [`jobs`]: collection and event processing, as job kinds that call out.

pub mod amounts;
pub mod credit_notes;
pub mod email;
pub mod gateway;
pub mod handlers;
pub mod jobs;
pub mod models;
pub mod reconcile;
pub mod repo;
pub mod service;
pub mod signature;
pub mod webhooks;
pub use handlers::routes;
