//! The catalog: features and versioned plans with entitlements and charges.
//!
//! A plan version is a document: its entitlements and charges are validated here
//! ([`validate`]) into canonical JSON ([`models::EntitlementSpec`], [`models::ChargeSpec`]),
//! stored as it will be shown, and never changed once a subscription refers to it. A plan's
//! billing interval and the period arithmetic behind it are in [`period`].

pub mod handlers;
pub mod loader;
pub mod models;
pub mod period;
pub mod repo;
pub mod service;
pub mod validate;

pub use handlers::routes;
