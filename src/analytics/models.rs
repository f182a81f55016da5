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
