//! The tenant's customers: the people and companies who hold API keys and subscriptions.

pub mod handlers;
pub mod models;
pub mod repo;
pub mod service;

pub use handlers::routes;
