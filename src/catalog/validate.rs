//! Validation of a plan's terms into their canonical form. Pure: the caller supplies the
//! tenant's features. Each error names the field at fault (`charges[1].tiers[0].up_to`).

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;

use super::models::*;
use crate::catalog::period::Interval;
use crate::error::{ApiError, ErrorCode};
use crate::money::{Amount, Currency, Quantity};

pub const MAX_ENTITLEMENTS: usize = 100;
pub const MAX_CHARGES: usize = 50;
pub const MAX_TIERS: usize = 20;
pub const MAX_TRIAL_DAYS: i64 = 730;
pub const MAX_RATE_WINDOW_SECONDS: i64 = 86_400;

/// Every term of a plan version, as sent (or as stored, for the terms a PATCH leaves alone).
#[derive(Debug, Clone)]
pub struct TermsInput {
    pub name: String,
    pub currency: Currency,
    pub interval: Interval,
    pub interval_count: Option<Quantity>,
    pub amount: Amount,
    pub billing: Option<Billing>,
    pub trial_days: Option<Quantity>,
    pub entitlements: Vec<EntitlementInput>,
    pub charges: Vec<ChargeInput>,
}

impl CreatePlanRequest {
    /// The plan's key, and its terms for validation.
    pub fn into_terms(self) -> (crate::types::Key, TermsInput) {
        let terms = TermsInput {
            name: self.name.into_inner(),
            currency: self.currency,
            interval: self.interval,
            interval_count: self.interval_count,
            amount: self.amount,
            billing: self.billing,
            trial_days: self.trial_days,
            entitlements: self.entitlements,
            charges: self.charges,
        };
        (self.key, terms)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ValidTerms {
    pub name: String,
    pub currency: Currency,
    pub interval: Interval,
    pub interval_count: i32,
    pub amount: Decimal,
    pub billing: Billing,
    pub trial_days: i32,
    pub entitlements: Vec<EntitlementSpec>,
    pub charges: Vec<ChargeSpec>,
}

fn invalid(param: impl Into<String>, message: impl Into<String>) -> ApiError {
    let param = param.into();
    let message = message.into();
    ApiError::bad_request(ErrorCode::ParameterInvalid, format!("{param}: {message}")).with_param(param)
}

fn whole(q: Quantity, param: &str, min: i64, max: i64) -> Result<i64, ApiError> {
    match q.as_whole() {
        Some(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(invalid(param, format!("must be a whole number from {min} to {max}"))),
    }
}

/// A fixed amount (base fee, flat or package price) carries at most the currency's minor unit.
fn money(a: Amount, currency: Currency, param: &str) -> Result<Decimal, ApiError> {
    if a.scale() > currency.minor_units() {
        return Err(invalid(
            param,
            format!("{} amounts have at most {} decimal places", currency.code(), currency.minor_units()),
        ));
    }
    Ok(rescaled(a.value(), currency.minor_units()))
}

/// A unit price: up to 12 decimal places (already checked by `Amount`).
fn unit_price(a: Amount, currency: Currency) -> Decimal {
    rescaled(a.value(), currency.minor_units())
}

fn rescaled(d: Decimal, min_scale: u32) -> Decimal {
    let mut v = d.normalize();
    if v.scale() < min_scale {
        v.rescale(min_scale);
    }
    v
}

pub fn validate_terms(t: TermsInput, features: &HashMap<String, FeatureType>) -> Result<ValidTerms, ApiError> {
    let interval_count = match t.interval_count {
        None => 1,
        Some(q) => whole(q, "interval_count", 1, i64::from(t.interval.max_count()))?,
    };
    let trial_days = match t.trial_days {
        None => 0,
        Some(q) => whole(q, "trial_days", 0, MAX_TRIAL_DAYS)?,
    };
    let amount = money(t.amount, t.currency, "amount")?;

    if t.entitlements.len() > MAX_ENTITLEMENTS {
        return Err(invalid("entitlements", format!("at most {MAX_ENTITLEMENTS} entitlements")));
    }
    let mut seen = HashSet::new();
    let mut entitlements = Vec::with_capacity(t.entitlements.len());
    for (i, e) in t.entitlements.into_iter().enumerate() {
        let at = |field: &str| format!("entitlements[{i}].{field}");
        let Some(&kind) = features.get(&e.feature) else {
            return Err(invalid(at("feature"), format!("there is no feature {:?}", e.feature)));
        };
        if !seen.insert(e.feature.clone()) {
            return Err(invalid(at("feature"), format!("{:?} has more than one entitlement", e.feature)));
        }
        let rate_limit = match e.rate_limit {
            None => None,
            Some(r) => Some(RateLimitSpec {
                limit: whole(r.limit, &at("rate_limit.limit"), 1, 1_000_000)? as u32,
                window_seconds: whole(r.window_seconds, &at("rate_limit.window_seconds"), 1, MAX_RATE_WINDOW_SECONDS)?
                    as u32,
            }),
        };
        let not_for = |field: &str, present: bool| -> Result<(), ApiError> {
            if present {
                Err(invalid(at(field), format!("a {} feature takes no {field}", kind.as_str())))
            } else {
                Ok(())
            }
        };
        let spec = match kind {
            FeatureType::Boolean => {
                not_for("limit", e.limit.is_some())?;
                not_for("reset", e.reset.is_some())?;
                not_for("overage", e.overage.is_some())?;
                not_for("value", e.value.is_some())?;
                EntitlementSpec { feature: e.feature, limit: None, reset: None, overage: None, value: None, rate_limit }
            }
            FeatureType::Metered => {
                not_for("value", e.value.is_some())?;
                let limit = match e.limit {
                    None => None,
                    Some(q) => Some(whole(q, &at("limit"), 0, 1_000_000_000_000_000)?),
                };
                EntitlementSpec {
                    feature: e.feature,
                    limit,
                    reset: Some(e.reset.unwrap_or(Reset::BillingPeriod)),
                    overage: Some(e.overage.unwrap_or(Overage::Block)),
                    value: None,
                    rate_limit,
                }
            }
            FeatureType::Config => {
                not_for("limit", e.limit.is_some())?;
                not_for("reset", e.reset.is_some())?;
                not_for("overage", e.overage.is_some())?;
                let value = match e.value {
                    Some(
                        v @ (serde_json::Value::String(_) | serde_json::Value::Number(_) | serde_json::Value::Bool(_)),
                    ) => v,
                    Some(_) => return Err(invalid(at("value"), "must be a string, a number or a boolean")),
                    None => {
                        return Err(ApiError::bad_request(
                            ErrorCode::ParameterMissing,
                            format!("{} is required for a config feature", at("value")),
                        )
                        .with_param(at("value")))
                    }
                };
                if value.as_str().is_some_and(|s| s.len() > 500) {
                    return Err(invalid(at("value"), "must be at most 500 characters"));
                }
                EntitlementSpec {
                    feature: e.feature,
                    limit: None,
                    reset: None,
                    overage: None,
                    value: Some(value),
                    rate_limit,
                }
            }
        };
        entitlements.push(spec);
    }

    if t.charges.len() > MAX_CHARGES {
        return Err(invalid("charges", format!("at most {MAX_CHARGES} charges")));
    }
    let mut charged = HashSet::new();
    let mut charges = Vec::with_capacity(t.charges.len());
    for (i, c) in t.charges.into_iter().enumerate() {
        let at = |field: &str| format!("charges[{i}].{field}");
        match features.get(&c.feature) {
            None => return Err(invalid(at("feature"), format!("there is no feature {:?}", c.feature))),
            Some(FeatureType::Metered) => {}
            Some(other) => {
                return Err(invalid(
                    at("feature"),
                    format!("{:?} is a {} feature; only metered features can be charged", c.feature, other.as_str()),
                ))
            }
        }
        if !charged.insert(c.feature.clone()) {
            return Err(invalid(at("feature"), format!("{:?} has more than one charge", c.feature)));
        }
        if let Some(cur) = c.currency {
            if cur != t.currency {
                return Err(invalid(
                    at("currency"),
                    format!("the plan is priced in {}, not {}", t.currency.code(), cur.code()),
                ));
            }
        }
        let model = c.model;
        let forbid = |field: &str, present: bool| -> Result<(), ApiError> {
            if present {
                Err(invalid(at(field), format!("a {} charge takes no {field}", model.as_str())))
            } else {
                Ok(())
            }
        };
        let require = |field: &str| {
            ApiError::bad_request(
                ErrorCode::ParameterMissing,
                format!("{} is required for a {} charge", at(field), model.as_str()),
            )
            .with_param(at(field))
        };
        let spec = match model {
            ChargeModel::PerUnit => {
                forbid("tiers", c.tiers.is_some())?;
                forbid("package_size", c.package_size.is_some())?;
                forbid("package_amount", c.package_amount.is_some())?;
                let unit_amount = c.unit_amount.ok_or_else(|| require("unit_amount"))?;
                ChargeSpec::PerUnit {
                    feature: c.feature,
                    unit_amount: unit_price(unit_amount, t.currency),
                    included: c.included.unwrap_or_default(),
                }
            }
            ChargeModel::Graduated | ChargeModel::Volume => {
                forbid("unit_amount", c.unit_amount.is_some())?;
                forbid("included", c.included.is_some())?;
                forbid("package_size", c.package_size.is_some())?;
                forbid("package_amount", c.package_amount.is_some())?;
                let tiers = c.tiers.ok_or_else(|| require("tiers"))?;
                let tiers = validate_tiers(tiers, t.currency, &at("tiers"))?;
                if model == ChargeModel::Graduated {
                    ChargeSpec::Graduated { feature: c.feature, tiers }
                } else {
                    ChargeSpec::Volume { feature: c.feature, tiers }
                }
            }
            ChargeModel::Package => {
                forbid("unit_amount", c.unit_amount.is_some())?;
                forbid("tiers", c.tiers.is_some())?;
                let size = c.package_size.ok_or_else(|| require("package_size"))?;
                let size = whole(size, &at("package_size"), 1, 1_000_000_000_000)?;
                let price = c.package_amount.ok_or_else(|| require("package_amount"))?;
                ChargeSpec::Package {
                    feature: c.feature,
                    package_size: Quantity(Decimal::from(size)),
                    package_amount: unit_price(price, t.currency),
                    included: c.included.unwrap_or_default(),
                }
            }
        };
        charges.push(spec);
    }

    Ok(ValidTerms {
        name: t.name,
        currency: t.currency,
        interval: t.interval,
        interval_count: interval_count as i32,
        amount,
        billing: t.billing.unwrap_or(Billing::InAdvance),
        trial_days: trial_days as i32,
        entitlements,
        charges,
    })
}

fn validate_tiers(tiers: Vec<TierInput>, currency: Currency, at: &str) -> Result<Vec<TierSpec>, ApiError> {
    if tiers.is_empty() || tiers.len() > MAX_TIERS {
        return Err(invalid(at, format!("give 1 to {MAX_TIERS} tiers")));
    }
    let last = tiers.len() - 1;
    let mut previous: Option<Decimal> = None;
    let mut out = Vec::with_capacity(tiers.len());
    for (j, tier) in tiers.into_iter().enumerate() {
        let param = format!("{at}[{j}].up_to");
        match (j == last, tier.up_to) {
            (true, Some(_)) => return Err(invalid(param, "the last tier must be unbounded (up_to: null)")),
            (false, None) => return Err(invalid(param, "only the last tier may be unbounded")),
            (false, Some(q)) => {
                if q.value().is_zero() || previous.is_some_and(|p| q.value() <= p) {
                    return Err(invalid(param, "tiers must be strictly ascending and above 0"));
                }
                previous = Some(q.value());
            }
            (true, None) => {}
        }
        out.push(TierSpec {
            up_to: tier.up_to,
            unit_amount: unit_price(tier.unit_amount.unwrap_or_default(), currency),
            flat_amount: money(tier.flat_amount.unwrap_or_default(), currency, &format!("{at}[{j}].flat_amount"))?,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn features() -> HashMap<String, FeatureType> {
        [
            ("api_calls", FeatureType::Metered),
            ("data_mb", FeatureType::Metered),
            ("batch_api", FeatureType::Boolean),
            ("support_tier", FeatureType::Config),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    fn terms(v: serde_json::Value) -> Result<ValidTerms, ApiError> {
        let req: CreatePlanRequest =
            serde_json::from_value(v).map_err(|e| ApiError::bad_request(ErrorCode::ParameterInvalid, e.to_string()))?;
        validate_terms(req.into_terms().1, &features())
    }

    fn base() -> serde_json::Value {
        json!({"key": "pro", "name": "Pro", "currency": "USD", "interval": "month", "amount": "99.00"})
    }

    fn with(extra: serde_json::Value) -> serde_json::Value {
        let mut b = base();
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    }

    fn param_of(r: Result<ValidTerms, ApiError>) -> String {
        r.unwrap_err().envelope().error.param.unwrap_or_default()
    }

    #[test]
    fn the_api_example_validates_into_canonical_documents() {
        let t = terms(with(json!({
            "entitlements": [
                {"feature": "batch_api"},
                {"feature": "api_calls", "limit": 100000, "reset": "day", "rate_limit": {"limit": 50, "window_seconds": 1}},
                {"feature": "support_tier", "value": "dedicated"}],
            "charges": [
                {"feature": "api_calls", "model": "per_unit", "unit_amount": "0.002", "included": 50000},
                {"feature": "data_mb", "model": "graduated",
                 "tiers": [{"up_to": 1000, "unit_amount": "0"}, {"up_to": null, "unit_amount": "0.01"}]}]
        })))
        .unwrap();
        assert_eq!(t.amount.to_string(), "99.00");
        assert_eq!(t.billing, Billing::InAdvance);
        assert_eq!(
            serde_json::to_value(&t.entitlements).unwrap(),
            json!([
                {"feature": "batch_api"},
                {"feature": "api_calls", "limit": 100000, "reset": "day", "overage": "block", "rate_limit": {"limit": 50, "window_seconds": 1}},
                {"feature": "support_tier", "value": "dedicated"}])
        );
        assert_eq!(
            serde_json::to_value(&t.charges).unwrap(),
            json!([
                {"model": "per_unit", "feature": "api_calls", "unit_amount": "0.002", "included": 50000},
                {"model": "graduated", "feature": "data_mb", "tiers": [
                    {"up_to": 1000, "unit_amount": "0.00", "flat_amount": "0.00"},
                    {"up_to": null, "unit_amount": "0.01", "flat_amount": "0.00"}]}])
        );
        // The canonical form reads back as an input and validates to the same terms (PATCH
        // relies on it).
        let again = terms(with(json!({
            "entitlements": serde_json::to_value(&t.entitlements).unwrap(),
            "charges": serde_json::to_value(&t.charges).unwrap(),
        })))
        .unwrap();
        assert_eq!(again, t);
    }

    #[test]
    fn each_invalid_term_names_its_field() {
        let cases = [
            (json!({"entitlements": [{"feature": "nope"}]}), "entitlements[0].feature"),
            (json!({"charges": [{"feature": "nope", "model": "per_unit", "unit_amount": "1"}]}), "charges[0].feature"),
            (
                json!({"charges": [{"feature": "batch_api", "model": "per_unit", "unit_amount": "1"}]}),
                "charges[0].feature",
            ),
            (json!({"entitlements": [{"feature": "batch_api", "limit": 10}]}), "entitlements[0].limit"),
            (json!({"entitlements": [{"feature": "support_tier"}]}), "entitlements[0].value"),
            (json!({"entitlements": [{"feature": "support_tier", "value": {"a": 1}}]}), "entitlements[0].value"),
            (json!({"entitlements": [{"feature": "api_calls", "value": "x"}]}), "entitlements[0].value"),
            (json!({"entitlements": [{"feature": "api_calls", "limit": 1.5}]}), "entitlements[0].limit"),
            (json!({"entitlements": [{"feature": "api_calls"}, {"feature": "api_calls"}]}), "entitlements[1].feature"),
            (
                json!({"entitlements": [{"feature": "api_calls", "rate_limit": {"limit": 0, "window_seconds": 1}}]}),
                "entitlements[0].rate_limit.limit",
            ),
            (
                json!({"entitlements": [{"feature": "api_calls", "rate_limit": {"limit": 5, "window_seconds": 100000}}]}),
                "entitlements[0].rate_limit.window_seconds",
            ),
            (
                json!({"charges": [{"feature": "data_mb", "model": "graduated", "tiers": [{"up_to": 100}, {"up_to": 50}, {"up_to": null}]}]}),
                "charges[0].tiers[1].up_to",
            ),
            (
                json!({"charges": [{"feature": "data_mb", "model": "graduated", "tiers": [{"up_to": 100}, {"up_to": 100}, {"up_to": null}]}]}),
                "charges[0].tiers[1].up_to",
            ),
            (
                json!({"charges": [{"feature": "data_mb", "model": "volume", "tiers": [{"up_to": 100}, {"up_to": 200}]}]}),
                "charges[0].tiers[1].up_to",
            ),
            (
                json!({"charges": [{"feature": "data_mb", "model": "volume", "tiers": [{"up_to": null}, {"up_to": null}]}]}),
                "charges[0].tiers[0].up_to",
            ),
            (json!({"charges": [{"feature": "data_mb", "model": "volume", "tiers": []}]}), "charges[0].tiers"),
            (json!({"charges": [{"feature": "data_mb", "model": "volume"}]}), "charges[0].tiers"),
            (json!({"charges": [{"feature": "data_mb", "model": "per_unit"}]}), "charges[0].unit_amount"),
            (
                json!({"charges": [{"feature": "data_mb", "model": "per_unit", "unit_amount": "1", "tiers": []}]}),
                "charges[0].tiers",
            ),
            (
                json!({"charges": [{"feature": "data_mb", "model": "package", "package_amount": "1"}]}),
                "charges[0].package_size",
            ),
            (
                json!({"charges": [{"feature": "data_mb", "model": "package", "package_size": 0, "package_amount": "1"}]}),
                "charges[0].package_size",
            ),
            (
                json!({"charges": [{"feature": "data_mb", "model": "per_unit", "unit_amount": "1", "currency": "EUR"}]}),
                "charges[0].currency",
            ),
            (
                json!({"charges": [{"feature": "api_calls", "model": "per_unit", "unit_amount": "1"}, {"feature": "api_calls", "model": "per_unit", "unit_amount": "2"}]}),
                "charges[1].feature",
            ),
            (
                json!({"charges": [{"feature": "data_mb", "model": "volume", "tiers": [{"up_to": null, "flat_amount": "1.001"}]}]}),
                "charges[0].tiers[0].flat_amount",
            ),
            (json!({"amount": "99.001"}), "amount"),
            (json!({"currency": "JPY", "amount": "1000.5"}), "amount"),
            (json!({"interval_count": 0}), "interval_count"),
            (json!({"interval": "year", "interval_count": 4}), "interval_count"),
            (json!({"trial_days": 731}), "trial_days"),
        ];
        for (extra, param) in cases {
            assert_eq!(param_of(terms(with(extra.clone()))), param, "{extra}");
        }
    }

    #[test]
    fn amounts_keep_up_to_12_places_on_unit_prices_only() {
        let t = terms(with(
            json!({"charges": [{"feature": "api_calls", "model": "per_unit", "unit_amount": "0.000000000001"}]}),
        ))
        .unwrap();
        assert_eq!(serde_json::to_value(&t.charges).unwrap()[0]["unit_amount"], "0.000000000001");
        let t = terms(with(json!({"currency": "KWD", "amount": "1.250"}))).unwrap();
        assert_eq!(t.amount.to_string(), "1.250");
        let t = terms(with(json!({"currency": "JPY", "amount": "1000"}))).unwrap();
        assert_eq!(t.amount.to_string(), "1000");
    }
}
