//! Repairing what a lost webhook or a lost answer would leave wrong, per connected account every
//! 15 minutes in live mode, and every day of test-clock time in test mode (a month's advance
//! then makes 30 runs, not 2,880):
//!
//! - jobs that processed events, sent refunds or collected invoices and gave up (after about a
//!   day of retries) get another round;
//! - events Stripe could not deliver in the last three days are filed in the inbox (which
//!   ignores the ones it has) and processed;
//! - attempts still `processing` or `requires_action` are looked up at Stripe;
//! - an attempt whose answer was lost (`created`) more than 23 hours ago is not sent again
//!   (Stripe forgets idempotency keys after 24 hours): its PaymentIntent is searched for by
//!   metadata instead; none means no charge was made, and the invoice is tried anew.

use std::str::FromStr;

use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use serde::Serialize;
use stripe_client_core::{RequestBuilder, StripeMethod};

use super::gateway::{classify, Failure, Gateway};
use super::models::{AttemptStatus, Payment};
use super::service::{apply, Outcome, ENABLED_EVENTS};
use crate::db::PgPool;
use crate::error::{ApiError, ApiResult};
use crate::ids::StripeAccountId;
use crate::schema::payments;
use crate::tenancy::Scope;

/// How often each account is reconciled, in its mode's time.
pub fn every(mode: crate::tenancy::Mode) -> TimeDelta {
    match mode {
        crate::tenancy::Mode::Live => TimeDelta::minutes(15),
        crate::tenancy::Mode::Test => TimeDelta::days(1),
    }
}
/// An attempt is looked up once it has waited this long.
const STUCK_AFTER: TimeDelta = TimeDelta::minutes(10);
/// Stripe keeps idempotency keys 24 hours; past this, a lost call is searched for, not resent.
pub const KEY_LIFETIME: TimeDelta = TimeDelta::hours(23);

#[derive(Serialize)]
struct Created {
    gte: i64,
}

#[derive(Serialize)]
struct UndeliveredQuery<'a> {
    delivery_success: bool,
    created: Created,
    types: &'a [&'a str],
    limit: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    starting_after: Option<String>,
}

/// Stripe's events that could not be delivered since `since`, as raw JSON (newest first).
async fn undelivered(client: &stripe::Client, since: DateTime<Utc>) -> Result<Vec<serde_json::Value>, Failure> {
    let mut all = Vec::new();
    let mut after = None;
    // At most 10 pages of 100 a run; the next run goes on.
    for _ in 0..10 {
        let q = UndeliveredQuery {
            delivery_success: false,
            created: Created { gte: since.timestamp() },
            types: ENABLED_EVENTS,
            limit: 100,
            starting_after: after.take(),
        };
        let page: miniserde::json::Value = RequestBuilder::new(StripeMethod::Get, "/events")
            .query(&q)
            .customize()
            .send(client)
            .await
            .map_err(classify)?;
        let page: serde_json::Value = serde_json::from_str(&miniserde::json::to_string(&page))
            .map_err(|e| Failure::Unknown(format!("an event list we cannot read: {e}")))?;
        let data = page["data"].as_array().cloned().unwrap_or_default();
        after = data.last().and_then(|e| e["id"].as_str()).map(str::to_string);
        all.extend(data);
        if page["has_more"] != serde_json::Value::Bool(true) || after.is_none() {
            break;
        }
    }
    Ok(all)
}

pub async fn run(
    pool: &PgPool,
    gw: &Gateway,
    scope: Scope,
    row: StripeAccountId,
    now: DateTime<Utc>,
    wall: DateTime<Utc>,
) -> ApiResult<()> {
    let Some((account, client)) = super::service::connection(pool, gw, scope).await? else { return Ok(()) };
    if account.id != row {
        // Reconnected since: the new connection has its own schedule.
        return Ok(());
    }
    // 0. Events, refunds and collections whose jobs gave up (a day-long outage) try again.
    crate::db::run(pool, move |conn| {
        use super::jobs::{COLLECT_INVOICE, REFUND, STRIPE_EVENT};
        Ok(crate::jobs::revive_failed(conn, scope, &[STRIPE_EVENT, REFUND, COLLECT_INVOICE], now)?)
    })
    .await?;
    // 1. Missed events, filed and processed like delivered ones.
    let events = undelivered(&client, wall - TimeDelta::days(3)).await.map_err(Failure::into_api_error)?;
    let livemode = account.livemode;
    crate::db::run(pool, move |conn| {
        conn.build_transaction().run(|conn| {
            for e in events.iter().filter(|e| e["livemode"].as_bool() == Some(livemode)) {
                let (Some(id), Some(kind)) = (e["id"].as_str(), e["type"].as_str()) else { continue };
                let filed = super::repo::NewEvent {
                    id,
                    kind,
                    object_id: e["data"]["object"]["id"].as_str(),
                    livemode,
                    payload: e,
                };
                if super::repo::insert_event(conn, scope, &filed, now)? {
                    super::jobs::process_event(conn, scope, id, now)?;
                }
            }
            Ok::<_, ApiError>(())
        })
    })
    .await?;

    // 2. Attempts waiting too long for their outcome.
    let stuck: Vec<Payment> = crate::db::run(pool, move |conn| {
        Ok(payments::table
            .filter(payments::tenant_id.eq(scope.tenant_id))
            .filter(payments::mode.eq(scope.mode))
            .filter(payments::status.eq_any(AttemptStatus::IN_FLIGHT))
            .filter(payments::updated_at.lt(now - STUCK_AFTER))
            .select(Payment::as_select())
            // A run stays well inside its lease; the next run takes the rest.
            .limit(20)
            .load(conn)?)
    })
    .await?;
    for p in stuck {
        let intent = match (&p.stripe_payment_intent, p.status) {
            (Some(pi), _) => {
                let Ok(id) = stripe_shared::PaymentIntentId::from_str(pi);
                match stripe_core::payment_intent::RetrievePaymentIntent::new(id).send(&client).await {
                    Ok(pi) => Some(pi),
                    Err(e) => match classify(e) {
                        Failure::Refused(_) => None,
                        unknown => return Err(unknown.into_api_error()),
                    },
                }
            }
            // The collection job still retries with the key; past its lifetime, search.
            (None, AttemptStatus::Created) if wall - p.sent_at > KEY_LIFETIME => {
                let query = format!("metadata['tollgate_payment']:'{}'", p.id);
                let found = stripe_core::payment_intent::SearchPaymentIntent::new(query)
                    .send(&client)
                    .await
                    .map_err(|e| classify(e).into_api_error())?;
                match found.data.into_iter().next() {
                    Some(pi) => Some(pi),
                    None => {
                        let id = p.id;
                        crate::db::run(pool, move |conn| {
                            conn.build_transaction().run(|conn| super::service::never_sent(conn, scope, id, now))
                        })
                        .await?;
                        continue;
                    }
                }
            }
            _ => None,
        };
        if let Some(pi) = intent {
            let outcome = Outcome::from_intent(&pi);
            let id = p.id;
            crate::db::run(pool, move |conn| {
                conn.build_transaction().run(|conn| apply(conn, scope, id, &outcome, now))
            })
            .await?;
        }
    }
    Ok(())
}
