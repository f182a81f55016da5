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
    "usage.threshold_reached",
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

/// How long events and their delivery log are kept (wall clock).
pub const KEPT: chrono::TimeDelta = chrono::TimeDelta::days(30);

/// Pruning events and deliveries older than [`KEPT`], every hour.
pub const PRUNE: crate::jobs::Chore =
    crate::jobs::Chore { name: "prune_events", every: chrono::TimeDelta::hours(1), run: prune };

/// The smallest UUIDv7 made at `t` or later: events' ids before it were made before `t`.
fn first_id_at(t: DateTime<Utc>) -> uuid::Uuid {
    let millis = u64::try_from(t.timestamp_millis()).unwrap_or(0);
    let mut bytes = [0u8; 16];
    bytes[..6].copy_from_slice(&millis.to_be_bytes()[2..]);
    bytes[6] = 0x70;
    bytes[8] = 0x80;
    uuid::Uuid::from_bytes(bytes)
}

/// Deletes, a bounded number at a time, the events made before `now − KEPT` (their ids are
/// UUIDv7, so made then) and the delivery attempts as old.
fn prune(conn: &mut PgConn, now: DateTime<Utc>) -> QueryResult<usize> {
    use diesel::sql_types::{Timestamptz, Uuid as SqlUuid};
    const BATCH: usize = 10_000;
    let before = now - KEPT;
    let mut deleted = 0;
    for statement in [
        "DELETE FROM events WHERE ctid = ANY(ARRAY(SELECT ctid FROM events WHERE id < $1 LIMIT 10000))",
        "DELETE FROM webhook_deliveries WHERE ctid = ANY(ARRAY(SELECT ctid FROM webhook_deliveries WHERE created_at < $2 LIMIT 10000))",
    ] {
        // At most ten batches a run, so a backlog does not hold the worker up: the rest goes
        // in the next runs.
        for _ in 0..10 {
            let n = diesel::sql_query(statement)
                .bind::<SqlUuid, _>(first_id_at(before))
                .bind::<Timestamptz, _>(before)
                .execute(conn)?;
            deleted += n;
            if n < BATCH {
                break;
            }
        }
    }
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_id_at_an_instant_orders_between_ids_made_before_and_after_it() {
        let t = Utc::now();
        let before = uuid::Uuid::new_v7(uuid::Timestamp::from_unix(uuid::NoContext, t.timestamp() as u64 - 1, 0));
        let after = uuid::Uuid::new_v7(uuid::Timestamp::from_unix(uuid::NoContext, t.timestamp() as u64 + 1, 0));
        let first = first_id_at(t);
        assert!(before < first && first < after, "{before} {first} {after}");
        assert_eq!(first.get_version_num(), 7);
    }
}
