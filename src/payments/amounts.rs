//! Amounts as Stripe writes them: an integer in the currency's smallest unit *as Stripe counts
//! it*, which is not always ISO 4217's. JPY and MGA have no decimals at Stripe (ISO gives MGA
//! two); ISK has two at Stripe (ISO: none) and must be a multiple of 100; the three-decimal
//! currencies must end in 0. An amount is converted exactly or refused, never rounded: a
//! rounding here would charge a customer something other than their invoice.

use rust_decimal::Decimal;

/// Stripe's zero-decimal currencies.
const ZERO_DECIMAL: &[&str] =
    &["BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"];
/// Three decimals at Stripe, and the last digit must be 0.
const THREE_DECIMAL: &[&str] = &["BHD", "JOD", "KWD", "OMR", "TND"];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotChargeable {
    #[error("{amount} {currency} has more decimals than Stripe accepts for {currency}")]
    Precision { amount: Decimal, currency: String },
    #[error("Stripe takes {currency} amounts only in steps of {step} (got {amount})")]
    Step { amount: Decimal, currency: String, step: Decimal },
    #[error("{amount} {currency} is outside what a payment can be")]
    Range { amount: Decimal, currency: String },
}

/// The power of ten between a major unit and Stripe's integer, and the step (in Stripe's
/// units) every amount must be a multiple of.
fn scale(currency: &str) -> (u32, i64) {
    if ZERO_DECIMAL.contains(&currency) {
        (0, 1)
    } else if THREE_DECIMAL.contains(&currency) {
        (3, 10)
    } else if currency == "ISK" {
        (2, 100)
    } else {
        (2, 1)
    }
}

/// `amount` of `currency` (an ISO code, upper case) as Stripe's integer.
pub fn to_stripe(amount: Decimal, currency: &str) -> Result<i64, NotChargeable> {
    let (exp, step) = scale(currency);
    let scaled = amount
        .checked_mul(Decimal::from(10i64.pow(exp)))
        .ok_or_else(|| NotChargeable::Range { amount, currency: currency.into() })?;
    if !scaled.fract().is_zero() {
        return Err(NotChargeable::Precision { amount, currency: currency.into() });
    }
    let minor =
        i64::try_from(scaled.trunc()).map_err(|_| NotChargeable::Range { amount, currency: currency.into() })?;
    if minor <= 0 {
        return Err(NotChargeable::Range { amount, currency: currency.into() });
    }
    if minor % step != 0 {
        let step = Decimal::new(step, exp);
        return Err(NotChargeable::Step { amount, currency: currency.into(), step });
    }
    Ok(minor)
}

/// Stripe's integer as an amount of `currency`.
pub fn from_stripe(minor: i64, currency: &str) -> Decimal {
    Decimal::new(minor, scale(currency).0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn stripe_units_differ_from_iso_where_stripe_says_so() {
        assert_eq!(to_stripe(d("1501"), "JPY"), Ok(1501));
        assert_eq!(to_stripe(d("15.01"), "USD"), Ok(1501));
        assert_eq!(to_stripe(d("5.120"), "KWD"), Ok(5120));
        assert_eq!(to_stripe(d("500"), "ISK"), Ok(50000));
        assert_eq!(to_stripe(d("12"), "MGA"), Ok(12));
        assert_eq!(to_stripe(d("0.5"), "EUR"), Ok(50));
    }

    #[test]
    fn what_cannot_be_said_exactly_is_refused() {
        assert!(matches!(to_stripe(d("5.124"), "KWD"), Err(NotChargeable::Step { .. })));
        assert!(matches!(to_stripe(d("12.50"), "MGA"), Err(NotChargeable::Precision { .. })));
        assert!(matches!(to_stripe(d("0.001"), "USD"), Err(NotChargeable::Precision { .. })));
        assert!(matches!(to_stripe(d("500.5"), "ISK"), Err(NotChargeable::Step { .. })));
        assert!(matches!(to_stripe(d("0"), "USD"), Err(NotChargeable::Range { .. })));
        assert!(matches!(to_stripe(d("-1"), "USD"), Err(NotChargeable::Range { .. })));
        assert!(matches!(to_stripe(d("79228162514264337593543950335"), "USD"), Err(NotChargeable::Range { .. })));
    }

    #[test]
    fn back_from_stripe() {
        assert_eq!(from_stripe(1501, "JPY"), d("1501"));
        assert_eq!(from_stripe(1501, "USD"), d("15.01"));
        assert_eq!(from_stripe(5120, "KWD"), d("5.120"));
        assert_eq!(from_stripe(50000, "ISK"), d("500.00"));
    }
}
