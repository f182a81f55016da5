//! `POST /v1/verify`, the per-request call: validate a customer's API key, resolve what their
//! plan grants, apply the rate limit and the quota exactly, and record the usage durably, in one
//! round trip.
//!
//! - Keys come from the credential cache ([`crate::cache`]) and customers' plans from their
//!   resolutions ([`crate::entitlements::Resolutions`]), both invalidated across instances by
//!   LISTEN/NOTIFY.
//! - The rate limit is a GCRA ([`crate::ratelimit`]).
//! - Quota and usage go through the ledger's [`Writer`](crate::ledger::Writer): concurrent
//!   verifies are group-committed, each quota counter locked once and every request decided in
//!   arrival order, and nobody is answered before their usage is durable ([`crate::ledger`]).

pub mod handlers;
pub mod models;
pub mod service;

pub use handlers::routes;
