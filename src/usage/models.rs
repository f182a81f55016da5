use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ErrorBody;
use crate::ids::CustomerId;
use crate::money::Quantity;
use crate::types::{text_enum, Text};

pub const MAX_BATCH_EVENTS: usize = 1000;

/// A usage event. Name the customer by `customer` or by `customer_external_id`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"customer_external_id": "globex-42", "feature": "data_mb", "quantity": "12.5",
    "event_id": "job-88121", "timestamp": "2026-11-24T09:58:00Z"}))]
pub struct UsageEventRequest {
    pub customer: Option<CustomerId>,
    #[schema(min_length = 1, max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$", value_type = Option<String>)]
    pub customer_external_id: Option<Text<1, 200>>,
    /// A metered feature's key.
    #[schema(example = "data_mb")]
    pub feature: String,
    #[schema(value_type = Quantity, example = 1)]
    pub quantity: Quantity,
    /// Your id for the event; an id seen before is not counted again, ever.
    #[schema(min_length = 1, max_length = 255, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$", value_type = String, example = "job-88121")]
    pub event_id: Text<1, 255>,
    /// When it happened (default now): up to 35 days back, 5 minutes ahead.
    #[serde(default, deserialize_with = "crate::types::time_opt")]
    pub timestamp: Option<DateTime<Utc>>,
    #[schema(value_type = Option<crate::types::Properties>)]
    pub properties: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UsageRecorded {
    #[schema(example = "job-88121")]
    pub id: String,
    pub duplicate: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UsageBatchRequest {
    /// Up to 1,000 events, each as for `POST /v1/usage`.
    // Each is kept as its JSON text until its turn, and parsed then (a tenth of the memory of a
    // parsed `Value`), so that one event's bad content is reported by its index.
    #[schema(value_type = Vec<UsageEventRequest>)]
    pub events: Vec<Box<serde_json::value::RawValue>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RejectedEvent {
    pub index: usize,
    pub error: ErrorBody,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"accepted": 998, "duplicates": 1, "rejected": [{"index": 17, "error":
    {"type": "invalid_request", "code": "parameter_invalid", "message": "quantity: must not be negative", "param": "events[17].quantity"}}]}))]
pub struct UsageBatchResponse {
    /// New events recorded.
    pub accepted: usize,
    /// Events whose id was recorded before (not counted again).
    pub duplicates: usize,
    pub rejected: Vec<RejectedEvent>,
}

text_enum!(
    /// The size of a time-series bucket (UTC).
    Granularity { Hour => "hour", Day => "day", Month => "month" }
);

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UsageSeriesParams {
    /// A metered feature's key.
    pub feature: String,
    /// Start (inclusive); default 30 days before `to`.
    #[serde(default, deserialize_with = "crate::types::time_opt")]
    pub from: Option<DateTime<Utc>>,
    /// End (exclusive); default now.
    #[serde(default, deserialize_with = "crate::types::time_opt")]
    pub to: Option<DateTime<Utc>>,
    /// Default `day`.
    pub granularity: Option<Granularity>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UsagePoint {
    pub start: DateTime<Utc>,
    /// The feature's aggregation over the bucket (sum, count, max, unique count or latest).
    #[schema(value_type = u64)]
    pub value: Quantity,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UsageSeries {
    #[schema(example = "api_calls")]
    pub feature: String,
    pub granularity: Granularity,
    pub data: Vec<UsagePoint>,
}
