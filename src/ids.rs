//! Public identifiers.
//!
//! Rows are keyed by UUIDv7 (time-ordered, so newest-first pagination is an index scan), and the
//! API shows them as `<prefix>_<22 base62 characters>`, Stripe style: `cus_0N3hY…`. A string with
//! the wrong prefix or a malformed body parses to an error, which handlers answer as 404 — an id
//! that cannot exist is treated exactly like one that does not.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// 62^22 > 2^128, so every u128 fits in 22 digits.
const WIDTH: usize = 22;

/// Encodes a UUID as exactly 22 base62 digits, most significant first (so lexical order is
/// numeric order).
pub fn encode_base62(id: Uuid) -> String {
    // In three parts of at most ten digits, each of which fits a u64: a u128 division is a
    // library call, a u64 division by 62 a multiplication. (Ids are encoded on every answer.)
    const TEN_DIGITS: u128 = 62u128.pow(10);
    let n = id.as_u128();
    let parts = [(n / TEN_DIGITS / TEN_DIGITS) as u64, (n / TEN_DIGITS % TEN_DIGITS) as u64, (n % TEN_DIGITS) as u64];
    let mut out = [b'0'; WIDTH];
    for (chunk, mut part) in out.rchunks_mut(10).zip(parts.into_iter().rev()) {
        for slot in chunk.iter_mut().rev() {
            *slot = ALPHABET[(part % 62) as usize];
            part /= 62;
        }
    }
    // Only ASCII digits and letters were written.
    String::from_utf8(out.to_vec()).expect("base62 is ASCII")
}

/// Decodes what [`encode_base62`] produced; anything else is `None`.
pub fn decode_base62(s: &str) -> Option<Uuid> {
    if s.len() != WIDTH {
        return None;
    }
    let mut n: u128 = 0;
    for b in s.bytes() {
        let digit = match b {
            b'0'..=b'9' => b - b'0',
            b'A'..=b'Z' => b - b'A' + 10,
            b'a'..=b'z' => b - b'a' + 36,
            _ => return None,
        };
        n = n.checked_mul(62)?.checked_add(u128::from(digit))?;
    }
    Some(Uuid::from_u128(n))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidId;

impl fmt::Display for InvalidId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a valid identifier")
    }
}

impl std::error::Error for InvalidId {}

/// Declares a prefixed id newtype stored as a PostgreSQL `uuid`.
/// What an id names, as a 404 says it ("no such customer").
pub trait Resource: FromStr {
    const RESOURCE: &'static str;
}

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident, $prefix:literal, $resource:literal, $example:literal) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, diesel::AsExpression, diesel::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            /// A new, time-ordered id.
            #[allow(clippy::new_without_default)]
            pub fn new() -> Self {
                Self(uuid::Uuid::now_v7())
            }
        }

        impl $crate::ids::Resource for $name {
            const RESOURCE: &'static str = $resource;
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}_{}", $prefix, $crate::ids::encode_base62(self.0))
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(self, f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::ids::InvalidId;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.strip_prefix($prefix)
                    .and_then(|rest| rest.strip_prefix('_'))
                    .and_then($crate::ids::decode_base62)
                    .map(Self)
                    .ok_or($crate::ids::InvalidId)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(|_| {
                    serde::de::Error::custom(concat!("expected an id of the form ", $prefix, "_…"))
                })
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Uuid, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                diesel::serialize::ToSql::<diesel::sql_types::Uuid, diesel::pg::Pg>::to_sql(&self.0, out)
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Uuid, diesel::pg::Pg> for $name {
            fn from_sql(bytes: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                <uuid::Uuid as diesel::deserialize::FromSql<diesel::sql_types::Uuid, diesel::pg::Pg>>::from_sql(bytes)
                    .map(Self)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some(concat!("Identifier, `", $prefix, "_` followed by 22 base62 characters.")))
                    .pattern(Some(concat!("^", $prefix, "_[0-6][0-9A-Za-z]{21}$")))
                    .examples([serde_json::json!($example)])
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }
    };
}

id_type!(
    /// A tenant: one company selling an API.
    TenantId, "ten", "tenant", "ten_0PYr3fWn4fTq0wKfM8sQ2a"
);
id_type!(
    /// A person who logs in to a tenant's account.
    UserId, "usr", "user", "usr_0PYr3fWn4fTq0wKfM8sQ2b"
);
id_type!(
    /// A tenant's secret key (`sk_test_…` / `sk_live_…`); the id, not the key.
    SecretKeyId, "skey", "secret key", "skey_0PYr3fWn4fTq0wKfM8sQ2c"
);

id_type!(
    /// A feature of the tenant's product (boolean, metered or config).
    FeatureId, "feat", "feature", "feat_0PYr3fWn4fTq0wKfM8sQ2d"
);
id_type!(
    /// A plan (its versions share the id).
    PlanId, "plan", "plan", "plan_0PYr3fWn4fTq0wKfM8sQ2e"
);
id_type!(
    /// One of the tenant's customers.
    CustomerId, "cus", "customer", "cus_0PYr3fWn4fTq0wKfM8sQ2f"
);
id_type!(
    /// A customer's subscription to a plan.
    SubscriptionId, "sub", "subscription", "sub_0PYr3fWn4fTq0wKfM8sQ2g"
);

id_type!(
    /// A customer's API key (the id, not the key).
    ApiKeyId, "key", "API key", "key_0PYr3fWn4fTq0wKfM8sQ2h"
);

id_type!(
    /// An invoice.
    InvoiceId, "in", "invoice", "in_0PYr3fWn4fTq0wKfM8sQ2i"
);
id_type!(
    /// One try to collect an invoice (one Stripe PaymentIntent).
    PaymentId, "pay", "payment", "pay_0PYr3fWn4fTq0wKfM8sQ2j"
);
id_type!(
    /// Something that happened (an event), sent to webhook endpoints.
    EventId, "evt", "event", "evt_0PYr3fWn4fTq0wKfM8sQ2n"
);
id_type!(
    /// A tenant's webhook endpoint.
    WebhookEndpointId, "whep", "webhook endpoint", "whep_0PYr3fWn4fTq0wKfM8sQ2o"
);
id_type!(
    /// A correction to a finalized invoice.
    CreditNoteId, "cn", "credit note", "cn_0PYr3fWn4fTq0wKfM8sQ2l"
);
id_type!(
    /// Money sent back through Stripe for a credit note.
    RefundId, "re", "refund", "re_0PYr3fWn4fTq0wKfM8sQ2m"
);
id_type!(
    /// A tenant's connection to its Stripe account in one mode; Stripe's webhooks name it.
    StripeAccountId, "sa", "Stripe account", "sa_0PYr3fWn4fTq0wKfM8sQ2k"
);
id_type!(
    /// A customer portal session, from its link to its end.
    PortalSessionId, "bps", "portal session", "bps_0PYr3fWn4fTq0wKfM8sQ2p"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base62_round_trips_extremes_and_random_values() {
        let edges = [0, 61, 62, 62u128.pow(10) - 1, 62u128.pow(10), 62u128.pow(20) - 1, 62u128.pow(20), u128::MAX];
        let random = (0..1000).map(|_| Uuid::new_v4());
        for id in [Uuid::nil(), Uuid::max(), Uuid::now_v7()].into_iter().chain(edges.map(Uuid::from_u128)).chain(random)
        {
            let s = encode_base62(id);
            assert_eq!(s.len(), 22);
            assert_eq!(decode_base62(&s), Some(id));
        }
    }

    #[test]
    fn base62_preserves_order() {
        let a = Uuid::from_u128(41);
        let b = Uuid::from_u128(u128::MAX / 3);
        assert!(encode_base62(a) < encode_base62(b));
    }

    #[test]
    fn malformed_ids_are_rejected() {
        let good = TenantId::new().to_string();
        assert!(good.parse::<TenantId>().is_ok());
        assert!(good.parse::<UserId>().is_err(), "wrong prefix");
        assert!("ten_".parse::<TenantId>().is_err());
        assert!("ten_zzzzzzzzzzzzzzzzzzzzzz".parse::<TenantId>().is_err(), "overflows 128 bits");
        assert!("ten_000000000000000000000!".parse::<TenantId>().is_err());
        assert!(format!("{good}0").parse::<TenantId>().is_err());
    }
}
