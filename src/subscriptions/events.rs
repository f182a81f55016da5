//! The events of subscriptions (see [`crate::events`]), and the subscription as the API shows it.

use chrono::{DateTime, Utc};

use super::models::*;
use super::repo;
use crate::db::PgConn;
use crate::error::ApiResult;
use crate::tenancy::Scope;

pub fn respond(conn: &mut PgConn, scope: Scope, subs: Vec<Subscription>) -> ApiResult<Vec<SubscriptionResponse>> {
    let mut ids: Vec<_> = subs.iter().flat_map(|s| [Some(s.plan_id), s.pending_plan_id]).flatten().collect();
    ids.sort();
    ids.dedup();
    let keys = repo::plan_keys(conn, scope, &ids)?;
    let key = |id| keys.get(&id).cloned().unwrap_or_default();
    Ok(subs
        .into_iter()
        .map(|s| SubscriptionResponse {
            id: s.id,
            customer: s.customer_id,
            plan: key(s.plan_id),
            plan_version: s.plan_version,
            status: s.status,
            current_period_start: s.current_period_start,
            current_period_end: s.current_period_end,
            trial_end: s.trial_end,
            cancel_at_period_end: s.cancel_at_period_end,
            pending_change: match (s.pending_plan_id, s.pending_plan_version) {
                (Some(p), Some(v)) => {
                    Some(PendingChange { plan: key(p), plan_version: v, effective_at: s.current_period_end })
                }
                _ => None,
            },
            canceled_at: s.canceled_at,
            ended_at: s.ended_at,
            created_at: s.created_at,
        })
        .collect())
}

/// Writes the events of a subscription's change, and its MRR history when it can move MRR, in
/// the caller's transaction:
/// `subscription.created` (no `before`), else `subscription.updated` when anything the API
/// shows changed, and `subscription.canceled` or `subscription.past_due` when its status became
/// so.
pub fn announce(
    conn: &mut PgConn,
    scope: Scope,
    before: Option<&Subscription>,
    after: &Subscription,
    at: DateTime<Utc>,
) -> ApiResult<()> {
    if super::history::moves_mrr(before, after) {
        super::history::record(conn, scope, after, at)?;
    }
    let Some(before) = before else {
        let now = respond(conn, scope, vec![after.clone()])?.pop().expect("one in, one out");
        crate::events::emit(conn, scope, "subscription.created", &now, at)?;
        return Ok(());
    };
    // Both as the API shows them, from one lookup of their plans' keys.
    let mut both = respond(conn, scope, vec![before.clone(), after.clone()])?;
    let (now, was) = (both.pop().expect("two in, two out"), both.pop().expect("two in, two out"));
    let json = |r: &SubscriptionResponse| serde_json::to_value(r).expect("responses serialize");
    if json(&was) != json(&now) {
        crate::events::emit(conn, scope, "subscription.updated", &now, at)?;
    }
    if before.status != after.status {
        match after.status {
            Status::Canceled => {
                crate::events::emit(conn, scope, "subscription.canceled", &now, at)?;
                crate::notices::notice(conn, scope, crate::notices::EmailKind::SubscriptionCanceled, after.id, at)?;
            }
            Status::PastDue => crate::events::emit(conn, scope, "subscription.past_due", &now, at).map(drop)?,
            _ => {}
        }
    }
    Ok(())
}

/// Ends dunning for a subscription once none of its open invoices has a failed payment left:
/// `past_due` becomes `active`, access is unblocked, and `subscription.updated` tells of it.
pub fn end_dunning_if_settled(
    conn: &mut PgConn,
    changes: &mut crate::cache::Changes,
    scope: Scope,
    subscription: Option<crate::ids::SubscriptionId>,
    at: DateTime<Utc>,
) -> ApiResult<()> {
    let Some(id) = subscription else { return Ok(()) };
    let Some(mut sub) = repo::lock(conn, scope, id)? else { return Ok(()) };
    if sub.status != Status::PastDue || crate::invoices::repo::has_failed_open(conn, scope, id)? {
        return Ok(());
    }
    let before = sub.clone();
    sub.status = Status::Active;
    sub.payment_blocked_at = None;
    repo::save(conn, &sub)?;
    announce(conn, scope, Some(&before), &sub, at)?;
    changes.invalidate(crate::cache::Invalidation::Customer(scope, sub.customer_id));
    Ok(())
}
