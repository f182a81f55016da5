//! Subscriptions: a customer on a plan version, with its periods, trial, scheduled changes
//! and cancellation. Period arithmetic is in [`period`]; the state rules in [`lifecycle`].

pub mod handlers;
pub mod lifecycle;
pub mod models;
pub mod period;
pub mod repo;
pub mod service;

pub use handlers::routes;
