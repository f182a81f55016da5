//! Test clocks (docs/api.md "Test clock"): each tenant's test mode has a clock of its own,
//! which stands still until advanced, and only moves forward. [`now_for`] is "now" for every
//! billing rule, in either mode. Advancing the clock runs, before answering, every
//! piece of billing work due on the way, in time order. It commits as it goes, a few jobs a
//! transaction ([`service::JOBS_PER_COMMIT`]), each job whole or not at all, with the clock
//! standing at the last job run: an advance cut short leaves the clock where it got, and the
//! same call again finishes it. Work that calls out (a payment through Stripe, which no
//! rollback can undo) ends a step: the clock moves to that job's time, what ran before it
//! commits, the job runs, and the advance goes on from there.

pub mod handlers;
pub mod service;
pub use handlers::routes;
pub use service::now_for;
