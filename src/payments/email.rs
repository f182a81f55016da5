//! The email a customer gets when a payment fails or needs them (3-D Secure): what happened,
//! and a fresh link to Stripe's page (Checkout in setup mode) where they give or confirm a
//! card. A new card is charged at once.

use askama::Template;
use lettre::message::Mailbox;

use super::gateway::Gateway;
use super::models::AttemptStatus;
use crate::db::PgPool;
use crate::email::Mailer;
use crate::error::{ApiError, ApiResult};
use crate::ids::PaymentId;
use crate::tenancy::Scope;

#[derive(Template)]
#[template(path = "payment_email.html")]
struct Html<'a> {
    view: &'a View,
    subject: &'a str,
}

#[derive(Template)]
#[template(path = "payment_email.txt")]
struct Text<'a> {
    view: &'a View,
}

struct View {
    heading: String,
    number: String,
    tenant_name: String,
    amount: String,
    reason: Option<String>,
    instruction: String,
    action: String,
    link: String,
}

impl std::ops::Deref for Html<'_> {
    type Target = View;
    fn deref(&self) -> &View {
        self.view
    }
}

impl std::ops::Deref for Text<'_> {
    type Target = View;
    fn deref(&self) -> &View {
        self.view
    }
}

pub struct Context<'a> {
    pub pool: &'a PgPool,
    pub gateway: &'a Gateway,
    pub mailer: &'a std::sync::Arc<Mailer>,
    pub from: &'a str,
    pub public_url: &'a str,
}

pub async fn send(cx: Context<'_>, scope: Scope, payment: PaymentId) -> ApiResult<()> {
    let loaded = crate::db::run(cx.pool, move |conn| {
        if !crate::accounts::repo::email_on(conn, scope.tenant_id, crate::notices::EmailKind::PaymentFailed)? {
            return Ok(None);
        }
        let Some(p) = super::repo::lock_payment(conn, scope, payment)? else { return Ok(None) };
        let Some(doc) = crate::invoices::document::Loaded::load(conn, scope, p.invoice_id)? else { return Ok(None) };
        Ok(Some((p, doc)))
    })
    .await?;
    let Some((p, doc)) = loaded else { return Ok(()) };
    // Only while the invoice still waits for the customer.
    if doc.inv.status != crate::invoices::models::InvoiceStatus::Open
        || !matches!(p.status, AttemptStatus::Failed | AttemptStatus::RequiresAction)
    {
        return Ok(());
    }
    let Some((_, client)) = super::service::connection(cx.pool, cx.gateway, scope).await? else { return Ok(()) };
    let back = doc.tenant.pricing_url.clone().unwrap_or_else(|| cx.public_url.to_string());
    let link = super::service::setup_session(&client, &p.customer_id, &p.currency, &back, cx.pool, scope).await?;
    let c = doc.inv.currency();
    let amount = format!("{} {}", c.code(), c.format(p.amount));
    let number = doc.inv.number.clone().unwrap_or_default();
    let (heading, instruction, action) = if p.status == AttemptStatus::RequiresAction {
        (
            "Please confirm your payment".to_string(),
            "Your bank asks you to confirm this payment (3-D Secure). Confirm your card on Stripe's page; we charge it right after.".to_string(),
            "Confirm your card".to_string(),
        )
    } else {
        (
            "Your payment failed".to_string(),
            "Update your payment method and we will charge it right away.".to_string(),
            "Update your payment method".to_string(),
        )
    };
    let subject = format!("{heading}: {amount} for invoice {number} from {}", doc.tenant.name);
    let view = View {
        heading,
        number,
        tenant_name: doc.tenant.name.clone(),
        amount,
        reason: p.failure_message.clone(),
        instruction,
        action,
        link,
    };
    let html = Html { view: &view, subject: &subject }.render().map_err(|e| ApiError::internal(anyhow::anyhow!(e)))?;
    let text = Text { view: &view }.render().map_err(|e| ApiError::internal(anyhow::anyhow!(e)))?;
    let sender = Mailbox::new(
        Some(doc.tenant.name.clone()),
        cx.from.parse().map_err(|e| ApiError::internal(anyhow::anyhow!("EMAIL_FROM: {e}")))?,
    );
    let (mailer, to) = (cx.mailer.clone(), doc.customer.email.clone());
    actix_web::web::block(move || mailer.send(sender, &to, &subject, html, text))
        .await
        .map_err(|e| ApiError::internal(anyhow::anyhow!("email task: {e}")))?
        .map_err(ApiError::internal)
}
