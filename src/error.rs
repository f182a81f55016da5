//! The error envelope of docs/api.md: every status ≥ 400 answers
//! `{"error": {"type", "code", "message", "param"?}}`.
//!
//! [`ApiError`] carries a stable snake_case `code`; its `type` follows from the status. An
//! internal error keeps its cause for the log and answers an opaque message.

use std::borrow::Cow;
use std::fmt;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::types::text_enum;

text_enum!(
    /// The `type` of an error, one per status family.
    ErrorType {
        InvalidRequest => "invalid_request", Authentication => "authentication", Permission => "permission",
        NotFound => "not_found", Conflict => "conflict", RateLimited => "rate_limited",
        Unavailable => "unavailable", Internal => "internal"
    }
);

text_enum!(
    /// The stable, machine-readable reason of an error. Codes are never renamed or reused; new
    /// ones may be added, so treat an unknown code by its `type`.
    ErrorCode {
        ParameterInvalid => "parameter_invalid",
        ParameterMissing => "parameter_missing",
        ParameterUnknown => "parameter_unknown",
        InvalidJson => "invalid_json",
        BodyUnreadable => "body_unreadable",
        TooManyEvents => "too_many_events",
        TimestampOutOfRange => "timestamp_out_of_range",
        PeriodClosed => "period_closed",
        PlanArchived => "plan_archived",
        PlanUnchanged => "plan_unchanged",
        CurrencyMismatch => "currency_mismatch",
        ClockCannotGoBack => "clock_cannot_go_back",
        BadRequest => "bad_request",
        AuthenticationRequired => "authentication_required",
        InvalidAuthorizationHeader => "invalid_authorization_header",
        InvalidApiKey => "invalid_api_key",
        ApiKeyRevoked => "api_key_revoked",
        InvalidToken => "invalid_token",
        TokenExpired => "token_expired",
        InvalidCredentials => "invalid_credentials",
        UserTokenRequired => "user_token_required",
        ModeMismatch => "mode_mismatch",
        TestModeOnly => "test_mode_only",
        Forbidden => "forbidden",
        ResourceMissing => "resource_missing",
        NoUpcomingInvoice => "no_upcoming_invoice",
        RouteNotFound => "route_not_found",
        MethodNotAllowed => "method_not_allowed",
        RequestTimeout => "request_timeout",
        ResourceAlreadyExists => "resource_already_exists",
        EmailTaken => "email_taken",
        ExternalIdTaken => "external_id_taken",
        CustomerAlreadySubscribed => "customer_already_subscribed",
        CustomerHasSubscription => "customer_has_subscription",
        SubscriptionCanceled => "subscription_canceled",
        NotScheduledToCancel => "not_scheduled_to_cancel",
        InvoiceNotDraft => "invoice_not_draft",
        InvoiceNotOpen => "invoice_not_open",
        InvoiceNotVoidable => "invoice_not_voidable",
        ApiKeyInactive => "api_key_inactive",
        IdempotencyKeyInUse => "idempotency_key_in_use",
        IdempotencyKeyUnreadable => "idempotency_key_unreadable",
        PayloadTooLarge => "payload_too_large",
        UnsupportedMediaType => "unsupported_media_type",
        IdempotencyKeyReused => "idempotency_key_reused",
        RateLimited => "rate_limited",
        HeaderTooLarge => "header_too_large",
        InternalError => "internal_error",
        DatabaseUnavailable => "database_unavailable",
        DatabaseBusy => "database_busy",
        ShuttingDown => "shutting_down",
        Unavailable => "unavailable",
        InvalidRequest => "invalid_request",
        StripeKeyInvalid => "stripe_key_invalid",
        StripeModeMismatch => "stripe_mode_mismatch",
        StripeNotConnected => "stripe_not_connected",
        StripeUnavailable => "stripe_unavailable",
        StripeRefused => "stripe_refused",
        CardDeclined => "card_declined",
        SignatureInvalid => "signature_invalid",
        NoPaymentMethod => "no_payment_method",
        AmountNotChargeable => "amount_not_chargeable",
        PaymentInProgress => "payment_in_progress",
        CreditExceedsInvoice => "credit_exceeds_invoice",
        UrlNotAllowed => "url_not_allowed",
        EndpointDisabled => "endpoint_disabled",
        TooManyEndpoints => "too_many_endpoints"
    }
);

impl ErrorType {
    pub fn for_status(status: StatusCode) -> ErrorType {
        match status.as_u16() {
            401 => ErrorType::Authentication,
            403 => ErrorType::Permission,
            404 => ErrorType::NotFound,
            409 => ErrorType::Conflict,
            429 => ErrorType::RateLimited,
            503 => ErrorType::Unavailable,
            500..=599 => ErrorType::Internal,
            _ => ErrorType::InvalidRequest,
        }
    }
}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"error": {"type": "invalid_request", "code": "parameter_invalid",
    "message": "password must be at least 10 characters", "param": "password"}}))]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    #[serde(rename = "type")]
    pub kind: ErrorType,
    pub code: ErrorCode,
    /// Human-readable explanation. Never contains internal details.
    pub message: Cow<'static, str>,
    /// The request field at fault, as a path (`charges[0].unit_amount`), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
}

pub struct ApiError {
    status: StatusCode,
    code: ErrorCode,
    message: Cow<'static, str>,
    param: Option<String>,
    /// For 500s: the cause, logged and never shown.
    cause: Option<anyhow::Error>,
    /// Extra response headers (`Allow`, `Retry-After`, `WWW-Authenticate`).
    headers: Vec<(header::HeaderName, HeaderValue)>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self { status, code, message: message.into(), param: None, cause: None, headers: Vec::new() }
    }

    /// Names the request field at fault.
    pub fn with_param(mut self, param: impl Into<String>) -> Self {
        self.param = Some(param.into());
        self
    }

    /// Puts the error's `param` under `prefix` (`quantity` → `events[3].quantity`).
    pub fn nested(mut self, prefix: &str) -> Self {
        self.param = Some(match self.param.take() {
            Some(p) => format!("{prefix}.{p}"),
            None => prefix.to_string(),
        });
        self
    }

    pub fn with_header(mut self, name: header::HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// 400: the request is malformed (bad JSON, a wrong type, a missing field).
    pub fn bad_request(code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 422 `parameter_invalid`: well-formed, but a value is not acceptable.
    pub fn invalid_param(param: impl Into<String>, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::ParameterInvalid, message).with_param(param)
    }

    /// 401.
    pub fn unauthenticated(code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
            .with_header(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))
    }

    /// 403.
    pub fn forbidden(code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, message)
    }

    /// 404 `resource_missing`; another tenant's resource answers exactly the same.
    pub fn not_found(resource: &'static str) -> Self {
        Self::new(StatusCode::NOT_FOUND, ErrorCode::ResourceMissing, format!("no such {resource}"))
    }

    /// 409.
    pub fn conflict(code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// 503.
    pub fn unavailable(code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, code, message)
    }

    /// 500 with the cause kept for the log.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        let mut e =
            Self::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::InternalError, "an internal error occurred");
        e.cause = Some(cause.into());
        e
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn code(&self) -> ErrorCode {
        self.code
    }

    pub fn envelope(&self) -> ErrorEnvelope {
        ErrorEnvelope {
            error: ErrorBody {
                kind: ErrorType::for_status(self.status),
                code: self.code,
                message: self.message.clone(),
                param: self.param.clone(),
            },
        }
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("ApiError");
        d.field("status", &self.status.as_u16()).field("code", &self.code).field("message", &self.message);
        if let Some(p) = &self.param {
            d.field("param", p);
        }
        if let Some(c) = &self.cause {
            d.field("cause", &format_args!("{c:#}"));
        }
        d.finish()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(cause) = &self.cause {
            // The whole chain goes to the log, inside the request's span; the client sees
            // only the opaque message.
            tracing::error!(error = format!("{cause:#}"), "internal error");
        }
        let mut res = HttpResponse::build(self.status);
        for (name, value) in &self.headers {
            res.insert_header((name.clone(), value.clone()));
        }
        res.json(self.envelope())
    }
}

/// The response for a bare status that no handler described (used by the middleware that
/// normalises framework errors into the envelope).
pub fn for_status(status: StatusCode) -> ApiError {
    let (code, message): (ErrorCode, &'static str) = match status.as_u16() {
        400 => (ErrorCode::BadRequest, "the request could not be understood"),
        401 => (ErrorCode::AuthenticationRequired, "authentication is required"),
        403 => (ErrorCode::Forbidden, "not allowed"),
        404 => (ErrorCode::RouteNotFound, "no such route"),
        405 => (ErrorCode::MethodNotAllowed, "the method is not allowed on this route"),
        408 => (ErrorCode::RequestTimeout, "the request took too long to arrive"),
        413 => (ErrorCode::PayloadTooLarge, "the request body is larger than 1 MiB"),
        415 => (ErrorCode::UnsupportedMediaType, "send the body as application/json"),
        429 => (ErrorCode::RateLimited, "too many requests"),
        503 => (ErrorCode::Unavailable, "the service is unavailable, try again"),
        500..=599 => (ErrorCode::InternalError, "an internal error occurred"),
        _ => (ErrorCode::InvalidRequest, "the request was not valid"),
    };
    ApiError::new(status, code, message)
}

/// Whether `e` says the connection to PostgreSQL is gone (the server went away, the network
/// broke, an administrator terminated it), rather than anything about the statement: such a
/// request answers 503 and may be retried. libpq reports some of these only in words.
pub fn connection_lost(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand, _) => true,
        Error::DatabaseError(_, info) => {
            let m = info.message();
            [
                "no connection to the server",
                "server closed the connection unexpectedly",
                "could not send data to server",
                "could not receive data from server",
                "connection has been closed unexpectedly",
                "terminating connection",
            ]
            .iter()
            .any(|needle| m.contains(needle))
        }
        Error::BrokenTransactionManager => true,
        _ => false,
    }
}

/// Maps a unique violation to a 409 with this code, message and parameter; any other database
/// error as usual. For `map_err` on the insert or update that a unique index guards.
pub fn on_unique_violation(
    code: ErrorCode,
    message: impl Into<std::borrow::Cow<'static, str>>,
    param: &'static str,
) -> impl FnOnce(diesel::result::Error) -> ApiError {
    use diesel::result::{DatabaseErrorKind, Error};
    move |e| match e {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            ApiError::conflict(code, message).with_param(param)
        }
        other => other.into(),
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => ApiError::new(StatusCode::NOT_FOUND, ErrorCode::ResourceMissing, "no such resource"),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                tracing::debug!(constraint = info.constraint_name(), "unique violation");
                ApiError::conflict(
                    ErrorCode::ResourceAlreadyExists,
                    "a resource with the same unique value already exists",
                )
            }
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                ApiError::unavailable(ErrorCode::DatabaseBusy, "the database is busy, retry the request")
            }
            e if connection_lost(&e) => {
                tracing::warn!(error = %e, "lost the database connection");
                ApiError::unavailable(ErrorCode::DatabaseUnavailable, "the database is unreachable, retry the request")
            }
            other => ApiError::internal(other),
        }
    }
}

impl From<r2d2::Error> for ApiError {
    fn from(e: r2d2::Error) -> Self {
        tracing::warn!(error = %e, "no database connection available");
        ApiError::unavailable(ErrorCode::DatabaseUnavailable, "no database connection is available, retry the request")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_follows_status() {
        let cases = [
            (400, "invalid_request"),
            (422, "invalid_request"),
            (413, "invalid_request"),
            (401, "authentication"),
            (403, "permission"),
            (404, "not_found"),
            (409, "conflict"),
            (429, "rate_limited"),
            (503, "unavailable"),
            (500, "internal"),
        ];
        for (status, kind) in cases {
            let t = ErrorType::for_status(StatusCode::from_u16(status).unwrap());
            assert_eq!(serde_json::to_value(t).unwrap(), kind, "status {status}");
        }
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let e = ApiError::internal(anyhow::anyhow!("password=hunter2 in connection string"));
        let body = serde_json::to_string(&e.envelope()).unwrap();
        assert!(!body.contains("hunter2"));
        assert!(body.contains("internal_error"));
    }
}
