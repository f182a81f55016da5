//! Money and quantities. No floating point anywhere: amounts are `rust_decimal::Decimal`,
//! written in the API as decimal strings in major units (`"99.00"`, `"0.001"`).

use crate::error::ErrorCode;
use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

/// The most decimal places a unit price may carry.
pub const MAX_UNIT_SCALE: u32 = 12;
/// The largest amount or quantity accepted anywhere (10^15): far beyond any real price, well
/// within Decimal's 28 digits even after multiplication by large quantities.
pub fn max_value() -> Decimal {
    Decimal::from(1_000_000_000_000_000i64)
}

/// An ISO 4217 currency with its minor unit (USD 2, JPY 0, KWD 3).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency(iso_currency::Currency);

impl Currency {
    pub fn parse(code: &str) -> Result<Currency, String> {
        let upper = code.trim().to_ascii_uppercase();
        let c = iso_currency::Currency::from_code(&upper)
            .ok_or_else(|| format!("{code:?} is not an ISO 4217 currency code"))?;
        // Funds, metals and "no currency" codes have no minor unit: not for prices.
        if c.exponent().is_none() {
            return Err(format!("{upper} is not a currency that prices can be set in"));
        }
        Ok(Currency(c))
    }

    pub fn code(&self) -> &'static str {
        // iso_currency's code() returns a &'static str.
        self.0.code()
    }

    /// Digits after the decimal point of the minor unit.
    pub fn minor_units(&self) -> u32 {
        u32::from(self.0.exponent().unwrap_or(0))
    }

    /// Rounds to the minor unit, half away from zero: how every invoice line is rounded.
    pub fn round(&self, amount: Decimal) -> Decimal {
        amount.round_dp_with_strategy(self.minor_units(), RoundingStrategy::MidpointAwayFromZero)
    }

    /// Formats an amount with at least the minor unit's digits: `99` → `"99.00"` in USD,
    /// `0.001` stays `"0.001"`.
    pub fn format(&self, amount: Decimal) -> String {
        format_min_scale(amount, self.minor_units())
    }
}

pub fn format_min_scale(amount: Decimal, min_scale: u32) -> String {
    let mut v = amount.normalize();
    if v.scale() < min_scale {
        v.rescale(min_scale);
    }
    v.to_string()
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Currency::parse(&s).map_err(de::Error::custom)
    }
}

/// Parses a decimal string exactly. `Decimal::from_str` rounds whatever does not fit in its 28
/// significant digits (`1e-40` becomes 0, a 40-place price `0.00`), so a value that cannot be
/// represented exactly is refused instead. Trailing zeros after the point carry no value and
/// are dropped first, so `"1.50000000000000000000000000000000"` is fine.
pub fn parse_exact(s: &str) -> Result<Decimal, String> {
    let t = s.trim();
    let t = if t.contains('.') { t.trim_end_matches('0').trim_end_matches('.') } else { t };
    match Decimal::from_str_exact(t) {
        Ok(d) => Ok(d),
        Err(rust_decimal::Error::Underflow) => {
            Err(format!("{s:?} cannot be represented exactly: use at most 28 significant digits"))
        }
        Err(_) if t.bytes().filter(u8::is_ascii_digit).count() > 28 => Err("is too large".into()),
        Err(_) => Err(format!("{s:?} is not a number")),
    }
}

/// A non-negative amount of money or a price, sent as a decimal string (never a JSON number,
/// which would pass through floating point in most clients), with at most 12 decimal places.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(pub Decimal);

impl Amount {
    pub fn parse(s: &str) -> Result<Amount, String> {
        let t = s.trim();
        let valid_chars = !t.is_empty()
            && t.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
            && !t.starts_with('.')
            && !t.ends_with('.');
        if !valid_chars {
            return Err(format!("{s:?} is not a decimal amount like \"99.00\""));
        }
        let d = parse_exact(t).map_err(|e| {
            if e.contains("exactly") || e == "is too large" {
                e
            } else {
                format!("{s:?} is not a decimal amount like \"99.00\"")
            }
        })?;
        if d.is_sign_negative() && !d.is_zero() {
            return Err("must not be negative".into());
        }
        if d.scale() > MAX_UNIT_SCALE && d.normalize().scale() > MAX_UNIT_SCALE {
            return Err(format!("must have at most {MAX_UNIT_SCALE} decimal places"));
        }
        if d > max_value() {
            return Err("is too large".into());
        }
        Ok(Amount(d.normalize().abs()))
    }

    pub fn value(&self) -> Decimal {
        self.0
    }

    /// Decimal places, ignoring trailing zeros.
    pub fn scale(&self) -> u32 {
        self.0.normalize().scale()
    }
}

impl fmt::Debug for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Amount;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal string like \"99.00\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Amount, E> {
                Amount::parse(v).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Amount, E> {
                Err(E::custom("amounts are decimal strings like \"99.00\", not JSON numbers"))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Amount, E> {
                Err(E::custom("amounts are decimal strings like \"99.00\", not JSON numbers"))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Amount, E> {
                Err(E::custom("amounts are decimal strings like \"99.00\", not JSON numbers"))
            }
        }
        d.deserialize_any(V)
    }
}

/// A non-negative quantity: a JSON number or a decimal string, both accepted.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Quantity(pub Decimal);

impl Quantity {
    pub fn value(&self) -> Decimal {
        self.0
    }

    /// The quantity as a whole number, when it is one.
    pub fn as_whole(&self) -> Option<i64> {
        let n = self.0.normalize();
        (n.scale() == 0).then(|| i64::try_from(n).ok()).flatten()
    }

    /// The quantity as a whole number from `min` to `max`, or a 400 naming `param`.
    pub fn whole_in(&self, min: i64, max: i64, param: &str) -> Result<i64, crate::error::ApiError> {
        match self.as_whole() {
            Some(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(crate::error::ApiError::bad_request(
                ErrorCode::ParameterInvalid,
                format!("{param} must be a whole number from {min} to {max}"),
            )
            .with_param(param)),
        }
    }

    fn check(d: Decimal) -> Result<Quantity, String> {
        if d.is_sign_negative() && !d.is_zero() {
            return Err("must not be negative".into());
        }
        if d > max_value() {
            return Err("is too large".into());
        }
        if d.normalize().scale() > MAX_UNIT_SCALE {
            return Err(format!("must have at most {MAX_UNIT_SCALE} decimal places"));
        }
        Ok(Quantity(d.normalize().abs()))
    }
}

impl fmt::Debug for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for Quantity {
    /// Whole quantities go out as JSON numbers, fractional ones as decimal strings.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.as_whole() {
            Some(n) => s.serialize_i64(n),
            None => s.collect_str(&self.0.normalize()),
        }
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Quantity;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a non-negative number or decimal string")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Quantity, E> {
                Quantity::check(Decimal::from(v)).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Quantity, E> {
                Quantity::check(Decimal::from(v)).map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Quantity, E> {
                // JSON numbers with a fraction: take serde_json's shortest representation.
                if !v.is_finite() {
                    return Err(E::custom("is not a usable number"));
                }
                let d = parse_exact(&v.to_string()).map_err(E::custom)?;
                Quantity::check(d).map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Quantity, E> {
                let d = parse_exact(v).map_err(E::custom)?;
                Quantity::check(d).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn currencies_know_their_minor_units() {
        for (code, minor) in [("USD", 2), ("eur", 2), ("JPY", 0), ("KWD", 3), ("CLF", 4)] {
            assert_eq!(Currency::parse(code).unwrap().minor_units(), minor, "{code}");
        }
        assert!(Currency::parse("XYZ").is_err());
        assert!(Currency::parse("XAU").is_err(), "gold has no minor unit");
        assert!(Currency::parse("").is_err());
    }

    #[test]
    fn rounding_is_half_away_from_zero_to_the_minor_unit() {
        let cases = [
            ("USD", "1.005", "1.01"),
            ("USD", "1.004999", "1.00"),
            ("USD", "-1.005", "-1.01"),
            ("USD", "0.125", "0.13"),
            ("JPY", "100.5", "101"),
            ("JPY", "100.49", "100"),
            ("KWD", "1.0005", "1.001"),
        ];
        for (code, input, want) in cases {
            let c = Currency::parse(code).unwrap();
            assert_eq!(c.round(dec(input)), dec(want), "{code} {input}");
        }
    }

    #[test]
    fn formats_keep_the_minor_unit_and_extra_precision() {
        let usd = Currency::parse("USD").unwrap();
        assert_eq!(usd.format(dec("99")), "99.00");
        assert_eq!(usd.format(dec("99.5000")), "99.50");
        assert_eq!(usd.format(dec("0.001")), "0.001");
        assert_eq!(Currency::parse("JPY").unwrap().format(dec("1200.0")), "1200");
    }

    #[test]
    fn amounts_are_non_negative_decimal_strings_with_at_most_12_places() {
        let ok = |s: &str| serde_json::from_str::<Amount>(s).map(|a| a.0);
        assert_eq!(ok(r#""99.00""#).unwrap(), dec("99"));
        assert_eq!(ok(r#""0.000000000001""#).unwrap(), dec("0.000000000001"));
        assert_eq!(ok(r#""1.5000000000000""#).unwrap(), dec("1.5"), "trailing zeros do not count");
        for bad in [
            r#""0.0000000000001""#,
            r#""-1""#,
            r#""abc""#,
            r#""1e3""#,
            r#""""#,
            "99",
            "9.5",
            r#"".5""#,
            r#""1000000000000001""#,
            // 40 places: once rounded silently to 0.00.
            r#""0.0000000000000000000000000000000000000001""#,
            r#""99999999999999999999999999999999999999""#,
        ] {
            assert!(ok(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn quantities_take_numbers_or_strings() {
        let q = |s: &str| serde_json::from_str::<Quantity>(s).map(|q| q.0);
        assert_eq!(q("100").unwrap(), dec("100"));
        assert_eq!(q("2.5").unwrap(), dec("2.5"));
        assert_eq!(q(r#""0.25""#).unwrap(), dec("0.25"));
        assert!(q("-1").is_err());
        assert!(q("1e300").is_err());
        // Never rounded: what cannot be represented exactly is refused.
        assert!(q("1e-40").is_err());
        assert!(q(r#""0.0000000000000000000000000000000000000001""#).is_err());
        assert!(q(r#""12345678901234567890.123456789012""#).is_err());
        assert_eq!(q(r#""2.50000000000000000000000000000000000""#).unwrap(), dec("2.5"));
        assert_eq!(serde_json::to_string(&Quantity(dec("1000"))).unwrap(), "1000");
        assert_eq!(serde_json::to_string(&Quantity(dec("0.5"))).unwrap(), r#""0.5""#);
    }
}

mod schemas {
    //! OpenAPI schemas for the money types: strings (and numbers, for quantities).
    use std::borrow::Cow;

    use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
    use utoipa::openapi::RefOr;

    /// A decimal string from 0 to 10^15 with at most 12 decimal places, as [`super::parse_exact`]
    /// and the range checks accept it.
    pub const DECIMAL_PATTERN: &str = r"^(1000000000000000(\.0{1,12})?|[0-9]{1,15}(\.[0-9]{1,12})?)$";

    impl utoipa::PartialSchema for super::Currency {
        fn schema() -> RefOr<Schema> {
            // Every code `Currency::parse` accepts (prices need a minor unit), in upper case.
            let letters = || b'A'..=b'Z';
            let codes: Vec<String> = letters()
                .flat_map(|a| letters().flat_map(move |b| letters().map(move |c| [a, b, c])))
                .filter_map(|code| std::str::from_utf8(&code).ok().map(str::to_owned))
                .filter(|code| super::Currency::parse(code).is_ok())
                .collect();
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some("ISO 4217 currency code (upper case; lower case is accepted too)."))
                .enum_values(Some(codes))
                .examples([serde_json::json!("USD")])
                .into()
        }
    }
    impl utoipa::ToSchema for super::Currency {
        fn name() -> Cow<'static, str> {
            Cow::Borrowed("Currency")
        }
    }

    impl utoipa::PartialSchema for super::Amount {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some(
                    "A decimal string in major units, 0 to 10^15, at most 12 decimal places. Never a JSON number.",
                ))
                .pattern(Some(DECIMAL_PATTERN))
                .examples([serde_json::json!("99.00")])
                .into()
        }
    }
    impl utoipa::ToSchema for super::Amount {
        fn name() -> Cow<'static, str> {
            Cow::Borrowed("Amount")
        }
    }

    impl utoipa::PartialSchema for super::Quantity {
        fn schema() -> RefOr<Schema> {
            // `minimum`/`maximum` bind numbers, `pattern` binds strings.
            ObjectBuilder::new()
                .schema_type(utoipa::openapi::schema::SchemaType::from_iter([Type::Number, Type::String]))
                .description(Some(
                    "A number from 0 to 10^15 with at most 12 decimal places, or the same as a decimal string \
                     (`\"0.25\"`; exact, as a JSON number may not be in your client). Whole quantities come back as \
                     numbers, fractional ones as strings.",
                ))
                .minimum(Some(0))
                .maximum(Some(1_000_000_000_000_000i64))
                .multiple_of(Some(1e-12))
                .pattern(Some(DECIMAL_PATTERN))
                .examples([serde_json::json!(1000)])
                .into()
        }
    }
    impl utoipa::ToSchema for super::Quantity {
        fn name() -> Cow<'static, str> {
            Cow::Borrowed("Quantity")
        }
    }
}
