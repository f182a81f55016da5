//! Rating: what a period's usage and base fee cost. Pure functions over `rust_decimal`, tested
//! table-wise; nothing here rounds except [`round_line`], which every invoice line goes
//! through exactly once.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::catalog::models::{ChargeSpec, TierSpec};
use crate::money::Currency;

/// One tier of a graduated or volume charge as billed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TierUse {
    /// The tier's bounds: units above `from` up to and including `up_to` (null: no upper bound).
    #[schema(value_type = String, example = "0")]
    pub from: Decimal,
    #[schema(value_type = Option<String>, example = "1000")]
    pub up_to: Option<Decimal>,
    /// Units billed in this tier.
    #[schema(value_type = String, example = "1000")]
    pub quantity: Decimal,
    #[schema(value_type = String, example = "0.01")]
    pub unit_amount: Decimal,
    #[schema(value_type = String, example = "0")]
    pub flat_amount: Decimal,
    /// `quantity × unit_amount + flat_amount`, before the line is rounded.
    #[schema(value_type = String, example = "10")]
    pub amount: Decimal,
}

/// A usage charge rated over a period's aggregated usage. `amount` is exact (not yet rounded).
#[derive(Debug, Clone, PartialEq)]
pub struct Rated {
    /// The aggregated usage of the period.
    pub used: Decimal,
    /// Units that cost nothing (`included`).
    pub included: Decimal,
    /// What the line bills: units past `included` (per_unit), packages (package), or all
    /// units (graduated, volume).
    pub quantity: Decimal,
    /// Price of one `quantity`; `None` for graduated charges, whose tiers carry it.
    pub unit_amount: Option<Decimal>,
    pub amount: Decimal,
    /// Graduated: every tier reached; volume: the one tier that prices all units.
    pub tiers: Vec<TierUse>,
}

fn over(used: Decimal, included: Decimal) -> Decimal {
    (used - included).max(Decimal::ZERO)
}

/// Rates `used` units (never negative) under one charge.
pub fn rate(charge: &ChargeSpec, used: Decimal) -> Rated {
    let used = used.max(Decimal::ZERO);
    match charge {
        ChargeSpec::PerUnit { unit_amount, included, .. } => {
            let quantity = over(used, included.value());
            Rated {
                used,
                included: included.value(),
                quantity,
                unit_amount: Some(*unit_amount),
                amount: quantity * unit_amount,
                tiers: Vec::new(),
            }
        }
        ChargeSpec::Package { package_size, package_amount, included, .. } => {
            let billable = over(used, included.value());
            let size = package_size.value();
            // A started package is billed whole.
            let packages = if size > Decimal::ZERO { (billable / size).ceil() } else { Decimal::ZERO };
            Rated {
                used,
                included: included.value(),
                quantity: packages,
                unit_amount: Some(*package_amount),
                amount: packages * package_amount,
                tiers: Vec::new(),
            }
        }
        ChargeSpec::Graduated { tiers, .. } => {
            let uses = graduated(tiers, used);
            let amount = uses.iter().map(|t| t.amount).sum();
            Rated { used, included: Decimal::ZERO, quantity: used, unit_amount: None, amount, tiers: uses }
        }
        ChargeSpec::Volume { tiers, .. } => match volume_tier(tiers, used) {
            Some(t) if used > Decimal::ZERO => Rated {
                used,
                included: Decimal::ZERO,
                quantity: used,
                unit_amount: Some(t.unit_amount),
                amount: t.amount,
                tiers: vec![t],
            },
            _ => Rated {
                used,
                included: Decimal::ZERO,
                quantity: used,
                unit_amount: tiers.first().map(|t| t.unit_amount),
                amount: Decimal::ZERO,
                tiers: Vec::new(),
            },
        },
    }
}

/// Graduated: each tier prices the units that fall in it; a tier's flat amount is billed once
/// the tier is reached.
fn graduated(tiers: &[TierSpec], used: Decimal) -> Vec<TierUse> {
    let mut out = Vec::new();
    let mut from = Decimal::ZERO;
    for t in tiers {
        if used <= from {
            break;
        }
        let up_to = t.up_to.as_ref().map(|q| q.value());
        let top = up_to.map_or(used, |u| u.min(used));
        let quantity = (top - from).max(Decimal::ZERO);
        out.push(TierUse {
            from,
            up_to,
            quantity,
            unit_amount: t.unit_amount,
            flat_amount: t.flat_amount,
            amount: quantity * t.unit_amount + t.flat_amount,
        });
        match up_to {
            Some(u) => from = u,
            None => break,
        }
    }
    out
}

/// Volume: the tier the whole quantity falls in prices every unit, plus its flat amount.
fn volume_tier(tiers: &[TierSpec], used: Decimal) -> Option<TierUse> {
    let mut from = Decimal::ZERO;
    for t in tiers {
        let up_to = t.up_to.as_ref().map(|q| q.value());
        if up_to.is_none_or(|u| used <= u) {
            return Some(TierUse {
                from,
                up_to,
                quantity: used,
                unit_amount: t.unit_amount,
                flat_amount: t.flat_amount,
                amount: used * t.unit_amount + t.flat_amount,
            });
        }
        from = up_to.unwrap_or(from);
    }
    None
}

/// The share of a period `[start, end)` that `[from, to)` covers, to the second.
pub fn fraction(start: DateTime<Utc>, end: DateTime<Utc>, from: DateTime<Utc>, to: DateTime<Utc>) -> Decimal {
    let whole = (end - start).num_seconds();
    let part = (to.min(end) - from.max(start)).num_seconds().clamp(0, whole.max(0));
    if whole <= 0 {
        return Decimal::ZERO;
    }
    if part == whole {
        return Decimal::ONE;
    }
    Decimal::from(part) / Decimal::from(whole)
}

/// A line's amount, rounded once, half away from zero, to the currency's minor unit.
pub fn round_line(currency: Currency, amount: Decimal) -> Decimal {
    currency.round(amount)
}

/// Totals of an invoice whose lines are already rounded: tax computed once on the subtotal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub subtotal: Decimal,
    pub tax: Decimal,
    pub total: Decimal,
}

pub fn totals(currency: Currency, lines: impl IntoIterator<Item = Decimal>, tax_rate: Option<Decimal>) -> Totals {
    let subtotal: Decimal = lines.into_iter().sum();
    let tax = match tax_rate {
        Some(rate) if !rate.is_zero() => currency.round(subtotal * rate / Decimal::ONE_HUNDRED),
        _ => Decimal::ZERO,
    };
    Totals { subtotal, tax, total: subtotal + tax }
}

/// How a total and the customer's credit settle: what is due now, the credit used, and the
/// credit left (a negative total adds to it).
pub fn settle(total: Decimal, credit: Decimal) -> (Decimal, Decimal, Decimal) {
    if total <= Decimal::ZERO {
        return (Decimal::ZERO, Decimal::ZERO, credit - total);
    }
    let applied = credit.min(total);
    (total - applied, applied, credit - applied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Quantity;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn q(s: &str) -> Quantity {
        Quantity(d(s))
    }

    fn tier(up_to: Option<&str>, unit: &str, flat: &str) -> TierSpec {
        TierSpec { up_to: up_to.map(q), unit_amount: d(unit), flat_amount: d(flat) }
    }

    #[test]
    fn per_unit_bills_what_exceeds_the_included_units() {
        let c = ChargeSpec::PerUnit { feature: "api_calls".into(), unit_amount: d("0.002"), included: q("50000") };
        // (used, billed quantity, amount)
        for (used, quantity, amount) in [
            ("0", "0", "0"),
            ("49999", "0", "0"),
            ("50000", "0", "0"),
            ("50001", "1", "0.002"),
            ("120000", "70000", "140"),
            ("50000.5", "0.5", "0.001"),
        ] {
            let r = rate(&c, d(used));
            assert_eq!((r.quantity, r.amount), (d(quantity), d(amount)), "used {used}");
            assert_eq!(r.unit_amount, Some(d("0.002")));
        }
    }

    #[test]
    fn package_rounds_a_started_package_up() {
        let c = ChargeSpec::Package {
            feature: "exports".into(),
            package_size: q("1000"),
            package_amount: d("1.00"),
            included: q("500"),
        };
        for (used, packages, amount) in [
            ("0", "0", "0"),
            ("500", "0", "0"),
            ("501", "1", "1"),
            ("1500", "1", "1"),
            ("1501", "2", "2"),
            ("10500", "10", "10"),
        ] {
            let r = rate(&c, d(used));
            assert_eq!((r.quantity, r.amount), (d(packages), d(amount)), "used {used}");
        }
    }

    #[test]
    fn graduated_prices_each_tier_separately() {
        let c = ChargeSpec::Graduated {
            feature: "data_mb".into(),
            tiers: vec![tier(Some("1000"), "0", "0"), tier(Some("5000"), "0.01", "5"), tier(None, "0.005", "0")],
        };
        // (used, amount): 0–1000 free; 1000–5000 at 0.01 plus 5 flat once reached; then 0.005.
        for (used, amount) in
            [("0", "0"), ("1000", "0"), ("1001", "5.01"), ("5000", "45"), ("7000", "55"), ("2500.5", "20.005")]
        {
            assert_eq!(rate(&c, d(used)).amount, d(amount), "used {used}");
        }
        let r = rate(&c, d("7000"));
        let spelled: Vec<_> = r.tiers.iter().map(|t| (t.from, t.up_to, t.quantity, t.amount)).collect();
        assert_eq!(
            spelled,
            vec![
                (d("0"), Some(d("1000")), d("1000"), d("0")),
                (d("1000"), Some(d("5000")), d("4000"), d("45")),
                (d("5000"), None, d("2000"), d("10")),
            ]
        );
        assert_eq!(r.unit_amount, None);
    }

    #[test]
    fn volume_prices_all_units_at_the_reached_tier() {
        let c = ChargeSpec::Volume {
            feature: "inferences".into(),
            tiers: vec![tier(Some("100"), "0.05", "0"), tier(Some("1000"), "0.04", "2"), tier(None, "0.03", "0")],
        };
        // (used, unit, amount)
        for (used, unit, amount) in [
            ("0", "0.05", "0"),
            ("1", "0.05", "0.05"),
            ("100", "0.05", "5"),
            ("101", "0.04", "6.04"),
            ("1000", "0.04", "42"),
            ("1001", "0.03", "30.03"),
        ] {
            let r = rate(&c, d(used));
            assert_eq!((r.unit_amount, r.amount), (Some(d(unit)), d(amount)), "used {used}");
        }
    }

    #[test]
    fn negative_usage_rates_as_nothing() {
        let c = ChargeSpec::PerUnit { feature: "x".into(), unit_amount: d("1"), included: q("0") };
        assert_eq!(rate(&c, d("-5")).amount, Decimal::ZERO);
    }

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn proration_is_to_the_second() {
        let (s, e) = (t("2030-01-01T00:00:00Z"), t("2030-02-01T00:00:00Z")); // 31 days
        assert_eq!(fraction(s, e, s, e), Decimal::ONE);
        assert_eq!(fraction(s, e, t("2030-01-16T12:00:00Z"), e), d("0.5"));
        assert_eq!(fraction(s, e, t("2030-01-11T00:00:00Z"), e), Decimal::from(21) / Decimal::from(31));
        assert_eq!(fraction(s, e, t("2030-01-01T00:00:01Z"), e), Decimal::from(2_678_399) / Decimal::from(2_678_400));
        assert_eq!(fraction(s, e, e, e), Decimal::ZERO);
        assert_eq!(fraction(s, e, t("2029-12-01T00:00:00Z"), t("2030-03-01T00:00:00Z")), Decimal::ONE, "clamped");
    }

    #[test]
    fn rounding_is_once_per_line_and_tax_once_per_invoice() {
        let usd = Currency::parse("USD").unwrap();
        let jpy = Currency::parse("JPY").unwrap();
        let kwd = Currency::parse("KWD").unwrap();
        assert_eq!(round_line(usd, d("0.005")), d("0.01"));
        assert_eq!(round_line(usd, d("-0.005")), d("-0.01"), "half away from zero");
        assert_eq!(round_line(usd, d("49.5000000001")), d("49.50"));
        assert_eq!(round_line(jpy, d("1234.5")), d("1235"));
        assert_eq!(round_line(kwd, d("1.2345")), d("1.235"));

        // 3 lines of 0.333… each rounded to 0.33: the total is 0.99, not 1.00.
        let lines = [d("1") / d("3"), d("1") / d("3"), d("1") / d("3")].map(|a| round_line(usd, a));
        let tt = totals(usd, lines, Some(d("20")));
        assert_eq!((tt.subtotal, tt.tax, tt.total), (d("0.99"), d("0.20"), d("1.19")));
        let tt = totals(jpy, [d("1234")], Some(d("10")));
        assert_eq!((tt.tax, tt.total), (d("123"), d("1357")));
        assert_eq!(totals(usd, [d("10.00")], None).total, d("10.00"));
    }

    #[test]
    fn credit_settles_against_totals() {
        assert_eq!(settle(d("100"), d("0")), (d("100"), d("0"), d("0")));
        assert_eq!(settle(d("100"), d("30")), (d("70"), d("30"), d("0")));
        assert_eq!(settle(d("20"), d("30")), (d("0"), d("20"), d("10")));
        assert_eq!(settle(d("-35"), d("5")), (d("0"), d("0"), d("40")));
    }
}
