//! Delivering one event to one endpoint, per Standard Webhooks: `webhook-id` (the event's id,
//! the same on every attempt), `webhook-timestamp` (this attempt, wall clock), and
//! `webhook-signature` (`v1,<base64>` for the endpoint's secret, and for the previous one too
//! during the 24 hours after a rotation). Signed by the `standardwebhooks` crate.
//!
//! The connection goes only to addresses that were checked: IP literals are judged by
//! [`super::address::parse`], and names are resolved by our own resolver, which hands the
//! connector only public addresses, so a name that resolves differently at connect time
//! (DNS rebinding) cannot reach a private one. Redirects are not followed, the answer is read
//! up to 64 KiB, and an attempt has 10 seconds. Failures are retried after about 5 s, 5 min,
//! 30 min, 2 h, 5 h, 10 h and 10 h (±10 %); `410 Gone`, or 5 days of failures, disable the
//! endpoint.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper_util::client::legacy::connect::dns::Name;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use rand::Rng;

use super::models::Endpoint;
use crate::config::Settings;
use crate::error::{ApiError, ApiResult};
use crate::ids::{EventId, WebhookEndpointId};
use crate::jobs::{Job, Queue, Ran};
use crate::schema::{events, webhook_deliveries, webhook_endpoints};
use crate::tenancy::Scope;

/// The waits before attempts 2, 3, …, 8.
const SCHEDULE: [TimeDelta; 7] = [
    TimeDelta::seconds(5),
    TimeDelta::minutes(5),
    TimeDelta::minutes(30),
    TimeDelta::hours(2),
    TimeDelta::hours(5),
    TimeDelta::hours(10),
    TimeDelta::hours(10),
];
const TIMEOUT: Duration = Duration::from_secs(10);
const MAX_ANSWER: usize = 64 * 1024;
/// Failing this long without a success disables an endpoint.
const GIVE_UP_AFTER: TimeDelta = TimeDelta::days(5);
/// Longer than a whole retry schedule (about 27.6 h) without any attempt: a new failure starts
/// a new run.
const QUIET_RESETS: TimeDelta = TimeDelta::hours(30);

/// Hands the connector only the public addresses a name resolves to (all of them when private
/// networks are allowed).
#[derive(Clone)]
struct PublicOnly {
    allow_private: bool,
}

impl tower_service::Service<Name> for PublicOnly {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = std::io::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            let usable: Vec<SocketAddr> =
                found.into_iter().filter(|a| allow_private || super::address::is_public(a.ip())).collect();
            if usable.is_empty() {
                return Err(std::io::Error::new(std::io::ErrorKind::PermissionDenied, "no public address"));
            }
            Ok(usable.into_iter())
        })
    }
}

type Connector = hyper_rustls::HttpsConnector<HttpConnector<PublicOnly>>;

/// Seals and opens endpoint secrets, bound to tenant, mode, endpoint and field.
#[derive(Clone, Copy)]
pub struct Sealer {
    key: [u8; 32],
}

impl Sealer {
    fn context(scope: Scope, endpoint: WebhookEndpointId, field: &str) -> Vec<u8> {
        format!("tollgate/webhooks/{}/{}/{endpoint}/{field}", scope.tenant_id, scope.mode).into_bytes()
    }

    pub fn seal(&self, scope: Scope, endpoint: WebhookEndpointId, field: &str, secret: &str) -> Vec<u8> {
        crate::crypto::seal_bound(&self.key, &Self::context(scope, endpoint, field), secret.as_bytes())
    }

    pub fn open(&self, scope: Scope, endpoint: WebhookEndpointId, field: &str, sealed: &[u8]) -> ApiResult<String> {
        crate::crypto::open_bound(&self.key, &Self::context(scope, endpoint, field), sealed)
            .and_then(|v| String::from_utf8(v).ok())
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("a sealed webhook secret does not open")))
    }
}

/// Deliveries to one endpoint at once, per instance: a slow or dead endpoint holds at most
/// these, and the others' deliveries go on.
const PER_ENDPOINT: usize = 2;

/// The webhooks' context: the HTTP client, the secrets' sealing key, the settings.
pub struct Sender {
    client: Client<Connector, Full<Bytes>>,
    pub allow_private: bool,
    seal_key: [u8; 32],
    /// Deliveries in progress per endpoint.
    busy: std::sync::Mutex<std::collections::HashMap<WebhookEndpointId, usize>>,
}

/// A delivery slot of one endpoint, given back when dropped.
struct Slot<'a> {
    sender: &'a Sender,
    endpoint: WebhookEndpointId,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut busy = self.sender.busy.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = busy.get_mut(&self.endpoint) {
            *n -= 1;
            if *n == 0 {
                busy.remove(&self.endpoint);
            }
        }
    }
}

impl Sender {
    pub fn new(settings: &Settings) -> Sender {
        let allow_private = settings.webhook_allow_private_networks;
        let mut http = HttpConnector::new_with_resolver(PublicOnly { allow_private });
        http.enforce_http(false);
        http.set_connect_timeout(Some(Duration::from_secs(5)));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(http);
        let client = Client::builder(hyper_util::rt::TokioExecutor::new()).build(https);
        let root = settings.jwt_secret.expose().as_bytes();
        Sender {
            client,
            allow_private,
            seal_key: crate::crypto::hmac_sha256(root, &[b"tollgate/webhook-secrets/v1"]),
            busy: Default::default(),
        }
    }

    /// A slot to deliver to `endpoint`, unless [`PER_ENDPOINT`] deliveries to it are under way.
    fn slot(&self, endpoint: WebhookEndpointId) -> Option<Slot<'_>> {
        let mut busy = self.busy.lock().unwrap_or_else(|e| e.into_inner());
        let n = busy.entry(endpoint).or_default();
        if *n >= PER_ENDPOINT {
            return None;
        }
        *n += 1;
        Some(Slot { sender: self, endpoint })
    }

    pub fn seal(&self, scope: Scope, endpoint: WebhookEndpointId, field: &str, secret: &str) -> Vec<u8> {
        self.sealer().seal(scope, endpoint, field, secret)
    }

    pub fn open(&self, scope: Scope, endpoint: WebhookEndpointId, field: &str, sealed: &[u8]) -> ApiResult<String> {
        self.sealer().open(scope, endpoint, field, sealed)
    }

    /// The sealing of endpoint secrets, on its own (to move into a database closure).
    pub fn sealer(&self) -> Sealer {
        Sealer { key: self.seal_key }
    }

    /// One POST; the status, or why there is none.
    async fn post(&self, url: &str, headers: &[(&str, String)], body: Vec<u8>) -> Result<u16, String> {
        // IP literals are not resolved, so they are judged here; names by the resolver.
        match super::address::parse(url) {
            Ok(_) => {}
            Err(super::address::Refused::Private(_)) if self.allow_private => {}
            Err(e) => return Err(e.to_string()),
        }
        let mut req = hyper::Request::post(url)
            .header("content-type", "application/json")
            .header("user-agent", "Tollgate-Webhooks/1");
        for (k, v) in headers {
            req = req.header(*k, v.as_str());
        }
        let req = req.body(Full::new(Bytes::from(body))).map_err(|e| e.to_string())?;
        let exchange = async {
            let res = self.client.request(req).await.map_err(|e| format!("connection failed: {e}"))?;
            let status = res.status().as_u16();
            // Read (a bounded part of) the answer so the connection can be reused.
            let _ = Limited::new(res.into_body(), MAX_ANSWER).collect().await;
            Ok::<_, String>(status)
        };
        tokio::time::timeout(TIMEOUT, exchange).await.map_err(|_| "timed out after 10 s".to_string())?
    }
}

/// The payload of an event, and the endpoint to deliver it to, if both still call for it.
fn load(
    conn: &mut crate::db::PgConn,
    scope: Scope,
    event: EventId,
    endpoint: WebhookEndpointId,
) -> QueryResult<Option<(serde_json::Value, Endpoint)>> {
    let payload: Option<serde_json::Value> =
        events::table.find((scope.tenant_id, scope.mode, event.0)).select(events::payload).first(conn).optional()?;
    let Some(payload) = payload else { return Ok(None) };
    let ep = webhook_endpoints::table
        .find((scope.tenant_id, scope.mode, endpoint.0))
        .select(Endpoint::as_select())
        .first(conn)
        .optional()?;
    Ok(ep.filter(|e| e.deleted_at.is_none() && e.status == "enabled").map(|e| (payload, e)))
}

pub async fn run(q: Arc<Queue>, job: Job, _: DateTime<Utc>) -> ApiResult<Ran> {
    let sender =
        q.extension::<Sender>().ok_or_else(|| ApiError::internal(anyhow::anyhow!("webhooks are not set up")))?;
    // `{event}/{endpoint}/{attempt}`, and for a redelivery a fourth part that keeps it apart.
    let mut parts = job.subject.split('/');
    let (Some(e), Some(ep), Some(n)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(ApiError::internal(anyhow::anyhow!("bad delivery subject {:?}", job.subject)));
    };
    let (event, endpoint): (EventId, WebhookEndpointId) = (job.subject_part_as(e)?, job.subject_part_as(ep)?);
    let attempt: i32 = job.subject_part_as(n)?;
    let scope = job.scope();
    // The endpoint is busy: this job steps back a little, then goes to the end of the queue of
    // due jobs (after deliveries to other endpoints), leaving its worker slot to them.
    let Some(_slot) = sender.slot(endpoint) else {
        tokio::time::sleep(Duration::from_millis(500)).await;
        return Ok(Ran::Later(TimeDelta::zero()));
    };
    let Some((payload, ep)) = crate::db::run(&q.pool, move |conn| Ok(load(conn, scope, event, endpoint)?)).await?
    else {
        return Ok(Ran::Done);
    };
    let wall = q.clock.now();
    let mut secrets = vec![sender.open(scope, endpoint, "secret", &ep.secret_sealed)?];
    if let (Some(prev), Some(until)) = (&ep.previous_secret_sealed, ep.previous_secret_expires_at) {
        if until > wall {
            secrets.push(sender.open(scope, endpoint, "previous_secret", prev)?);
        }
    }
    let body = serde_json::to_vec(&payload).map_err(|e| ApiError::internal(anyhow::anyhow!(e)))?;
    let ts = wall.timestamp();
    let msg_id = event.to_string();
    let mut signatures = Vec::new();
    for s in &secrets {
        let signer = standardwebhooks::Webhook::new(s).map_err(|e| ApiError::internal(anyhow::anyhow!("{e:?}")))?;
        signatures.push(signer.sign(&msg_id, ts, &body).map_err(|e| ApiError::internal(anyhow::anyhow!("{e:?}")))?);
    }
    let headers = [
        ("webhook-id", msg_id.clone()),
        ("webhook-timestamp", ts.to_string()),
        ("webhook-signature", signatures.join(" ")),
    ];
    let started = Instant::now();
    let outcome = sender.post(&ep.url, &headers, body).await;
    let duration_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    let jitter = rand::thread_rng().gen_range(0.9..1.1);
    crate::db::run(&q.pool, move |conn| {
        conn.build_transaction()
            .run(|conn| record(conn, scope, (event, endpoint, attempt), outcome, duration_ms, wall, jitter))
    })
    .await
    .map(|()| Ran::Done)
}

/// Writes the delivery, and what it means for the endpoint: all well, disabled, or a retry.
fn record(
    conn: &mut crate::db::PgConn,
    scope: Scope,
    (event, endpoint, attempt): (EventId, WebhookEndpointId, i32),
    outcome: Result<u16, String>,
    duration_ms: i32,
    wall: DateTime<Utc>,
    jitter: f64,
) -> ApiResult<()> {
    let target = webhook_endpoints::table.find((scope.tenant_id, scope.mode, endpoint.0));
    let failing_since: Option<DateTime<Utc>> = target.select(webhook_endpoints::failing_since).first(conn)?;
    let (status_code, error) = match &outcome {
        Ok(code) => (Some(i32::from(*code)), (!(200..300).contains(code)).then(|| format!("answered {code}"))),
        Err(e) => (None, Some(e.clone())),
    };
    let mut next = None;
    match outcome {
        Ok(code) if (200..300).contains(&code) => {
            diesel::update(target).set(webhook_endpoints::failing_since.eq(None::<DateTime<Utc>>)).execute(conn)?;
        }
        Ok(410) => {
            disable(conn, scope, endpoint, "the endpoint answered 410 Gone")?;
        }
        _ => {
            // A failure after a quiet spell longer than a whole retry schedule starts a new run
            // of failures: days without events are not days of failures.
            let last: Option<DateTime<Utc>> = webhook_deliveries::table
                .filter(webhook_deliveries::tenant_id.eq(scope.tenant_id))
                .filter(webhook_deliveries::mode.eq(scope.mode))
                .filter(webhook_deliveries::endpoint_id.eq(endpoint.0))
                .select(diesel::dsl::max(webhook_deliveries::created_at))
                .first(conn)?;
            let quiet = last.is_none_or(|l| wall - l > QUIET_RESETS);
            let since = match failing_since {
                Some(s) if !quiet => s,
                _ => wall,
            };
            if wall - since >= GIVE_UP_AFTER {
                disable(conn, scope, endpoint, "deliveries failed for 5 days")?;
            } else {
                diesel::update(target).set(webhook_endpoints::failing_since.eq(Some(since))).execute(conn)?;
                if let Some(wait) = SCHEDULE.get(usize::try_from(attempt - 1).unwrap_or(usize::MAX)) {
                    let ms = (wait.num_milliseconds() as f64 * jitter) as i64;
                    let at = wall + TimeDelta::milliseconds(ms);
                    crate::events::deliver(conn, scope, event, endpoint, attempt + 1, at)?;
                    next = Some(at);
                }
            }
        }
    }
    diesel::insert_into(webhook_deliveries::table)
        .values((
            webhook_deliveries::tenant_id.eq(scope.tenant_id),
            webhook_deliveries::mode.eq(scope.mode),
            webhook_deliveries::id.eq(uuid::Uuid::now_v7()),
            webhook_deliveries::event_id.eq(event.0),
            webhook_deliveries::endpoint_id.eq(endpoint.0),
            webhook_deliveries::attempt.eq(attempt),
            webhook_deliveries::status_code.eq(status_code),
            webhook_deliveries::duration_ms.eq(duration_ms),
            webhook_deliveries::error.eq(error),
            webhook_deliveries::created_at.eq(wall),
            webhook_deliveries::next_attempt_at.eq(next),
        ))
        .execute(conn)?;
    Ok(())
}

fn disable(conn: &mut crate::db::PgConn, scope: Scope, endpoint: WebhookEndpointId, why: &str) -> QueryResult<()> {
    tracing::warn!(endpoint = %endpoint, reason = why, "a webhook endpoint was disabled");
    diesel::update(webhook_endpoints::table.find((scope.tenant_id, scope.mode, endpoint.0)))
        .set((webhook_endpoints::status.eq("disabled"), webhook_endpoints::disabled_reason.eq(Some(why))))
        .execute(conn)?;
    // The tenant's people hear of it.
    crate::jobs::enqueue_on_wall_clock(conn, scope, DISABLED_EMAIL, endpoint.to_string(), DateTime::<Utc>::UNIX_EPOCH)
}

/// Emailing the tenant's people that an endpoint was disabled; subject: the endpoint.
pub const DISABLED_EMAIL: crate::jobs::Kind = crate::jobs::Kind { name: "endpoint_disabled_email", priority: 12 };

pub fn run_disabled_email(conn: &mut crate::db::PgConn, runner: &crate::jobs::Runner<'_>, job: &Job) -> ApiResult<()> {
    let scope = job.scope();
    let endpoint: WebhookEndpointId = job.subject_as()?;
    let found: Option<(String, Option<String>)> = webhook_endpoints::table
        .find((scope.tenant_id, scope.mode, endpoint.0))
        .select((webhook_endpoints::url, webhook_endpoints::disabled_reason))
        .first(conn)
        .optional()?;
    let Some((url, reason)) = found else { return Ok(()) };
    crate::mails::endpoint_disabled(conn, runner, scope.tenant_id, &url, reason.as_deref().unwrap_or("disabled"))
}
