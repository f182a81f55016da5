//! The invoice email, sent by a job once an invoice is finalized.

use lettre::message::Mailbox;

use super::document::Loaded;
use crate::db::PgConn;
use crate::email::Mailer;
use crate::error::{ApiError, ApiResult};
use crate::ids::InvoiceId;
use crate::tenancy::Scope;

pub fn send(
    conn: &mut PgConn,
    mailer: &Mailer,
    from: &str,
    public_url: &str,
    scope: Scope,
    id: InvoiceId,
) -> ApiResult<()> {
    if !crate::accounts::repo::email_on(conn, scope.tenant_id, crate::notices::EmailKind::Invoice)? {
        return Ok(());
    }
    let Some(doc) = Loaded::load(conn, scope, id)? else { return Ok(()) };
    let html = doc.html()?;
    let mut text = doc.text();
    let (inv, tenant) = (&doc.inv, &doc.tenant);
    text.push_str(&format!("\nView it online through the API: {public_url}/v1/invoices/{}/document\n", inv.id));
    let number = inv.number.as_deref().unwrap_or("(draft)");
    let c = inv.currency();
    let subject = format!("Invoice {number} from {}: {} {} due", tenant.name, c.code(), c.format(inv.amount_due));
    let sender = Mailbox::new(
        Some(tenant.name.clone()),
        from.parse().map_err(|e| ApiError::internal(anyhow::anyhow!("EMAIL_FROM: {e}")))?,
    );
    mailer.send(sender, &doc.customer.email, &subject, html, text).map_err(ApiError::internal)
}
