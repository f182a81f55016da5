use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::money::Currency;
use crate::types::text_enum;

text_enum!(
    /// The length of an MRR bucket.
    BucketInterval { Day => "day", Week => "week", Month => "month" }
);

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SummaryParams {
    /// Figures are per currency, never summed across currencies.
    pub currency: Currency,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Summary {
    #[schema(example = "USD")]
    pub currency: String,
    /// Monthly recurring revenue now: the sum of subscriptions' monthly amounts while active or
    /// past due (trials, usage and tax excluded).
    #[schema(example = "1290.00")]
    pub mrr: String,
    /// 12 × `mrr`.
    #[schema(example = "15480.00")]
    pub arr: String,
    /// Customers whose MRR is above 0.
    pub subscribers: i64,
    /// `mrr` ÷ `subscribers` (0 without subscribers).
    #[schema(example = "43.00")]
    pub arpu: String,
    /// The `amount_due` of open invoices past their `due_at`.
    #[schema(example = "99.00")]
    pub overdue: String,
    /// Customers who had MRR above 0 thirty days ago and have none now.
    pub churned_30d: i64,
    /// `churned_30d` ÷ the customers with MRR above 0 thirty days ago, in percent with two
    /// decimals; null when there were none.
    #[schema(example = "2.50")]
    pub churn_rate_30d: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MrrParams {
    pub currency: Currency,
    /// The first bucket's start; default 12 intervals before `to`'s bucket.
    #[serde(default, deserialize_with = "crate::types::time_opt")]
    pub from: Option<DateTime<Utc>>,
    /// The end (exclusive): buckets cover `[from, to)`; default the end of the present bucket.
    #[serde(default, deserialize_with = "crate::types::time_opt")]
    pub to: Option<DateTime<Utc>>,
    /// Default `month` (UTC calendar months).
    pub interval: Option<BucketInterval>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MrrBucket {
    pub start: DateTime<Utc>,
    /// MRR as at the bucket's end.
    #[schema(example = "1290.00")]
    pub mrr: String,
    /// Customers with MRR above 0 as at the bucket's end.
    pub subscribers: i64,
    /// Customers from 0 to above 0 who never had MRR before.
    #[schema(example = "99.00")]
    pub new: String,
    /// Customers whose MRR grew.
    #[schema(example = "50.00")]
    pub expansion: String,
    /// Customers whose MRR shrank (not to 0).
    #[schema(example = "20.00")]
    pub contraction: String,
    /// Customers from above 0 to 0: their MRR at the bucket's start.
    #[schema(example = "29.00")]
    pub churn: String,
    /// Customers from 0 to above 0 who had MRR before.
    #[schema(example = "0.00")]
    pub reactivation: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MrrSeries {
    #[schema(example = "USD")]
    pub currency: String,
    pub interval: BucketInterval,
    pub data: Vec<MrrBucket>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RevenueParams {
    pub currency: Currency,
    /// The first month (its start); default 12 months before `to`'s month.
    #[serde(default, deserialize_with = "crate::types::time_opt")]
    pub from: Option<DateTime<Utc>>,
    /// The end (exclusive); default the end of the present month.
    #[serde(default, deserialize_with = "crate::types::time_opt")]
    pub to: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevenueMonth {
    /// The month's start (UTC).
    pub month: DateTime<Utc>,
    /// Totals (tax included) of the invoices finalized in the month, void ones excepted.
    #[schema(example = "1548.00")]
    pub invoiced: String,
    /// What the invoices paid in the month asked for (`amount_due`).
    #[schema(example = "1290.00")]
    pub collected: String,
    /// The usage lines of the invoices finalized in the month.
    #[schema(example = "258.00")]
    pub usage: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevenueSeries {
    #[schema(example = "USD")]
    pub currency: String,
    pub data: Vec<RevenueMonth>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeatureUsage {
    #[schema(example = "api_calls")]
    pub feature: String,
    /// What the usage lines charged for it. (No quantity: lines count units, packages or units
    /// past an allowance, depending on the price, so their sum would mean nothing.)
    #[schema(example = "258.00")]
    pub amount: String,
}

/// Usage billed per feature over `[from, to)`: the usage lines of the invoices finalized then
/// (void ones excepted), largest amount first.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsageByFeature {
    #[schema(example = "USD")]
    pub currency: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub data: Vec<FeatureUsage>,
}
