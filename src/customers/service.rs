use super::models::*;
use super::repo;
use crate::auth::Auth;
use crate::cache::Invalidation;
use crate::error::{on_unique_violation, ApiError, ApiResult, ErrorCode};
use crate::ids::CustomerId;
use crate::pagination::{List, Page};
use crate::state::AppState;
use crate::types::Email;

fn external_id_taken(e: diesel::result::Error) -> ApiError {
    on_unique_violation(ErrorCode::ExternalIdTaken, "another customer has this external_id", "external_id")(e)
}

fn metadata_json(m: Metadata) -> serde_json::Value {
    serde_json::to_value(m.0).expect("a string map serialises")
}

pub async fn create(state: &AppState, auth: Auth, req: CreateCustomerRequest) -> ApiResult<CustomerResponse> {
    let now = crate::testclock::now_for(state, auth.scope).await?;
    let c = Customer {
        tenant_id: auth.scope.tenant_id,
        mode: auth.scope.mode,
        id: CustomerId::new(),
        email: req.email.into_inner(),
        name: req.name.map(|n| n.into_inner()),
        external_id: req.external_id.map(|e| e.into_inner()),
        metadata: metadata_json(req.metadata.unwrap_or_default()),
        tax_rate: req.tax_rate.map(|t| t.0),
        created_at: now,
        deleted_at: None,
        billed_through: None,
    };
    let scope = auth.scope;
    crate::db::run(&state.pool, move |conn| {
        conn.build_transaction().run(|conn| {
            repo::insert(conn, &c).map_err(external_id_taken)?;
            let created = c.created_at;
            let answer = CustomerResponse::new(c, None);
            crate::events::emit(conn, scope, "customer.created", &answer, created)?;
            Ok(answer)
        })
    })
    .await
}

pub async fn get(state: &AppState, auth: Auth, id: CustomerId) -> ApiResult<CustomerResponse> {
    let scope = auth.scope;
    crate::db::run(&state.pool, move |conn| {
        let c = repo::find(conn, scope, id)?.ok_or_else(|| ApiError::not_found("customer"))?;
        Ok(repo::respond(conn, scope, c)?)
    })
    .await
}

pub async fn list(
    state: &AppState,
    auth: Auth,
    mut filter: repo::Filter,
    page: Page,
) -> ApiResult<List<CustomerResponse>> {
    let scope = auth.scope;
    // Emails are stored lower-cased; a malformed filter simply matches nothing.
    filter.email = filter.email.map(|e| Email::parse(&e).map(Email::into_inner).unwrap_or(e));
    crate::db::run(&state.pool, move |conn| {
        let rows = repo::list(conn, scope, &filter, page)?;
        let ids: Vec<CustomerId> = rows.iter().map(|c| c.id).collect();
        let mut profiles = repo::payment_profiles(conn, scope, &ids)?;
        Ok(List::from_rows(
            rows,
            page,
            |c| c.id.to_string(),
            |c| {
                let profile = profiles.remove(&c.id);
                CustomerResponse::new(c, profile)
            },
        ))
    })
    .await
}

pub async fn update(
    state: &AppState,
    auth: Auth,
    id: CustomerId,
    req: UpdateCustomerRequest,
) -> ApiResult<CustomerResponse> {
    let scope = auth.scope;
    let now = crate::testclock::now_for(state, scope).await?;
    let changes = CustomerChangeset {
        email: req.email.map(Email::into_inner),
        name: req.name.map(|n| n.map(|n| n.into_inner())),
        external_id: req.external_id.map(|e| e.map(|e| e.into_inner())),
        metadata: req.metadata.map(metadata_json),
        tax_rate: req.tax_rate.map(|t| t.map(|t| t.0)),
    };
    let nothing = changes.email.is_none()
        && changes.name.is_none()
        && changes.external_id.is_none()
        && changes.metadata.is_none()
        && changes.tax_rate.is_none();
    let c = state
        .caches
        .write(&state.pool, move |conn, cached| {
            let updated = if nothing {
                repo::find(conn, scope, id)?
            } else {
                let updated = repo::update(conn, scope, id, &changes).map_err(external_id_taken)?;
                cached.invalidate(Invalidation::Customer(scope, id));
                updated
            };
            let c = updated.ok_or_else(|| ApiError::not_found("customer"))?;
            let answer = repo::respond(conn, scope, c)?;
            if !nothing {
                crate::events::emit(conn, scope, "customer.updated", &answer, now)?;
            }
            Ok(answer)
        })
        .await?;
    Ok(c)
}

/// Deletes a customer that has no subscription in force. Its history stays for invoices.
pub async fn delete(state: &AppState, auth: Auth, id: CustomerId) -> ApiResult<DeletedCustomer> {
    let scope = auth.scope;
    let now = crate::testclock::now_for(state, scope).await?;
    state
        .caches
        .write(&state.pool, move |conn, changes| {
            repo::find(conn, scope, id)?.ok_or_else(|| ApiError::not_found("customer"))?;
            if repo::has_open_subscription(conn, scope, id)? {
                return Err(ApiError::conflict(
                    ErrorCode::CustomerHasSubscription,
                    "the customer has a subscription that is not canceled; cancel it first",
                ));
            }
            repo::soft_delete(conn, scope, id, now)?;
            changes.invalidate(Invalidation::Customer(scope, id));
            let answer = DeletedCustomer { id, deleted: true };
            crate::events::emit(conn, scope, "customer.deleted", &answer, now)?;
            Ok(answer)
        })
        .await
}
