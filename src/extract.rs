//! Request extractors that answer in the error envelope.
//!
//! [`Json`] reads at most 1 MiB, insists on `application/json`, and reports a bad field by its
//! path (`param: "charges[0].unit_amount"`), with distinct codes for a missing, unknown or
//! invalid field. [`Query`] does the same for query strings.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::{header, StatusCode};
use actix_web::web::{Bytes, BytesMut};
use actix_web::{FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ErrorCode};

/// The largest request body accepted anywhere.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

pub fn payload_too_large() -> ApiError {
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge, "the request body is larger than 1 MiB")
}

/// Reads a whole body, refusing more than `limit` bytes (before reading, when the
/// `Content-Length` already says so).
pub async fn read_body(req: &HttpRequest, payload: &mut Payload, limit: usize) -> Result<Bytes, ApiError> {
    if let Some(len) = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok()) {
        if len > limit as u64 {
            return Err(payload_too_large());
        }
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::bad_request(ErrorCode::BodyUnreadable, format!("the request body could not be read: {e}"))
        })?;
        if body.len() + chunk.len() > limit {
            return Err(payload_too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Turns a deserialisation error at `path` into the envelope.
fn field_error(path: &str, message: &str) -> ApiError {
    let join = |field: &str| {
        if path.is_empty() {
            field.to_string()
        } else {
            format!("{path}.{field}")
        }
    };
    let quoted =
        |prefix: &str| message.strip_prefix(prefix).and_then(|rest| rest.split('`').next()).map(str::to_string);
    if let Some(field) = quoted("missing field `") {
        return ApiError::bad_request(ErrorCode::ParameterMissing, format!("{} is required", join(&field)))
            .with_param(join(&field));
    }
    if let Some(field) = quoted("duplicate field `") {
        return ApiError::bad_request(ErrorCode::ParameterInvalid, format!("{} is given twice", join(&field)))
            .with_param(join(&field));
    }
    if let Some(field) = quoted("unknown field `") {
        // Here the path already ends at the unknown field.
        let param = if path == field || path.ends_with(&format!(".{field}")) { path.to_string() } else { join(&field) };
        return ApiError::bad_request(ErrorCode::ParameterUnknown, format!("{param} is not a known parameter"))
            .with_param(param);
    }
    let mut e = ApiError::bad_request(
        ErrorCode::ParameterInvalid,
        if path.is_empty() { message.to_string() } else { format!("{path}: {message}") },
    );
    if !path.is_empty() {
        e = e.with_param(path);
    }
    e
}

fn path_string(path: &serde_path_to_error::Path) -> String {
    let s = path.to_string();
    if s == "." || s == "?" {
        String::new()
    } else {
        s
    }
}

/// Parses a JSON body into `T`.
fn json_error(e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = path_string(e.path());
    let inner = e.into_inner();
    if inner.is_syntax() || inner.is_eof() || inner.is_io() {
        ApiError::bad_request(ErrorCode::InvalidJson, format!("the body is not valid JSON: {inner}"))
    } else {
        field_error(&path, without_position(&inner.to_string()))
    }
}

/// A serde_json message without the " at line 1 column 9" it appends: the path says more.
fn without_position(message: &str) -> &str {
    message.rsplit_once(" at line ").map_or(message, |(m, _)| m)
}

/// Whether a JSON text is an object (serde would also fill a struct from an array, field by
/// field).
fn is_object(text: &[u8]) -> bool {
    text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// Parses one item of a [`JsonItems`] body (its raw text) into `T`, with the errors of
/// [`parse_json`] (NUL characters included), so a batch can report them by index. The whole
/// body's syntax was checked already; what the item's text may still hold is a value JSON
/// allows and `T` cannot (a number out of range, a lone surrogate): that is `parameter_invalid`
/// naming the field, not `invalid_json` for a body that was valid.
pub fn parse_item<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    if !is_object(text.as_bytes()) {
        return Err(ApiError::bad_request(ErrorCode::ParameterInvalid, "each item must be a JSON object"));
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        if !(e.inner().is_syntax() || e.inner().is_eof()) {
            return json_error(e);
        }
        let path = path_string(e.path());
        let message = e.into_inner().to_string();
        field_error(&path, &format!("not a value this field can hold: {}", without_position(&message)))
    })?;
    if may_hold_nul(text.as_bytes()) {
        check_nul(text.as_bytes())?;
    }
    Ok(value)
}

pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if may_hold_nul(body) {
        check_nul(body)?;
    }
    parse_json_as_is(body)
}

/// Refuses a JSON text that holds a NUL character, naming where.
fn check_nul(body: &[u8]) -> Result<(), ApiError> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(ErrorCode::InvalidJson, format!("the body is not valid JSON: {e}")))?;
    match nul_at(&value, String::new()) {
        Some(path) => Err(nul_error(path)),
        None => Ok(()),
    }
}

/// [`parse_json`] without the NUL check, for bodies whose items are parsed (and checked) one by
/// one with [`parse_item`].
fn parse_json_as_is<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) { b"{}" } else { body };
    if !is_object(body) {
        return Err(ApiError::bad_request(ErrorCode::ParameterInvalid, "the body must be a JSON object"));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(json_error)?;
    de.end().map_err(|e| ApiError::bad_request(ErrorCode::InvalidJson, format!("the body is not valid JSON: {e}")))?;
    Ok(value)
}

/// Whether a JSON text may contain the escape `\u0000` (a NUL character), which PostgreSQL
/// cannot store in `text` or `jsonb`. A plain scan, so the common case costs next to nothing;
/// `\\u0000` (an escaped backslash before `u0000`) is told apart by counting backslashes.
fn may_hold_nul(body: &[u8]) -> bool {
    body.windows(6)
        .enumerate()
        .any(|(i, w)| w == b"\\u0000" && body[..i].iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 0)
}

/// Whether any string, or object key, in `value` holds a NUL character. No allocation, so that
/// naming the path costs only when there is one.
fn holds_nul(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

/// The path (`metadata.note`, `events[3].properties`) of the first string, or object key, that
/// holds a NUL character.
fn nul_at(value: &serde_json::Value, path: String) -> Option<String> {
    if holds_nul(value) {
        nul_path(value, path)
    } else {
        None
    }
}

fn nul_path(value: &serde_json::Value, path: String) -> Option<String> {
    use serde_json::Value;
    let join = |key: &str| if path.is_empty() { key.to_string() } else { format!("{path}.{key}") };
    match value {
        Value::String(s) if s.contains('\0') => Some(path),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| nul_path(v, format!("{path}[{i}]"))),
        Value::Object(map) => {
            map.iter().find_map(|(k, v)| if k.contains('\0') { Some(path.clone()) } else { nul_path(v, join(k)) })
        }
        _ => None,
    }
}

/// 400 for text that holds a NUL character (PostgreSQL refuses to store it).
pub fn nul_error(param: impl Into<String>) -> ApiError {
    let param = param.into();
    let mut e =
        ApiError::bad_request(ErrorCode::ParameterInvalid, "text may not contain the NUL character (\\u0000, %00)");
    if !param.is_empty() {
        e = e.with_param(param);
    }
    e
}

/// A JSON body, parsed into `T`.
pub struct Json<T>(pub T);

/// A JSON body whose items are checked one by one: like [`Json`], except that text PostgreSQL
/// cannot store is left for [`parse_item`] to refuse item by item, so a batch can report it
/// by index and record the rest.
pub struct JsonItems<T>(pub T);

/// Reads a JSON body (checking its media type) and parses it with `parse`.
fn json_body<T: 'static, R: 'static>(
    req: &HttpRequest,
    payload: &mut Payload,
    parse: fn(&[u8]) -> Result<T, ApiError>,
    wrap: fn(T) -> R,
) -> Pin<Box<dyn Future<Output = Result<R, ApiError>>>> {
    let req = req.clone();
    let mut payload = payload.take();
    Box::pin(async move {
        if let Some(ct) = req.headers().get(header::CONTENT_TYPE) {
            let ct = ct.to_str().unwrap_or("").split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            if ct != "application/json" && !ct.ends_with("+json") {
                return Err(ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    ErrorCode::UnsupportedMediaType,
                    "send the body as application/json",
                ));
            }
        }
        let body = read_body(&req, &mut payload, MAX_BODY_BYTES).await?;
        parse(&body).map(wrap)
    })
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        json_body(req, payload, parse_json, Json)
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonItems<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        json_body(req, payload, parse_json_as_is, JsonItems)
    }
}

/// A query string, parsed into `T`.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // A NUL in the query string never gets here: `middleware::normalize_errors` refuses it.
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(req.query_string().as_bytes()));
        std::future::ready(serde_path_to_error::deserialize(de).map(Query).map_err(|e| {
            let path = path_string(e.path());
            field_error(&path, &e.into_inner().to_string())
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Charge {
        unit_amount: String,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Plan {
        key: String,
        #[serde(default)]
        charges: Vec<Charge>,
    }

    fn err(body: &str) -> (String, Option<String>) {
        let e = parse_json::<Plan>(body.as_bytes()).unwrap_err();
        let env = e.envelope();
        (env.error.code.to_string(), env.error.param)
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(err(r#"{"key": 5}"#), ("parameter_invalid".into(), Some("key".into())));
        assert_eq!(err(r#"{}"#), ("parameter_missing".into(), Some("key".into())));
        assert_eq!(err(""), ("parameter_missing".into(), Some("key".into())));
        assert_eq!(err(r#"{"key":"p","extra":1}"#), ("parameter_unknown".into(), Some("extra".into())));
        assert_eq!(err(r#"{"key":"p","key":"q"}"#), ("parameter_invalid".into(), Some("key".into())));
        assert_eq!(
            err(r#"{"key":"p","charges":[{"unit_amount":"1","unit_amount":"2"}]}"#),
            ("parameter_invalid".into(), Some("charges[0].unit_amount".into()))
        );
        assert_eq!(
            err(r#"{"key":"p","charges":[{"unit_amount":"1"},{"unit_amount":2}]}"#),
            ("parameter_invalid".into(), Some("charges[1].unit_amount".into()))
        );
        assert_eq!(
            err(r#"{"key":"p","charges":[{}]}"#),
            ("parameter_missing".into(), Some("charges[0].unit_amount".into()))
        );
        assert_eq!(err(r#"{"key": "#), ("invalid_json".into(), None));
        assert_eq!(err(r#"{"key":"p"} trailing"#), ("invalid_json".into(), None));
        assert_eq!(err(r#"[1,2]"#).0, "parameter_invalid");
        // serde would fill a struct from an array, field by field: a body is an object.
        assert_eq!(err(r#" [null, null]"#).0, "parameter_invalid");
    }

    #[test]
    fn nul_characters_are_refused_with_their_path() {
        assert_eq!(err(r#"{"key": "a\u0000b"}"#), ("parameter_invalid".into(), Some("key".into())));
        assert_eq!(
            err(r#"{"key":"p","charges":[{"unit_amount":"1"},{"unit_amount":"\u0000"}]}"#),
            ("parameter_invalid".into(), Some("charges[1].unit_amount".into()))
        );
        // In a key of a free-form object: the object is named.
        let e = parse_json::<serde_json::Value>(br#"{"metadata": {"a\u0000": 1}}"#).unwrap_err().envelope().error;
        assert_eq!(e.param.as_deref(), Some("metadata"));
        // An escaped backslash followed by "u0000" is plain text, and fine.
        assert!(parse_json::<Plan>(br#"{"key": "a\\u0000"}"#).is_ok());
        assert!(!may_hold_nul(br#"{"key": "a\\u0000"}"#));
        assert!(may_hold_nul(br#"{"key": "a\\\u0000"}"#));
    }

    #[test]
    fn items_report_errors_like_bodies() {
        for body in [
            r#"{"key": 5}"#,
            r#"{}"#,
            r#"{"key":"p","extra":1}"#,
            r#"{"key":"p","charges":[{"unit_amount":2}]}"#,
            r#"{"key":"p","charges":[{"unit_amount":"\u0000"}]}"#,
        ] {
            let from_body = parse_json::<Plan>(body.as_bytes()).unwrap_err().envelope().error;
            let from_item = parse_item::<Plan>(body).unwrap_err().envelope().error;
            assert_eq!((from_item.code, from_item.param), (from_body.code, from_body.param), "{body}");
        }
        assert_eq!(parse_item::<Plan>(r#"{"key":"p"}"#).unwrap().key, "p");
        // What passes the body's syntax check but not an item's: a lone surrogate, an array.
        let e = parse_item::<Plan>(r#"{"key":"\ud800"}"#).unwrap_err().envelope().error;
        assert_eq!((e.code.to_string(), e.param.as_deref()), ("parameter_invalid".into(), Some("key")));
        assert!(serde_json::from_str::<Box<serde_json::value::RawValue>>(r#"{"key":"\ud800"}"#).is_ok());
        let e = parse_item::<Plan>(r#" ["p"]"#).unwrap_err().envelope().error;
        assert_eq!((e.code.to_string(), e.param), ("parameter_invalid".into(), None));
    }
}
