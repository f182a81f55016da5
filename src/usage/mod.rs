//! The usage API: recording usage events (also outside verify) and reading them back as time
//! series for a usage dashboard. Both go through the ledger ([`crate::ledger`]): its writer
//! records, its aggregate query reads.

pub mod handlers;
pub mod models;
pub mod service;
pub mod thresholds;

pub use handlers::routes;
