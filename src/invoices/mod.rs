//! Invoices (docs/api.md "Invoices"): rated from the plan and the usage ledger when a period closes,
//! `draft` during the tenant's grace period, then finalized: numbered gaplessly, immutable,
//! rendered as a document and emailed.
//!
//! - [`rating`]: the pure pricing functions (per_unit, graduated, volume, package; proration;
//!   rounding; tax).
//! - [`build`]: building, writing and finalizing an invoice inside the caller's transaction
//!   (what to bill and when is the subscriptions' billing cycle,
//!   [`crate::subscriptions::cycle`]).
//! - [`jobs`]: finalizing drafts and emailing invoices, in the background.
//! - [`service`], [`handlers`]: the API.

pub mod build;
pub mod document;
pub mod email;
pub mod handlers;
pub mod jobs;
pub mod models;
pub mod rating;
pub mod repo;
pub mod service;
pub use handlers::routes;
