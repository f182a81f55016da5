//! Subscriptions: a customer on a plan version, with its periods, trial, scheduled changes
//! and cancellation. The state rules are in [`lifecycle`]; what each change and each period's
//! end bills is the billing [`cycle`], whose period closings run as [`jobs`]. (Period
//! arithmetic is the catalog's: [`crate::catalog::period`].)

pub mod cycle;
pub mod events;
pub mod handlers;
pub mod history;
pub mod jobs;
pub mod lifecycle;
pub mod models;
pub mod repo;
pub mod service;

pub use handlers::routes;
