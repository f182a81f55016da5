//! `POST /v1/verify`, the per-request call: validate a customer's API key, resolve what their
//! plan grants, apply the rate limit and the quota exactly, and record the usage durably, in one
//! round trip.
//!
//! - Keys and customers' plans come from in-process caches ([`crate::cache`]), invalidated
//!   across instances by LISTEN/NOTIFY.
//! - The rate limit is a GCRA in process ([`ratelimit`]).
//! - Quota and usage go through the [`batcher`]: concurrent verifies are written in one
//!   transaction that locks each quota counter once, decides every request in arrival order,
//!   inserts the granted events and commits before anyone is answered ([`crate::usage::ledger`]).

pub mod batcher;
pub mod handlers;
pub mod models;
pub mod resolve;
pub mod service;

pub use handlers::routes;
