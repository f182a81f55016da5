//! The events outbox: every change a tenant's systems may want to hear of is written as an
//! event in the same transaction as the change, so an event exists if and only if the change
//! committed. Each endpoint subscribed to its type gets a delivery job (run by the webhooks,
//! [`crate::webhooks`], which register [`DELIVER`]); deliveries are due on the wall clock, also
//! in test mode.
//!
//! The payload is fixed when the event is written: `{id, type, created_at, mode, data: {object}}`,
//! with `created_at` on the mode's clock and `object` the resource as the API returns it.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::db::PgConn;
use crate::ids::{EventId, WebhookEndpointId};
use crate::jobs::Kind;
use crate::schema::{events, webhook_endpoints};
use crate::tenancy::Scope;

/// Delivering one event to one endpoint; subject `{event}/{endpoint}/{attempt}`.
pub const DELIVER: Kind = Kind { name: "deliver_webhook", priority: 9 };

/// The event types, as endpoints subscribe to them.
pub const TYPES: &[&str] = &[
    "customer.created",
    "customer.updated",
    "customer.deleted",
    "subscription.created",
    "subscription.updated",
    "subscription.canceled",
    "subscription.past_due",
    "subscription.trial_will_end",
    "invoice.created",
    "invoice.finalized",
    "invoice.paid",
    "invoice.voided",
    "invoice.uncollectible",
    "invoice.payment_failed",
    "payment.succeeded",
    "payment.failed",
    "credit_note.created",
    "api_key.created",
    "api_key.revoked",
];

/// Writes an event about `object` (serialized as the API shows it) and schedules its
/// deliveries, in the caller's transaction.
pub fn emit<T: Serialize>(
    conn: &mut PgConn,
    scope: Scope,
    kind: &'static str,
    object: &T,
    at: DateTime<Utc>,
) -> QueryResult<EventId> {
    debug_assert!(TYPES.contains(&kind), "{kind} is not in TYPES");
    let id = EventId::new();
    let object = serde_json::to_value(object).expect("API objects serialize");
    let payload = serde_json::json!({
        "id": id, "type": kind, "created_at": at, "mode": scope.mode, "data": {"object": object}
    });
    diesel::insert_into(events::table)
        .values((
            events::tenant_id.eq(scope.tenant_id),
            events::mode.eq(scope.mode),
            events::id.eq(id.0),
            events::type_.eq(kind),
            events::created_at.eq(at),
            events::payload.eq(&payload),
        ))
        .execute(conn)?;
    for endpoint in subscribed(conn, scope, kind)? {
        deliver(conn, scope, id, endpoint, 1, DateTime::<Utc>::UNIX_EPOCH)?;
    }
    Ok(id)
}

/// The enabled endpoints of the scope that take `kind`.
fn subscribed(conn: &mut PgConn, scope: Scope, kind: &str) -> QueryResult<Vec<WebhookEndpointId>> {
    use diesel::dsl::sql;
    use diesel::sql_types::{Array, Bool, Text};
    webhook_endpoints::table
        .filter(webhook_endpoints::tenant_id.eq(scope.tenant_id))
        .filter(webhook_endpoints::mode.eq(scope.mode))
        .filter(webhook_endpoints::status.eq("enabled"))
        .filter(webhook_endpoints::deleted_at.is_null())
        .filter(sql::<Bool>("(events @> ").bind::<Array<Text>, _>(vec![kind.to_string()]).sql(" OR '*' = ANY(events))"))
        .select(webhook_endpoints::id)
        .load::<uuid::Uuid>(conn)
        .map(|ids| ids.into_iter().map(WebhookEndpointId).collect())
}

/// Schedules attempt `attempt` of delivering `event` to `endpoint` at `at` (wall clock; the
/// epoch: as soon as possible).
pub fn deliver(
    conn: &mut PgConn,
    scope: Scope,
    event: EventId,
    endpoint: WebhookEndpointId,
    attempt: i32,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    crate::jobs::enqueue_on_wall_clock(conn, scope, DELIVER, format!("{event}/{endpoint}/{attempt}"), at)
}
