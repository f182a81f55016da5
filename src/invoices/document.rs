//! The invoice as a printable HTML page (from `templates/invoice.html`) and as plain text (the
//! email's alternative part).

use askama::Template;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::models::{Invoice, LineDraft};
use crate::accounts::models::Tenant;
use crate::customers::models::Customer;
use crate::db::PgConn;
use crate::error::{ApiError, ApiResult};
use crate::ids::InvoiceId;
use crate::money::{format_min_scale, Currency};
use crate::tenancy::Scope;

/// `1234567.5` → `1,234,567.5`.
pub fn group(d: Decimal) -> String {
    let s = d.normalize().to_string();
    let (sign, rest) = s.strip_prefix('-').map_or(("", s.as_str()), |r| ("-", r));
    let (int, frac) = rest.split_once('.').map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut out = String::with_capacity(s.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

pub fn day(t: DateTime<Utc>) -> String {
    t.format("%b %-d, %Y").to_string()
}

pub fn span(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    format!("{} – {}", day(from), day(to))
}

/// An amount with its currency and the minor unit's digits: `USD 12,345.50`, `JPY 1,235`.
fn money(c: Currency, d: Decimal) -> String {
    let formatted = c.format(c.round(d));
    let (sign, body) = formatted.strip_prefix('-').map_or(("", formatted.as_str()), |b| ("-", b));
    let (int, frac) = body.split_once('.').map_or((body, None), |(i, f)| (i, Some(f)));
    let int = group(int.parse().unwrap_or_default());
    match frac {
        Some(f) => format!("{} {sign}{int}.{f}", c.code()),
        None => format!("{} {sign}{int}", c.code()),
    }
}

fn price(c: Currency, d: Decimal) -> String {
    format!("{} {}", c.code(), format_min_scale(d, c.minor_units()))
}

struct TierView {
    range: String,
    quantity: String,
    unit_amount: String,
    flat_amount: Option<String>,
    amount: String,
}

struct LineView {
    description: String,
    period: String,
    quantity: String,
    unit_amount: String,
    amount: String,
    tiers: Vec<TierView>,
}

#[derive(Template)]
#[template(path = "invoice.html")]
struct Document {
    title: String,
    number: String,
    status: String,
    tenant_name: String,
    customer_name: Option<String>,
    customer_email: String,
    issued: String,
    due: String,
    period: String,
    currency: String,
    lines: Vec<LineView>,
    subtotal: String,
    tax_rate: Option<String>,
    tax: String,
    total: String,
    credit_applied: Option<String>,
    amount_due: String,
    reference: String,
}

/// An invoice with everything its document shows: its lines, the tenant and the customer.
pub struct Loaded {
    pub inv: Invoice,
    pub lines: Vec<LineDraft>,
    pub tenant: Tenant,
    pub customer: Customer,
}

impl Loaded {
    /// `None` when the scope has no such invoice.
    pub fn load(conn: &mut PgConn, scope: Scope, id: InvoiceId) -> ApiResult<Option<Loaded>> {
        let Some(inv) = super::repo::find(conn, scope, id)? else { return Ok(None) };
        let lines = super::repo::lines(conn, &inv)?;
        let customer = crate::customers::repo::find_any(conn, scope, inv.customer_id)?
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("an invoice without its customer")))?;
        let tenant =
            crate::accounts::repo::find_tenant(conn, scope.tenant_id)?.ok_or_else(|| ApiError::not_found("tenant"))?;
        Ok(Some(Loaded { inv, lines, tenant, customer }))
    }

    /// The printable HTML page.
    pub fn html(&self) -> ApiResult<String> {
        view(self).render().map_err(ApiError::internal)
    }

    /// The same in plain text (the email's alternative part).
    pub fn text(&self) -> String {
        text(&view(self))
    }
}

fn number(inv: &Invoice) -> String {
    inv.number.clone().unwrap_or_else(|| "(draft)".into())
}

fn view(l: &Loaded) -> Document {
    let (inv, lines) = (&l.inv, &l.lines);
    let c = inv.currency();
    Document {
        title: format!("Invoice {} · {}", number(inv), l.tenant.name),
        number: number(inv),
        status: inv.status.as_str().to_string(),
        tenant_name: l.tenant.name.clone(),
        customer_name: l.customer.name.clone(),
        customer_email: l.customer.email.clone(),
        issued: inv.issued_at.map_or_else(|| "not yet".into(), day),
        due: inv.due_at.map_or_else(|| "not yet".into(), day),
        period: span(inv.period_start, inv.period_end),
        currency: c.code().to_string(),
        lines: lines
            .iter()
            .map(|l| LineView {
                description: l.description.clone(),
                period: span(l.period_start, l.period_end),
                quantity: group(l.quantity),
                unit_amount: l.unit_amount.map_or_else(|| "tiered".into(), |u| price(c, u)),
                amount: money(c, l.amount),
                tiers: l
                    .tiers
                    .iter()
                    .map(|t| TierView {
                        range: match t.up_to {
                            Some(u) => format!("{} to {}", group(t.from), group(u)),
                            None => format!("above {}", group(t.from)),
                        },
                        quantity: group(t.quantity),
                        unit_amount: price(c, t.unit_amount),
                        flat_amount: (!t.flat_amount.is_zero()).then(|| price(c, t.flat_amount)),
                        amount: price(c, t.amount),
                    })
                    .collect(),
            })
            .collect(),
        subtotal: money(c, inv.subtotal),
        tax_rate: inv.tax_rate.map(group),
        tax: money(c, inv.tax),
        total: money(c, inv.total),
        credit_applied: (!inv.credit_applied.is_zero()).then(|| money(c, inv.credit_applied)),
        amount_due: money(c, inv.amount_due),
        reference: inv.id.to_string(),
    }
}

fn text(d: &Document) -> String {
    let mut out = format!(
        "Invoice {} from {}\n\nIssued: {}\nDue: {}\nPeriod: {}\n\n",
        d.number, d.tenant_name, d.issued, d.due, d.period
    );
    for l in &d.lines {
        out.push_str(&format!("{}\n  {} × {} = {}\n", l.description, l.quantity, l.unit_amount, l.amount));
        for t in &l.tiers {
            out.push_str(&format!("    {}: {} × {} = {}\n", t.range, t.quantity, t.unit_amount, t.amount));
        }
    }
    out.push_str(&format!("\nSubtotal: {}\nTax: {}\nTotal: {}\n", d.subtotal, d.tax, d.total));
    if let Some(c) = &d.credit_applied {
        out.push_str(&format!("Credit applied: {c}\n"));
    }
    out.push_str(&format!("Amount due: {}\n", d.amount_due));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        for (n, want) in [
            ("0", "0"),
            ("999", "999"),
            ("1000", "1,000"),
            ("1234567.50", "1,234,567.5"),
            ("-50000", "-50,000"),
            ("100000", "100,000"),
        ] {
            assert_eq!(group(Decimal::from_str(n).unwrap()), want);
        }
        let usd = Currency::parse("USD").unwrap();
        assert_eq!(money(usd, Decimal::from_str("12345.5").unwrap()), "USD 12,345.50");
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(money(jpy, Decimal::from_str("1234567").unwrap()), "JPY 1,234,567");
        assert_eq!(money(usd, Decimal::from_str("-0.5").unwrap()), "USD -0.50");
    }
}
