//! The customer emails other than the invoice and the failed payment (which their domains
//! send): a payment receipt, usage at 80 % and 100 % of a limit, a trial ending in three days, a
//! subscription canceled. Each is a
//! job ([`crate::notices::NOTICE`]) the triggering domain schedules; this module registers its
//! runner, which skips a kind the tenant turned off, and writes the email as HTML with a
//! plain-text part (`templates/notice.html`, `.txt`), from the tenant's name.

use askama::Template;
use diesel::prelude::*;
use lettre::message::Mailbox;

use crate::db::PgConn;
use crate::error::{ApiError, ApiResult};
use crate::ids::{PaymentId, SubscriptionId};
use crate::invoices::document::{day, group};
use crate::jobs::{Job, Registry, Runner};
use crate::money::Currency;
use crate::notices::{EmailKind, NOTICE};
use crate::tenancy::Scope;

pub fn register(registry: &mut Registry) {
    registry.register(NOTICE, run);
}

#[derive(Template)]
#[template(path = "notice.html")]
struct Html<'a> {
    subject: &'a str,
    heading: &'a str,
    intro: &'a str,
    rows: &'a [(String, String)],
    outro: Option<&'a str>,
    tenant_name: &'a str,
}

#[derive(Template)]
#[template(path = "notice.txt")]
struct Text<'a> {
    heading: &'a str,
    intro: &'a str,
    rows: &'a [(String, String)],
    outro: Option<&'a str>,
    tenant_name: &'a str,
}

/// Tells the tenant's people that a webhook endpoint was disabled (from Tollgate, to every person
/// of the tenant).
pub fn endpoint_disabled(
    conn: &mut PgConn,
    runner: &Runner<'_>,
    tenant: crate::ids::TenantId,
    url: &str,
    reason: &str,
) -> ApiResult<()> {
    use crate::schema::users;
    let Some(t) = crate::accounts::repo::find_tenant(conn, tenant)? else { return Ok(()) };
    let people: Vec<String> = users::table.filter(users::tenant_id.eq(tenant)).select(users::email).load(conn)?;
    for to in people {
        let notice = Notice {
            to,
            subject: format!("A webhook endpoint of {} was disabled", t.name),
            heading: "A webhook endpoint was disabled".into(),
            intro: format!("Tollgate stopped sending events to {url}."),
            rows: vec![("Endpoint".into(), url.to_string()), ("Why".into(), reason.to_string())],
            outro: Some(
                "Fix the endpoint, then enable it again (PATCH /v1/webhook-endpoints/{id} with \"status\": \"enabled\"); \
                 the events of the meantime can be sent again with POST /v1/events/{id}/redeliver."
                    .into(),
            ),
        };
        send(runner, "Tollgate", notice)?;
    }
    Ok(())
}

/// An email, before rendering.
struct Notice {
    to: String,
    subject: String,
    heading: String,
    intro: String,
    rows: Vec<(String, String)>,
    outro: Option<String>,
}

fn run(conn: &mut PgConn, runner: &Runner<'_>, job: &Job) -> ApiResult<()> {
    let scope = job.scope();
    let (kind, id) = job.subject.split_once('/').unwrap_or_default();
    let kind =
        EmailKind::parse(kind).ok_or_else(|| ApiError::internal(anyhow::anyhow!("bad email job {:?}", job.subject)))?;
    if !crate::accounts::repo::email_on(conn, scope.tenant_id, kind)? {
        return Ok(());
    }
    let Some(tenant) = crate::accounts::repo::find_tenant(conn, scope.tenant_id)? else { return Ok(()) };
    let notice = match kind {
        EmailKind::Receipt => receipt(conn, scope, job.subject_part_as(id)?, &tenant.name)?,
        EmailKind::TrialEnding => trial_ending(conn, scope, job.subject_part_as(id)?, &tenant.name)?,
        EmailKind::SubscriptionCanceled => canceled(conn, scope, job.subject_part_as(id)?, &tenant.name)?,
        EmailKind::UsageThreshold => {
            usage_threshold(conn, scope, job.subject_part_as(id)?, &tenant.name, tenant.pricing_url.as_deref())?
        }
        // Written by their own domains.
        EmailKind::Invoice | EmailKind::PaymentFailed => None,
    };
    let Some(n) = notice else { return Ok(()) };
    send(runner, &tenant.name, n)
}

/// Renders and sends one email from the tenant's name.
fn send(runner: &Runner<'_>, tenant: &str, n: Notice) -> ApiResult<()> {
    let html = Html {
        subject: &n.subject,
        heading: &n.heading,
        intro: &n.intro,
        rows: &n.rows,
        outro: n.outro.as_deref(),
        tenant_name: tenant,
    }
    .render()
    .map_err(|e| ApiError::internal(anyhow::anyhow!(e)))?;
    let text =
        Text { heading: &n.heading, intro: &n.intro, rows: &n.rows, outro: n.outro.as_deref(), tenant_name: tenant }
            .render()
            .map_err(|e| ApiError::internal(anyhow::anyhow!(e)))?;
    let from = runner.email_from.parse().map_err(|e| ApiError::internal(anyhow::anyhow!("EMAIL_FROM: {e}")))?;
    let sender = Mailbox::new(Some(tenant.to_string()), from);
    runner.mailer.send(sender, &n.to, &n.subject, html, text).map_err(ApiError::internal)
}

fn receipt(conn: &mut PgConn, scope: Scope, id: PaymentId, tenant: &str) -> ApiResult<Option<Notice>> {
    use crate::schema::payments;
    type Row = (uuid::Uuid, rust_decimal::Decimal, String, chrono::DateTime<chrono::Utc>);
    let found: Option<Row> = payments::table
        .find((scope.tenant_id, scope.mode, id.0))
        .filter(payments::status.eq("succeeded"))
        .select((payments::invoice_id, payments::amount, payments::currency, payments::updated_at))
        .first(conn)
        .optional()?;
    let Some((invoice, amount, currency, paid_at)) = found else { return Ok(None) };
    let Some(inv) = crate::invoices::repo::find(conn, scope, crate::ids::InvoiceId(invoice))? else { return Ok(None) };
    let Some(customer) = crate::customers::repo::find_any(conn, scope, inv.customer_id)? else { return Ok(None) };
    let c = Currency::parse(&currency).map_err(|e| ApiError::internal(anyhow::anyhow!(e)))?;
    let paid = format!("{} {}", c.code(), c.format(amount));
    let number = inv.number.clone().unwrap_or_default();
    let mut rows = vec![
        ("Invoice".to_string(), number.clone()),
        ("Amount paid".to_string(), paid.clone()),
        ("Paid on".to_string(), day(paid_at)),
    ];
    let profiles = crate::customers::repo::payment_profiles(conn, scope, &[customer.id])?;
    if let Some(pm) = profiles.get(&customer.id) {
        if let (Some(brand), Some(last4)) = (&pm.pm_brand, &pm.pm_last4) {
            rows.push(("Payment method".to_string(), format!("{brand} ending in {last4}")));
        }
    }
    Ok(Some(Notice {
        to: customer.email,
        subject: format!("Receipt from {tenant}: {paid} paid for invoice {number}"),
        heading: "Thank you for your payment".into(),
        intro: format!("We received your payment for invoice {number}."),
        rows,
        outro: None,
    }))
}

/// The subscription, its plan's name and price, and its customer's email.
fn subscription_facts(
    conn: &mut PgConn,
    scope: Scope,
    id: SubscriptionId,
) -> ApiResult<Option<(crate::subscriptions::models::Subscription, String, String, String)>> {
    let Some(sub) = crate::subscriptions::repo::find(conn, scope, id)? else { return Ok(None) };
    let v = crate::catalog::repo::referenced_version(conn, scope, sub.plan_id, sub.plan_version)?;
    let Some(customer) = crate::customers::repo::find_any(conn, scope, sub.customer_id)? else { return Ok(None) };
    Ok(Some((sub, v.name.clone(), v.price_label(), customer.email)))
}

fn trial_ending(conn: &mut PgConn, scope: Scope, id: SubscriptionId, tenant: &str) -> ApiResult<Option<Notice>> {
    let Some((sub, plan, price, to)) = subscription_facts(conn, scope, id)? else { return Ok(None) };
    let Some(end) = sub.trial_end.filter(|_| sub.status == crate::subscriptions::models::Status::Trialing) else {
        return Ok(None);
    };
    Ok(Some(Notice {
        to,
        subject: format!("Your {plan} trial with {tenant} ends on {}", day(end)),
        heading: format!("Your trial ends on {}", day(end)),
        intro: format!("Your trial of {plan} ends in three days. Your subscription then continues at its price."),
        rows: vec![("Plan".into(), plan), ("Trial ends".into(), day(end)), ("Then".into(), price)],
        outro: Some("To keep access without interruption, make sure a payment method is on file.".into()),
    }))
}

fn usage_threshold(
    conn: &mut PgConn,
    scope: Scope,
    id: uuid::Uuid,
    tenant: &str,
    pricing_url: Option<&str>,
) -> ApiResult<Option<Notice>> {
    let Some(t) = crate::usage::thresholds::find(conn, scope, id)? else { return Ok(None) };
    let Some(customer) = crate::customers::repo::find(conn, scope, t.customer)? else { return Ok(None) };
    let feature = crate::catalog::repo::find_feature(conn, scope, &t.feature)?;
    let name = feature.as_ref().map_or(t.feature.clone(), |f| f.name.clone());
    let unit = feature.and_then(|f| f.unit).map(|u| format!(" {u}")).unwrap_or_default();
    let (used, limit) = (group(t.used.0), group(t.limit.0));
    let (subject, heading) = if t.threshold >= 100 {
        (format!("You have reached your {name} limit with {tenant}"), format!("You have reached your {name} limit"))
    } else {
        (
            format!("You have used {}% of your {name} limit with {tenant}", t.threshold),
            format!("{}% of your {name} limit is used", t.threshold),
        )
    };
    let resets = t.resets_at.map_or_else(|| "Never".to_string(), day);
    let outro = match pricing_url {
        Some(url) => format!("For a higher limit, change your plan: {url}"),
        None => "For a higher limit, change your plan.".to_string(),
    };
    Ok(Some(Notice {
        to: customer.email,
        subject,
        heading,
        intro: format!("You have used {used} of the {limit}{unit} of {name} your plan includes in this period."),
        rows: vec![
            ("Feature".into(), name),
            ("Used".into(), format!("{used} of {limit}{unit}")),
            ("Resets on".into(), resets),
        ],
        outro: Some(outro),
    }))
}

fn canceled(conn: &mut PgConn, scope: Scope, id: SubscriptionId, tenant: &str) -> ApiResult<Option<Notice>> {
    let Some((sub, plan, _, to)) = subscription_facts(conn, scope, id)? else { return Ok(None) };
    let Some(at) = sub.canceled_at.filter(|_| sub.status == crate::subscriptions::models::Status::Canceled) else {
        return Ok(None);
    };
    let mut rows = vec![("Plan".to_string(), plan.clone()), ("Canceled on".to_string(), day(at))];
    if let Some(ended) = sub.ended_at {
        rows.push(("Access ended".to_string(), day(ended)));
    }
    Ok(Some(Notice {
        to,
        subject: format!("Your {plan} subscription with {tenant} is canceled"),
        heading: "Your subscription is canceled".into(),
        intro: format!("Your subscription to {plan} is canceled."),
        rows,
        outro: Some("You can subscribe again at any time.".into()),
    }))
}
