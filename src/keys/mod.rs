//! Customer API keys: what the tenant's customers send to the tenant's API, and the tenant's
//! server sends to `verify`. Random, shown once, stored as SHA-256 hashes, looked up by hash.

pub mod handlers;
pub mod models;
pub mod repo;
pub mod service;

pub use handlers::routes;
