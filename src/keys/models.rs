use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::{ApiKeyId, CustomerId, TenantId};
use crate::money::Quantity;
use crate::schema::api_keys;
use crate::tenancy::Mode;
use crate::types::Text;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_keys, check_for_backend(diesel::pg::Pg))]
pub struct ApiKey {
    pub tenant_id: TenantId,
    pub mode: Mode,
    pub id: ApiKeyId,
    pub customer_id: CustomerId,
    pub name: Option<String>,
    pub prefix: String,
    pub last4: String,
    pub key_hash: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "production", "expires_at": "2027-01-01T00:00:00Z"}))]
pub struct CreateApiKeyRequest {
    #[schema(min_length = 1, max_length = 100, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$", value_type = Option<String>)]
    pub name: Option<Text<1, 100>>,
    /// After this the key answers `KEY_EXPIRED`; must be in the future.
    #[serde(default, deserialize_with = "crate::types::time_opt")]
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"grace_seconds": 3600}))]
pub struct RotateApiKeyRequest {
    /// How long the old key keeps working, 0 (default) to 30 days.
    #[schema(value_type = Option<u32>, minimum = 0, maximum = 2_592_000)]
    pub grace_seconds: Option<Quantity>,
}

/// A key as listed: never the key itself.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyObject {
    pub id: ApiKeyId,
    pub customer: CustomerId,
    pub name: Option<String>,
    #[schema(example = "tg_live_9xQ2")]
    pub prefix: String,
    #[schema(example = "c5gI")]
    pub last4: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiKey> for ApiKeyObject {
    fn from(k: ApiKey) -> Self {
        ApiKeyObject {
            id: k.id,
            customer: k.customer_id,
            name: k.name,
            prefix: k.prefix,
            last4: k.last4,
            created_at: k.created_at,
            expires_at: k.expires_at,
            revoked_at: k.revoked_at,
        }
    }
}

/// A key just created: the only time `key` is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKey {
    pub id: ApiKeyId,
    #[schema(example = "tg_live_9xQ2mVb7Lk0PzR4sT8uW1yA3cE5gI7kM")]
    pub key: String,
    pub customer: CustomerId,
    pub name: Option<String>,
    #[schema(example = "tg_live_9xQ2")]
    pub prefix: String,
    #[schema(example = "c5gI")]
    pub last4: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevokedApiKey {
    pub id: ApiKeyId,
    pub revoked_at: DateTime<Utc>,
}
