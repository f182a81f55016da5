//! Parsed domain values for the API boundary: a value of these types is valid by construction.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// An email address, trimmed and lower-cased; compared case-insensitively by construction.
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, &'static str> {
        let s = raw.trim().to_lowercase();
        if s.len() > 254 {
            return Err("email must be at most 254 characters");
        }
        let (local, domain) = s.split_once('@').ok_or("email must look like name@example.com")?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~.".contains(&b));
        let domain_ok = domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        if local_ok && domain_ok {
            Ok(Email(s))
        } else {
            Err("email must look like name@example.com")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Email::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Trimmed text of bounded length, for names. Deserialises only within `MIN..=MAX` characters.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Text<const MIN: usize, const MAX: usize>(String);

impl<const MIN: usize, const MAX: usize> Text<MIN, MAX> {
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl<const MIN: usize, const MAX: usize> fmt::Debug for Text<MIN, MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<'de, const MIN: usize, const MAX: usize> Deserialize<'de> for Text<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let s = s.trim();
        let n = s.chars().count();
        if n < MIN || n > MAX {
            return Err(serde::de::Error::custom(format!("must be {MIN} to {MAX} characters")));
        }
        if s.chars().any(char::is_control) {
            return Err(serde::de::Error::custom("must not contain control characters"));
        }
        Ok(Text(s.to_string()))
    }
}

/// Times the API accepts: RFC 3339 with a year from 1 to 9999. chrono reads years far beyond
/// (±262,143), where date arithmetic overflows and PostgreSQL refuses to store them, so such a
/// time is refused where it is read, with the field at fault. Use with
/// `#[serde(deserialize_with = "crate::types::time")]` (`time_opt` with `default` for optional
/// fields).
pub fn time<'de, D: Deserializer<'de>>(d: D) -> Result<chrono::DateTime<chrono::Utc>, D::Error> {
    let t = chrono::DateTime::<chrono::FixedOffset>::deserialize(d)?.to_utc();
    if !(1..=9999).contains(&chrono::Datelike::year(&t)) {
        return Err(serde::de::Error::custom("times must be between the years 1 and 9999 (RFC 3339)"));
    }
    Ok(t)
}

pub fn time_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<chrono::DateTime<chrono::Utc>>, D::Error> {
    #[derive(Deserialize)]
    struct Wrapped(#[serde(deserialize_with = "time")] chrono::DateTime<chrono::Utc>);
    Ok(Option::<Wrapped>::deserialize(d)?.map(|Wrapped(t)| t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Email::parse("  Ada@Example.COM ").unwrap().as_str(), "ada@example.com");
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@example.com",
            "ada@exa_mple.com",
            "a..b@x.io",
            "ada@-x.io",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(65))).is_err());
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        let t: Text<1, 5> = serde_json::from_str(r#"" abc ""#).unwrap();
        assert_eq!(t.into_inner(), "abc");
        assert!(serde_json::from_str::<Text<1, 5>>(r#""   ""#).is_err());
        assert!(serde_json::from_str::<Text<1, 5>>(r#""abcdef""#).is_err());
        assert!(serde_json::from_str::<Text<1, 5>>(r#""a\u0000""#).is_err());
    }
}

/// Declares an enum stored as `text` and sent as a JSON string, with `as_str`, `parse` and
/// `ALL`. Its OpenAPI schema is written here rather than derived: utoipa's derive does not see
/// a `serde(rename)` whose value comes from a macro argument, and would publish the Rust
/// variant names (`PerUnit`) instead of the wire's (`per_unit`).
macro_rules! text_enum {
    ($(#[doc = $doc:literal])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
                 diesel::AsExpression, diesel::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some(Self::$variant),)+ _ => None }
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::types::enum_schema(&[$($doc),*], &[$($text),+])
            }
        }

        impl utoipa::ToSchema for $name {}

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>) -> diesel::serialize::Result {
                use std::io::Write;
                out.write_all(self.as_str().as_bytes())?;
                Ok(diesel::serialize::IsNull::No)
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn from_sql(bytes: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                let s = std::str::from_utf8(bytes.as_bytes())?;
                Self::parse(s).ok_or_else(|| format!(concat!("unknown ", stringify!($name), " {:?}"), s).into())
            }
        }
    };
}
pub(crate) use text_enum;

/// The schema of an event's `properties`: any JSON object whose text (keys included, at any
/// depth) holds no NUL character, which PostgreSQL cannot store. Its values are
/// `PropertyValue`s. (The schema says so two levels deep: SDK generators cannot follow a
/// schema that refers to itself.)
pub struct Properties;

/// A JSON Schema pattern for text without the NUL character, which PostgreSQL cannot store and
/// the server refuses anywhere in a request.
pub const NO_NUL_PATTERN: &str = "^[^\\u0000]*$";

fn no_nul_string() -> utoipa::openapi::ObjectBuilder {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .pattern(Some(NO_NUL_PATTERN))
}

fn json_object(description: &str) -> utoipa::openapi::ObjectBuilder {
    use utoipa::openapi::schema::{AdditionalProperties, Type};
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(description))
        .property_names(Some(no_nul_string()))
        .additional_properties(Some(AdditionalProperties::RefOr(
            utoipa::openapi::Ref::from_schema_name("PropertyValue").into(),
        )))
}

impl utoipa::PartialSchema for Properties {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        json_object("Event properties, a JSON object; `max`, `unique_count` and `latest` features read one of them.")
            .examples([serde_json::json!({"model": "large", "tokens": 812})])
            .into()
    }
}

impl utoipa::ToSchema for Properties {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        use utoipa::openapi::schema::{AnyOfBuilder, ArrayBuilder, ObjectBuilder, Type};
        let value = AnyOfBuilder::new()
            .description(Some("Any JSON value without a NUL character in its text."))
            .item(no_nul_string())
            .item(ObjectBuilder::new().schema_type(Type::Number))
            .item(ObjectBuilder::new().schema_type(Type::Boolean))
            .item(ObjectBuilder::new().schema_type(Type::Null))
            .item(
                ArrayBuilder::new()
                    .items(ObjectBuilder::new().schema_type(utoipa::openapi::schema::SchemaType::AnyValue)),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Object)
                    .description(Some("An object inside the properties."))
                    .property_names(Some(no_nul_string())),
            )
            .into();
        schemas.push(("PropertyValue".into(), value));
    }
}

/// The schema of a [`text_enum!`]: a string with these values, described by the doc comment
/// (its lines joined as rustdoc shows them).
pub fn enum_schema(doc: &[&str], values: &[&'static str]) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    let description = doc.iter().map(|l| l.strip_prefix(' ').unwrap_or(l)).collect::<Vec<_>>().join("\n");
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(values.iter().copied()))
        .description((!description.is_empty()).then_some(description))
        .into()
}

/// For PATCH bodies: absent → `None`, `null` → `Some(None)`, a value → `Some(Some(v))`.
pub fn double_option<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A key chosen by the tenant (features, plans): 1 to 64 of `A-Z a-z 0-9 _ - . :`.
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Key(String);

impl Key {
    pub fn parse(s: &str) -> Result<Key, &'static str> {
        if s.is_empty() || s.len() > 64 {
            return Err("must be 1 to 64 characters");
        }
        if !s.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-.:".contains(&b)) {
            return Err("may contain only letters, digits, and _ - . :");
        }
        Ok(Key(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Key::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// An http(s) URL of at most 500 characters.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Url(String);

impl Url {
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Debug for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<'de> Deserialize<'de> for Url {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let ok = (s.starts_with("https://") || s.starts_with("http://"))
            && s.len() <= 500
            && s.len() > "https://".len()
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(Url(s))
        } else {
            Err(serde::de::Error::custom("must be an http:// or https:// URL of at most 500 characters"))
        }
    }
}

/// An optional nested object: anything but a JSON object (or `null`, taken as absent) is
/// refused. Serde's derive would also take an array of the fields in order, which no client
/// means and the document does not allow.
pub fn object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    use serde::de::Error;
    match Option::<serde_json::Value>::deserialize(d)? {
        None => Ok(None),
        Some(v @ serde_json::Value::Object(_)) => T::deserialize(v).map(Some).map_err(D::Error::custom),
        Some(_) => Err(D::Error::custom("must be an object")),
    }
}
