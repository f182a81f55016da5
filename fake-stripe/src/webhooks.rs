//! Webhook delivery: signed JSON POSTs from the fake's own actix System, in event order, with
//! retries on failure, bent by the test's `Delivery` knobs.

use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use tokio::sync::mpsc::UnboundedReceiver;

use crate::state::{now, State};
use crate::{DeliveryRecord, Shared};

/// Waits before the 2nd, 3rd and 4th attempts: short, so tests see retries quickly.
const RETRY_DELAYS: [Duration; 3] = [Duration::from_millis(200), Duration::from_secs(1), Duration::from_secs(3)];

#[derive(Clone, Debug)]
pub struct Job {
    pub account: String,
    pub event_id: String,
    pub event_type: String,
    pub endpoint_id: String,
    pub url: String,
    pub secret: String,
    pub body: String,
}

impl Job {
    /// The event as this endpoint gets it: labelled with the endpoint's API version, if it has one.
    pub fn new(account: &str, event: &Value, endpoint: &Value, secret: String) -> Job {
        let mut payload = event.clone();
        if let Some(version) = endpoint["api_version"].as_str() {
            payload["api_version"] = version.into();
        }
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        Job {
            account: account.to_owned(),
            event_id: text(&event["id"]),
            event_type: text(&event["type"]),
            endpoint_id: text(&endpoint["id"]),
            url: text(&endpoint["url"]),
            secret,
            body: serde_json::to_string_pretty(&payload).unwrap_or_default(),
        }
    }
}

/// Applies the delivery knobs to a new job: drop it, hold it, or send it (maybe several times).
pub fn enqueue(st: &mut State, job: Job) {
    let knobs = st.delivery_for.get(&job.account).unwrap_or(&st.delivery).clone();
    if knobs.drop {
        return;
    }
    for _ in 0..knobs.copies.max(1) {
        if knobs.hold {
            st.held.push(job.clone());
        } else {
            send(st, job.clone());
        }
    }
}

pub fn send(st: &mut State, job: Job) {
    st.in_flight += 1;
    if st.jobs.send(job).is_err() {
        // The sender is gone (its System stopped): nothing will ever finish this job.
        st.in_flight -= 1;
    }
}

/// `Stripe-Signature`'s v1: hex HMAC-SHA256 of "<t>.<body>", keyed with the whole "whsec_…" secret.
pub fn sign(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs on the fake's System: first attempts one at a time (so order is kept), retries aside.
pub async fn run(shared: Arc<Shared>, mut jobs: UnboundedReceiver<Job>) {
    let client = awc::Client::builder().timeout(Duration::from_secs(5)).finish();
    while let Some(job) = jobs.recv().await {
        if attempt(&shared, &client, &job).await {
            finish(&shared);
            continue;
        }
        let (shared, client) = (shared.clone(), client.clone());
        actix_web::rt::spawn(async move {
            for delay in RETRY_DELAYS {
                tokio::time::sleep(delay).await;
                if attempt(&shared, &client, &job).await {
                    break;
                }
            }
            finish(&shared);
        });
    }
}

fn finish(shared: &Shared) {
    let mut st = shared.lock();
    st.in_flight = st.in_flight.saturating_sub(1);
    shared.idle.notify_all();
}

async fn attempt(shared: &Shared, client: &awc::Client, job: &Job) -> bool {
    let timestamp = now();
    let signature = format!("t={timestamp},v1={}", sign(&job.secret, timestamp, &job.body));
    let response = client
        .post(job.url.as_str())
        .insert_header(("Content-Type", "application/json; charset=utf-8"))
        .insert_header(("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)"))
        .insert_header(("Stripe-Signature", signature))
        .send_body(job.body.clone())
        .await;
    let status = response.ok().map(|r| r.status().as_u16());
    let ok = status.is_some_and(|s| (200..300).contains(&s));

    let mut st = shared.lock();
    st.deliveries.push(DeliveryRecord {
        event_id: job.event_id.clone(),
        event_type: job.event_type.clone(),
        url: job.url.clone(),
        status,
    });
    if ok && st.delivered.insert((job.event_id.clone(), job.endpoint_id.clone())) {
        let event =
            st.accounts.get_mut(&job.account).and_then(|a| a.events.iter_mut().find(|e| e["id"] == *job.event_id));
        if let Some(event) = event {
            let pending = event["pending_webhooks"].as_i64().unwrap_or(1);
            event["pending_webhooks"] = (pending - 1).max(0).into();
        }
    }
    ok
}
