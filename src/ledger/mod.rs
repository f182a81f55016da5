//! The usage ledger: events and quota counters, and everything that writes them.
//!
//! - [`Writer`] is the one write path: verify, `POST /v1/usage` and `POST /v1/usage/batch` hand
//!   it [`Entry`]s and wait; it group-commits them, verify ahead of bulk ingestion ([`writer`]),
//!   and [`settle`] applies each batch.
//! - A batch is settled by [`fast::apply_fast`] (one autocommitted statement, when nothing is
//!   near a limit) and what that leaves by [`apply::apply`] (a transaction that locks each
//!   counter once and decides entries in arrival order). Each path is its own file.
//! - A quota counter is a row plus the bulk writers' shares of it ([`counters`]): usage batches
//!   add to their writer's share, so only verify locks counter rows, and no verify waits for a
//!   usage batch's commit ([`fast`] says what that means for exactness).
//! - [`event`] checks what an event may hold and names events that come without an id;
//!   [`aggregate()`] is the one query that adds usage up, for invoices and for the usage series.
//!
//! Every statement is set-based (`unnest` of arrays), so a batch of a thousand entries costs
//! the same handful of round trips as a batch of one, and each is prepared once per connection
//! ([`crate::db::sql::Sql`]), so it is planned once.

/// SQL for what the bulk writers' shares add to the counter whose key columns are `t, m, cu,
/// f, w` (expressions of the statement), and an optional further condition on the share `o`:
/// one text for every statement that adds a counter up, so they cannot drift apart.
macro_rules! shares_of {
    ($t:literal, $m:literal, $cu:literal, $f:literal, $w:literal $(, $also:literal)?) => {
        concat!(
            "coalesce((SELECT sum(o.used) FROM usage_counter_shares o WHERE o.tenant_id = ", $t,
            " AND o.mode = ", $m, " AND o.customer_id = ", $cu, " AND o.feature = ", $f,
            " AND o.window_start = ", $w, $(" AND ", $also,)? "), 0)"
        )
    };
}

pub mod aggregate;
pub mod apply;
pub mod counters;
pub mod event;
pub mod fast;
pub mod settle;
pub mod writer;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::db::sql::{Bind, Unnest};
use crate::ids::{CustomerId, TenantId};
use crate::tenancy::Mode;

pub use aggregate::{aggregate, Aggregation};
pub use apply::apply;
pub use counters::counter_value;
pub use fast::apply_fast;
pub use settle::Failure;
pub use writer::{Lane, Writer};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CounterKey {
    pub tenant_id: TenantId,
    pub mode: Mode,
    pub customer_id: CustomerId,
    pub feature: String,
    pub window_start: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct CounterReq {
    pub key: CounterKey,
    /// `None`: unlimited (the counter only keeps `used`).
    pub limit: Option<Decimal>,
    pub allow_overage: bool,
    /// What a granted entry adds: the quantity (sum) or 1 (count).
    pub increment: Decimal,
}

#[derive(Debug, Clone)]
pub struct NewEvent {
    pub tenant_id: TenantId,
    pub mode: Mode,
    pub event_id: String,
    /// Whether the client chose the id (only those can be duplicates).
    pub client_id: bool,
    pub customer_id: CustomerId,
    pub feature: String,
    pub quantity: Decimal,
    pub occurred_at: DateTime<Utc>,
    pub properties: Option<serde_json::Value>,
    pub received_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Entry {
    /// `None`: only check the counter (verify with quantity 0).
    pub event: Option<NewEvent>,
    pub counter: Option<CounterReq>,
    /// Record whatever the limit says (the usage API).
    pub force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Within the limit (or forced, or a duplicate of a recorded event).
    pub granted: bool,
    /// The event id was recorded before; nothing was consumed.
    pub duplicate: bool,
    /// The counter after this entry.
    pub used: Option<Decimal>,
}

/// An event's identity in the ledger: tenant, mode and event id.
pub(crate) type EventIdent = (uuid::Uuid, String, String);

pub(crate) fn ident(e: &NewEvent) -> EventIdent {
    (e.tenant_id.0, e.mode.as_str().to_string(), e.event_id.clone())
}

/// The events' columns `t, m, id, cu, f, q, at, p, rcv` of `u`, in `usage_events`' order.
pub(crate) fn event_columns<'a>(u: Unnest, events: impl Iterator<Item = &'a NewEvent> + Clone) -> Unnest {
    u.col("t", Bind::Uuids(events.clone().map(|e| e.tenant_id.0).collect()))
        .col("m", Bind::Texts(events.clone().map(|e| e.mode.as_str().to_string()).collect()))
        .col("id", Bind::Texts(events.clone().map(|e| e.event_id.clone()).collect()))
        .col("cu", Bind::Uuids(events.clone().map(|e| e.customer_id.0).collect()))
        .col("f", Bind::Texts(events.clone().map(|e| e.feature.clone()).collect()))
        .col("q", Bind::Numerics(events.clone().map(|e| e.quantity).collect()))
        .col("at", Bind::Times(events.clone().map(|e| e.occurred_at).collect()))
        .col("p", Bind::Jsons(events.clone().map(|e| e.properties.clone()).collect()))
        .col("rcv", Bind::Times(events.map(|e| e.received_at).collect()))
}
