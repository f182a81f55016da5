//! What a customer may use now: the entitlements of the plan version of their subscription in
//! force. [`view`] resolves a customer once ([`Resolution`]), [`Resolutions`] caches it, and
//! verify, the usage API and the entitlements endpoints (docs/api.md's shape) all answer from it.

pub mod handlers;
pub mod resolutions;
pub mod service;
pub mod view;

pub use handlers::routes;
pub use resolutions::Resolutions;
pub use view::Resolution;
