//! The usage ledger: recording usage events (also outside verify) and reading them back as
//! time series for a usage dashboard.

pub mod handlers;
pub mod ledger;
pub mod models;
pub mod service;

pub use handlers::routes;
