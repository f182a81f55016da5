//! What an event may hold, checked the same way for verify and the usage API, and the ids of
//! events that come without one.

use chrono::{DateTime, TimeDelta, Utc};

use crate::error::{ApiError, ApiResult, ErrorCode};

/// How far back and ahead an event's timestamp may be.
pub const MAX_BACKDATE: TimeDelta = TimeDelta::days(35);
pub const MAX_AHEAD: TimeDelta = TimeDelta::minutes(5);
/// The largest `properties` object accepted, serialised.
pub const MAX_PROPERTIES_BYTES: usize = 4096;

/// The event's instant (`now` when it has none), refused outside [`MAX_BACKDATE`] and [`MAX_AHEAD`].
pub fn check_timestamp(t: Option<DateTime<Utc>>, now: DateTime<Utc>, param: &str) -> ApiResult<DateTime<Utc>> {
    let Some(t) = t else { return Ok(now) };
    if t < now - MAX_BACKDATE {
        return Err(ApiError::bad_request(ErrorCode::TimestampOutOfRange, "events may be backdated at most 35 days")
            .with_param(param));
    }
    if t > now + MAX_AHEAD {
        return Err(ApiError::bad_request(
            ErrorCode::TimestampOutOfRange,
            "events may be at most 5 minutes in the future",
        )
        .with_param(param));
    }
    Ok(t)
}

/// The event's properties as JSON, refused past [`MAX_PROPERTIES_BYTES`].
pub fn check_properties(
    p: Option<serde_json::Map<String, serde_json::Value>>,
    param: &str,
) -> ApiResult<Option<serde_json::Value>> {
    let Some(p) = p else { return Ok(None) };
    let v = serde_json::Value::Object(p);
    if v.to_string().len() > MAX_PROPERTIES_BYTES {
        return Err(ApiError::bad_request(ErrorCode::ParameterInvalid, "properties must be at most 4 KiB of JSON")
            .with_param(param));
    }
    Ok(Some(v))
}

/// A new event id for events that come without one.
pub fn generated_event_id() -> String {
    format!("evt_{}", crate::ids::encode_base62(uuid::Uuid::now_v7()))
}
