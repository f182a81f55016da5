//! Credit notes: corrections to finalized invoices, which themselves never change. A credit
//! note lowers what an open invoice still asks, or, on a paid one, goes back to the card
//! (a Stripe Refund keyed by our refund's id) or to the customer's balance for later invoices.
//! Numbers are gapless per tenant and mode; the credits of an invoice never exceed its total.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use stripe::StripeRequest;
use utoipa::{IntoParams, ToSchema};

use super::gateway::{classify, idempotent, Failure, Gateway};
use super::models::AttemptStatus;
use crate::auth::Auth;
use crate::db::{PgConn, PgPool};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::ids::{CreditNoteId, CustomerId, InvoiceId, PaymentId, RefundId, TenantId};
use crate::invoices::models::InvoiceStatus;
use crate::money::Amount;
use crate::pagination::{List, Page};
use crate::schema::{credit_notes, payments, refunds};
use crate::state::AppState;
use crate::tenancy::{Mode, Scope};
use crate::types::text_enum;

text_enum!(
    /// Why the credit note was issued (Stripe's reasons).
    CreditReason {
        Duplicate => "duplicate", Fraudulent => "fraudulent", OrderChange => "order_change",
        ProductUnsatisfactory => "product_unsatisfactory"
    }
);
text_enum!(
    /// `pending` until Stripe settles it.
    RefundStatus { Pending => "pending", Succeeded => "succeeded", Failed => "failed" }
);

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = credit_notes, check_for_backend(diesel::pg::Pg))]
pub struct CreditNote {
    pub tenant_id: TenantId,
    pub mode: Mode,
    pub id: CreditNoteId,
    pub seq: i64,
    pub number: String,
    pub invoice_id: InvoiceId,
    pub customer_id: CustomerId,
    pub amount: Decimal,
    pub currency: String,
    pub reason: CreditReason,
    pub applied_to: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = refunds, check_for_backend(diesel::pg::Pg), treat_none_as_null = true)]
pub struct Refund {
    pub tenant_id: TenantId,
    pub mode: Mode,
    pub id: RefundId,
    pub credit_note_id: CreditNoteId,
    pub payment_id: PaymentId,
    pub amount: Decimal,
    pub currency: String,
    pub status: RefundStatus,
    pub stripe_refund: Option<String>,
    pub failure_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"amount": "10.00", "reason": "order_change", "refund": true}))]
pub struct CreditNoteRequest {
    /// At most what is left to credit on the invoice (its total less earlier credit notes).
    pub amount: Amount,
    pub reason: CreditReason,
    /// On a paid invoice: send the money back to the card (else it becomes customer credit).
    #[serde(default)]
    pub refund: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RefundResponse {
    pub id: RefundId,
    pub status: RefundStatus,
    #[schema(example = "re_3Qx3bT2eZvKYlo2C")]
    pub stripe_refund: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreditNoteResponse {
    pub id: CreditNoteId,
    /// `TEST-CN-000001` / `CN-000001`, gapless per tenant and mode.
    #[schema(example = "CN-000001")]
    pub number: String,
    pub invoice: InvoiceId,
    #[schema(example = "10.00")]
    pub amount: String,
    pub currency: String,
    pub reason: CreditReason,
    /// Always `issued`.
    #[schema(value_type = String, example = "issued")]
    pub status: &'static str,
    /// Where the credit went: `invoice` (less to pay), `refund` (back to the card) or
    /// `balance` (credit for the customer's next invoices).
    #[schema(example = "refund")]
    pub applied_to: String,
    pub refund: Option<RefundResponse>,
    pub created_at: DateTime<Utc>,
}

impl CreditNoteResponse {
    fn new(cn: CreditNote, refund: Option<Refund>) -> Self {
        let amount =
            crate::money::Currency::parse(&cn.currency).map_or_else(|_| cn.amount.to_string(), |c| c.format(cn.amount));
        CreditNoteResponse {
            id: cn.id,
            number: cn.number,
            invoice: cn.invoice_id,
            amount,
            currency: cn.currency,
            reason: cn.reason,
            status: "issued",
            applied_to: cn.applied_to,
            refund: refund.map(|r| RefundResponse { id: r.id, status: r.status, stripe_refund: r.stripe_refund }),
            created_at: cn.created_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CreditNoteListParams {
    /// Only this invoice's credit notes.
    pub invoice: Option<InvoiceId>,
    /// 1 to 100; default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// From the previous page's `next_cursor`.
    #[param(pattern = r"^([a-z]+_[0-6][0-9A-Za-z]{21})?$")]
    pub cursor: Option<String>,
}

fn next_number(conn: &mut PgConn, scope: Scope) -> QueryResult<(i64, String)> {
    // Credit notes of one tenant's mode take turns until their transactions end.
    diesel::sql_query(
        "SELECT pg_advisory_xact_lock(hashtextextended('cn:' || $1::text || ':' || $2, 0))::text AS locked",
    )
    .bind::<diesel::sql_types::Uuid, _>(scope.tenant_id.0)
    .bind::<diesel::sql_types::Text, _>(scope.mode.as_str())
    .execute(conn)?;
    let last: Option<i64> = credit_notes::table
        .filter(credit_notes::tenant_id.eq(scope.tenant_id))
        .filter(credit_notes::mode.eq(scope.mode))
        .select(credit_notes::seq)
        .order(credit_notes::seq.desc())
        .first(conn)
        .optional()?;
    let seq = last.unwrap_or(0) + 1;
    let prefix = match scope.mode {
        Mode::Test => "TEST-CN",
        Mode::Live => "CN",
    };
    Ok((seq, format!("{prefix}-{seq:06}")))
}

/// What was collected through Stripe on the invoice and not yet refunded, per payment.
fn refundable(conn: &mut PgConn, scope: Scope, invoice: InvoiceId) -> QueryResult<Vec<(PaymentId, Decimal)>> {
    let paid: Vec<(PaymentId, Decimal)> = payments::table
        .filter(payments::tenant_id.eq(scope.tenant_id))
        .filter(payments::mode.eq(scope.mode))
        .filter(payments::invoice_id.eq(invoice))
        .filter(payments::status.eq(AttemptStatus::Succeeded))
        .select((payments::id, payments::amount))
        .load(conn)?;
    let ids: Vec<PaymentId> = paid.iter().map(|(id, _)| *id).collect();
    let refunded: Vec<(PaymentId, Decimal)> = refunds::table
        .filter(refunds::tenant_id.eq(scope.tenant_id))
        .filter(refunds::mode.eq(scope.mode))
        .filter(refunds::payment_id.eq_any(ids))
        .filter(refunds::status.ne(RefundStatus::Failed))
        .select((refunds::payment_id, refunds::amount))
        .load(conn)?;
    let mut back: HashMap<PaymentId, Decimal> = HashMap::new();
    for (id, amount) in refunded {
        *back.entry(id).or_default() += amount;
    }
    Ok(paid.into_iter().map(|(id, amount)| (id, amount - back.get(&id).copied().unwrap_or_default())).collect())
}

/// Issues the credit note (and writes its refund, if any) in one transaction.
fn issue(
    conn: &mut PgConn,
    changes: &mut crate::cache::Changes,
    scope: Scope,
    invoice: InvoiceId,
    req: &CreditNoteRequest,
    now: DateTime<Utc>,
) -> ApiResult<(CreditNote, Option<Refund>)> {
    let mut inv = crate::invoices::repo::lock(conn, scope, invoice)?.ok_or_else(|| ApiError::not_found("invoice"))?;
    if !matches!(inv.status, InvoiceStatus::Open | InvoiceStatus::Paid) {
        return Err(ApiError::conflict(
            ErrorCode::InvoiceNotOpen,
            format!("credit notes are for open or paid invoices; this one is {}", inv.status),
        ));
    }
    let currency = inv.currency();
    let amount = req.amount.value();
    if amount.is_zero() {
        return Err(ApiError::invalid_param("amount", "must be more than 0"));
    }
    if currency.round(amount) != amount {
        return Err(ApiError::invalid_param(
            "amount",
            format!("{} has at most {} decimal places", inv.currency, currency.minor_units()),
        ));
    }
    let left = inv.total - inv.amount_credited;
    if amount > left {
        return Err(ApiError::bad_request(
            ErrorCode::CreditExceedsInvoice,
            format!(
                "at most {} {} is left to credit on this invoice",
                currency.format(left.max(Decimal::ZERO)),
                inv.currency
            ),
        )
        .with_param("amount"));
    }
    let (seq, number) = next_number(conn, scope)?;
    let id = CreditNoteId::new();
    let mut refund = None;
    let mut settles = false;
    let applied_to = if inv.status == InvoiceStatus::Open {
        if super::repo::in_flight(conn, scope, invoice)?.is_some() {
            return Err(ApiError::conflict(ErrorCode::PaymentInProgress, "a payment of this invoice is in progress"));
        }
        let still_due = inv.amount_due - inv.amount_paid;
        let off_invoice = amount.min(still_due);
        inv.amount_due -= off_invoice;
        let rest = amount - off_invoice;
        if rest > Decimal::ZERO {
            let credit = crate::invoices::repo::credit(conn, scope, inv.customer_id, &inv.currency, true)?;
            crate::invoices::repo::set_credit(conn, scope, inv.customer_id, &inv.currency, credit + rest)?;
        }
        if inv.amount_due <= inv.amount_paid {
            inv.status = InvoiceStatus::Paid;
            inv.paid_at = Some(now);
            inv.next_payment_attempt = None;
            settles = true;
        }
        "invoice"
    } else if req.refund {
        super::amounts::to_stripe(amount, &inv.currency)
            .map_err(|e| ApiError::bad_request(ErrorCode::AmountNotChargeable, e.to_string()).with_param("amount"))?;
        let (payment, _) =
            refundable(conn, scope, invoice)?.into_iter().rfind(|(_, left)| *left >= amount).ok_or_else(|| {
                ApiError::bad_request(
                    ErrorCode::CreditExceedsInvoice,
                    "no payment made through Stripe on this invoice has that much left to refund",
                )
                .with_param("amount")
            })?;
        refund = Some(Refund {
            tenant_id: scope.tenant_id,
            mode: scope.mode,
            id: RefundId::new(),
            credit_note_id: id,
            payment_id: payment,
            amount,
            currency: inv.currency.clone(),
            status: RefundStatus::Pending,
            stripe_refund: None,
            failure_reason: None,
            created_at: now,
            updated_at: now,
        });
        "refund"
    } else {
        let credit = crate::invoices::repo::credit(conn, scope, inv.customer_id, &inv.currency, true)?;
        crate::invoices::repo::set_credit(conn, scope, inv.customer_id, &inv.currency, credit + amount)?;
        "balance"
    };
    inv.amount_credited += amount;
    crate::invoices::repo::save(conn, &inv)?;
    if settles {
        crate::invoices::service::announce(conn, &inv, "invoice.paid", now)?;
        crate::subscriptions::events::end_dunning_if_settled(conn, changes, scope, inv.subscription_id, now)?;
    }
    let cn = CreditNote {
        tenant_id: scope.tenant_id,
        mode: scope.mode,
        id,
        seq,
        number,
        invoice_id: invoice,
        customer_id: inv.customer_id,
        amount,
        currency: inv.currency.clone(),
        reason: req.reason,
        applied_to: applied_to.to_string(),
        created_at: now,
    };
    diesel::insert_into(credit_notes::table).values(&cn).execute(conn)?;
    if let Some(r) = &refund {
        diesel::insert_into(refunds::table).values(r).execute(conn)?;
        super::jobs::refund(conn, scope, r.id, now)?;
    }
    crate::events::emit(conn, scope, "credit_note.created", &CreditNoteResponse::new(cn.clone(), refund.clone()), now)?;
    Ok((cn, refund))
}

pub async fn create(
    state: &AppState,
    gw: &Gateway,
    auth: Auth,
    invoice: InvoiceId,
    req: CreditNoteRequest,
) -> ApiResult<CreditNoteResponse> {
    let scope = auth.scope;
    let now = crate::testclock::now_for(state, scope).await?;
    let (cn, refund) =
        state.caches.write(&state.pool, move |conn, changes| issue(conn, changes, scope, invoice, &req, now)).await?;
    let refund = match refund {
        // Tried now, so the answer can say how it went; the job retries what fails to reach Stripe.
        Some(r) => match send_refund(&state.pool, gw, scope, r.id, now).await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(refund = %r.id, error = ?e, "a refund will be retried in the background");
                Some(r)
            }
        },
        None => None,
    };
    Ok(CreditNoteResponse::new(cn, refund))
}

fn find_refund(conn: &mut PgConn, scope: Scope, id: RefundId) -> QueryResult<Option<Refund>> {
    refunds::table.find((scope.tenant_id, scope.mode, id)).select(Refund::as_select()).first(conn).optional()
}

/// Sends a pending refund to Stripe (keyed by its id) and records the answer. `Err` when
/// Stripe's answer is unknown: retry.
pub async fn send_refund(
    pool: &PgPool,
    gw: &Gateway,
    scope: Scope,
    id: RefundId,
    now: DateTime<Utc>,
) -> ApiResult<Option<Refund>> {
    let found = crate::db::run(pool, move |conn| {
        let Some(r) = find_refund(conn, scope, id)? else { return Ok(None) };
        let intent: Option<String> = payments::table
            .find((scope.tenant_id, scope.mode, r.payment_id))
            .select(payments::stripe_payment_intent)
            .first(conn)?;
        Ok(Some((r, intent)))
    })
    .await?;
    let Some((r, intent)) = found else { return Ok(None) };
    if r.status != RefundStatus::Pending || r.stripe_refund.is_some() {
        return Ok(Some(r));
    }
    let Some((_, client)) = super::service::connection(pool, gw, scope).await? else {
        return Err(ApiError::new(
            actix_web::http::StatusCode::NOT_FOUND,
            ErrorCode::StripeNotConnected,
            "no Stripe account is connected in this mode",
        ));
    };
    let minor = super::amounts::to_stripe(r.amount, &r.currency)
        .map_err(|e| ApiError::bad_request(ErrorCode::AmountNotChargeable, e.to_string()))?;
    let answer = stripe_core::refund::CreateRefund::new()
        .payment_intent(intent.unwrap_or_default())
        .amount(minor)
        .metadata(HashMap::from([
            ("tollgate_refund".to_string(), r.id.to_string()),
            ("tollgate_credit_note".to_string(), r.credit_note_id.to_string()),
        ]))
        .customize()
        .request_strategy(idempotent(format!("tg_re_{}", r.id))?)
        .send(&client)
        .await;
    let (status, stripe_id, reason) = match answer {
        Ok(re) => {
            (refund_status(&re), Some(re.id.as_str().to_string()), re.failure_reason.map(|f| f.as_str().to_string()))
        }
        Err(e) => match classify(e) {
            Failure::Refused(f) => (RefundStatus::Failed, None, Some(f.message)),
            unknown => return Err(unknown.into_api_error()),
        },
    };
    crate::db::run(pool, move |conn| Ok(record(conn, scope, id, status, stripe_id, reason, now)?)).await
}

fn refund_status(re: &stripe_shared::Refund) -> RefundStatus {
    match re.status.as_deref() {
        Some("succeeded") => RefundStatus::Succeeded,
        Some("failed") | Some("canceled") => RefundStatus::Failed,
        _ => RefundStatus::Pending,
    }
}

/// Moves a refund forward (a settled refund never changes again).
fn record(
    conn: &mut PgConn,
    scope: Scope,
    id: RefundId,
    status: RefundStatus,
    stripe_refund: Option<String>,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> QueryResult<Option<Refund>> {
    let Some(mut r) = refunds::table
        .find((scope.tenant_id, scope.mode, id))
        .select(Refund::as_select())
        .for_update()
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    if r.status == RefundStatus::Pending {
        r.status = status;
        r.stripe_refund = stripe_refund.or(r.stripe_refund.take());
        r.failure_reason = reason;
        r.updated_at = now;
        diesel::update(refunds::table.find((scope.tenant_id, scope.mode, id))).set(&r).execute(conn)?;
        if status == RefundStatus::Failed {
            // The credit note stands; what could not go back to the card is the customer's
            // credit for later invoices.
            let customer = credit_notes::table
                .find((scope.tenant_id, scope.mode, r.credit_note_id))
                .select(credit_notes::customer_id)
                .first::<uuid::Uuid>(conn)
                .map(CustomerId)?;
            let credit = crate::invoices::repo::credit(conn, scope, customer, &r.currency, true)?;
            crate::invoices::repo::set_credit(conn, scope, customer, &r.currency, credit + r.amount)?;
            tracing::warn!(refund = %r.id, "a refund failed; its amount became customer credit");
        }
    }
    Ok(Some(r))
}

/// A `refund.updated` event: the refund as Stripe has it now.
pub async fn refresh(
    pool: &PgPool,
    client: &stripe::Client,
    scope: Scope,
    stripe_refund: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let Ok(id) = stripe_shared::RefundId::from_str(stripe_refund);
    let re = match stripe_core::refund::RetrieveRefund::new(id).send(client).await {
        Ok(re) => re,
        Err(e) => {
            return match classify(e) {
                Failure::Refused(_) => Ok(()),
                unknown => Err(unknown.into_api_error()),
            }
        }
    };
    let Some(ours) =
        re.metadata.as_ref().and_then(|m| m.get("tollgate_refund")).and_then(|v| v.parse::<RefundId>().ok())
    else {
        return Ok(());
    };
    let status = refund_status(&re);
    let (sid, reason) = (re.id.as_str().to_string(), re.failure_reason.map(|f| f.as_str().to_string()));
    crate::db::run(pool, move |conn| Ok(record(conn, scope, ours, status, Some(sid), reason, now).map(drop)?)).await
}

pub async fn list(
    state: &AppState,
    auth: Auth,
    invoice: Option<InvoiceId>,
    page: Page,
) -> ApiResult<List<CreditNoteResponse>> {
    let scope = auth.scope;
    crate::db::run(&state.pool, move |conn| {
        let mut q = credit_notes::table
            .filter(credit_notes::tenant_id.eq(scope.tenant_id))
            .filter(credit_notes::mode.eq(scope.mode))
            .select(CreditNote::as_select())
            .order(credit_notes::id.desc())
            .limit(page.fetch())
            .into_boxed();
        if let Some(inv) = invoice {
            q = q.filter(credit_notes::invoice_id.eq(inv));
        }
        if let Some(before) = page.before {
            q = q.filter(credit_notes::id.lt(before));
        }
        let rows = q.load(conn)?;
        let ids: Vec<CreditNoteId> = rows.iter().map(|c| c.id).collect();
        let mut by_note: HashMap<CreditNoteId, Refund> = refunds::table
            .filter(refunds::tenant_id.eq(scope.tenant_id))
            .filter(refunds::mode.eq(scope.mode))
            .filter(refunds::credit_note_id.eq_any(ids))
            .select(Refund::as_select())
            .load(conn)?
            .into_iter()
            .map(|r| (r.credit_note_id, r))
            .collect();
        Ok(List::from_rows(
            rows,
            page,
            |c| c.id.to_string(),
            |c| {
                let refund = by_note.remove(&c.id);
                CreditNoteResponse::new(c, refund)
            },
        ))
    })
    .await
}
