//! The integration tests: one binary, a module per domain. Each test gets its own database,
//! cloned from a migrated template, and its own server on a free port, so tests run in
//! parallel. See `helpers.rs`.

mod accounts;
mod analytics;
mod billing;
mod browser;
mod catalog;
mod cli;
mod customers;
mod dashboard;
mod durability;
mod emails;
mod embedded;
mod errors;
mod fuzz;
mod hardening;
mod helpers;
mod idempotency;
mod instances;
mod isolation;
mod keys;
mod ledger;
mod openapi;
mod ops;
mod outage;
mod payments;
mod portal;
mod readme;
mod sdks;
mod secret_keys;
mod shared_limits;
mod structure;
mod subscriptions;
mod usage;
mod verify;
mod webhooks;
