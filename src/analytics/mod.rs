//! Revenue analytics (docs/api.md "Analytics"): MRR and its movements, revenue by month, a
//! summary, per currency, computed in SQL from Tollgate's own tables.

pub mod handlers;
pub mod models;
pub mod service;

pub use handlers::routes;
