//! A stateful fake of Stripe's HTTP API for tests and local development.
//!
//! It serves the slice of the API Tollgate uses, answering with Stripe-shaped JSON that the real
//! `async-stripe` client deserializes, keeps each account's data apart, honours idempotency keys,
//! records events and delivers them, signed, to registered webhook endpoints. Tests steer it
//! through [`FakeStripe`]: accounts and keys, injected faults, checkout completion, disputes and
//! webhook delivery knobs, and read back what happened.

// The object builders are large `json!` literals.
#![recursion_limit = "256"]

mod api;
mod form;
mod objects;
mod server;
mod state;
mod webhooks;

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::TcpListener;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use actix_web::{web, App, HttpServer};
use serde_json::Value;

use state::{random, with_owner, AccountData, KeyInfo, State};

pub use state::API_VERSION;

/// A running fake. Cheap to clone; every clone drives the same server.
#[derive(Clone)]
pub struct FakeStripe {
    shared: Arc<Shared>,
}

pub(crate) struct Shared {
    state: Mutex<State>,
    /// Signalled whenever a webhook job finishes.
    idle: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere must not wedge the fake for the remaining tests.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A test account and its secret key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub secret_key: String,
}

/// A one-shot failure for the next matching request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this status and a Stripe error body, doing nothing. 429 is Stripe's
    /// `rate_limit`, 5xx an `api_error`. Nothing is stored under the idempotency key.
    Status(u16),
    /// Do the work and store it under the Idempotency-Key, then drop the connection halfway
    /// through the answer: "charged, but the response was lost". A keyed retry replays it.
    LoseResponse,
}

/// How events reach webhook endpoints from now on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// Times each event is sent to each endpoint: 1 is normal, more makes duplicates.
    pub copies: u32,
    /// Queue deliveries until [`FakeStripe::release_held`].
    pub hold: bool,
    /// Never deliver (events stay listable, with `delivery_success=false`).
    pub drop: bool,
}

impl Default for Delivery {
    fn default() -> Self {
        Delivery { copies: 1, hold: false, drop: false }
    }
}

/// One attempt to deliver an event; `status` is None when no HTTP answer came back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub event_id: String,
    pub event_type: String,
    pub url: String,
    pub status: Option<u16>,
}

/// One API request as the fake saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRecord {
    pub method: String,
    pub path: String,
    pub account: Option<String>,
    pub idempotency_key: Option<String>,
    pub status: u16,
    pub replayed: bool,
}

impl FakeStripe {
    /// Binds 127.0.0.1 on an OS-chosen port and serves from a thread of its own (with its own
    /// actix System), so it works from any test runtime and outlives a single test.
    ///
    /// # Panics
    /// If no loopback port can be bound.
    pub fn start() -> FakeStripe {
        FakeStripe::start_on("127.0.0.1:0").expect("fake-stripe: cannot listen on 127.0.0.1")
    }

    /// Like [`FakeStripe::start`], on a given address ("127.0.0.1:12111").
    pub fn start_on(addr: &str) -> std::io::Result<FakeStripe> {
        let listener = TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let mut local = listener.local_addr()?;
        if local.ip().is_unspecified() {
            local.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        let (jobs, job_queue) = tokio::sync::mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                base_url: format!("http://{local}/"),
                accounts: HashMap::new(),
                keys: HashMap::new(),
                faults: VecDeque::new(),
                idempotency: HashMap::new(),
                requests: Vec::new(),
                deliveries: Vec::new(),
                delivery: Delivery::default(),
                delivery_for: Default::default(),
                held: Vec::new(),
                in_flight: 0,
                delivered: HashSet::new(),
                jobs,
            }),
            idle: Condvar::new(),
        });
        let (ready, started) = std::sync::mpsc::channel();
        let server_shared = shared.clone();
        std::thread::Builder::new().name("fake-stripe".into()).spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                actix_web::rt::spawn(webhooks::run(server_shared.clone(), job_queue));
                let data = web::Data::from(server_shared);
                let server =
                    HttpServer::new(move || App::new().app_data(data.clone()).default_service(web::to(server::handle)))
                        .workers(1)
                        .disable_signals()
                        .listen(listener);
                match server {
                    Ok(server) => {
                        let running = server.run();
                        let _ = ready.send(Ok(()));
                        let _ = running.await;
                    }
                    Err(e) => {
                        let _ = ready.send(Err(e));
                    }
                }
            })
        })?;
        started.recv().map_err(|_| std::io::Error::other("fake-stripe: server thread died"))??;
        Ok(FakeStripe { shared })
    }

    /// "http://127.0.0.1:PORT/", with the trailing slash async-stripe needs.
    pub fn base_url(&self) -> String {
        self.shared.lock().base_url.clone()
    }

    /// A new account; its secret key is "sk_test_…" (or "sk_live_…" when `livemode`).
    pub fn create_account(&self, livemode: bool) -> Account {
        let id = format!("acct_{}", random(16));
        let secret_key = format!("sk_{}_{}", mode(livemode), random(48));
        let mut st = self.shared.lock();
        let account = objects::account(&id, livemode);
        st.accounts.insert(
            id.clone(),
            AccountData { livemode, account, objects: Vec::new(), events: Vec::new(), hidden: HashMap::new() },
        );
        st.keys.insert(secret_key.clone(), KeyInfo { account: id.clone(), revoked: false });
        Account { id, secret_key }
    }

    /// A restricted key "rk_test_…"/"rk_live_…" for the account (as powerful as the secret key here).
    pub fn restricted_key(&self, account: &str) -> String {
        let mut st = self.shared.lock();
        let livemode = st.accounts.get(account).is_some_and(|a| a.livemode);
        let key = format!("rk_{}_{}", mode(livemode), random(48));
        st.keys.insert(key.clone(), KeyInfo { account: account.to_owned(), revoked: false });
        key
    }

    /// From now on the key is refused with 401 `api_key_expired`, as Stripe does for a rolled key.
    pub fn revoke_key(&self, key: &str) {
        if let Some(info) = self.shared.lock().keys.get_mut(key) {
            info.revoked = true;
        }
    }

    /// A one-shot fault for the next request with this method whose path starts with `path_prefix`.
    pub fn inject_fault(&self, method: &str, path_prefix: &str, fault: Fault) {
        self.shared.lock().faults.push_back((None, method.to_owned(), path_prefix.to_owned(), fault));
    }

    /// [`FakeStripe::inject_fault`] for one account's requests only (tests sharing one fake keep
    /// to their own accounts).
    pub fn inject_fault_for(&self, account: &str, method: &str, path_prefix: &str, fault: Fault) {
        let only = Some(account.to_owned());
        self.shared.lock().faults.push_back((only, method.to_owned(), path_prefix.to_owned(), fault));
    }

    fn objects(&self, account: &str, kind: &str) -> Vec<Value> {
        self.shared.lock().accounts.get(account).map(|a| a.list(kind)).unwrap_or_default()
    }

    /// The account's PaymentIntents, oldest first.
    pub fn payment_intents(&self, account: &str) -> Vec<Value> {
        self.objects(account, "payment_intent")
    }

    /// The account's refunds, oldest first.
    pub fn refunds(&self, account: &str) -> Vec<Value> {
        self.objects(account, "refund")
    }

    /// The account's customers, oldest first.
    pub fn customers(&self, account: &str) -> Vec<Value> {
        self.objects(account, "customer")
    }

    /// The account's current (not deleted) webhook endpoints, oldest first, each with its
    /// `secret` (which the API shows only on creation), for tests that sign deliveries themselves.
    pub fn webhook_endpoints(&self, account: &str) -> Vec<Value> {
        let st = self.shared.lock();
        let Some(acct) = st.accounts.get(account) else { return Vec::new() };
        let mut endpoints = acct.list("webhook_endpoint");
        for endpoint in &mut endpoints {
            let hidden = endpoint["id"].as_str().and_then(|id| acct.hidden.get(id));
            endpoint["secret"] = hidden.map_or(Value::Null, |h| h["secret"].clone());
        }
        endpoints
    }

    /// As if the customer completed the hosted page with this test payment method: the card is
    /// saved through a succeeded SetupIntent, attached to the session's customer, and the session
    /// is complete; emits setup_intent.succeeded and checkout.session.completed (among others).
    pub fn complete_checkout_session(&self, session_id: &str, payment_method: &str) -> Result<(), String> {
        with_owner(&mut self.shared.lock(), session_id, |ctx| api::complete_session(ctx, session_id, payment_method))
            .map(drop)
    }

    /// Opens a dispute on the PaymentIntent's charge (charge.dispute.created); returns "dp_…".
    pub fn create_dispute(&self, payment_intent: &str) -> Result<String, String> {
        with_owner(&mut self.shared.lock(), payment_intent, |ctx| api::open_dispute(ctx, payment_intent))
    }

    /// Closes the dispute won or lost (charge.dispute.closed).
    pub fn close_dispute(&self, dispute: &str, won: bool) -> Result<(), String> {
        with_owner(&mut self.shared.lock(), dispute, |ctx| api::close_dispute(ctx, dispute, won))
    }

    /// How events are delivered to webhook endpoints from now on.
    pub fn set_delivery(&self, delivery: Delivery) {
        self.shared.lock().delivery = delivery;
    }

    /// How events of one account are delivered from now on, whatever [`FakeStripe::set_delivery`]
    /// says: tests sharing one fake change only their own accounts' deliveries.
    pub fn set_delivery_for(&self, account: &str, delivery: Delivery) {
        self.shared.lock().delivery_for.insert(account.to_owned(), delivery);
    }

    /// Sends what `hold` queued for one account (newest first when `reverse`).
    pub fn release_held_for(&self, account: &str, reverse: bool) {
        let mut st = self.shared.lock();
        let (mut mine, others): (Vec<_>, Vec<_>) =
            std::mem::take(&mut st.held).into_iter().partition(|j| j.account == account);
        st.held = others;
        if reverse {
            mine.reverse();
        }
        for job in mine {
            webhooks::send(&mut st, job);
        }
    }

    /// Sends what `hold` queued (newest first when `reverse`).
    pub fn release_held(&self, reverse: bool) {
        let mut st = self.shared.lock();
        let mut held = std::mem::take(&mut st.held);
        if reverse {
            held.reverse();
        }
        for job in held {
            webhooks::send(&mut st, job);
        }
    }

    /// Blocks the calling thread until no delivery is queued or retrying (held ones don't count),
    /// at most `timeout`; true if idle. Deliveries run on the fake's own thread, but a webhook
    /// receiver must not need the blocked thread to answer.
    pub fn wait_for_deliveries(&self, timeout: Duration) -> bool {
        let st = self.shared.lock();
        let (st, _) = self
            .shared
            .idle
            .wait_timeout_while(st, timeout, |st| st.in_flight > 0)
            .unwrap_or_else(PoisonError::into_inner);
        st.in_flight == 0
    }

    /// Every delivery attempt so far, in order.
    pub fn deliveries(&self) -> Vec<DeliveryRecord> {
        self.shared.lock().deliveries.clone()
    }

    /// The account's events, oldest first (the API lists them newest first).
    pub fn events(&self, account: &str) -> Vec<Value> {
        self.shared.lock().accounts.get(account).map(|a| a.events.clone()).unwrap_or_default()
    }

    /// Every API request so far, in order.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.lock().requests.clone()
    }
}

fn mode(livemode: bool) -> &'static str {
    if livemode {
        "live"
    } else {
        "test"
    }
}
