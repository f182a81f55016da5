//! Loading a catalog file (see `examples/catalogs/`) into a tenant through the public API,
//! with a secret key: what `tollgate load-catalog` does.
//!
//! A catalog file is `{"features": [CreateFeatureRequest…], "plans": [CreatePlanRequest…]}`.
//! Every request carries an Idempotency-Key derived from its content, and a feature or plan
//! whose key already exists is reported and left as it is, so loading twice is harmless.

use std::time::Duration;

use anyhow::{bail, Context};
use serde_json::Value;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub features_created: usize,
    pub features_existing: usize,
    pub plans_created: usize,
    pub plans_existing: usize,
}

enum Outcome {
    Created,
    Existing,
}

async fn post(client: &awc::Client, url: &str, secret_key: &str, body: &Value) -> anyhow::Result<Outcome> {
    let raw = body.to_string();
    let digest: String = crate::crypto::sha256(raw.as_bytes())[..12].iter().map(|b| format!("{b:02x}")).collect();
    let mut res = client
        .post(url)
        .insert_header(("Authorization", format!("Bearer {secret_key}")))
        .insert_header(("Content-Type", "application/json"))
        .insert_header(("Idempotency-Key", format!("catalog-{digest}")))
        .send_body(raw)
        .await
        .map_err(|e| anyhow::anyhow!("POST {url}: {e}"))?;
    let status = res.status().as_u16();
    let replayed = res.headers().contains_key("idempotent-replayed");
    let answer: Value = res.json().limit(1 << 20).await.unwrap_or(Value::Null);
    match status {
        // A replayed answer: this very request was made before (within 24 hours).
        200 | 201 if replayed => Ok(Outcome::Existing),
        200 | 201 => Ok(Outcome::Created),
        409 if answer["error"]["code"] == "resource_already_exists" => Ok(Outcome::Existing),
        _ => bail!("POST {url} answered {status}: {}", answer["error"]["message"].as_str().unwrap_or("(no message)")),
    }
}

pub async fn load(base_url: &str, secret_key: &str, catalog: &Value) -> anyhow::Result<Report> {
    let base = base_url.trim_end_matches('/');
    let client = awc::Client::builder().timeout(Duration::from_secs(30)).finish();
    let mut report = Report::default();
    let list = |name: &str| -> anyhow::Result<Vec<Value>> {
        match &catalog[name] {
            Value::Null => Ok(vec![]),
            Value::Array(items) => Ok(items.clone()),
            _ => bail!("`{name}` must be a list"),
        }
    };
    for feature in list("features")? {
        let key = feature["key"].as_str().unwrap_or("?").to_string();
        match post(&client, &format!("{base}/v1/features"), secret_key, &feature)
            .await
            .with_context(|| format!("feature {key}"))?
        {
            Outcome::Created => report.features_created += 1,
            Outcome::Existing => report.features_existing += 1,
        }
    }
    for plan in list("plans")? {
        let key = plan["key"].as_str().unwrap_or("?").to_string();
        match post(&client, &format!("{base}/v1/plans"), secret_key, &plan)
            .await
            .with_context(|| format!("plan {key}"))?
        {
            Outcome::Created => report.plans_created += 1,
            Outcome::Existing => report.plans_existing += 1,
        }
    }
    Ok(report)
}
