//! Invoices (docs/api.md "Invoices"): rated from the plan and the usage ledger when a period closes,
//! `draft` during the tenant's grace period, then finalized: numbered gaplessly, immutable,
//! rendered as a document and emailed.
//!
//! - [`rating`]: the pure pricing functions (per_unit, graduated, volume, package; proration;
//!   rounding; tax).
//! - [`cycle`]: what closing a period, changing a plan or canceling bills, inside the caller's
//!   transaction.
//! - [`jobs`]: the kinds of background job billing schedules, and their runners.
//! - [`service`], [`handlers`]: the API.

pub mod cycle;
pub mod document;
pub mod email;
pub mod handlers;
pub mod jobs;
pub mod models;
pub mod rating;
pub mod repo;
pub mod service;
pub use handlers::routes;
