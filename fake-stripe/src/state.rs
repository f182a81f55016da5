//! The fake's memory: accounts and their objects (kept as Stripe-shaped JSON), keys, idempotency
//! records, events, and the bookkeeping behind the public inspection methods.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{SystemTime, UNIX_EPOCH};

use rand::distributions::Alphanumeric;
use rand::Rng;
use serde_json::{json, Map, Value};
use tokio::sync::mpsc::UnboundedSender;

use crate::webhooks::Job;
use crate::{Delivery, DeliveryRecord, Fault, RequestRecord};

/// The API version objects are rendered in (async-stripe 1.0.0-rc.10's pinned version).
pub const API_VERSION: &str = "2026-09-30.endive";

pub struct State {
    pub base_url: String,
    pub accounts: HashMap<String, AccountData>,
    pub keys: HashMap<String, KeyInfo>,
    /// (only this account, or any; method; path prefix; fault), consumed first come first served.
    pub faults: VecDeque<(Option<String>, String, String, Fault)>,
    pub idempotency: HashMap<(String, String), Stored>,
    pub requests: Vec<RequestRecord>,
    pub deliveries: Vec<DeliveryRecord>,
    pub delivery: Delivery,
    /// Knobs for one account, over `delivery` (tests that share the fake keep to their own).
    pub delivery_for: HashMap<String, Delivery>,
    pub held: Vec<Job>,
    /// Jobs queued to the sender or still retrying; `wait_for_deliveries` waits for zero.
    pub in_flight: usize,
    /// (event, endpoint) pairs delivered at least once, so duplicates don't count twice.
    pub delivered: HashSet<(String, String)>,
    pub jobs: UnboundedSender<Job>,
}

pub struct KeyInfo {
    pub account: String,
    pub revoked: bool,
}

/// A response kept under an idempotency key, with what it was a response to.
pub struct Stored {
    /// The original request's id: a replay answers with it, as Stripe does.
    pub request_id: String,
    pub method: String,
    pub path: String,
    pub params: Value,
    pub status: u16,
    pub body: String,
}

pub struct AccountData {
    pub livemode: bool,
    pub account: Value,
    /// Every object of the account in creation order; the id prefix and `object` tell the kind.
    pub objects: Vec<Value>,
    pub events: Vec<Value>,
    /// What Stripe keeps but doesn't show: webhook secrets, checkout `setup_intent_data`.
    pub hidden: HashMap<String, Value>,
}

impl AccountData {
    pub fn get(&self, id: &str) -> Option<&Value> {
        self.objects.iter().find(|o| o["id"] == id)
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut Value> {
        self.objects.iter_mut().find(|o| o["id"] == id)
    }

    /// An object of this kind (`object` field), or None.
    pub fn find(&self, kind: &str, id: &str) -> Option<Value> {
        self.get(id).filter(|o| o["object"] == kind).cloned()
    }

    pub fn list(&self, kind: &str) -> Vec<Value> {
        self.objects.iter().filter(|o| o["object"] == kind).cloned().collect()
    }

    /// Replaces the stored object with the same id.
    pub fn put(&mut self, object: Value) {
        match self.objects.iter_mut().find(|o| o["id"] == object["id"]) {
            Some(slot) => *slot = object,
            None => self.objects.push(object),
        }
    }
}

pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

pub fn random(len: usize) -> String {
    rand::thread_rng().sample_iter(&Alphanumeric).take(len).map(char::from).collect()
}

pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", random(24))
}

/// A Stripe error answer: status plus the `error` object.
#[derive(Debug)]
pub struct ApiError {
    pub status: u16,
    pub error: Map<String, Value>,
}

impl ApiError {
    pub fn new(status: u16, kind: &str, code: Option<&str>, message: &str, param: Option<&str>) -> ApiError {
        let mut error = Map::new();
        if let Some(code) = code {
            error.insert("code".into(), json!(code));
            error.insert(
                "doc_url".into(),
                json!(format!("https://stripe.com/docs/error-codes/{}", code.replace('_', "-"))),
            );
        }
        error.insert("message".into(), json!(message));
        if let Some(param) = param {
            error.insert("param".into(), json!(param));
        }
        error.insert("type".into(), json!(kind));
        ApiError { status, error }
    }

    pub fn invalid(code: Option<&str>, message: &str, param: Option<&str>) -> ApiError {
        ApiError::new(400, "invalid_request_error", code, message, param)
    }

    /// An id in a parameter that names nothing (Stripe answers 400 here, 404 for ids in the path).
    pub fn no_such(kind: &str, id: &str, param: &str) -> ApiError {
        ApiError::invalid(Some("resource_missing"), &format!("No such {kind}: '{id}'"), Some(param))
    }

    pub fn not_found(kind: &str, id: &str) -> ApiError {
        ApiError::new(
            404,
            "invalid_request_error",
            Some("resource_missing"),
            &format!("No such {kind}: '{id}'"),
            Some("id"),
        )
    }

    pub fn missing_param(param: &str) -> ApiError {
        ApiError::invalid(Some("parameter_missing"), &format!("Missing required param: {param}."), Some(param))
    }

    pub fn with(mut self, key: &str, value: Value) -> ApiError {
        self.error.insert(key.into(), value);
        self
    }

    pub fn body(&self) -> Value {
        json!({ "error": self.error })
    }

    /// Status and pretty JSON body, as sent.
    pub fn parts(&self) -> (u16, String) {
        (self.status, serde_json::to_string_pretty(&self.body()).unwrap_or_default())
    }
}

/// What a handler needs: the state, the calling account, and the request's identity for events.
pub struct Ctx<'a> {
    pub st: &'a mut State,
    pub account: String,
    pub request_id: Option<String>,
    pub idempotency_key: Option<String>,
}

impl Ctx<'_> {
    pub fn acct(&mut self) -> &mut AccountData {
        // The account was checked at authentication and accounts are never removed.
        self.st.accounts.get_mut(&self.account).expect("authenticated account exists")
    }

    pub fn livemode(&self) -> bool {
        self.st.accounts.get(&self.account).is_some_and(|a| a.livemode)
    }

    pub fn base_url(&self) -> String {
        self.st.base_url.clone()
    }

    /// Records an event for the account and hands it to the webhook sender.
    pub fn emit(&mut self, kind: &str, object: &Value, previous: Option<Value>) {
        let mut data = json!({ "object": object });
        if let Some(previous) = previous {
            data["previous_attributes"] = previous;
        }
        let (request_id, idempotency_key) = (self.request_id.clone(), self.idempotency_key.clone());
        let account = self.account.clone();
        let acct = self.acct();
        let endpoints: Vec<Value> = acct
            .list("webhook_endpoint")
            .into_iter()
            .filter(|e| e["status"] == "enabled")
            .filter(|e| e["enabled_events"].as_array().is_some_and(|l| l.iter().any(|t| t == kind || t == "*")))
            .collect();
        let event = json!({
            "id": new_id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": now(),
            "data": data,
            "livemode": acct.livemode,
            "pending_webhooks": endpoints.len(),
            "request": { "id": request_id, "idempotency_key": idempotency_key },
            "type": kind,
        });
        let jobs: Vec<Job> = endpoints
            .iter()
            .map(|endpoint| {
                let secret = endpoint["id"].as_str().and_then(|id| acct.hidden.get(id)).map(|h| str_of(&h["secret"]));
                Job::new(&account, &event, endpoint, secret.unwrap_or_default())
            })
            .collect();
        acct.events.push(event);
        for job in jobs {
            crate::webhooks::enqueue(self.st, job);
        }
    }
}

fn str_of(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// Runs a test helper as the account that owns the object `id` (events carry no request).
pub fn with_owner<T>(st: &mut State, id: &str, f: impl FnOnce(&mut Ctx) -> Result<T, String>) -> Result<T, String> {
    let account = st.accounts.iter().find(|(_, a)| a.get(id).is_some()).map(|(k, _)| k.clone());
    let account = account.ok_or_else(|| format!("no such object: {id}"))?;
    f(&mut Ctx { st, account, request_id: None, idempotency_key: None })
}
