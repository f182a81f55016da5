use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize, Serializer};
use utoipa::ToSchema;

use crate::catalog::period::{Cadence, Interval};
use crate::ids::{FeatureId, PlanId, TenantId};
pub use crate::ledger::Aggregation;
use crate::money::{Amount, Currency, Quantity};
use crate::schema::{features, plan_versions, plans};
use crate::tenancy::Mode;
use crate::types::{text_enum, Key, Text};

text_enum!(
    /// `boolean`: has it or not. `metered`: counted, limited and billed by usage. `config`: a value.
    FeatureType { Boolean => "boolean", Metered => "metered", Config => "config" }
);
text_enum!(
    /// When a metered limit starts over: UTC calendar day or month, the subscription's billing
    /// period, or never.
    Reset { Day => "day", Month => "month", BillingPeriod => "billing_period", Never => "never" }
);
text_enum!(
    /// What happens past a metered limit: `block` refuses, `allow` grants and reports it.
    Overage { Block => "block", Allow => "allow" }
);
text_enum!(
    /// When the base fee is billed: at the start of each period (default) or at its end.
    Billing { InAdvance => "in_advance", InArrears => "in_arrears" }
);
text_enum!(
    /// How usage is priced.
    ChargeModel { PerUnit => "per_unit", Graduated => "graduated", Volume => "volume", Package => "package" }
);

/// A config feature's value: a string (at most 500 characters), a number or a boolean.
pub struct ConfigValue;

impl utoipa::PartialSchema for ConfigValue {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{SchemaType, Type};
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Number, Type::Boolean]))
            .description(Some("A config feature's value: a string (at most 500 characters), a number or a boolean."))
            .max_length(Some(500))
            .examples([serde_json::json!("dedicated")])
            .into()
    }
}

impl utoipa::ToSchema for ConfigValue {}

// ---- rows ----

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = features, check_for_backend(diesel::pg::Pg))]
pub struct Feature {
    pub tenant_id: TenantId,
    pub mode: Mode,
    pub id: FeatureId,
    pub key: String,
    pub name: String,
    pub kind: FeatureType,
    pub unit: Option<String>,
    pub aggregation: Option<Aggregation>,
    pub property: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl Feature {
    /// What the ledger adds up for this feature; `None` unless it is metered.
    pub fn metered(&self) -> Option<crate::ledger::aggregate::Metered<'_>> {
        Some(crate::ledger::aggregate::Metered {
            feature: &self.key,
            aggregation: self.aggregation?,
            property: self.property.as_deref(),
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = plans, check_for_backend(diesel::pg::Pg))]
pub struct Plan {
    pub tenant_id: TenantId,
    pub mode: Mode,
    pub id: PlanId,
    pub key: String,
    pub latest_version: i32,
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = plan_versions, check_for_backend(diesel::pg::Pg))]
pub struct PlanVersion {
    pub tenant_id: TenantId,
    pub mode: Mode,
    pub plan_id: PlanId,
    pub version: i32,
    pub name: String,
    pub currency: String,
    pub interval: Interval,
    pub interval_count: i32,
    pub amount: Decimal,
    pub billing: Billing,
    pub trial_days: i32,
    pub entitlements: serde_json::Value,
    pub charges: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

impl PlanVersion {
    /// How its billing periods repeat.
    pub fn cadence(&self) -> Cadence {
        Cadence::new(self.interval, u32::try_from(self.interval_count).unwrap_or(1).max(1))
    }

    pub fn currency(&self) -> Currency {
        Currency::parse(&self.currency).expect("stored currencies were validated")
    }

    /// The price as people read it: `USD 20.00 per month`, `EUR 90.00 per 3 months`.
    pub fn price_label(&self) -> String {
        let every = if self.interval_count == 1 {
            self.interval.to_string()
        } else {
            format!("{} {}s", self.interval_count, self.interval)
        };
        format!("{} {} per {every}", self.currency().code(), self.currency().format(self.amount))
    }

    /// The price per month, exact: year ÷ 12, week × 52 ÷ 12, day × 365 ÷ 12, divided by the
    /// interval count.
    pub fn monthly_amount(&self) -> Decimal {
        let (num, den) = match self.interval {
            Interval::Day => (365, 12),
            Interval::Week => (52, 12),
            Interval::Month => (1, 1),
            Interval::Year => (1, 12),
        };
        self.amount * Decimal::from(num) / (Decimal::from(den) * Decimal::from(self.interval_count.max(1)))
    }

    pub fn entitlement_specs(&self) -> Vec<EntitlementSpec> {
        serde_json::from_value(self.entitlements.clone()).unwrap_or_default()
    }

    pub fn charge_specs(&self) -> Vec<ChargeSpec> {
        serde_json::from_value(self.charges.clone()).unwrap_or_default()
    }
}

// ---- canonical plan documents ----

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RateLimitSpec {
    /// Requests allowed per window.
    #[schema(example = 50)]
    pub limit: u32,
    #[schema(example = 1)]
    pub window_seconds: u32,
}

/// One entitlement of a plan version, in its canonical form.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EntitlementSpec {
    pub feature: String,
    #[serde(default)]
    pub limit: Option<i64>,
    #[serde(default)]
    pub reset: Option<Reset>,
    #[serde(default)]
    pub overage: Option<Overage>,
    #[serde(default)]
    pub value: Option<serde_json::Value>,
    #[serde(default)]
    pub rate_limit: Option<RateLimitSpec>,
}

impl EntitlementSpec {
    /// When its limit window starts over: the billing period unless it says otherwise.
    pub fn reset(&self) -> Reset {
        self.reset.unwrap_or(Reset::BillingPeriod)
    }
}

impl Serialize for EntitlementSpec {
    /// Metered entitlements always show `limit` (null = unlimited), `reset` and `overage`;
    /// boolean ones only the feature; config ones the `value`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("feature", &self.feature)?;
        if let (Some(reset), Some(overage)) = (self.reset, self.overage) {
            m.serialize_entry("limit", &self.limit)?;
            m.serialize_entry("reset", &reset)?;
            m.serialize_entry("overage", &overage)?;
        }
        if let Some(v) = &self.value {
            m.serialize_entry("value", v)?;
        }
        if let Some(r) = &self.rate_limit {
            m.serialize_entry("rate_limit", r)?;
        }
        m.end()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierSpec {
    /// Upper bound (inclusive) of the tier; `None` for the last, unbounded tier.
    pub up_to: Option<Quantity>,
    pub unit_amount: Decimal,
    pub flat_amount: Decimal,
}

/// One usage charge of a plan version, in its canonical form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum ChargeSpec {
    PerUnit { feature: String, unit_amount: Decimal, included: Quantity },
    Graduated { feature: String, tiers: Vec<TierSpec> },
    Volume { feature: String, tiers: Vec<TierSpec> },
    Package { feature: String, package_size: Quantity, package_amount: Decimal, included: Quantity },
}

impl ChargeSpec {
    pub fn feature(&self) -> &str {
        match self {
            ChargeSpec::PerUnit { feature, .. }
            | ChargeSpec::Graduated { feature, .. }
            | ChargeSpec::Volume { feature, .. }
            | ChargeSpec::Package { feature, .. } => feature,
        }
    }
}

// ---- API: features ----

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"key": "api_calls", "name": "API calls", "type": "metered", "unit": "request", "aggregation": "sum"}))]
pub struct CreateFeatureRequest {
    /// Your name for it, used everywhere else: 1 to 64 of `A-Z a-z 0-9 _ - . :`. Unique per mode.
    #[schema(min_length = 1, max_length = 64, pattern = r"^[A-Za-z0-9_.:-]+$", value_type = String, example = "api_calls")]
    pub key: Key,
    #[schema(min_length = 1, max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$", value_type = String, example = "API calls")]
    pub name: Text<1, 200>,
    #[serde(rename = "type")]
    pub kind: FeatureType,
    /// What one unit is, for invoices (`request`, `MB`).
    #[schema(min_length = 1, max_length = 50, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$", value_type = Option<String>, example = "request")]
    pub unit: Option<Text<1, 50>>,
    /// Metered features only; default `sum` (of each event's quantity).
    pub aggregation: Option<Aggregation>,
    /// The event property that `max`, `unique_count` and `latest` read.
    #[schema(min_length = 1, max_length = 100, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$", value_type = Option<String>, example = "model")]
    pub property: Option<Text<1, 100>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeatureResponse {
    pub id: FeatureId,
    #[schema(example = "api_calls")]
    pub key: String,
    #[schema(example = "API calls")]
    pub name: String,
    #[serde(rename = "type")]
    pub kind: FeatureType,
    pub unit: Option<String>,
    pub aggregation: Option<Aggregation>,
    pub property: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<Feature> for FeatureResponse {
    fn from(f: Feature) -> Self {
        FeatureResponse {
            id: f.id,
            key: f.key,
            name: f.name,
            kind: f.kind,
            unit: f.unit,
            aggregation: f.aggregation,
            property: f.property,
            created_at: f.created_at,
        }
    }
}

// ---- API: plans ----

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateLimitInput {
    #[schema(value_type = u32, example = 50)]
    pub limit: Quantity,
    #[schema(value_type = u32, example = 1)]
    pub window_seconds: Quantity,
}

/// An entitlement as sent: `{feature}` (boolean), `{feature, limit?, reset?, overage?}`
/// (metered) or `{feature, value}` (config); `rate_limit` on any.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntitlementInput {
    #[schema(example = "api_calls")]
    pub feature: String,
    /// Metered: the most usage per `reset` window; absent or null for unlimited.
    #[schema(value_type = Option<u64>, example = 100000)]
    pub limit: Option<Quantity>,
    /// Metered: default `billing_period`.
    pub reset: Option<Reset>,
    /// Metered: default `block`.
    pub overage: Option<Overage>,
    /// Config: the value (a string, number or boolean).
    #[schema(value_type = Option<ConfigValue>, example = "dedicated")]
    pub value: Option<serde_json::Value>,
    pub rate_limit: Option<RateLimitInput>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TierInput {
    /// Inclusive upper bound; null for the last tier, which must be unbounded.
    #[schema(value_type = Option<u64>, example = 1000)]
    pub up_to: Option<Quantity>,
    /// Price per unit in the tier; default "0".
    pub unit_amount: Option<Amount>,
    /// A fixed price for reaching the tier; default "0".
    pub flat_amount: Option<Amount>,
}

/// A usage charge on a metered feature.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChargeInput {
    #[schema(example = "api_calls")]
    pub feature: String,
    pub model: ChargeModel,
    /// Must be the plan's currency when given.
    pub currency: Option<Currency>,
    /// `per_unit`: price per unit, up to 12 decimal places.
    pub unit_amount: Option<Amount>,
    /// `per_unit`, `package`: units per period that cost nothing.
    pub included: Option<Quantity>,
    /// `graduated`, `volume`: ascending tiers, the last unbounded.
    pub tiers: Option<Vec<TierInput>>,
    /// `package`: units per package; a started package is billed whole.
    #[schema(value_type = Option<u64>, minimum = 1, maximum = 1_000_000_000_000_u64, example = 1000)]
    pub package_size: Option<Quantity>,
    /// `package`: the price of one package.
    pub package_amount: Option<Amount>,
}

fn plan_example() -> serde_json::Value {
    serde_json::json!({"key": "pro", "name": "Pro", "currency": "USD", "interval": "month", "amount": "99.00",
        "billing": "in_advance", "trial_days": 0,
        "entitlements": [
            {"feature": "batch_api"},
            {"feature": "api_calls", "limit": 100000, "reset": "day", "overage": "block",
             "rate_limit": {"limit": 50, "window_seconds": 1}},
            {"feature": "support_tier", "value": "dedicated"}],
        "charges": [
            {"feature": "api_calls", "model": "per_unit", "unit_amount": "0.002", "included": 50000},
            {"feature": "data_mb", "model": "graduated",
             "tiers": [{"up_to": 1000, "unit_amount": "0"}, {"up_to": null, "unit_amount": "0.01"}]}]})
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = plan_example)]
pub struct CreatePlanRequest {
    /// 1 to 64 of `A-Z a-z 0-9 _ - . :`; unique per mode.
    #[schema(min_length = 1, max_length = 64, pattern = r"^[A-Za-z0-9_.:-]+$", value_type = String, example = "pro")]
    pub key: Key,
    #[schema(min_length = 1, max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$", value_type = String, example = "Pro")]
    pub name: Text<1, 200>,
    pub currency: Currency,
    pub interval: Interval,
    /// Periods of `interval_count` intervals; default 1.
    #[schema(value_type = Option<u32>, example = 1)]
    pub interval_count: Option<Quantity>,
    /// The base fee per period, in the currency's minor unit at most ("99.00"; "0" for none).
    pub amount: Amount,
    /// Default `in_advance`.
    pub billing: Option<Billing>,
    /// Default 0.
    #[schema(value_type = Option<u32>, example = 14)]
    pub trial_days: Option<Quantity>,
    #[serde(default)]
    pub entitlements: Vec<EntitlementInput>,
    #[serde(default)]
    pub charges: Vec<ChargeInput>,
}

/// Any of the plan's terms; the rest stay as they are. Entitlements and charges are replaced
/// whole when given.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"amount": "109.00", "charges": [{"feature": "api_calls", "model": "per_unit", "unit_amount": "0.0025", "included": 50000}]}))]
pub struct UpdatePlanRequest {
    #[schema(min_length = 1, max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$", value_type = Option<String>)]
    pub name: Option<Text<1, 200>>,
    pub currency: Option<Currency>,
    pub interval: Option<Interval>,
    #[schema(value_type = Option<u32>)]
    pub interval_count: Option<Quantity>,
    pub amount: Option<Amount>,
    pub billing: Option<Billing>,
    #[schema(value_type = Option<u32>)]
    pub trial_days: Option<Quantity>,
    pub entitlements: Option<Vec<EntitlementInput>>,
    pub charges: Option<Vec<ChargeInput>>,
}

/// A plan as shown: its newest version unless another was asked for.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "plan_0PYr3fWn4fTq0wKfM8sQ2e", "key": "pro", "name": "Pro", "version": 2,
    "currency": "USD", "interval": "month", "interval_count": 1, "amount": "99.00", "billing": "in_advance",
    "trial_days": 0, "entitlements": [{"feature": "api_calls", "limit": 100000, "reset": "day", "overage": "block"}],
    "charges": [{"model": "per_unit", "feature": "api_calls", "unit_amount": "0.002", "included": 50000}],
    "archived": false, "created_at": "2026-11-24T10:00:00Z", "version_created_at": "2026-11-25T10:00:00Z"}))]
pub struct PlanResponse {
    pub id: PlanId,
    pub key: String,
    pub name: String,
    /// The version shown.
    pub version: i32,
    /// The plan's newest version.
    pub latest_version: i32,
    pub currency: Currency,
    pub interval: Interval,
    pub interval_count: i32,
    pub amount: String,
    pub billing: Billing,
    pub trial_days: i32,
    #[schema(value_type = Vec<EntitlementInput>)]
    pub entitlements: serde_json::Value,
    #[schema(value_type = Vec<ChargeInput>)]
    pub charges: serde_json::Value,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub version_created_at: DateTime<Utc>,
}

impl PlanResponse {
    pub fn new(plan: &Plan, v: PlanVersion) -> PlanResponse {
        let currency = v.currency();
        PlanResponse {
            id: plan.id,
            key: plan.key.clone(),
            name: v.name,
            version: v.version,
            latest_version: plan.latest_version,
            currency,
            interval: v.interval,
            interval_count: v.interval_count,
            amount: currency.format(v.amount),
            billing: v.billing,
            trial_days: v.trial_days,
            entitlements: v.entitlements,
            charges: v.charges,
            archived: plan.archived_at.is_some(),
            created_at: plan.created_at,
            version_created_at: v.created_at,
        }
    }
}
