use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::ids::{EventId, TenantId, WebhookEndpointId};
use crate::schema::webhook_endpoints;
use crate::tenancy::Mode;
use crate::types::text_enum;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_endpoints, check_for_backend(diesel::pg::Pg))]
pub struct Endpoint {
    pub tenant_id: TenantId,
    pub mode: Mode,
    pub id: WebhookEndpointId,
    pub url: String,
    pub events: Vec<String>,
    pub description: Option<String>,
    pub status: String,
    pub disabled_reason: Option<String>,
    pub secret_sealed: Vec<u8>,
    pub previous_secret_sealed: Option<Vec<u8>>,
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub failing_since: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

text_enum!(
    /// `enabled` endpoints receive events; `disabled` ones (by you, by a `410 Gone` answer or
    /// after 5 days of failures) do not.
    EndpointStatus { Enabled => "enabled", Disabled => "disabled" }
);

/// An event type an endpoint subscribes to, or `*` for all.
pub struct EventType;

impl utoipa::PartialSchema for EventType {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let mut values: Vec<&'static str> = crate::events::TYPES.to_vec();
        values.push("*");
        crate::types::enum_schema(&["An event type an endpoint subscribes to, or `*` for all."], &values)
    }
}

impl utoipa::ToSchema for EventType {}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://example.com/hooks/tollgate", "events": ["invoice.paid", "payment.failed"]}))]
pub struct CreateEndpointRequest {
    /// An `http(s)` URL whose host resolves to public addresses only.
    #[schema(max_length = 2048, pattern = r"^https?://[^\s]+$")]
    pub url: String,
    /// Event types, or `["*"]` for all.
    #[schema(min_items = 1, max_items = 100, value_type = Vec<EventType>)]
    pub events: Vec<String>,
    #[schema(max_length = 500)]
    pub description: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "disabled"}))]
pub struct UpdateEndpointRequest {
    #[schema(max_length = 2048, pattern = r"^https?://[^\s]+$")]
    pub url: Option<String>,
    #[schema(min_items = 1, max_items = 100, value_type = Option<Vec<EventType>>)]
    pub events: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::types::double_option")]
    #[schema(max_length = 500, value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub status: Option<EndpointStatus>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointResponse {
    pub id: WebhookEndpointId,
    pub url: String,
    #[schema(value_type = Vec<EventType>)]
    pub events: Vec<String>,
    pub description: Option<String>,
    pub status: EndpointStatus,
    /// Why it was disabled, when it was not by you.
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<Endpoint> for EndpointResponse {
    fn from(e: Endpoint) -> Self {
        EndpointResponse {
            id: e.id,
            url: e.url,
            events: e.events,
            description: e.description,
            status: EndpointStatus::parse(&e.status).unwrap_or(EndpointStatus::Disabled),
            disabled_reason: e.disabled_reason,
            created_at: e.created_at,
        }
    }
}

/// An endpoint as created: with its signing secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedEndpoint {
    #[serde(flatten)]
    pub endpoint: EndpointResponse,
    /// `whsec_…`: verify each delivery's `webhook-signature` with it (Standard Webhooks).
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RotatedSecret {
    /// The new secret; the old one also signs for the next 24 hours.
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeletedEndpoint {
    pub id: WebhookEndpointId,
    pub deleted: bool,
}

/// An event, exactly as delivered.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventResponse {
    pub id: EventId,
    #[serde(rename = "type")]
    #[schema(example = "invoice.paid")]
    pub kind: String,
    /// On the mode's clock (the test clock in test mode).
    pub created_at: DateTime<Utc>,
    pub mode: Mode,
    /// `{object}`: the resource as the API returns it.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryResponse {
    pub event: EventId,
    pub attempt: i32,
    /// None when no answer came (a timeout, a refused connection).
    pub status_code: Option<i32>,
    pub duration_ms: i32,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventListParams {
    /// Only events of this type.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: Option<String>,
    /// 1 to 100; default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// From the previous page's `next_cursor`.
    #[param(pattern = r"^([a-z]+_[0-6][0-9A-Za-z]{21})?$")]
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"endpoint": "whep_0PYr3fWn4fTq0wKfM8sQ2o"}))]
pub struct RedeliverRequest {
    pub endpoint: WebhookEndpointId,
}
