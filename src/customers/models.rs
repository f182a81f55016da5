use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::ids::{CustomerId, TenantId};
use crate::money::Quantity;
use crate::schema::customers;
use crate::tenancy::Mode;
use crate::types::{double_option, Email, Text};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = customers, check_for_backend(diesel::pg::Pg))]
pub struct Customer {
    pub tenant_id: TenantId,
    pub mode: Mode,
    pub id: CustomerId,
    pub email: String,
    pub name: Option<String>,
    pub external_id: Option<String>,
    pub metadata: serde_json::Value,
    pub tax_rate: Option<Decimal>,
    pub created_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// Usage before this instant is on a finalized invoice.
    pub billed_through: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = customers)]
pub struct CustomerChangeset {
    pub email: Option<String>,
    pub name: Option<Option<String>>,
    pub external_id: Option<Option<String>>,
    pub metadata: Option<serde_json::Value>,
    pub tax_rate: Option<Option<Decimal>>,
}

/// Your own key–value pairs: at most 50 keys of 1 to 40 characters, values up to 500.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Metadata(pub BTreeMap<String, String>);

impl utoipa::PartialSchema for Metadata {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Type};
        let text = |max: usize| ObjectBuilder::new().schema_type(Type::String).max_length(Some(max));
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some("Your own key–value pairs: at most 50 keys of 1 to 40 characters, values up to 500."))
            .max_properties(Some(50))
            .property_names(Some(text(40).min_length(Some(1))))
            .additional_properties(Some(AdditionalProperties::RefOr(text(500).into())))
            .examples([serde_json::json!({"crm_id": "A-1042"})])
            .into()
    }
}

impl utoipa::ToSchema for Metadata {}

impl<'de> Deserialize<'de> for Metadata {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let map = BTreeMap::<String, String>::deserialize(d)?;
        if map.len() > 50 {
            return Err(D::Error::custom("at most 50 keys"));
        }
        for (k, v) in &map {
            if k.is_empty() || k.chars().count() > 40 {
                return Err(D::Error::custom(format!("key {k:?} must be 1 to 40 characters")));
            }
            if v.chars().count() > 500 {
                return Err(D::Error::custom(format!("the value of {k:?} must be at most 500 characters")));
            }
        }
        Ok(Metadata(map))
    }
}

/// A tax rate in percent, 0 to 100 with at most 4 decimal places (`"20"`, `7.25`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaxRate(pub Decimal);

impl utoipa::PartialSchema for TaxRate {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Number]))
            .description(Some(
                "A tax rate in percent, 0 to 100 with at most 4 decimal places, as a decimal string (or a number).",
            ))
            .minimum(Some(0))
            .maximum(Some(100))
            .multiple_of(Some(0.0001))
            .pattern(Some(r"^(100(\.0{1,4})?|[0-9]{1,2}(\.[0-9]{1,4})?)$"))
            .examples([serde_json::json!("20")])
            .into()
    }
}

impl utoipa::ToSchema for TaxRate {}

impl<'de> Deserialize<'de> for TaxRate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let q = Quantity::deserialize(d)?;
        let v = q.value().normalize();
        if v > Decimal::from(100) {
            return Err(D::Error::custom("must be a percentage from 0 to 100"));
        }
        if v.scale() > 4 {
            return Err(D::Error::custom("must have at most 4 decimal places"));
        }
        Ok(TaxRate(v))
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "billing@globex.example", "name": "Globex", "external_id": "globex-42",
    "metadata": {"crm_id": "A-1042"}, "tax_rate": "20"}))]
pub struct CreateCustomerRequest {
    #[schema(value_type = String, format = Email)]
    pub email: Email,
    #[schema(min_length = 1, max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$", value_type = Option<String>)]
    pub name: Option<Text<1, 200>>,
    /// Your id for this customer; unique per mode.
    #[schema(min_length = 1, max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$", value_type = Option<String>)]
    pub external_id: Option<Text<1, 200>>,
    pub metadata: Option<Metadata>,
    /// Percent, applied to invoice subtotals.
    #[schema(value_type = Option<TaxRate>)]
    pub tax_rate: Option<TaxRate>,
}

/// The fields to change; `null` clears `name`, `external_id` or `tax_rate`. `metadata` is
/// replaced whole.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Globex Corporation", "tax_rate": null}))]
pub struct UpdateCustomerRequest {
    #[schema(value_type = Option<String>, format = Email)]
    pub email: Option<Email>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(min_length = 1, max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$", value_type = Option<String>)]
    pub name: Option<Option<Text<1, 200>>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(min_length = 1, max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$", value_type = Option<String>)]
    pub external_id: Option<Option<Text<1, 200>>>,
    pub metadata: Option<Metadata>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<TaxRate>)]
    pub tax_rate: Option<Option<TaxRate>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerResponse {
    pub id: CustomerId,
    #[schema(example = "billing@globex.example")]
    pub email: String,
    pub name: Option<String>,
    pub external_id: Option<String>,
    #[schema(value_type = Object)]
    pub metadata: serde_json::Value,
    /// Percent, as a decimal string.
    #[schema(example = "20")]
    pub tax_rate: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The customer in the connected Stripe account (`cus_…` there); null until first needed.
    #[schema(example = "cus_Qx3bT1xYlEaAbC")]
    pub stripe_customer: Option<String>,
    /// The card invoices are charged to; null when there is none.
    pub payment_method: Option<PaymentMethodResponse>,
}

/// A payment method as Stripe describes it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaymentMethodResponse {
    /// Stripe's PaymentMethod id.
    #[schema(example = "pm_1Qx3bT2eZvKYlo2C")]
    pub id: String,
    #[schema(example = "visa")]
    pub brand: Option<String>,
    #[schema(example = "4242")]
    pub last4: Option<String>,
    #[schema(example = 12)]
    pub exp_month: Option<i32>,
    #[schema(example = 2034)]
    pub exp_year: Option<i32>,
}

/// The customer in the scope's connected Stripe account, if any.
#[derive(Debug, Clone, Queryable)]
pub struct PaymentProfile {
    pub customer_id: CustomerId,
    pub stripe_customer: String,
    pub pm_id: Option<String>,
    pub pm_brand: Option<String>,
    pub pm_last4: Option<String>,
    pub pm_exp_month: Option<i32>,
    pub pm_exp_year: Option<i32>,
}

impl CustomerResponse {
    pub fn new(c: Customer, profile: Option<PaymentProfile>) -> Self {
        let (stripe_customer, payment_method) = match profile {
            None => (None, None),
            Some(p) => {
                let pm = p.pm_id.map(|id| PaymentMethodResponse {
                    id,
                    brand: p.pm_brand,
                    last4: p.pm_last4,
                    exp_month: p.pm_exp_month,
                    exp_year: p.pm_exp_year,
                });
                (Some(p.stripe_customer), pm)
            }
        };
        CustomerResponse {
            id: c.id,
            email: c.email,
            name: c.name,
            external_id: c.external_id,
            metadata: c.metadata,
            tax_rate: c.tax_rate.map(|t| t.normalize().to_string()),
            created_at: c.created_at,
            stripe_customer,
            payment_method,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeletedCustomer {
    pub id: CustomerId,
    pub deleted: bool,
}
