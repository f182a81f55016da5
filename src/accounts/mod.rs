//! Tenants, their users (signup, login) and their secret keys.

pub mod handlers;
pub mod models;
pub mod repo;
pub mod service;
pub mod throttle;

pub use handlers::routes;
