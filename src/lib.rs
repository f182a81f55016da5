//! Tollgate: a billing backend for API products.
//!
//! The binary is thin; everything lives here so the integration tests build the same
//! [`startup::Application`]. Each domain has its folder (`accounts`, …); shared plumbing sits at
//! the top level.

pub mod accounts;
pub mod analytics;
pub mod auth;
pub mod cache;
pub mod catalog;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod customers;
pub mod dashboard;
pub mod db;
pub mod email;
pub mod entitlements;
pub mod error;
pub mod events;
pub mod extract;
pub mod headguard;
pub mod idempotency;
pub mod ids;
pub mod invoices;
pub mod jobs;
pub mod keys;
pub mod ledger;
pub mod mails;
pub mod metrics;
pub mod middleware;
pub mod money;
pub mod notices;
pub mod openapi;
pub mod ops;
pub mod pagination;
pub mod payments;
pub mod portal;
pub mod ratelimit;
pub mod schema;
pub mod startup;
pub mod state;
pub mod subscriptions;
pub mod telemetry;
pub mod tenancy;
pub mod testclock;
pub mod types;
pub mod usage;
pub mod verify;
pub mod webhooks;
