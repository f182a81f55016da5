//! Connecting a Stripe account, customers and their payment methods, and collecting invoices.
//! Calls to Stripe happen outside database transactions; what a retry needs (a payment row,
//! its idempotency key) is written before the call.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::{DateTime, TimeDelta, Utc};
use rust_decimal::Decimal;
use stripe::StripeRequest;

use super::amounts;
use super::gateway::{classify, idempotent, Failure, Gateway};
use super::models::*;
use super::repo::{self, Card};
use crate::auth::{Auth, Person};
use crate::cache::{Changes, Invalidation};
use crate::db::{PgConn, PgPool};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::ids::{CustomerId, InvoiceId, PaymentId, StripeAccountId};
use crate::invoices::models::{Invoice, InvoiceStatus};
use crate::state::AppState;
use crate::subscriptions::models::Status as SubStatus;
use crate::tenancy::{Mode, Scope};

/// The events the webhook endpoint registered on a tenant's account asks for.
pub const ENABLED_EVENTS: &[&str] = &[
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.processing",
    "payment_intent.requires_action",
    "payment_intent.canceled",
    "setup_intent.succeeded",
    "checkout.session.completed",
    "payment_method.detached",
    "payment_method.updated",
    "payment_method.automatically_updated",
    "charge.refunded",
    "refund.updated",
    "charge.dispute.created",
    "charge.dispute.closed",
];

/// The mode a Stripe key acts in, from its prefix.
fn key_mode(key: &str) -> Option<Mode> {
    let rest = key.strip_prefix("sk_").or_else(|| key.strip_prefix("rk_"))?;
    let (mode, body) = if let Some(b) = rest.strip_prefix("test_") {
        (Mode::Test, b)
    } else {
        (Mode::Live, rest.strip_prefix("live_")?)
    };
    (!body.is_empty() && body.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')).then_some(mode)
}

/// `rk_test_…2c3d`: recognisable, not usable.
fn key_hint(key: &str) -> String {
    let prefix: String = key.chars().take(8).collect();
    let tail: String = key.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    format!("{prefix}…{tail}")
}

fn webhook_url(state: &AppState, id: StripeAccountId) -> String {
    format!("{}/v1/stripe/webhooks/{id}", state.settings.public_url)
}

fn respond(state: &AppState, a: &StripeAccount) -> StripeAccountResponse {
    StripeAccountResponse {
        stripe_account: a.stripe_account.clone(),
        livemode: a.livemode,
        webhook_endpoint: a.webhook_endpoint.clone(),
        webhook_url: webhook_url(state, a.id),
        api_key_hint: a.api_key_hint.clone(),
        api_version: a.webhook_api_version.clone(),
        connected_at: a.connected_at,
    }
}

fn not_connected() -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::NOT_FOUND,
        ErrorCode::StripeNotConnected,
        "no Stripe account is connected in this mode (PUT /v1/stripe-account)",
    )
}

pub async fn connect(
    state: &AppState,
    gw: &Gateway,
    person: Person,
    req: ConnectRequest,
) -> ApiResult<StripeAccountResponse> {
    let scope = person.scope;
    let key = req.api_key.trim().to_string();
    let mode = key_mode(&key).ok_or_else(|| {
        ApiError::bad_request(ErrorCode::StripeKeyInvalid, "not a Stripe secret (sk_…) or restricted (rk_…) key")
            .with_param("api_key")
    })?;
    if mode != scope.mode {
        return Err(ApiError::bad_request(
            ErrorCode::StripeModeMismatch,
            format!("this is a {mode}-mode key; you are acting in {} mode", scope.mode),
        )
        .with_param("api_key"));
    }
    let client = gw.client(&key)?;
    let account = stripe_connect::account::RetrieveForMyAccountAccount::new().send(&client).await.map_err(|e| {
        // Here a key Stripe does not take (401, 403) is the answer to the question asked.
        if let stripe::StripeError::Stripe(err, 400..=403) = &e {
            let message = err.message.clone().unwrap_or_else(|| "the key was refused".into());
            return ApiError::bad_request(ErrorCode::StripeKeyInvalid, format!("Stripe: {message}"))
                .with_param("api_key");
        }
        classify(e).into_api_error()
    })?;
    let row = StripeAccountId::new();
    let events: Vec<stripe_misc::webhook_endpoint::CreateWebhookEndpointEnabledEvents> =
        ENABLED_EVENTS.iter().map(|e| e.parse().unwrap_or_else(|never| match never {})).collect();
    let metadata = HashMap::from([
        ("tollgate_tenant".to_string(), scope.tenant_id.to_string()),
        ("tollgate_mode".to_string(), scope.mode.to_string()),
    ]);
    let endpoint = stripe_misc::webhook_endpoint::CreateWebhookEndpoint::new(events, webhook_url(state, row))
        .api_version(stripe_shared::version::VERSION)
        .description("Tollgate: payments of invoices")
        .metadata(metadata)
        .customize()
        .request_strategy(idempotent(format!("tg_we_{row}"))?)
        .send(&client)
        .await
        .map_err(|e| classify(e).into_api_error())?;
    let secret = endpoint
        .secret
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("Stripe created a webhook endpoint without a secret")))?;
    let now = crate::testclock::now_for(state, scope).await?;
    let a = StripeAccount {
        tenant_id: scope.tenant_id,
        mode: scope.mode,
        id: row,
        stripe_account: account.id.as_str().to_string(),
        livemode: scope.mode == Mode::Live,
        api_key_sealed: gw.seal(scope, row, "api_key", &key),
        api_key_hint: key_hint(&key),
        connect_account: None,
        webhook_endpoint: endpoint.id.as_str().to_string(),
        webhook_secret_sealed: gw.seal(scope, row, "webhook_secret", &secret),
        webhook_api_version: stripe_shared::version::VERSION.as_str().to_string(),
        connected_at: now,
    };
    let saved = a.clone();
    let replaced = crate::db::run(&state.pool, move |conn| {
        conn.build_transaction().run(|conn| {
            let old = repo::replace_account(conn, &saved)?;
            super::jobs::reconcile(conn, scope, saved.id, now + super::reconcile::every(scope.mode))?;
            Ok::<_, ApiError>(old)
        })
    })
    .await;
    match replaced {
        Ok(old) => {
            if let Some(old) = old {
                remove_endpoint(gw, &old).await;
            }
            Ok(respond(state, &a))
        }
        Err(e) => {
            // Nothing points at the endpoint just made: take it away again.
            remove_endpoint(gw, &a).await;
            Err(e)
        }
    }
}

/// Deletes the connection's webhook endpoint at Stripe; a failure is logged, not fatal (the
/// endpoint then points at a connection that no longer exists, which answers 404).
async fn remove_endpoint(gw: &Gateway, a: &StripeAccount) {
    let scope = Scope { tenant_id: a.tenant_id, mode: a.mode };
    let Ok(key) = gw.open(scope, a.id, "api_key", &a.api_key_sealed) else { return };
    let Ok(client) = gw.client(&key) else { return };
    let Ok(id) = stripe_misc::WebhookEndpointId::from_str(&a.webhook_endpoint);
    if let Err(e) = stripe_misc::webhook_endpoint::DeleteWebhookEndpoint::new(id).send(&client).await {
        tracing::warn!(endpoint = %a.webhook_endpoint, error = %e, "could not delete a Stripe webhook endpoint");
    }
}

pub async fn get(state: &AppState, auth: Auth) -> ApiResult<StripeAccountResponse> {
    let scope = auth.scope;
    let a = crate::db::run(&state.pool, move |conn| Ok(repo::account(conn, scope)?)).await?;
    a.map(|a| respond(state, &a)).ok_or_else(not_connected)
}

pub async fn disconnect(state: &AppState, gw: &Gateway, person: Person) -> ApiResult<DisconnectedStripeAccount> {
    let scope = person.scope;
    let a = crate::db::run(&state.pool, move |conn| {
        let a = repo::account(conn, scope)?.ok_or_else(not_connected)?;
        repo::delete_account(conn, scope)?;
        Ok(a)
    })
    .await?;
    remove_endpoint(gw, &a).await;
    Ok(DisconnectedStripeAccount { stripe_account: a.stripe_account, deleted: true })
}

/// The scope's connection and a client acting for it.
pub async fn connection(
    pool: &PgPool,
    gw: &Gateway,
    scope: Scope,
) -> ApiResult<Option<(StripeAccount, stripe::Client)>> {
    let Some(a) = crate::db::run(pool, move |conn| Ok(repo::account(conn, scope)?)).await? else { return Ok(None) };
    let key = gw.open(scope, a.id, "api_key", &a.api_key_sealed)?;
    let client = gw.client(&key)?;
    Ok(Some((a, client)))
}

/// The customer's id in the Stripe account, created there when first needed (keyed by our
/// id, so two racing calls make one Stripe customer).
async fn ensure_stripe_customer(
    pool: &PgPool,
    client: &stripe::Client,
    scope: Scope,
    account: &StripeAccount,
    customer: CustomerId,
    now: DateTime<Utc>,
) -> ApiResult<String> {
    let acct = account.stripe_account.clone();
    let (existing, c) = crate::db::run(pool, move |conn| {
        let c = crate::customers::repo::find(conn, scope, customer)?.ok_or_else(|| ApiError::not_found("customer"))?;
        Ok((repo::stripe_customer(conn, scope, customer, &acct)?, c))
    })
    .await?;
    if let Some(s) = existing {
        return Ok(s.stripe_customer);
    }
    let mut req = stripe_core::customer::CreateCustomer::new()
        .email(c.email.clone())
        .metadata(HashMap::from([("tollgate_customer".to_string(), customer.to_string())]));
    if let Some(name) = &c.name {
        req = req.name(name.clone());
    }
    let created = req
        .customize()
        .request_strategy(idempotent(format!("tg_cus_{customer}_{}", account.stripe_account))?)
        .send(client)
        .await
        .map_err(|e| classify(e).into_api_error())?;
    let (acct, made) = (account.stripe_account.clone(), created.id.as_str().to_string());
    crate::db::run(pool, move |conn| {
        repo::insert_stripe_customer(conn, scope, customer, &acct, &made, now)?;
        // Whoever inserted first wins; both made the same Stripe customer (same key).
        let kept = repo::stripe_customer(conn, scope, customer, &acct)?;
        Ok(kept.map_or(made, |s| s.stripe_customer))
    })
    .await
}

pub fn card_of(pm: &stripe_shared::PaymentMethod) -> Card {
    let card = pm.card.as_ref();
    Card {
        id: pm.id.as_str().to_string(),
        brand: card.map(|c| c.display_brand.clone().unwrap_or_else(|| c.brand.clone())),
        last4: card.map(|c| c.last4.clone()),
        exp_month: card.and_then(|c| i32::try_from(c.exp_month).ok()),
        exp_year: card.and_then(|c| i32::try_from(c.exp_year).ok()),
    }
}

/// Makes `pm` (attached to the customer at Stripe) the default, here and there, and tries
/// the customer's unpaid invoices again at once. Adopting the default again changes nothing
/// (a Checkout setup sends two events for one card).
pub async fn adopt_payment_method(
    pool: &PgPool,
    client: &stripe::Client,
    scope: Scope,
    account: &StripeAccount,
    (customer, stripe_customer): (CustomerId, &str),
    pm: stripe_shared::PaymentMethod,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let acct = account.stripe_account.clone();
    let current = crate::db::run(pool, move |conn| Ok(repo::stripe_customer(conn, scope, customer, &acct)?)).await?;
    if current.and_then(|c| c.pm_id).as_deref() == Some(pm.id.as_str()) {
        return Ok(());
    }
    let Ok(cus_id) = stripe_shared::CustomerId::from_str(stripe_customer);
    stripe_core::customer::UpdateCustomer::new(cus_id)
        .invoice_settings(stripe_core::customer::UpdateCustomerInvoiceSettings {
            default_payment_method: Some(pm.id.as_str().to_string()),
            ..Default::default()
        })
        .send(client)
        .await
        .map_err(|e| classify(e).into_api_error())?;
    settle_waiting(pool, client, scope, customer, now).await?;
    let card = card_of(&pm);
    let acct = account.stripe_account.clone();
    crate::db::run(pool, move |conn| {
        conn.build_transaction().run(|conn| {
            repo::set_payment_method(conn, scope, customer, &acct, Some(&card), now)?;
            retry_unpaid(conn, scope, customer, now)
        })
    })
    .await
}

/// Attempts of the customer still waiting for them to authenticate give way to a new card:
/// each PaymentIntent is canceled at Stripe first (so it can never complete as well), or, if
/// Stripe will not cancel it, recorded as Stripe has it.
async fn settle_waiting(
    pool: &PgPool,
    client: &stripe::Client,
    scope: Scope,
    customer: CustomerId,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let waiting = crate::db::run(pool, move |conn| Ok(repo::waiting_for_customer(conn, scope, customer)?)).await?;
    for p in waiting {
        let Some(intent) = p.stripe_payment_intent.clone() else { continue };
        let Ok(id) = stripe_shared::PaymentIntentId::from_str(&intent);
        let outcome = match stripe_core::payment_intent::CancelPaymentIntent::new(id.clone()).send(client).await {
            Ok(pi) => Outcome::from_intent(&pi),
            Err(e) => match classify(e) {
                // Not cancelable (it succeeded meanwhile, say): take it as it is.
                Failure::Refused(_) => {
                    let pi = stripe_core::payment_intent::RetrievePaymentIntent::new(id)
                        .send(client)
                        .await
                        .map_err(|e| classify(e).into_api_error())?;
                    Outcome::from_intent(&pi)
                }
                unknown => return Err(unknown.into_api_error()),
            },
        };
        let id = p.id;
        crate::db::run(pool, move |conn| conn.build_transaction().run(|conn| apply(conn, scope, id, &outcome, now)))
            .await?;
    }
    Ok(())
}

/// Schedules an attempt now on each of the customer's open invoices left to pay and not
/// waiting for an outcome.
fn retry_unpaid(conn: &mut PgConn, scope: Scope, customer: CustomerId, now: DateTime<Utc>) -> ApiResult<()> {
    let open = crate::invoices::repo::list(
        conn,
        scope,
        Some(customer),
        Some(InvoiceStatus::Open),
        crate::pagination::Page { limit: 100, before: None },
    )?;
    for listed in open {
        // Under the invoice's lock, as it is now (a payment may have landed meanwhile).
        let Some(mut inv) = crate::invoices::repo::lock(conn, scope, listed.id)? else { continue };
        if inv.status != InvoiceStatus::Open || inv.amount_due <= inv.amount_paid {
            continue;
        }
        if repo::in_flight(conn, scope, inv.id)?.is_some() {
            continue;
        }
        inv.next_payment_attempt = Some(now);
        crate::invoices::repo::save(conn, &inv)?;
        super::jobs::collect(conn, scope, &inv, now)?;
    }
    Ok(())
}

pub async fn attach_payment_method(
    state: &AppState,
    gw: &Gateway,
    auth: Auth,
    customer: CustomerId,
    req: AttachPaymentMethodRequest,
) -> ApiResult<crate::customers::models::CustomerResponse> {
    let scope = auth.scope;
    let now = crate::testclock::now_for(state, scope).await?;
    let (account, client) = connection(&state.pool, gw, scope).await?.ok_or_else(not_connected)?;
    let stripe_customer = ensure_stripe_customer(&state.pool, &client, scope, &account, customer, now).await?;
    let pm_id = stripe_shared::PaymentMethodId::from_str(&req.payment_method).unwrap_or_else(|never| match never {});
    let pm = stripe_payment::payment_method::AttachPaymentMethod::new(pm_id)
        .customer(stripe_customer.clone())
        .send(&client)
        .await
        .map_err(|e| classify(e).into_api_error().with_param("payment_method"))?;
    adopt_payment_method(&state.pool, &client, scope, &account, (customer, &stripe_customer), pm, now).await?;
    crate::db::run(&state.pool, move |conn| {
        let c = crate::customers::repo::find(conn, scope, customer)?.ok_or_else(|| ApiError::not_found("customer"))?;
        Ok(crate::customers::repo::respond(conn, scope, c)?)
    })
    .await
}

pub async fn checkout_session(
    state: &AppState,
    gw: &Gateway,
    auth: Auth,
    customer: CustomerId,
    req: CheckoutSessionRequest,
) -> ApiResult<CheckoutSessionResponse> {
    let scope = auth.scope;
    let now = crate::testclock::now_for(state, scope).await?;
    let (account, client) = connection(&state.pool, gw, scope).await?.ok_or_else(not_connected)?;
    let stripe_customer = ensure_stripe_customer(&state.pool, &client, scope, &account, customer, now).await?;
    let currency = req.currency.as_deref().unwrap_or("USD");
    let session =
        create_setup_session(&client, &stripe_customer, customer, currency, req.success_url, req.cancel_url).await?;
    Ok(CheckoutSessionResponse {
        id: session.id.as_str().to_string(),
        url: session.url.unwrap_or_default(),
        expires_at: DateTime::from_timestamp(session.expires_at, 0).unwrap_or(now),
    })
}

/// A Stripe Checkout page in setup mode for the customer; when it completes, its card becomes
/// the customer's payment method (`setup_intent.succeeded`, `checkout.session.completed`).
async fn create_setup_session(
    client: &stripe::Client,
    stripe_customer: &str,
    customer: CustomerId,
    currency: &str,
    success_url: String,
    cancel_url: String,
) -> ApiResult<stripe_shared::CheckoutSession> {
    let currency =
        stripe_types::Currency::from_str(&currency.to_ascii_lowercase()).unwrap_or_else(|never| match never {});
    stripe_checkout::checkout_session::CreateCheckoutSession::new()
        .mode(stripe_shared::CheckoutSessionMode::Setup)
        .customer(stripe_customer.to_string())
        .currency(currency)
        .success_url(success_url)
        .cancel_url(cancel_url)
        .metadata(HashMap::from([("tollgate_customer".to_string(), customer.to_string())]))
        .send(client)
        .await
        .map_err(|e| classify(e).into_api_error())
}

/// The link of a fresh setup page for a customer who has a Stripe customer already (emails).
pub async fn setup_session(
    client: &stripe::Client,
    customer: &CustomerId,
    currency: &str,
    back: &str,
    pool: &PgPool,
    scope: Scope,
) -> ApiResult<String> {
    let customer = *customer;
    let found = crate::db::run(pool, move |conn| {
        let Some(a) = repo::account(conn, scope)? else { return Ok(None) };
        Ok(repo::stripe_customer(conn, scope, customer, &a.stripe_account)?)
    })
    .await?;
    let sc = found.ok_or_else(|| ApiError::internal(anyhow::anyhow!("no Stripe customer for {customer}")))?;
    let session =
        create_setup_session(client, &sc.stripe_customer, customer, currency, back.to_string(), back.to_string())
            .await?;
    Ok(session.url.unwrap_or_default())
}

// ---- Collection ----

/// What collecting an invoice needs from Stripe, prepared (and the attempt written) in one
/// transaction before the call.
struct Charge {
    payment: Payment,
    account: StripeAccount,
    stripe_customer: String,
    minor: i64,
    number: String,
}

/// Why a collection did not call Stripe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skipped {
    NotOpen,
    NothingDue,
    InProgress,
    NotConnected,
    NoPaymentMethod,
    NotDue,
    NotChargeable,
}

/// Writes the attempt (or finds the one whose answer was lost) for the invoice.
fn prepare(
    conn: &mut PgConn,
    scope: Scope,
    invoice: InvoiceId,
    (now, wall): (DateTime<Utc>, DateTime<Utc>),
    scheduled: bool,
) -> ApiResult<Result<Charge, Skipped>> {
    conn.build_transaction().run(|conn| {
        let Some(mut inv) = crate::invoices::repo::lock(conn, scope, invoice)? else {
            return Ok(Err(Skipped::NotOpen));
        };
        if inv.status != InvoiceStatus::Open {
            return Ok(Err(Skipped::NotOpen));
        }
        let left = inv.amount_due - inv.amount_paid;
        if left <= Decimal::ZERO {
            return Ok(Err(Skipped::NothingDue));
        }
        let Some(account) = repo::account(conn, scope)? else { return Ok(Err(Skipped::NotConnected)) };
        let existing = repo::in_flight(conn, scope, invoice)?;
        if let Some(p) = &existing {
            if p.status != AttemptStatus::Created {
                return Ok(Err(Skipped::InProgress));
            }
        } else if scheduled && inv.next_payment_attempt.is_none_or(|t| t > now) {
            // A retry made obsolete by an earlier payment, a new card or a hard decline.
            return Ok(Err(Skipped::NotDue));
        }
        let Some(sc) = repo::stripe_customer(conn, scope, inv.customer_id, &account.stripe_account)? else {
            return Ok(Err(Skipped::NoPaymentMethod));
        };
        let payment = match existing {
            // The last call's answer was lost: the same attempt, the same key.
            Some(p) => p,
            None => {
                let Some(pm) = sc.pm_id.clone() else { return Ok(Err(Skipped::NoPaymentMethod)) };
                let mut p = Payment {
                    tenant_id: scope.tenant_id,
                    mode: scope.mode,
                    id: PaymentId::new(),
                    invoice_id: invoice,
                    customer_id: inv.customer_id,
                    stripe_account: account.stripe_account.clone(),
                    amount: left,
                    currency: inv.currency.clone(),
                    status: AttemptStatus::Created,
                    payment_method: Some(pm),
                    stripe_payment_intent: None,
                    failure_code: None,
                    failure_message: None,
                    hard_decline: false,
                    dispute_status: None,
                    dispute_reason: None,
                    sent_at: wall,
                    created_at: now,
                    updated_at: now,
                };
                inv.attempt_count += 1;
                inv.next_payment_attempt = None;
                if let Err(e) = amounts::to_stripe(left, &inv.currency) {
                    p.status = AttemptStatus::Failed;
                    p.failure_code = Some(ErrorCode::AmountNotChargeable.as_str().to_string());
                    p.failure_message = Some(e.to_string());
                    p.hard_decline = true;
                    repo::insert_payment(conn, &p)?;
                    crate::invoices::repo::save(conn, &inv)?;
                    return Ok(Err(Skipped::NotChargeable));
                }
                repo::insert_payment(conn, &p)?;
                crate::invoices::repo::save(conn, &inv)?;
                p
            }
        };
        let minor = amounts::to_stripe(payment.amount, &payment.currency)
            .map_err(|e| ApiError::internal(anyhow::anyhow!("an attempt's amount: {e}")))?;
        Ok(Ok(Charge {
            payment,
            account,
            stripe_customer: sc.stripe_customer,
            minor,
            number: inv.number.clone().unwrap_or_default(),
        }))
    })
}

/// Tries to collect what is left to pay on the invoice. `scheduled`: a dunning retry or the
/// first attempt after finalization, which runs only when the invoice says one is due.
/// An `Err` means Stripe's answer is unknown: retry later (the same key is reused).
pub async fn collect(
    pool: &PgPool,
    gw: &Gateway,
    scope: Scope,
    invoice: InvoiceId,
    (now, wall): (DateTime<Utc>, DateTime<Utc>),
    scheduled: bool,
) -> ApiResult<Result<AttemptStatus, Skipped>> {
    let prepared = crate::db::run(pool, move |conn| prepare(conn, scope, invoice, (now, wall), scheduled)).await?;
    let charge = match prepared {
        Ok(c) => c,
        Err(skipped) => return Ok(Err(skipped)),
    };
    let key = gw.open(scope, charge.account.id, "api_key", &charge.account.api_key_sealed)?;
    let client = gw.client(&key)?;
    let p = &charge.payment;
    if p.sent_at < wall {
        // A retry of an attempt whose answer was lost. Stripe replays what it stored under the
        // key, a 500 included, so look for the PaymentIntent first; past the key's lifetime a
        // resend could charge twice, so only look.
        let query = format!("metadata['tollgate_payment']:'{}'", p.id);
        let found = stripe_core::payment_intent::SearchPaymentIntent::new(query)
            .send(&client)
            .await
            .map_err(|e| classify(e).into_api_error())?;
        let id = p.id;
        if let Some(pi) = found.data.into_iter().next() {
            let outcome = Outcome::from_intent(&pi);
            let status = outcome.status;
            crate::db::run(pool, move |conn| {
                conn.build_transaction().run(|conn| apply(conn, scope, id, &outcome, now))
            })
            .await?;
            return Ok(Ok(status));
        }
        if wall - p.sent_at > super::reconcile::KEY_LIFETIME {
            crate::db::run(pool, move |conn| conn.build_transaction().run(|conn| never_sent(conn, scope, id, now)))
                .await?;
            return Ok(Ok(AttemptStatus::Canceled));
        }
    }
    let metadata = HashMap::from([
        ("tollgate_payment".to_string(), p.id.to_string()),
        ("tollgate_invoice".to_string(), p.invoice_id.to_string()),
        ("tollgate_tenant".to_string(), scope.tenant_id.to_string()),
        ("tollgate_mode".to_string(), scope.mode.to_string()),
    ]);
    let currency =
        stripe_types::Currency::from_str(&p.currency.to_ascii_lowercase()).unwrap_or_else(|never| match never {});
    let answer = stripe_core::payment_intent::CreatePaymentIntent::new(charge.minor, currency)
        .customer(charge.stripe_customer.clone())
        .payment_method(p.payment_method.clone().unwrap_or_default())
        .confirm(true)
        .off_session(stripe_core::payment_intent::CreatePaymentIntentOffSession::Bool(true))
        // Off-session, nobody can follow a redirect: only methods that need none.
        .automatic_payment_methods({
            use stripe_core::payment_intent::{
                CreatePaymentIntentAutomaticPaymentMethods as Automatic,
                CreatePaymentIntentAutomaticPaymentMethodsAllowRedirects as Redirects,
            };
            let mut a = Automatic::new(true);
            a.allow_redirects = Some(Redirects::Never);
            a
        })
        .description(format!("Invoice {}", charge.number))
        .metadata(metadata)
        .customize()
        .request_strategy(idempotent(p.idempotency_key())?)
        .send(&client)
        .await;
    let outcome = match answer {
        Ok(pi) => Outcome::from_intent(&pi),
        Err(e) => match classify(e) {
            Failure::Refused(r) => Outcome::from_refusal(&r),
            Failure::Unknown(why) => {
                tracing::warn!(payment = %p.id, error = %why, "Stripe's answer to a charge is unknown; it will be retried with the same key");
                return Err(ApiError::unavailable(
                    ErrorCode::StripeUnavailable,
                    "Stripe could not be reached; the payment will be retried",
                ));
            }
        },
    };
    let id = p.id;
    let status = outcome.status;
    crate::db::run(pool, move |conn| conn.build_transaction().run(|conn| apply(conn, scope, id, &outcome, now)))
        .await?;
    Ok(Ok(status))
}

/// What Stripe says became of an attempt.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: AttemptStatus,
    /// The card (or its holder) is why it failed: dunning runs and the customer is told.
    /// Otherwise Stripe refused the request itself, which is the tenant's to fix.
    pub blames_customer: bool,
    pub intent: Option<String>,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    pub hard_decline: bool,
}

/// Declines no retry can cure (Stripe's "do not try again" reasons).
fn is_hard_decline(code: &str) -> bool {
    matches!(
        code,
        "lost_card"
            | "stolen_card"
            | "pickup_card"
            | "restricted_card"
            | "fraudulent"
            | "merchant_blacklist"
            | "invalid_account"
            | "new_account_information_available"
            | "revocation_of_all_authorizations"
            | "revocation_of_authorization"
            | "stop_payment_order"
            | "security_violation"
    )
}

impl Outcome {
    pub fn from_intent(pi: &stripe_shared::PaymentIntent) -> Outcome {
        use stripe_shared::PaymentIntentStatus as S;
        let error = pi.last_payment_error.as_deref();
        let code =
            error.and_then(|e| e.decline_code.clone().or_else(|| e.code.as_ref().map(|c| c.as_str().to_string())));
        let status = match pi.status {
            S::Succeeded => AttemptStatus::Succeeded,
            S::Processing => AttemptStatus::Processing,
            S::RequiresAction => AttemptStatus::RequiresAction,
            S::Canceled => AttemptStatus::Canceled,
            // After a confirmed attempt: the payment method was refused.
            S::RequiresPaymentMethod => AttemptStatus::Failed,
            _ => AttemptStatus::Processing,
        };
        Outcome {
            status,
            blames_customer: true,
            intent: Some(pi.id.as_str().to_string()),
            hard_decline: code.as_deref().is_some_and(is_hard_decline),
            failure_message: (status == AttemptStatus::Failed).then(|| error.and_then(|e| e.message.clone())).flatten(),
            failure_code: if status == AttemptStatus::Failed { code } else { None },
        }
    }

    fn from_refusal(r: &super::gateway::Refusal) -> Outcome {
        let code = r.failure_code();
        let status = if r.code.as_deref() == Some("authentication_required") {
            AttemptStatus::RequiresAction
        } else {
            AttemptStatus::Failed
        };
        Outcome {
            status,
            blames_customer: r.kind == "card_error",
            intent: r.payment_intent.clone(),
            hard_decline: is_hard_decline(&code) || r.kind != "card_error",
            failure_code: Some(code),
            failure_message: Some(r.message.clone()),
        }
    }
}

/// Moves the attempt (and its invoice, and dunning) forward to the outcome; an outcome that
/// would move it back (a late `payment_failed` after `succeeded`) changes nothing.
pub fn apply(conn: &mut PgConn, scope: Scope, id: PaymentId, o: &Outcome, now: DateTime<Utc>) -> ApiResult<()> {
    crate::cache::announcing(conn, |conn, changes| apply_in(conn, changes, scope, id, o, now)).map(drop)
}

fn apply_in(
    conn: &mut PgConn,
    changes: &mut Changes,
    scope: Scope,
    id: PaymentId,
    o: &Outcome,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    // The invoice first, then the attempt: the order every path takes, so none deadlocks.
    let Some(found) = repo::find_payment(conn, scope, id)? else { return Ok(()) };
    let mut inv = crate::invoices::repo::lock(conn, scope, found.invoice_id)?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("a payment's invoice is gone")))?;
    let Some(mut p) = repo::lock_payment(conn, scope, id)? else { return Ok(()) };
    if !p.status.may_become(o.status) {
        return Ok(());
    }
    p.status = o.status;
    p.stripe_payment_intent = o.intent.clone().or(p.stripe_payment_intent.take());
    p.failure_code = o.failure_code.clone();
    p.failure_message = o.failure_message.clone();
    p.hard_decline = o.hard_decline;
    p.updated_at = now;
    repo::save_payment(conn, &p)?;
    match o.status {
        AttemptStatus::Succeeded => paid(conn, changes, scope, &mut inv, p.amount, now)?,
        AttemptStatus::Failed if o.blames_customer => failed(conn, changes, scope, &mut inv, o.hard_decline, now)?,
        AttemptStatus::Failed => {
            // Stripe refused the request itself (an amount below its minimum, a setting of the
            // tenant's account): no retry, no dunning, nothing to tell the customer.
            tracing::warn!(payment = %p.id, code = ?p.failure_code, message = ?p.failure_message, "Stripe refused a charge for a reason the tenant must fix");
            inv.next_payment_attempt = None;
            crate::invoices::repo::save(conn, &inv)?;
        }
        // Only the customer can go on: dunning's clock runs, with no retry off-session.
        AttemptStatus::RequiresAction => failed(conn, changes, scope, &mut inv, true, now)?,
        _ => {}
    }
    if o.blames_customer && matches!(o.status, AttemptStatus::Failed | AttemptStatus::RequiresAction) {
        super::jobs::payment_email(conn, scope, p.id, now)?;
    }
    if p.status == AttemptStatus::Succeeded {
        crate::notices::notice(conn, scope, crate::notices::EmailKind::Receipt, p.id, now)?;
    }
    match p.status {
        AttemptStatus::Succeeded => {
            crate::events::emit(conn, scope, "payment.succeeded", &PaymentResponse::from(p), now)?
        }
        AttemptStatus::Failed => crate::events::emit(conn, scope, "payment.failed", &PaymentResponse::from(p), now)?,
        _ => return Ok(()),
    };
    Ok(())
}

/// A payment arrived: once the invoice is covered it is paid, and dunning ends (the
/// subscription is active again and access unblocked) unless another invoice is still overdue.
fn paid(
    conn: &mut PgConn,
    changes: &mut Changes,
    scope: Scope,
    inv: &mut Invoice,
    amount: Decimal,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    inv.amount_paid += amount;
    if inv.amount_paid > inv.amount_due {
        // Two payments landed (say a canceled attempt completed at Stripe anyway): recorded as
        // Stripe has it, for the tenant to refund with a credit note.
        tracing::warn!(invoice = %inv.id, paid = %inv.amount_paid, due = %inv.amount_due, "an invoice is overpaid");
    }
    if inv.amount_paid < inv.amount_due || !matches!(inv.status, InvoiceStatus::Open | InvoiceStatus::Uncollectible) {
        return Ok(crate::invoices::repo::save(conn, inv)?);
    }
    inv.status = InvoiceStatus::Paid;
    inv.paid_at = Some(now);
    inv.next_payment_attempt = None;
    crate::invoices::repo::save(conn, inv)?;
    crate::invoices::service::announce(conn, inv, "invoice.paid", now)?;
    crate::subscriptions::events::end_dunning_if_settled(conn, changes, scope, inv.subscription_id, now)?;
    Ok(())
}

/// A failed attempt. The first starts dunning: the subscription is `past_due`, access is
/// blocked and the subscription canceled so many days later (the tenant's policy). The next
/// retry is scheduled unless the decline was hard or the retries are used up.
fn failed(
    conn: &mut PgConn,
    changes: &mut Changes,
    scope: Scope,
    inv: &mut Invoice,
    hard: bool,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let starts = inv.payment_failed_at.is_none();
    let first = *inv.payment_failed_at.get_or_insert(now);
    crate::invoices::service::announce(conn, inv, "invoice.payment_failed", now)?;
    let policy = crate::accounts::repo::dunning(conn, scope.tenant_id)?;
    if starts {
        if let Some(sub_id) = inv.subscription_id {
            if let Some(mut sub) = crate::subscriptions::repo::lock(conn, scope, sub_id)? {
                let before = sub.clone();
                if matches!(sub.status, SubStatus::Active | SubStatus::Trialing | SubStatus::PastDue) {
                    sub.status = SubStatus::PastDue;
                    if let Some(days) = policy.block_after_days {
                        let at = first + TimeDelta::days(i64::from(days));
                        sub.payment_blocked_at = Some(sub.payment_blocked_at.map_or(at, |b| b.min(at)));
                    }
                    crate::subscriptions::repo::save(conn, &sub)?;
                    crate::subscriptions::events::announce(conn, scope, Some(&before), &sub, now)?;
                    changes.invalidate(Invalidation::Customer(scope, sub.customer_id));
                }
            }
        }
        if let Some(days) = policy.cancel_after_days {
            super::jobs::end_dunning(conn, scope, inv.id, first + TimeDelta::days(i64::from(days)))?;
        }
    }
    let retry_days = policy.retry_days;
    // The attempts after the first failure so far decide which retry comes next.
    let failures = repo::payments_of(conn, scope, inv.id)?
        .iter()
        .filter(|p| p.status == AttemptStatus::Failed && p.created_at >= first)
        .count();
    let next = (!hard)
        .then(|| retry_days.get(failures.saturating_sub(1)).copied())
        .flatten()
        .map(|days| (first + TimeDelta::days(i64::from(days))).max(now));
    inv.next_payment_attempt = next;
    crate::invoices::repo::save(conn, inv)?;
    if next.is_some() {
        super::jobs::collect(conn, scope, inv, next.unwrap_or(now))?;
    }
    Ok(())
}

/// `POST /v1/invoices/{id}/pay`: tries to collect now.
pub async fn pay(
    state: &AppState,
    gw: &Gateway,
    auth: Auth,
    invoice: InvoiceId,
) -> ApiResult<crate::invoices::models::InvoiceResponse> {
    let scope = auth.scope;
    let now = crate::testclock::now_for(state, scope).await?;
    let exists =
        crate::db::run(&state.pool, move |conn| Ok(crate::invoices::repo::find(conn, scope, invoice)?)).await?;
    let inv = exists.ok_or_else(|| ApiError::not_found("invoice"))?;
    if inv.status != InvoiceStatus::Open {
        return Err(ApiError::conflict(
            ErrorCode::InvoiceNotOpen,
            format!("only an open invoice can be paid; this one is {}", inv.status),
        ));
    }
    match collect(&state.pool, gw, scope, invoice, (now, state.clock.now()), false).await? {
        Ok(_) => {}
        Err(Skipped::NotConnected) => return Err(not_connected()),
        Err(Skipped::NoPaymentMethod) => {
            return Err(ApiError::bad_request(ErrorCode::NoPaymentMethod, "the customer has no payment method"))
        }
        Err(Skipped::InProgress) => {
            return Err(ApiError::conflict(ErrorCode::PaymentInProgress, "a payment of this invoice is in progress"))
        }
        Err(Skipped::NotChargeable) => {
            return Err(ApiError::bad_request(
                ErrorCode::AmountNotChargeable,
                "Stripe cannot charge this amount in this currency exactly",
            ))
        }
        Err(Skipped::NotOpen | Skipped::NothingDue | Skipped::NotDue) => {}
    }
    crate::invoices::service::get(state, auth, invoice).await
}

pub async fn list_payments(
    state: &AppState,
    auth: Auth,
    invoice: InvoiceId,
) -> ApiResult<crate::pagination::List<PaymentResponse>> {
    let scope = auth.scope;
    crate::db::run(&state.pool, move |conn| {
        crate::invoices::repo::find(conn, scope, invoice)?.ok_or_else(|| ApiError::not_found("invoice"))?;
        let rows = repo::payments_of(conn, scope, invoice)?;
        // Every attempt (dunning makes a handful at most), oldest first.
        Ok(crate::pagination::List {
            data: rows.into_iter().map(Into::into).collect(),
            has_more: false,
            next_cursor: None,
        })
    })
    .await
}

/// Failed payment attempts across invoices, newest first, each with its customer.
pub async fn failed_payments(
    state: &AppState,
    auth: Auth,
    page: crate::pagination::Page,
) -> ApiResult<crate::pagination::List<(CustomerId, PaymentResponse)>> {
    let scope = auth.scope;
    crate::db::run(&state.pool, move |conn| {
        let rows = repo::failed(conn, scope, page)?;
        Ok(crate::pagination::List::from_rows(rows, page, |p| p.id.to_string(), |p| (p.customer_id, p.into())))
    })
    .await
}

/// The last step of dunning, `cancel_after_days` after the first failed payment: an invoice
/// still unpaid becomes `uncollectible` and its subscription is canceled at once.
pub fn end_dunning(
    conn: &mut PgConn,
    changes: &mut Changes,
    scope: Scope,
    invoice: InvoiceId,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let Some(mut inv) = crate::invoices::repo::lock(conn, scope, invoice)? else { return Ok(()) };
    if inv.status != InvoiceStatus::Open || inv.amount_paid >= inv.amount_due {
        return Ok(());
    }
    inv.status = InvoiceStatus::Uncollectible;
    inv.next_payment_attempt = None;
    crate::invoices::repo::save(conn, &inv)?;
    crate::invoices::service::announce(conn, &inv, "invoice.uncollectible", now)?;
    let Some(sub_id) = inv.subscription_id else { return Ok(()) };
    let Some(mut sub) = crate::subscriptions::repo::lock(conn, scope, sub_id)? else { return Ok(()) };
    if sub.status != SubStatus::Canceled {
        let before = sub.clone();
        sub.status = SubStatus::Canceled;
        sub.canceled_at = Some(now);
        sub.ended_at = Some(now);
        sub.cancel_at_period_end = false;
        sub.pending_plan_id = None;
        sub.pending_plan_version = None;
        crate::subscriptions::repo::save(conn, &sub)?;
        crate::subscriptions::events::announce(conn, scope, Some(&before), &sub, now)?;
        changes.invalidate(Invalidation::Customer(scope, sub.customer_id));
    }
    Ok(())
}

/// An attempt whose call never reached Stripe (reconciliation found no PaymentIntent for it):
/// it is canceled and the invoice tried again at once.
pub fn never_sent(conn: &mut PgConn, scope: Scope, id: PaymentId, now: DateTime<Utc>) -> ApiResult<()> {
    let Some(found) = repo::find_payment(conn, scope, id)? else { return Ok(()) };
    let Some(mut inv) = crate::invoices::repo::lock(conn, scope, found.invoice_id)? else { return Ok(()) };
    let Some(mut p) = repo::lock_payment(conn, scope, id)? else { return Ok(()) };
    if p.status != AttemptStatus::Created {
        return Ok(());
    }
    p.status = AttemptStatus::Canceled;
    p.failure_message = Some("the call to Stripe was lost and no payment was made".into());
    p.updated_at = now;
    repo::save_payment(conn, &p)?;
    if inv.status == InvoiceStatus::Open && inv.amount_due > inv.amount_paid {
        inv.next_payment_attempt = Some(now);
        crate::invoices::repo::save(conn, &inv)?;
        super::jobs::collect(conn, scope, &inv, now)?;
    }
    Ok(())
}
