//! Webhook endpoints, the events API, deliveries and redelivery.

use base64::Engine;
use chrono::TimeDelta;
use diesel::prelude::*;
use rand::RngCore;

use super::address;
use super::delivery::Sender;
use super::models::*;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::ids::{EventId, WebhookEndpointId};
use crate::pagination::{List, Page};
use crate::schema::{events, webhook_deliveries, webhook_endpoints};
use crate::state::AppState;
use crate::tenancy::Scope;

/// How long the old secret still signs after a rotation.
pub const ROTATION_OVERLAP: TimeDelta = TimeDelta::hours(24);

/// `whsec_` and 24 random bytes in base64, as Standard Webhooks writes secrets.
fn new_secret() -> String {
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

fn url_not_allowed(e: address::Refused) -> ApiError {
    ApiError::bad_request(ErrorCode::UrlNotAllowed, format!("the URL cannot take webhooks: {e}")).with_param("url")
}

/// The URL, checked (the network check too, unless private networks are allowed).
async fn checked_url(sender: &Sender, raw: &str) -> ApiResult<String> {
    if raw.len() > 2048 {
        return Err(ApiError::invalid_param("url", "at most 2048 characters"));
    }
    let url = match address::parse(raw) {
        Ok(url) => url,
        Err(address::Refused::Private(_)) if sender.allow_private => return Ok(raw.to_string()),
        Err(e) => return Err(url_not_allowed(e)),
    };
    if !sender.allow_private {
        address::check(&url).await.map_err(url_not_allowed)?;
    }
    Ok(raw.to_string())
}

fn checked_events(events: Vec<String>) -> ApiResult<Vec<String>> {
    if events.is_empty() || events.len() > 100 {
        return Err(ApiError::invalid_param("events", "1 to 100 event types, or [\"*\"]"));
    }
    for (i, e) in events.iter().enumerate() {
        if e != "*" && !crate::events::TYPES.contains(&e.as_str()) {
            return Err(ApiError::invalid_param(format!("events[{i}]"), format!("{e:?} is not an event type")));
        }
    }
    let mut events = events;
    events.sort();
    events.dedup();
    Ok(events)
}

fn checked_description(d: Option<String>) -> ApiResult<Option<String>> {
    match d {
        Some(d) if d.chars().count() > 500 => Err(ApiError::invalid_param("description", "at most 500 characters")),
        other => Ok(other),
    }
}

fn find(conn: &mut crate::db::PgConn, scope: Scope, id: WebhookEndpointId) -> QueryResult<Option<Endpoint>> {
    webhook_endpoints::table
        .find((scope.tenant_id, scope.mode, id.0))
        .filter(webhook_endpoints::deleted_at.is_null())
        .select(Endpoint::as_select())
        .first(conn)
        .optional()
}

/// Webhook endpoints a tenant may have in one mode.
pub const MAX_ENDPOINTS: i64 = 16;

pub async fn create(
    state: &AppState,
    sender: &Sender,
    auth: Auth,
    req: CreateEndpointRequest,
) -> ApiResult<CreatedEndpoint> {
    let scope = auth.scope;
    let url = checked_url(sender, &req.url).await?;
    let events = checked_events(req.events)?;
    let description = checked_description(req.description)?;
    let id = WebhookEndpointId::new();
    let secret = new_secret();
    let e = Endpoint {
        tenant_id: scope.tenant_id,
        mode: scope.mode,
        id,
        url,
        events,
        description,
        status: "enabled".into(),
        disabled_reason: None,
        secret_sealed: sender.seal(scope, id, "secret", &secret),
        previous_secret_sealed: None,
        previous_secret_expires_at: None,
        failing_since: None,
        created_at: state.clock.now(),
        deleted_at: None,
    };
    let e = crate::db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            // The tenant's row, locked: two creations at once count one after the other.
            crate::schema::tenants::table
                .find(scope.tenant_id)
                .select(crate::schema::tenants::id)
                .for_update()
                .first::<uuid::Uuid>(conn)?;
            let count: i64 = webhook_endpoints::table
                .filter(webhook_endpoints::tenant_id.eq(scope.tenant_id))
                .filter(webhook_endpoints::mode.eq(scope.mode))
                .filter(webhook_endpoints::deleted_at.is_null())
                .count()
                .get_result(conn)?;
            if count >= MAX_ENDPOINTS {
                return Err(ApiError::bad_request(
                    ErrorCode::TooManyEndpoints,
                    format!("a mode has at most {MAX_ENDPOINTS} webhook endpoints: delete one first"),
                ));
            }
            diesel::insert_into(webhook_endpoints::table).values(&e).execute(conn)?;
            Ok(e)
        })
    })
    .await?;
    Ok(CreatedEndpoint { endpoint: e.into(), secret })
}

pub async fn list(state: &AppState, auth: Auth, page: Page) -> ApiResult<List<EndpointResponse>> {
    let scope = auth.scope;
    crate::db::run(&state.pool, move |conn| {
        let mut q = webhook_endpoints::table
            .filter(webhook_endpoints::tenant_id.eq(scope.tenant_id))
            .filter(webhook_endpoints::mode.eq(scope.mode))
            .filter(webhook_endpoints::deleted_at.is_null())
            .order(webhook_endpoints::id.desc())
            .limit(page.fetch())
            .select(Endpoint::as_select())
            .into_boxed();
        if let Some(before) = page.before {
            q = q.filter(webhook_endpoints::id.lt(before));
        }
        let rows = q.load(conn)?;
        Ok(List::from_rows(rows, page, |e| e.id.to_string(), EndpointResponse::from))
    })
    .await
}

pub async fn get(state: &AppState, auth: Auth, id: WebhookEndpointId) -> ApiResult<EndpointResponse> {
    let scope = auth.scope;
    let e = crate::db::run(&state.pool, move |conn| Ok(find(conn, scope, id)?)).await?;
    e.map(Into::into).ok_or_else(|| ApiError::not_found("webhook endpoint"))
}

pub async fn update(
    state: &AppState,
    sender: &Sender,
    auth: Auth,
    id: WebhookEndpointId,
    req: UpdateEndpointRequest,
) -> ApiResult<EndpointResponse> {
    let scope = auth.scope;
    let url = match req.url {
        Some(u) => Some(checked_url(sender, &u).await?),
        None => None,
    };
    let events = req.events.map(checked_events).transpose()?;
    let description = req.description.map(checked_description).transpose()?;
    let status = req.status;
    crate::db::run(&state.pool, move |conn| {
        conn.build_transaction().run(|conn| {
            let mut e = find(conn, scope, id)?.ok_or_else(|| ApiError::not_found("webhook endpoint"))?;
            if let Some(u) = url {
                e.url = u;
            }
            if let Some(ev) = events {
                e.events = ev;
            }
            if let Some(d) = description {
                e.description = d;
            }
            if let Some(s) = status {
                e.status = s.as_str().to_string();
                // Enabled again by the tenant: a fresh start.
                e.disabled_reason = None;
                e.failing_since = None;
            }
            diesel::update(webhook_endpoints::table.find((scope.tenant_id, scope.mode, id.0)))
                .set((
                    webhook_endpoints::url.eq(&e.url),
                    webhook_endpoints::events.eq(&e.events),
                    webhook_endpoints::description.eq(&e.description),
                    webhook_endpoints::status.eq(&e.status),
                    webhook_endpoints::disabled_reason.eq(&e.disabled_reason),
                    webhook_endpoints::failing_since.eq(e.failing_since),
                ))
                .execute(conn)?;
            Ok(e.into())
        })
    })
    .await
}

pub async fn delete(state: &AppState, auth: Auth, id: WebhookEndpointId) -> ApiResult<DeletedEndpoint> {
    let scope = auth.scope;
    let now = state.clock.now();
    crate::db::run(&state.pool, move |conn| {
        let n = diesel::update(
            webhook_endpoints::table
                .find((scope.tenant_id, scope.mode, id.0))
                .filter(webhook_endpoints::deleted_at.is_null()),
        )
        .set(webhook_endpoints::deleted_at.eq(Some(now)))
        .execute(conn)?;
        if n == 0 {
            return Err(ApiError::not_found("webhook endpoint"));
        }
        Ok(DeletedEndpoint { id, deleted: true })
    })
    .await
}

pub async fn rotate(state: &AppState, sender: &Sender, auth: Auth, id: WebhookEndpointId) -> ApiResult<RotatedSecret> {
    let scope = auth.scope;
    let now = state.clock.now();
    let secret = new_secret();
    let sealed_new = sender.seal(scope, id, "secret", &secret);
    // The key material is sealed off the database thread; the swap happens under the row lock,
    // so two rotations at once take turns (each answer's secret is the one that signs).
    let sender_key = sender.sealer();
    crate::db::run(&state.pool, move |conn| {
        conn.build_transaction().run(|conn| {
            let e = webhook_endpoints::table
                .find((scope.tenant_id, scope.mode, id.0))
                .filter(webhook_endpoints::deleted_at.is_null())
                .select(Endpoint::as_select())
                .for_update()
                .first(conn)
                .optional()?
                .ok_or_else(|| ApiError::not_found("webhook endpoint"))?;
            // The current secret becomes the previous one, sealed for that field.
            let old = sender_key.open(scope, id, "secret", &e.secret_sealed)?;
            let sealed_old = sender_key.seal(scope, id, "previous_secret", &old);
            diesel::update(webhook_endpoints::table.find((scope.tenant_id, scope.mode, id.0)))
                .set((
                    webhook_endpoints::secret_sealed.eq(sealed_new),
                    webhook_endpoints::previous_secret_sealed.eq(Some(sealed_old)),
                    webhook_endpoints::previous_secret_expires_at.eq(Some(now + ROTATION_OVERLAP)),
                ))
                .execute(conn)?;
            Ok::<_, ApiError>(())
        })
    })
    .await?;
    Ok(RotatedSecret { secret })
}

fn event_of(payload: serde_json::Value) -> ApiResult<EventResponse> {
    let bad = || ApiError::internal(anyhow::anyhow!("a stored event has no {{id, type}}"));
    Ok(EventResponse {
        id: payload["id"].as_str().and_then(|s| s.parse().ok()).ok_or_else(bad)?,
        kind: payload["type"].as_str().ok_or_else(bad)?.to_string(),
        created_at: serde_json::from_value(payload["created_at"].clone()).map_err(|_| bad())?,
        mode: serde_json::from_value(payload["mode"].clone()).map_err(|_| bad())?,
        data: payload["data"].clone(),
    })
}

pub async fn list_events(
    state: &AppState,
    auth: Auth,
    kind: Option<String>,
    page: Page,
) -> ApiResult<List<EventResponse>> {
    let scope = auth.scope;
    let rows: Vec<(uuid::Uuid, serde_json::Value)> = crate::db::run(&state.pool, move |conn| {
        let mut q = events::table
            .filter(events::tenant_id.eq(scope.tenant_id))
            .filter(events::mode.eq(scope.mode))
            .order(events::id.desc())
            .limit(page.fetch())
            .select((events::id, events::payload))
            .into_boxed();
        if let Some(k) = kind {
            q = q.filter(events::type_.eq(k));
        }
        if let Some(before) = page.before {
            q = q.filter(events::id.lt(before));
        }
        Ok(q.load(conn)?)
    })
    .await?;
    let has_more = rows.len() as i64 > page.limit;
    let mut data = Vec::new();
    for (_, payload) in rows.into_iter().take(page.limit as usize) {
        data.push(event_of(payload)?);
    }
    let next_cursor = if has_more { data.last().map(|e| e.id.to_string()) } else { None };
    Ok(List { data, has_more, next_cursor })
}

pub async fn get_event(state: &AppState, auth: Auth, id: EventId) -> ApiResult<EventResponse> {
    let scope = auth.scope;
    let payload: Option<serde_json::Value> = crate::db::run(&state.pool, move |conn| {
        Ok(events::table.find((scope.tenant_id, scope.mode, id.0)).select(events::payload).first(conn).optional()?)
    })
    .await?;
    event_of(payload.ok_or_else(|| ApiError::not_found("event"))?)
}

pub async fn deliveries(
    state: &AppState,
    auth: Auth,
    id: WebhookEndpointId,
    page: Page,
) -> ApiResult<List<DeliveryResponse>> {
    let scope = auth.scope;
    crate::db::run(&state.pool, move |conn| {
        find(conn, scope, id)?.ok_or_else(|| ApiError::not_found("webhook endpoint"))?;
        #[allow(clippy::type_complexity)]
        let mut q = webhook_deliveries::table
            .filter(webhook_deliveries::tenant_id.eq(scope.tenant_id))
            .filter(webhook_deliveries::mode.eq(scope.mode))
            .filter(webhook_deliveries::endpoint_id.eq(id.0))
            .order(webhook_deliveries::id.desc())
            .limit(page.fetch())
            .select((
                webhook_deliveries::id,
                webhook_deliveries::event_id,
                webhook_deliveries::attempt,
                webhook_deliveries::status_code,
                webhook_deliveries::duration_ms,
                webhook_deliveries::error,
                webhook_deliveries::created_at,
                webhook_deliveries::next_attempt_at,
            ))
            .into_boxed();
        if let Some(before) = page.before {
            q = q.filter(webhook_deliveries::id.lt(before));
        }
        type Row = (
            uuid::Uuid,
            uuid::Uuid,
            i32,
            Option<i32>,
            i32,
            Option<String>,
            chrono::DateTime<chrono::Utc>,
            Option<chrono::DateTime<chrono::Utc>>,
        );
        let rows: Vec<Row> = q.load(conn)?;
        Ok(List::from_rows(
            rows,
            page,
            |r| format!("whd_{}", crate::ids::encode_base62(r.0)),
            |r| DeliveryResponse {
                event: EventId(r.1),
                attempt: r.2,
                status_code: r.3,
                duration_ms: r.4,
                error: r.5,
                created_at: r.6,
                next_attempt_at: r.7,
            },
        ))
    })
    .await
}

pub async fn redeliver(state: &AppState, auth: Auth, id: EventId, req: RedeliverRequest) -> ApiResult<EventResponse> {
    let scope = auth.scope;
    let event = get_event(state, auth, id).await?;
    let endpoint = req.endpoint;
    crate::db::run(&state.pool, move |conn| {
        let ep = find(conn, scope, endpoint)?
            .ok_or_else(|| ApiError::not_found("webhook endpoint").with_param("endpoint"))?;
        if ep.status != "enabled" {
            return Err(ApiError::conflict(
                ErrorCode::EndpointDisabled,
                "the endpoint is disabled; enable it first (PATCH with \"status\": \"enabled\")",
            ));
        }
        // A redelivery is an attempt of its own, numbered after any other of this event.
        let last: Option<i32> = webhook_deliveries::table
            .filter(webhook_deliveries::tenant_id.eq(scope.tenant_id))
            .filter(webhook_deliveries::mode.eq(scope.mode))
            .filter(webhook_deliveries::event_id.eq(id.0))
            .filter(webhook_deliveries::endpoint_id.eq(endpoint.0))
            .select(diesel::dsl::max(webhook_deliveries::attempt))
            .first(conn)?;
        let attempt = last.unwrap_or(0) + 1;
        // A subject of its own, so a retry scheduled for later does not swallow it.
        let subject = format!("{id}/{endpoint}/{attempt}/{}", uuid::Uuid::new_v4().simple());
        crate::jobs::enqueue_on_wall_clock(
            conn,
            scope,
            crate::events::DELIVER,
            subject,
            chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
        )?;
        Ok(())
    })
    .await?;
    Ok(event)
}
