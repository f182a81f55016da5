//! Customers: the list with its search, a customer's page (subscriptions, usage, invoices) and
//! "open the portal as this customer".

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;

use super::sessions::Signed;
use super::web::{layout, next_page, page_of, Layout, Names, Posted};
use crate::auth::id_from_path;
use crate::customers::models::CustomerResponse;
use crate::entitlements::service::EntitlementResponse;
use crate::ids::CustomerId;
use crate::invoices::models::InvoiceResponse;
use crate::pagination::Page;
use crate::portal::web::{error_page, page, see_other};
use crate::state::AppState;
use crate::subscriptions::models::SubscriptionResponse;

/// Rows per page of a dashboard list.
pub const PER_PAGE: i64 = 25;

#[derive(Template)]
#[template(path = "dashboard/customers.html")]
struct Customers {
    l: Layout,
    search: String,
    customers: Vec<CustomerResponse>,
    /// The next page's address, if there is one.
    next: Option<String>,
}

#[get("/dashboard/customers")]
pub async fn list(state: web::Data<AppState>, s: Signed, req: HttpRequest) -> HttpResponse {
    let q = super::web::query(&req);
    let search = q.get("search").map(|v| v.trim().to_string()).unwrap_or_default();
    let t = async {
        let l = layout(&state, &s, "customers").await?.with_notice(&q);
        let rows = page_of(&q)?;
        let filter = crate::customers::repo::Filter {
            search: (!search.is_empty()).then(|| search.chars().take(200).collect()),
            ..Default::default()
        };
        let list = crate::customers::service::list(&state, s.auth(), filter, rows).await?;
        let filter = (!search.is_empty()).then_some(("search", search.as_str()));
        let next = next_page("/dashboard/customers", filter, list.next_cursor);
        Ok(Customers { l, search: search.clone(), customers: list.data, next })
    }
    .await;
    page(t, "/dashboard")
}

#[derive(Template)]
#[template(path = "dashboard/customer.html")]
struct CustomerPage {
    l: Layout,
    c: CustomerResponse,
    subscriptions: Vec<SubscriptionResponse>,
    usage: Vec<EntitlementResponse>,
    rows: Vec<InvoiceResponse>,
    names: Names,
    /// Where the invoices' forms return.
    back: String,
}

#[get("/dashboard/customers/{id}")]
pub async fn detail(state: web::Data<AppState>, s: Signed, id: web::Path<String>, req: HttpRequest) -> HttpResponse {
    let q = super::web::query(&req);
    let t = async {
        let id: CustomerId = id_from_path(&id)?;
        let l = layout(&state, &s, "customers").await?.with_notice(&q);
        let c = crate::customers::service::get(&state, s.auth(), id).await?;
        let latest = Page::from_params(Some(PER_PAGE), None)?;
        let subscriptions = crate::subscriptions::service::list(&state, s.auth(), Some(id), None, latest).await?.data;
        let usage = crate::entitlements::service::list(&state, s.auth(), id).await?.data;
        let rows = crate::invoices::service::list(&state, s.auth(), Some(id), None, latest).await?.data;
        let names = Names::one(c.id, c.email.clone());
        Ok(CustomerPage { l, c, subscriptions, usage, rows, names, back: format!("/dashboard/customers/{id}") })
    }
    .await;
    page(t, "/dashboard/customers")
}

/// Opens the customer's portal: a portal session made by the API's service (its link is good
/// for one use), then its address; the portal's "back" link returns to this page.
#[post("/dashboard/customers/{id}/portal")]
pub async fn open_portal(state: web::Data<AppState>, id: web::Path<String>, p: Posted) -> HttpResponse {
    let t = async {
        let id: CustomerId = id_from_path(&id)?;
        let back = format!("{}/dashboard/customers/{id}", state.settings.public_url.trim_end_matches('/'));
        let req = crate::portal::sessions::CreatePortalSessionRequest { customer: id, return_url: Some(back) };
        crate::portal::sessions::create(&state, p.signed.auth(), req).await
    }
    .await;
    match t {
        // The link's path (under the public URL's own path, if any), on the host the person is on.
        Ok(session) => match url::Url::parse(&session.url) {
            Ok(u) => see_other(u.path()),
            Err(_) => see_other(&session.url),
        },
        Err(e) => error_page(e, "/dashboard/customers"),
    }
}
