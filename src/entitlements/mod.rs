//! What a customer may use now: the entitlements of the plan version of their subscription in
//! force, in docs/api.md's shape. `verify` answers from the same resolution.

pub mod handlers;
pub mod service;

pub use handlers::routes;
