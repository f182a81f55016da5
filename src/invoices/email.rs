//! The invoice email, sent by a job once an invoice is finalized.

use lettre::message::Mailbox;

use super::document::{self, Parties};
use super::repo;
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
    let Some(inv) = repo::find(conn, scope, id)? else { return Ok(()) };
    let lines = repo::lines(conn, &inv)?;
    let customer = crate::customers::repo::find_any(conn, scope, inv.customer_id)?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("an invoice without its customer")))?;
    let tenant =
        crate::accounts::repo::find_tenant(conn, scope.tenant_id)?.ok_or_else(|| ApiError::not_found("tenant"))?;
    let who =
        Parties { tenant_name: &tenant.name, customer_name: customer.name.as_deref(), customer_email: &customer.email };
    let html = document::html(&inv, &lines, &who).map_err(ApiError::internal)?;
    let mut text = document::text(&inv, &lines, &who);
    text.push_str(&format!("\nView it online through the API: {public_url}/v1/invoices/{}/document\n", inv.id));
    let number = inv.number.as_deref().unwrap_or("(draft)");
    let c = inv.currency();
    let subject = format!("Invoice {number} from {}: {} {} due", tenant.name, c.code(), c.format(inv.amount_due));
    let sender = Mailbox::new(
        Some(tenant.name.clone()),
        from.parse().map_err(|e| ApiError::internal(anyhow::anyhow!("EMAIL_FROM: {e}")))?,
    );
    mailer.send(sender, &customer.email, &subject, html, text).map_err(ApiError::internal)
}
