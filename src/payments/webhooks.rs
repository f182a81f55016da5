//! Stripe's webhooks: received (signature checked on the raw body, filed in the inbox once
//! per event id, answered at once) and processed by a job that treats the event as a hint:
//! it fetches the object from Stripe as it is now and moves our state only forward, so
//! duplicates, any order and late deliveries all end in the same state.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::gateway::{classify, Failure, Gateway};
use super::models::StripeAccount;
use super::repo;
use super::service::{adopt_payment_method, connection, Outcome};
use crate::db::PgPool;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::ids::{PaymentId, StripeAccountId};
use crate::state::AppState;
use crate::tenancy::Scope;

/// The part of an event we read before filing it; the object is fetched again later.
#[derive(Debug, Deserialize)]
struct Envelope {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    livemode: bool,
    /// Set on Connect events: the account the event happened on.
    account: Option<String>,
    data: EnvelopeData,
}

#[derive(Debug, Deserialize)]
struct EnvelopeData {
    object: EnvelopeObject,
}

#[derive(Debug, Deserialize)]
struct EnvelopeObject {
    id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Received {
    pub received: bool,
}

pub async fn receive(
    state: &AppState,
    gw: &Gateway,
    id: StripeAccountId,
    signature: Option<String>,
    body: &[u8],
) -> ApiResult<Received> {
    let a = crate::db::run(&state.pool, move |conn| Ok(repo::account_by_id(conn, id)?))
        .await?
        .ok_or_else(|| ApiError::not_found("webhook endpoint"))?;
    let scope = Scope { tenant_id: a.tenant_id, mode: a.mode };
    let secret = gw.open(scope, a.id, "webhook_secret", &a.webhook_secret_sealed)?;
    let signature = signature.unwrap_or_default();
    // Against the wall clock, whatever the test clock says: it is about this delivery.
    if let Err(e) = super::signature::verify(&signature, body, &secret, state.clock.now().timestamp()) {
        return Err(ApiError::bad_request(ErrorCode::SignatureInvalid, format!("Stripe-Signature: {e}")));
    }
    let payload: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(ErrorCode::InvalidJson, format!("the event is not JSON: {e}")))?;
    let event: Envelope = serde_json::from_value(payload.clone())
        .map_err(|e| ApiError::bad_request(ErrorCode::InvalidJson, format!("not a Stripe event: {e}")))?;
    if event.livemode != a.livemode || event.account.as_deref().is_some_and(|acct| acct != a.stripe_account) {
        tracing::warn!(event = %event.id, "ignored a Stripe event of another account or mode");
        return Ok(Received { received: true });
    }
    let now = crate::testclock::now_for(state, scope).await?;
    crate::db::run(&state.pool, move |conn| {
        conn.build_transaction().run(|conn| {
            let filed = repo::NewEvent {
                id: &event.id,
                kind: &event.kind,
                object_id: event.data.object.id.as_deref(),
                livemode: event.livemode,
                payload: &payload,
            };
            if repo::insert_event(conn, scope, &filed, now)? {
                super::jobs::process_event(conn, scope, &event.id, now)?;
            }
            Ok::<_, ApiError>(())
        })
    })
    .await?;
    Ok(Received { received: true })
}

/// A Stripe refusal while processing (the object is gone, or is another account's) ends the
/// event; not reaching Stripe fails the job, which is retried.
fn settle<T>(r: Result<T, stripe::StripeError>) -> ApiResult<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) => match classify(e) {
            Failure::Refused(r) => {
                tracing::warn!(status = r.status, message = %r.message, "Stripe refused a lookup for an event; skipped");
                Ok(None)
            }
            unknown => Err(unknown.into_api_error()),
        },
    }
}

pub async fn process(pool: &PgPool, gw: &Gateway, scope: Scope, event: &str, now: DateTime<Utc>) -> ApiResult<()> {
    let id = event.to_string();
    let Some((kind, Some(object))) = crate::db::run(pool, move |conn| Ok(repo::event(conn, scope, &id)?)).await? else {
        return Ok(());
    };
    let Some((account, client)) = connection(pool, gw, scope).await? else { return Ok(()) };
    match kind.as_str() {
        k if k.starts_with("payment_intent.") => {
            let Ok(pi_id) = stripe_shared::PaymentIntentId::from_str(&object);
            let Some(pi) = settle(stripe_core::payment_intent::RetrievePaymentIntent::new(pi_id).send(&client).await)?
            else {
                return Ok(());
            };
            let outcome = Outcome::from_intent(&pi);
            let ours = pi.metadata.get("tollgate_payment").and_then(|p| p.parse::<PaymentId>().ok());
            crate::db::run(pool, move |conn| {
                conn.build_transaction().run(|conn| {
                    let by_intent = repo::payment_by_intent(conn, scope, pi.id.as_str())?.map(|p| p.id);
                    match by_intent.or(ours) {
                        Some(id) => super::service::apply(conn, scope, id, &outcome, now),
                        None => Ok(()),
                    }
                })
            })
            .await
        }
        "setup_intent.succeeded" => {
            let Ok(si_id) = stripe_shared::SetupIntentId::from_str(&object);
            adopt_setup_intent(pool, &client, scope, &account, si_id, now).await
        }
        "checkout.session.completed" => {
            let Ok(cs_id) = stripe_shared::CheckoutSessionId::from_str(&object);
            let req = stripe_checkout::checkout_session::RetrieveCheckoutSession::new(cs_id);
            let Some(session) = settle(req.send(&client).await)? else { return Ok(()) };
            match session.setup_intent {
                Some(si) if session.mode == stripe_shared::CheckoutSessionMode::Setup => {
                    adopt_setup_intent(pool, &client, scope, &account, si.id().clone(), now).await
                }
                _ => Ok(()),
            }
        }
        "payment_method.detached" => {
            let acct = account.stripe_account.clone();
            crate::db::run(pool, move |conn| Ok(repo::update_card(conn, scope, &acct, &object, None, now).map(drop)?))
                .await
        }
        "payment_method.updated" | "payment_method.automatically_updated" => {
            let Ok(pm_id) = stripe_shared::PaymentMethodId::from_str(&object);
            let req = stripe_payment::payment_method::RetrievePaymentMethod::new(pm_id);
            let Some(pm) = settle(req.send(&client).await)? else { return Ok(()) };
            let card = super::service::card_of(&pm);
            let acct = account.stripe_account.clone();
            crate::db::run(pool, move |conn| {
                Ok(repo::update_card(conn, scope, &acct, &object, Some(&card), now).map(drop)?)
            })
            .await
        }
        "refund.updated" => super::credit_notes::refresh(pool, &client, scope, &object, now).await,
        "charge.dispute.created" | "charge.dispute.closed" | "charge.dispute.updated" => {
            let Ok(id) = stripe_shared::DisputeId::from_str(&object);
            let req = stripe_core::dispute::RetrieveDispute::new(id);
            let Some(dispute) = settle(req.send(&client).await)? else { return Ok(()) };
            let Some(intent) = dispute.payment_intent.as_ref().map(|pi| pi.id().as_str().to_string()) else {
                return Ok(());
            };
            let (status, reason) = (dispute.status.as_str().to_string(), dispute.reason.clone());
            tracing::warn!(payment_intent = %intent, status = %status, "a payment is disputed");
            crate::db::run(pool, move |conn| {
                conn.build_transaction().run(|conn| {
                    if let Some(mut p) = repo::payment_by_intent(conn, scope, &intent)? {
                        p.dispute_status = Some(status);
                        p.dispute_reason = Some(reason);
                        p.updated_at = now;
                        repo::save_payment(conn, &p)?;
                    }
                    Ok::<_, ApiError>(())
                })
            })
            .await
        }
        // Charges' own events (`charge.refunded`) add nothing to `refund.updated`.
        _ => Ok(()),
    }
}

/// A SetupIntent that succeeded gave its customer a payment method: make it the default.
async fn adopt_setup_intent(
    pool: &PgPool,
    client: &stripe::Client,
    scope: Scope,
    account: &StripeAccount,
    si_id: stripe_shared::SetupIntentId,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let req = stripe_core::setup_intent::RetrieveSetupIntent::new(si_id);
    let Some(si) = settle(req.send(client).await)? else { return Ok(()) };
    let (Some(customer), Some(pm)) = (si.customer, si.payment_method) else { return Ok(()) };
    let stripe_customer = customer.id().as_str().to_string();
    let (acct, sc) = (account.stripe_account.clone(), stripe_customer.clone());
    let Some(ours) = crate::db::run(pool, move |conn| Ok(repo::customer_of(conn, scope, &acct, &sc)?)).await? else {
        return Ok(());
    };
    let req = stripe_payment::payment_method::RetrievePaymentMethod::new(pm.id().clone());
    let Some(pm) = settle(req.send(client).await)? else { return Ok(()) };
    adopt_payment_method(pool, client, scope, account, (ours, &stripe_customer), pm, now).await
}
