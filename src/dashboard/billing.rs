//! Plans, subscriptions, invoices (voiding and marking paid) and failed payments.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;

use super::sessions::Signed;
use super::web::{done, layout, names, next_page, page_of, query, Layout, Names, Posted};
use crate::auth::id_from_path;
use crate::catalog::models::PlanResponse;
use crate::ids::{CustomerId, InvoiceId};
use crate::invoices::models::{InvoiceResponse, InvoiceStatus};
use crate::payments::models::PaymentResponse;
use crate::portal::web::page;
use crate::state::AppState;
use crate::subscriptions::models::{Status, SubscriptionResponse};

// ---- Plans ----

#[derive(Template)]
#[template(path = "dashboard/plans.html")]
struct Plans {
    l: Layout,
    plans: Vec<PlanResponse>,
    next: Option<String>,
}

#[get("/dashboard/plans")]
pub async fn plans(state: web::Data<AppState>, s: Signed, req: HttpRequest) -> HttpResponse {
    let q = query(&req);
    let t = async {
        let l = layout(&state, &s, "plans").await?;
        let list = crate::catalog::service::list_plans(&state, s.auth(), page_of(&q)?, None).await?;
        Ok(Plans { l, plans: list.data, next: next_page("/dashboard/plans", None, list.next_cursor) })
    }
    .await;
    page(t, "/dashboard")
}

// ---- Subscriptions ----

#[derive(Template)]
#[template(path = "dashboard/subscriptions.html")]
struct Subscriptions {
    l: Layout,
    status: &'static str,
    subscriptions: Vec<SubscriptionResponse>,
    names: Names,
    next: Option<String>,
}

#[get("/dashboard/subscriptions")]
pub async fn subscriptions(state: web::Data<AppState>, s: Signed, req: HttpRequest) -> HttpResponse {
    let q = query(&req);
    let status = q.get("status").and_then(|v| Status::parse(v));
    let t = async {
        let l = layout(&state, &s, "subscriptions").await?;
        let list = crate::subscriptions::service::list(&state, s.auth(), None, status, page_of(&q)?).await?;
        let key = status.map(Status::as_str);
        let next = next_page("/dashboard/subscriptions", key.map(|k| ("status", k)), list.next_cursor);
        let names = names(&state, &s, list.data.iter().map(|x| x.customer).collect()).await?;
        Ok(Subscriptions { l, status: key.unwrap_or(""), subscriptions: list.data, names, next })
    }
    .await;
    page(t, "/dashboard")
}

// ---- Invoices ----

#[derive(Template)]
#[template(path = "dashboard/invoices.html")]
struct Invoices {
    l: Layout,
    status: &'static str,
    rows: Vec<InvoiceResponse>,
    names: Names,
    next: Option<String>,
    /// Where the rows' forms return: this list, with its filter.
    back: String,
}

#[get("/dashboard/invoices")]
pub async fn invoices(state: web::Data<AppState>, s: Signed, req: HttpRequest) -> HttpResponse {
    let q = query(&req);
    let status = q.get("status").and_then(|v| InvoiceStatus::parse(v)).filter(|s| *s != InvoiceStatus::Upcoming);
    let t = async {
        let l = layout(&state, &s, "invoices").await?.with_notice(&q);
        let list = crate::invoices::service::list(&state, s.auth(), None, status, page_of(&q)?).await?;
        let key = status.map(InvoiceStatus::as_str);
        let next = next_page("/dashboard/invoices", key.map(|k| ("status", k)), list.next_cursor);
        let names = names(&state, &s, list.data.iter().map(|i| i.summary.customer).collect()).await?;
        let back = key.map_or_else(|| "/dashboard/invoices".to_string(), |k| format!("/dashboard/invoices?status={k}"));
        Ok(Invoices { l, status: key.unwrap_or(""), rows: list.data, names, next, back })
    }
    .await;
    page(t, "/dashboard")
}

/// Where an invoice action returns: the page the form was on (`back`: an invoice list or a
/// customer's page), else the invoices.
fn back_of(p: &Posted) -> String {
    match p.fields.get("back").map(String::as_str) {
        // A path of ours (with a status filter, say), in characters that need no escaping:
        // nothing to break out of a header with.
        Some(b)
            if b.starts_with("/dashboard/")
                && !b.contains("//")
                && b.bytes().all(|c| c.is_ascii_alphanumeric() || b"/_-?=".contains(&c)) =>
        {
            b.to_string()
        }
        _ => "/dashboard/invoices".to_string(),
    }
}

#[post("/dashboard/invoices/{id}/void")]
pub async fn void(state: web::Data<AppState>, id: web::Path<String>, p: Posted) -> HttpResponse {
    let back = back_of(&p);
    let t =
        async { crate::invoices::service::void(&state, p.signed.auth(), id_from_path::<InvoiceId>(&id)?).await }.await;
    done(t, &back, "voided")
}

#[post("/dashboard/invoices/{id}/mark-paid")]
pub async fn mark_paid(state: web::Data<AppState>, id: web::Path<String>, p: Posted) -> HttpResponse {
    let back = back_of(&p);
    let t =
        async { crate::invoices::service::mark_paid(&state, p.signed.auth(), id_from_path::<InvoiceId>(&id)?).await }
            .await;
    done(t, &back, "paid")
}

// ---- Failed payments ----

#[derive(Template)]
#[template(path = "dashboard/payments.html")]
struct Payments {
    l: Layout,
    payments: Vec<(CustomerId, PaymentResponse)>,
    names: Names,
    next: Option<String>,
}

#[get("/dashboard/payments")]
pub async fn payments(state: web::Data<AppState>, s: Signed, req: HttpRequest) -> HttpResponse {
    let q = query(&req);
    let t = async {
        let l = layout(&state, &s, "payments").await?;
        let list = crate::payments::service::failed_payments(&state, s.auth(), page_of(&q)?).await?;
        let names = names(&state, &s, list.data.iter().map(|(c, _)| *c).collect()).await?;
        let next = next_page("/dashboard/payments", None, list.next_cursor);
        Ok(Payments { l, payments: list.data, names, next })
    }
    .await;
    page(t, "/dashboard")
}
