//! Customer emails, as jobs: the domains that trigger one (a payment, a trial's end, a
//! cancellation) schedule it here by kind; the emails' module ([`crate::mails`]) registers the
//! runner that writes and sends it, if the tenant has not turned the kind off.

use crate::types::text_enum;

text_enum!(
    /// The kinds of email a tenant's customers get; each can be turned off per tenant.
    EmailKind {
        Invoice => "invoice", Receipt => "receipt", PaymentFailed => "payment_failed",
        UsageThreshold => "usage_threshold", TrialEnding => "trial_ending",
        SubscriptionCanceled => "subscription_canceled"
    }
);

/// Sending one customer email; subject `{kind}/{resource id}`.
pub const NOTICE: crate::jobs::Kind = crate::jobs::Kind { name: "email_notice", priority: 11 };

/// Schedules the `kind` email about `resource` (once per kind and resource).
pub fn notice(
    conn: &mut crate::db::PgConn,
    scope: crate::tenancy::Scope,
    kind: EmailKind,
    resource: impl std::fmt::Display,
    at: chrono::DateTime<chrono::Utc>,
) -> diesel::QueryResult<()> {
    crate::jobs::enqueue(conn, scope, NOTICE, format!("{}/{resource}", kind.as_str()), at)
}
