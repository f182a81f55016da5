//! Test clocks (docs/api.md "Test clock"): each tenant's test mode has a clock of its own, the
//! which stands still until advanced, and only moves forward. [`now_for`] is "now" for every
//! billing rule, in either mode. Advancing the clock runs, before answering, every
//! piece of billing work due on the way, in time order, in one transaction: either the whole
//! month passes, invoices and all, or nothing does. Except where the work calls out (a payment
//! through Stripe, which no rollback can undo): the clock then moves to that job's time, what
//! ran before it commits, the job runs, and the advance goes on from there.

pub mod handlers;
pub mod service;
pub use handlers::routes;
pub use service::now_for;
