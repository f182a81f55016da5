//! The fake driven by the real async-stripe client: every answer must deserialize into its types.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fake_stripe::{Account, Delivery, FakeStripe, Fault};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use stripe::{Client, IdempotencyKey, RequestStrategy, StripeError, StripeRequest};
use stripe_client_core::{RequestBuilder, StripeMethod};
use stripe_core::customer::{
    CreateCustomer, RetrieveCustomer, RetrieveCustomerReturned, UpdateCustomer, UpdateCustomerInvoiceSettings,
};
use stripe_core::payment_intent::{
    CreatePaymentIntent, CreatePaymentIntentOffSession, ListPaymentIntent, RetrievePaymentIntent, SearchPaymentIntent,
};
use stripe_core::refund::{CreateRefund, RetrieveRefund};
use stripe_misc::webhook_endpoint::{
    CreateWebhookEndpoint, CreateWebhookEndpointEnabledEvents as Enabled, DeleteWebhookEndpoint, ListWebhookEndpoint,
    RetrieveWebhookEndpoint,
};
use stripe_payment::payment_method::{
    AttachPaymentMethod, DetachPaymentMethod, ListPaymentMethod, RetrievePaymentMethod,
};
use stripe_shared::{ApiErrors, ApiErrorsCode, ApiErrorsType, PaymentIntent, PaymentIntentStatus};
use stripe_types::Currency;

fn start() -> (FakeStripe, Account, Client) {
    let fake = FakeStripe::start();
    let account = fake.create_account(false);
    let client = client_for(&fake, &account.secret_key);
    (fake, account, client)
}

fn client_for(fake: &FakeStripe, key: &str) -> Client {
    stripe::ClientBuilder::new(key).url(fake.base_url()).build().expect("client")
}

fn keyed(key: &str) -> RequestStrategy {
    RequestStrategy::Idempotent(IdempotencyKey::new(key).expect("key"))
}

/// The Stripe error inside a client error, or a failure naming what came instead.
fn api_error<T: std::fmt::Debug>(result: Result<T, StripeError>) -> (ApiErrors, u16) {
    match result {
        Err(StripeError::Stripe(error, status)) => (*error, status),
        other => panic!("expected a Stripe error, got {other:?}"),
    }
}

fn get<T: miniserde::Deserialize>(path: &str, query: &str) -> stripe_client_core::CustomizableStripeRequest<T> {
    let mut request = RequestBuilder::new(StripeMethod::Get, path);
    request.query = (!query.is_empty()).then(|| query.to_owned());
    request.customize()
}

async fn customer_with_card(client: &Client, card: &str) -> (String, String) {
    let customer = CreateCustomer::new().email("ada@example.com").send(client).await.expect("customer");
    let pm = AttachPaymentMethod::new(card).customer(customer.id.as_str()).send(client).await.expect("attach");
    (customer.id.as_str().to_owned(), pm.id.as_str().to_owned())
}

/// Tollgate's kind of charge: confirmed at once, off session, card only.
fn charge(customer: &str, pm: &str, amount: i64) -> CreatePaymentIntent {
    CreatePaymentIntent::new(amount, Currency::USD)
        .customer(customer)
        .payment_method(pm)
        .confirm(true)
        .off_session(CreatePaymentIntentOffSession::Bool(true))
        .return_url("https://example.com/back")
        .metadata(HashMap::from([("invoice".to_owned(), "inv_1".to_owned())]))
}

fn types(events: &[serde_json::Value]) -> Vec<String> {
    events.iter().map(|e| e["type"].as_str().unwrap_or_default().to_owned()).collect()
}

/// A raw HTTP/1.1 exchange with the fake: (status, body).
fn raw(fake: &FakeStripe, request: &str) -> (u16, String) {
    let addr = fake.base_url().trim_start_matches("http://").trim_end_matches('/').to_owned();
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.write_all(request.as_bytes()).expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    let status = answer.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, answer.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default())
}

/// A webhook receiver on a std thread: answers 500 to the first `failures` deliveries.
struct Hook {
    url: String,
    got: Arc<Mutex<Vec<(String, String)>>>,
}

fn hook(mut failures: usize) -> Hook {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/hooks", listener.local_addr().expect("addr"));
    let got = Arc::new(Mutex::new(Vec::new()));
    let seen = got.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let Some(request) = read_request(&mut stream) else { continue };
            let status = if failures > 0 {
                failures -= 1;
                "500 Internal Server Error"
            } else {
                seen.lock().unwrap().push(request);
                "200 OK"
            };
            let _ = write!(stream, "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    Hook { url, got }
}

/// (Stripe-Signature, body) of one request.
fn read_request(stream: &mut TcpStream) -> Option<(String, String)> {
    let mut data = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_string();
            let header = |name: &str| {
                head.lines()
                    .filter_map(|l| l.split_once(':'))
                    .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.trim().to_owned())
            };
            let length: usize = header("content-length")?.parse().ok()?;
            while data.len() < end + 4 + length {
                let n = stream.read(&mut chunk).ok().filter(|n| *n > 0)?;
                data.extend_from_slice(&chunk[..n]);
            }
            let body = String::from_utf8_lossy(&data[end + 4..end + 4 + length]).to_string();
            return Some((header("stripe-signature").unwrap_or_default(), body));
        }
        let n = stream.read(&mut chunk).ok().filter(|n| *n > 0)?;
        data.extend_from_slice(&chunk[..n]);
    }
}

fn signature_ok(header: &str, body: &str, secret: &str) -> bool {
    let part = |name: &str| header.split(',').find_map(|p| p.strip_prefix(name)).unwrap_or_default();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{}.{body}", part("t=")).as_bytes());
    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    !part("t=").is_empty() && expected == part("v1=")
}

async fn endpoint(client: &Client, url: &str, events: Vec<Enabled>) -> (String, String) {
    let created = CreateWebhookEndpoint::new(events, url).send(client).await.expect("endpoint");
    (created.id.as_str().to_owned(), created.secret.expect("secret on create"))
}

#[tokio::test]
async fn account_keys_and_auth() {
    let (fake, account, client) = start();
    fn shareable<T: Clone + Send + Sync + 'static>(_: &T) {}
    shareable(&fake);
    let me = stripe_connect::account::RetrieveForMyAccountAccount::new().send(&client).await.unwrap();
    assert_eq!(me.id.as_str(), account.id);
    assert!(account.secret_key.starts_with("sk_test_"));
    assert!(fake.create_account(true).secret_key.starts_with("sk_live_"));

    let restricted = fake.restricted_key(&account.id);
    assert!(restricted.starts_with("rk_test_"));
    let other = client_for(&fake, &restricted);
    let me = stripe_connect::account::RetrieveForMyAccountAccount::new().send(&other).await.unwrap();
    assert_eq!(me.id.as_str(), account.id);

    fake.revoke_key(&restricted);
    let (error, status) = api_error(stripe_connect::account::RetrieveForMyAccountAccount::new().send(&other).await);
    assert_eq!(
        (status, error.type_, error.code),
        (401, ApiErrorsType::InvalidRequestError, Some(ApiErrorsCode::ApiKeyExpired))
    );
    let message = error.message.unwrap();
    assert!(
        message.starts_with("Expired API Key provided: rk_test_****")
            && message.ends_with(&restricted[restricted.len() - 4..])
    );

    let stranger = client_for(&fake, "sk_test_nobody");
    let (error, status) = api_error(stripe_connect::account::RetrieveForMyAccountAccount::new().send(&stranger).await);
    assert_eq!(status, 401);
    assert_eq!(error.message.as_deref(), Some("Invalid API Key provided: sk_test_****body"));

    // Basic auth with the key as user name works too; an unknown URL is a Stripe-shaped 404.
    let basic = "c2tfdGVzdF9ub2JvZHk6"; // "sk_test_nobody:"
    let (status, _) = raw(
        &fake,
        &format!("GET /v1/account HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {basic}\r\nConnection: close\r\n\r\n"),
    );
    assert_eq!(status, 401);
    let (status, body) = raw(
        &fake,
        &format!(
            "GET /v1/nothing HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
            account.secret_key
        ),
    );
    assert_eq!(status, 404);
    assert!(body.contains("Unrecognized request URL (GET: /v1/nothing)"), "{body}");
    assert!(fake.requests().iter().any(|r| r.status == 401 && r.account.is_none()));
}

#[tokio::test]
async fn webhook_endpoints_are_created_listed_and_deleted() {
    let (fake, account, client) = start();
    let created = CreateWebhookEndpoint::new(vec![Enabled::PaymentIntentSucceeded], "https://tollgate.test/hooks")
        .api_version(stripe_shared::version::VERSION)
        .description("tollgate")
        .send(&client)
        .await
        .unwrap();
    assert!(created.secret.as_deref().unwrap().starts_with("whsec_"));
    assert_eq!(created.api_version.as_deref(), Some(stripe_shared::version::VERSION.as_str()));
    assert_eq!(fake.webhook_endpoints(&account.id)[0]["secret"].as_str(), created.secret.as_deref());
    let listed = ListWebhookEndpoint::new().send(&client).await.unwrap();
    assert_eq!(listed.data.len(), 1);
    let fetched = RetrieveWebhookEndpoint::new(created.id.clone()).send(&client).await.unwrap();
    assert_eq!((fetched.secret, fetched.enabled_events), (None, vec!["payment_intent.succeeded".to_owned()]));

    let deleted = DeleteWebhookEndpoint::new(created.id.clone()).send(&client).await.unwrap();
    assert_eq!(deleted.id, created.id);
    let (error, status) = api_error(RetrieveWebhookEndpoint::new(created.id).send(&client).await);
    assert_eq!((status, error.code), (404, Some(ApiErrorsCode::ResourceMissing)));
    assert!(fake.webhook_endpoints(&account.id).is_empty());
    let (error, _) = api_error(CreateWebhookEndpoint::new(vec![Enabled::All], "ftp://x").send(&client).await);
    assert_eq!(error.code, Some(ApiErrorsCode::UrlInvalid));
}

#[tokio::test]
async fn customers_and_payment_methods() {
    let (fake, account, client) = start();
    let customer = CreateCustomer::new()
        .email("ada@example.com")
        .name("Ada")
        .metadata(HashMap::from([("tollgate_customer".to_owned(), "c1".to_owned())]))
        .send(&client)
        .await
        .unwrap();
    let pm = AttachPaymentMethod::new("pm_card_visa").customer(customer.id.as_str()).send(&client).await.unwrap();
    assert_ne!(pm.id.as_str(), "pm_card_visa");
    let card = pm.card.as_ref().unwrap();
    assert_eq!((card.brand.as_str(), card.last4.as_str()), ("visa", "4242"));
    assert_eq!(pm.customer.as_ref().map(|c| c.id().as_str()), Some(customer.id.as_str()));
    let master =
        AttachPaymentMethod::new("pm_card_mastercard").customer(customer.id.as_str()).send(&client).await.unwrap();
    assert_eq!(master.card.unwrap().last4, "4444");

    let mut settings = UpdateCustomerInvoiceSettings::new();
    settings.default_payment_method = Some(pm.id.as_str().to_owned());
    let updated = UpdateCustomer::new(customer.id.clone()).invoice_settings(settings).send(&client).await.unwrap();
    let default = updated.invoice_settings.unwrap().default_payment_method.unwrap();
    assert_eq!(default.id(), &pm.id);
    let event = fake.events(&account.id).into_iter().rfind(|e| e["type"] == "customer.updated").unwrap();
    assert_eq!(
        event["data"]["previous_attributes"]["invoice_settings"]["default_payment_method"],
        serde_json::Value::Null
    );

    let listed = ListPaymentMethod::new()
        .customer(customer.id.as_str())
        .type_(stripe_payment::payment_method::ListPaymentMethodType::Card)
        .send(&client)
        .await
        .unwrap();
    assert_eq!(listed.data.len(), 2);
    assert_eq!(listed.data[0].id, master.id, "newest first");
    assert_eq!(RetrievePaymentMethod::new(pm.id.clone()).send(&client).await.unwrap().id, pm.id);

    let detached = DetachPaymentMethod::new(pm.id.clone()).send(&client).await.unwrap();
    assert!(detached.customer.is_none());
    let RetrieveCustomerReturned::Customer(customer) =
        RetrieveCustomer::new(customer.id.clone()).send(&client).await.unwrap()
    else {
        panic!("deleted customer")
    };
    assert!(customer.invoice_settings.unwrap().default_payment_method.is_none());
    assert_eq!(customer.metadata.unwrap()["tollgate_customer"], "c1");
    let kinds = types(&fake.events(&account.id));
    for kind in ["customer.created", "payment_method.attached", "customer.updated", "payment_method.detached"] {
        assert!(kinds.contains(&kind.to_owned()), "{kind} in {kinds:?}");
    }

    let (error, status) = api_error(
        AttachPaymentMethod::new("pm_card_chargeDeclined").customer(customer.id.as_str()).send(&client).await,
    );
    assert_eq!((status, error.type_, error.code), (402, ApiErrorsType::CardError, Some(ApiErrorsCode::CardDeclined)));
    assert_eq!(error.decline_code.as_deref(), Some("generic_decline"));
    assert_eq!(error.message.as_deref(), Some("Your card was declined."));

    let mut settings = UpdateCustomerInvoiceSettings::new();
    settings.default_payment_method = Some(pm.id.as_str().to_owned());
    let (error, status) =
        api_error(UpdateCustomer::new(customer.id.clone()).invoice_settings(settings).send(&client).await);
    assert_eq!((status, error.code), (400, Some(ApiErrorsCode::ResourceMissing)));

    // Accounts are isolated.
    let other = client_for(&fake, &fake.create_account(false).secret_key);
    let (_, status) = api_error(RetrieveCustomer::new(customer.id).send(&other).await);
    assert_eq!(status, 404);
    assert_eq!(fake.customers(&account.id).len(), 1);
}

#[tokio::test]
async fn a_successful_charge_and_its_reads() {
    let (fake, account, client) = start();
    let (customer, pm) = customer_with_card(&client, "pm_card_visa").await;
    let pi = charge(&customer, &pm, 1500).send(&client).await.unwrap();
    assert_eq!((pi.status, pi.amount_received), (PaymentIntentStatus::Succeeded, 1500));
    let charge_id = pi.latest_charge.as_ref().unwrap().id().as_str().to_owned();
    assert!(charge_id.starts_with("ch_"));

    let fetched =
        RetrievePaymentIntent::new(pi.id.clone()).expand(vec!["latest_charge".to_owned()]).send(&client).await.unwrap();
    assert!(fetched.latest_charge.unwrap().is_object());
    let ch: stripe_shared::Charge = get(&format!("/charges/{charge_id}"), "").send(&client).await.unwrap();
    assert!(ch.paid && ch.captured);

    charge(&customer, &pm, 2500).send(&client).await.unwrap();
    let page = ListPaymentIntent::new().customer(customer.as_str()).limit(1).send(&client).await.unwrap();
    assert_eq!((page.data.len(), page.has_more, page.data[0].amount), (1, true, 2500));
    let next = ListPaymentIntent::new()
        .customer(customer.as_str())
        .starting_after(page.data[0].id.as_str())
        .send(&client)
        .await
        .unwrap();
    assert_eq!((next.data.len(), next.has_more, next.data[0].id.clone()), (1, false, pi.id.clone()));

    let found = SearchPaymentIntent::new("metadata['invoice']:'inv_1'").send(&client).await.unwrap();
    assert_eq!(found.data.len(), 2);
    let none = SearchPaymentIntent::new("metadata[\"invoice\"]:\"inv_2\"").send(&client).await.unwrap();
    assert!(none.data.is_empty());

    let kinds = types(&fake.events(&account.id));
    assert!(kinds.contains(&"payment_intent.succeeded".to_owned()) && kinds.contains(&"charge.succeeded".to_owned()));
    assert_eq!(fake.payment_intents(&account.id).len(), 2);

    // Without a return_url, Dashboard payment methods (the default) can't be confirmed.
    let bare = CreatePaymentIntent::new(1500, Currency::USD)
        .customer(customer.as_str())
        .payment_method(pm.as_str())
        .confirm(true);
    let (error, status) = api_error(bare.send(&client).await);
    assert_eq!((status, error.param.as_deref()), (400, Some("return_url")));
    let card_only =
        bare.allowed_payment_method_types(vec![stripe_shared::PaymentIntentAllowedPaymentMethodTypes::Card]);
    assert_eq!(card_only.send(&client).await.unwrap().status, PaymentIntentStatus::Succeeded);
}

#[tokio::test]
async fn amounts_are_validated() {
    let (_fake, _account, client) = start();
    let cases = [
        (49, Currency::USD, ApiErrorsCode::AmountTooSmall),
        (49, Currency::GBP, ApiErrorsCode::AmountTooSmall),
        (1005, Currency::Unknown("kwd".into()), ApiErrorsCode::InvalidChargeAmount),
        (150, Currency::ISK, ApiErrorsCode::InvalidChargeAmount),
        (0, Currency::EUR, ApiErrorsCode::ParameterInvalidInteger),
    ];
    for (amount, currency, code) in cases {
        let (error, status) = api_error(CreatePaymentIntent::new(amount, currency).send(&client).await);
        assert_eq!((status, error.code, error.param.as_deref()), (400, Some(code), Some("amount")), "{amount}");
    }
    let (error, _) = api_error(CreatePaymentIntent::new(49, Currency::USD).send(&client).await);
    assert_eq!(error.message.as_deref(), Some("Amount must be at least $0.50 usd"));
    assert!(CreatePaymentIntent::new(1010, Currency::Unknown("kwd".into())).send(&client).await.is_ok());
    assert!(CreatePaymentIntent::new(50, Currency::JPY).send(&client).await.is_ok());
}

#[tokio::test]
async fn declined_cards() {
    let (fake, account, client) = start();
    let cases = [
        ("pm_card_chargeCustomerFail", "generic_decline", "Your card was declined."),
        ("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds", "Your card has insufficient funds."),
        ("pm_card_chargeDeclinedLostCard", "lost_card", "Your card was declined."),
        ("pm_card_chargeDeclinedStolenCard", "stolen_card", "Your card was declined."),
    ];
    for (card, decline_code, message) in cases {
        let (customer, pm) = customer_with_card(&client, card).await;
        let (error, status) = api_error(charge(&customer, &pm, 1500).send(&client).await);
        assert_eq!(
            (status, error.type_, error.code),
            (402, ApiErrorsType::CardError, Some(ApiErrorsCode::CardDeclined))
        );
        assert_eq!((error.decline_code.as_deref(), error.message.as_deref()), (Some(decline_code), Some(message)));
        let pi = error.payment_intent.unwrap();
        assert_eq!(pi.status, PaymentIntentStatus::RequiresPaymentMethod);
        let last = pi.last_payment_error.unwrap();
        assert_eq!(
            (last.decline_code.as_deref(), last.payment_method.unwrap().id.as_str()),
            (Some(decline_code), pm.as_str())
        );
        let fetched = RetrievePaymentIntent::new(pi.id).send(&client).await.unwrap();
        assert_eq!(fetched.status, PaymentIntentStatus::RequiresPaymentMethod);
    }
    let failed = fake.events(&account.id).iter().filter(|e| e["type"] == "payment_intent.payment_failed").count();
    assert_eq!(failed, 4);

    // A magic id can be charged directly, as at Stripe.
    let (error, _) = api_error(
        charge(fake.customers(&account.id)[0]["id"].as_str().unwrap(), "pm_card_chargeDeclined", 900)
            .send(&client)
            .await,
    );
    assert_eq!(error.decline_code.as_deref(), Some("generic_decline"));
}

#[tokio::test]
async fn authentication_required() {
    let (_fake, _account, client) = start();
    let (customer, pm) = customer_with_card(&client, "pm_card_authenticationRequired").await;
    assert_eq!(RetrievePaymentMethod::new(pm.as_str()).send(&client).await.unwrap().card.unwrap().last4, "3155");
    let (error, status) = api_error(charge(&customer, &pm, 1500).send(&client).await);
    assert_eq!(
        (status, error.code, error.decline_code.as_deref()),
        (402, Some(ApiErrorsCode::AuthenticationRequired), Some("authentication_required"))
    );
    let pi = error.payment_intent.unwrap();
    assert_eq!(pi.status, PaymentIntentStatus::RequiresAction);
    let action = pi.next_action.unwrap();
    assert_eq!(action.type_, "redirect_to_url");
    assert!(action.redirect_to_url.unwrap().url.unwrap().contains(pi.id.as_str()));

    let on_session = CreatePaymentIntent::new(1500, Currency::USD)
        .customer(customer.as_str())
        .payment_method(pm.as_str())
        .confirm(true)
        .return_url("https://example.com/back")
        .send(&client)
        .await
        .unwrap();
    assert_eq!(on_session.status, PaymentIntentStatus::RequiresAction);

    // Waiting for the customer, it can be canceled; a canceled one cannot be canceled again.
    let canceled = stripe_core::payment_intent::CancelPaymentIntent::new(pi.id.clone()).send(&client).await.unwrap();
    assert_eq!(canceled.status, PaymentIntentStatus::Canceled);
    let (error, status) = api_error(stripe_core::payment_intent::CancelPaymentIntent::new(pi.id).send(&client).await);
    assert_eq!((status, error.code), (400, Some(ApiErrorsCode::PaymentIntentUnexpectedState)));
}

#[tokio::test]
async fn idempotent_requests() {
    let (fake, account, client) = start();
    let (customer, pm) = customer_with_card(&client, "pm_card_visa").await;
    let first = charge(&customer, &pm, 1500).customize().request_strategy(keyed("k1")).send(&client).await.unwrap();
    let again = charge(&customer, &pm, 1500).customize().request_strategy(keyed("k1")).send(&client).await.unwrap();
    assert_eq!(first.id, again.id);
    assert_eq!(fake.payment_intents(&account.id).len(), 1);
    let records: Vec<_> = fake.requests().into_iter().filter(|r| r.idempotency_key.as_deref() == Some("k1")).collect();
    assert_eq!(records.iter().map(|r| r.replayed).collect::<Vec<_>>(), [false, true]);

    let (error, status) =
        api_error(charge(&customer, &pm, 1600).customize().request_strategy(keyed("k1")).send(&client).await);
    assert_eq!((status, error.type_), (400, ApiErrorsType::IdempotencyError));

    // Validation errors are kept under the key too, and keys belong to one account.
    let (_, status) = api_error(
        CreatePaymentIntent::new(10, Currency::USD).customize().request_strategy(keyed("k2")).send(&client).await,
    );
    let (_, replayed) = api_error(
        CreatePaymentIntent::new(10, Currency::USD).customize().request_strategy(keyed("k2")).send(&client).await,
    );
    assert_eq!((status, replayed), (400, 400));
    assert!(fake.requests().last().unwrap().replayed);
    let other_account = fake.create_account(false);
    let other = client_for(&fake, &other_account.secret_key);
    let (customer2, pm2) = customer_with_card(&other, "pm_card_visa").await;
    let elsewhere =
        charge(&customer2, &pm2, 1500).customize().request_strategy(keyed("k1")).send(&other).await.unwrap();
    assert_ne!(elsewhere.id, first.id);
    let events = fake.events(&account.id);
    let succeeded: Vec<_> = events.iter().filter(|e| e["type"] == "payment_intent.succeeded").collect();
    assert_eq!(succeeded.len(), 1, "a replay emits nothing");
    assert_eq!(succeeded[0]["request"]["idempotency_key"], "k1");
}

#[tokio::test]
async fn injected_faults() {
    let (fake, account, client) = start();
    let (customer, pm) = customer_with_card(&client, "pm_card_visa").await;

    fake.inject_fault("POST", "/v1/payment_intents", Fault::Status(500));
    let (error, status) =
        api_error(charge(&customer, &pm, 1500).customize().request_strategy(keyed("f1")).send(&client).await);
    assert_eq!((status, error.type_), (500, ApiErrorsType::ApiError));
    assert!(fake.payment_intents(&account.id).is_empty());
    // Nothing was stored: the same key now does the work.
    charge(&customer, &pm, 1500).customize().request_strategy(keyed("f1")).send(&client).await.unwrap();

    fake.inject_fault("GET", "/v1/customers/", Fault::Status(429));
    let (error, status) = api_error(RetrieveCustomer::new(customer.as_str()).send(&client).await);
    assert_eq!((status, error.code), (429, Some(ApiErrorsCode::RateLimit)));

    fake.inject_fault("POST", "/v1/payment_intents", Fault::LoseResponse);
    let lost = charge(&customer, &pm, 2000).customize().request_strategy(keyed("f2")).send(&client).await;
    assert!(matches!(lost, Err(StripeError::ClientError(_) | StripeError::JSONDeserialize(_))), "{lost:?}");
    assert_eq!(fake.payment_intents(&account.id).len(), 2, "the charge happened");
    let retried = charge(&customer, &pm, 2000).customize().request_strategy(keyed("f2")).send(&client).await.unwrap();
    assert_eq!(retried.status, PaymentIntentStatus::Succeeded);
    assert_eq!(fake.payment_intents(&account.id).len(), 2, "exactly one charge for f2");
    assert_eq!(fake.payment_intents(&account.id)[1]["id"], retried.id.as_str());
}

#[tokio::test]
async fn refunds() {
    let (fake, account, client) = start();
    let (customer, pm) = customer_with_card(&client, "pm_card_visa").await;
    let pi = charge(&customer, &pm, 1500).send(&client).await.unwrap();
    let partial = CreateRefund::new()
        .payment_intent(pi.id.as_str())
        .amount(500)
        .reason(stripe_core::refund::CreateRefundReason::RequestedByCustomer)
        .send(&client)
        .await
        .unwrap();
    assert_eq!((partial.amount, partial.status.as_deref()), (500, Some("succeeded")));
    let (error, status) =
        api_error(CreateRefund::new().payment_intent(pi.id.as_str()).amount(1001).send(&client).await);
    assert_eq!((status, error.code), (400, Some(ApiErrorsCode::AmountTooLarge)));
    assert_eq!(
        error.message.as_deref(),
        Some("Refund amount ($10.01) is greater than unrefunded amount on charge ($10.00)")
    );
    let rest = CreateRefund::new().payment_intent(pi.id.as_str()).send(&client).await.unwrap();
    assert_eq!(rest.amount, 1000);
    let (error, _) = api_error(CreateRefund::new().payment_intent(pi.id.as_str()).send(&client).await);
    assert_eq!(error.code, Some(ApiErrorsCode::ChargeAlreadyRefunded));
    let fetched = RetrieveRefund::new(partial.id.clone()).send(&client).await.unwrap();
    assert_eq!(fetched.reason, Some(stripe_shared::RefundReason::RequestedByCustomer));
    assert_eq!(fake.refunds(&account.id).len(), 2);
    let kinds = types(&fake.events(&account.id));
    let tail: Vec<_> = kinds[kinds.len() - 3..].to_vec();
    assert_eq!(tail, ["refund.created", "charge.refunded", "refund.updated"]);
    let refunded = fake.events(&account.id).into_iter().rfind(|e| e["type"] == "charge.refunded").unwrap();
    assert_eq!(
        (
            refunded["data"]["object"]["refunded"].as_bool(),
            refunded["data"]["previous_attributes"]["amount_refunded"].as_i64()
        ),
        (Some(true), Some(500))
    );
}

#[tokio::test]
async fn checkout_setup_session() {
    let (fake, account, client) = start();
    let customer = CreateCustomer::new().email("ada@example.com").send(&client).await.unwrap();
    let mut data = stripe_checkout::checkout_session::CreateCheckoutSessionSetupIntentData::new();
    data.metadata = Some(HashMap::from([("tollgate_customer".to_owned(), "c1".to_owned())]));
    let session = stripe_checkout::checkout_session::CreateCheckoutSession::new()
        .mode(stripe_shared::CheckoutSessionMode::Setup)
        .customer(customer.id.as_str())
        .currency(Currency::USD)
        .success_url("https://tollgate.test/ok?session={CHECKOUT_SESSION_ID}")
        .cancel_url("https://tollgate.test/cancel")
        .setup_intent_data(data)
        .send(&client)
        .await
        .unwrap();
    assert!(session.id.as_str().starts_with("cs_test_"));
    assert_eq!(session.url.as_deref(), Some(format!("{}checkout/{}", fake.base_url(), session.id.as_str()).as_str()));
    assert_eq!(
        (session.status, session.setup_intent.is_none()),
        (Some(stripe_shared::CheckoutSessionStatus::Open), true)
    );
    assert_eq!(session.expires_at - session.created, 24 * 3600);

    assert!(fake.complete_checkout_session(session.id.as_str(), "pm_card_chargeDeclined").is_err());
    fake.complete_checkout_session(session.id.as_str(), "pm_card_visa").unwrap();
    assert!(fake.complete_checkout_session(session.id.as_str(), "pm_card_visa").is_err(), "only once");
    let done = stripe_checkout::checkout_session::RetrieveCheckoutSession::new(session.id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(done.status, Some(stripe_shared::CheckoutSessionStatus::Complete));
    let seti = done.setup_intent.unwrap().id().clone();
    let setup = stripe_core::setup_intent::RetrieveSetupIntent::new(seti).send(&client).await.unwrap();
    assert_eq!(setup.status, stripe_shared::SetupIntentStatus::Succeeded);
    assert_eq!(setup.metadata.unwrap()["tollgate_customer"], "c1");
    let pm = RetrievePaymentMethod::new(setup.payment_method.unwrap().id().clone()).send(&client).await.unwrap();
    assert_eq!(pm.customer.unwrap().id(), &customer.id);
    let kinds = types(&fake.events(&account.id));
    assert!(
        kinds.ends_with(&["setup_intent.succeeded".to_owned(), "checkout.session.completed".to_owned()]),
        "{kinds:?}"
    );

    let (error, _) = api_error(
        stripe_checkout::checkout_session::CreateCheckoutSession::new()
            .mode(stripe_shared::CheckoutSessionMode::Setup)
            .customer("cus_missing")
            .currency(Currency::USD)
            .send(&client)
            .await,
    );
    assert_eq!((error.code, error.param.as_deref()), (Some(ApiErrorsCode::ResourceMissing), Some("customer")));

    // The hosted page completes a session and redirects to success_url.
    let second = stripe_checkout::checkout_session::CreateCheckoutSession::new()
        .mode(stripe_shared::CheckoutSessionMode::Setup)
        .currency(Currency::USD)
        .success_url("https://tollgate.test/ok?session={CHECKOUT_SESSION_ID}")
        .send(&client)
        .await
        .unwrap();
    let id = second.id.as_str();
    let (status, page) = raw(&fake, &format!("GET /checkout/{id} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    assert!(status == 200 && page.contains("pm_card_visa"));
    let form = "payment_method=pm_card_visa";
    let (status, _) = raw(&fake, &format!("POST /checkout/{id} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}", form.len()));
    assert_eq!(status, 303);
}

#[tokio::test]
async fn disputes() {
    let (fake, account, client) = start();
    let (customer, pm) = customer_with_card(&client, "pm_card_visa").await;
    let pi = charge(&customer, &pm, 1500).send(&client).await.unwrap();
    let dispute = fake.create_dispute(pi.id.as_str()).unwrap();
    assert!(dispute.starts_with("dp_"));
    assert!(fake.create_dispute(pi.id.as_str()).is_err());
    let fetched = stripe_core::dispute::RetrieveDispute::new(dispute.as_str()).send(&client).await.unwrap();
    assert_eq!((fetched.status, fetched.amount), (stripe_shared::DisputeStatus::NeedsResponse, 1500));
    let (error, _) = api_error(CreateRefund::new().payment_intent(pi.id.as_str()).send(&client).await);
    assert_eq!(error.code, Some(ApiErrorsCode::ChargeDisputed));
    fake.close_dispute(&dispute, false).unwrap();
    assert!(fake.close_dispute(&dispute, true).is_err());
    let closed = stripe_core::dispute::RetrieveDispute::new(dispute.as_str()).send(&client).await.unwrap();
    assert_eq!(closed.status, stripe_shared::DisputeStatus::Lost);
    let kinds = types(&fake.events(&account.id));
    assert!(kinds.ends_with(&["charge.dispute.created".to_owned(), "charge.dispute.closed".to_owned()]));
    assert!(fake.create_dispute("pi_missing").is_err());
}

#[tokio::test]
async fn events_are_listed_and_retrieved() {
    let (fake, account, client) = start();
    let (customer, pm) = customer_with_card(&client, "pm_card_visa").await;
    charge(&customer, &pm, 1500).send(&client).await.unwrap();
    let all: stripe_types::List<stripe_shared::Event> = get("/events", "limit=100").send(&client).await.unwrap();
    assert_eq!(all.data.len(), fake.events(&account.id).len());
    assert!(all.data.windows(2).all(|w| w[0].created >= w[1].created), "newest first");
    assert_eq!(all.data[0].id.as_str(), fake.events(&account.id).last().unwrap()["id"]);

    let only: stripe_types::List<stripe_shared::Event> =
        get("/events", "types%5B0%5D=charge.succeeded&types%5B1%5D=payment_intent.succeeded")
            .send(&client)
            .await
            .unwrap();
    assert_eq!(only.data.len(), 2);
    let wildcard: stripe_types::List<stripe_shared::Event> =
        get("/events", "type=payment_intent.*").send(&client).await.unwrap();
    assert_eq!(wildcard.data.len(), 2);
    let first: stripe_types::List<stripe_shared::Event> = get("/events", "limit=1").send(&client).await.unwrap();
    let second: stripe_types::List<stripe_shared::Event> =
        get("/events", &format!("limit=1&starting_after={}", first.data[0].id.as_str())).send(&client).await.unwrap();
    assert!(first.has_more);
    assert_eq!(second.data[0].id, all.data[1].id);
    let later: stripe_types::List<stripe_shared::Event> =
        get("/events", "created%5Bgte%5D=4102444800").send(&client).await.unwrap();
    assert!(later.data.is_empty());
    // No endpoint: every event is delivered, trivially.
    let pending: stripe_types::List<stripe_shared::Event> =
        get("/events", "delivery_success=false").send(&client).await.unwrap();
    assert!(pending.data.is_empty());

    let one: stripe_shared::Event =
        get(&format!("/events/{}", all.data[0].id.as_str()), "").send(&client).await.unwrap();
    assert_eq!(one.type_, stripe_shared::EventType::PaymentIntentSucceeded);
    let object = miniserde::json::to_string(&one.data.object);
    let pi: PaymentIntent = miniserde::json::from_str(&object).unwrap();
    assert_eq!(pi.status, PaymentIntentStatus::Succeeded);
    let (_, status) = api_error(get::<stripe_shared::Event>("/events/evt_missing", "").send(&client).await);
    assert_eq!(status, 404);
}

#[tokio::test]
async fn webhooks_are_signed_and_delivered() {
    let (fake, account, client) = start();
    let receiver = hook(1);
    let created = CreateWebhookEndpoint::new(
        vec![Enabled::PaymentIntentSucceeded, Enabled::CustomerCreated],
        receiver.url.as_str(),
    )
    .api_version(stripe_shared::version::VERSION)
    .send(&client)
    .await
    .unwrap();
    let secret = created.secret.unwrap();
    let (customer, pm) = customer_with_card(&client, "pm_card_visa").await;
    let pi = charge(&customer, &pm, 1500).send(&client).await.unwrap();
    assert!(fake.wait_for_deliveries(Duration::from_secs(10)));

    let got = receiver.got.lock().unwrap().clone();
    assert_eq!(got.len(), 2, "customer.created (after one retry) and payment_intent.succeeded");
    let mut events = Vec::new();
    for (signature, body) in &got {
        assert!(signature_ok(signature, body, &secret), "{signature}");
        let event: stripe_shared::Event = miniserde::json::from_str(body).expect("event deserializes");
        assert_eq!(event.api_version.as_deref(), Some(stripe_shared::version::VERSION.as_str()));
        events.push(event);
    }
    let event = events.iter().find(|e| e.type_ == stripe_shared::EventType::PaymentIntentSucceeded).unwrap();
    let object: PaymentIntent = miniserde::json::from_str(&miniserde::json::to_string(&event.data.object)).unwrap();
    assert_eq!(object.id, pi.id);

    // The retry of customer.created runs beside later deliveries, so only its own order is fixed.
    let attempts = |kind: &str| -> Vec<Option<u16>> {
        fake.deliveries().iter().filter(|d| d.event_type == kind).map(|d| d.status).collect()
    };
    assert_eq!(attempts("customer.created"), [Some(500), Some(200)]);
    assert_eq!(attempts("payment_intent.succeeded"), [Some(200)]);
    assert!(fake.deliveries().iter().all(|d| d.url == receiver.url));
    let stored = fake.events(&account.id);
    assert!(stored.iter().all(|e| e["pending_webhooks"] == 0));
}

#[tokio::test]
async fn delivery_knobs() {
    let (fake, account, client) = start();
    let receiver = hook(0);
    let (_, secret) = endpoint(&client, &receiver.url, vec![Enabled::All]).await;

    fake.set_delivery(Delivery { copies: 2, ..Delivery::default() });
    CreateCustomer::new().name("one").send(&client).await.unwrap();
    assert!(fake.wait_for_deliveries(Duration::from_secs(10)));
    let got = receiver.got.lock().unwrap().clone();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].1, got[1].1, "the same event twice");
    assert!(got.iter().all(|(sig, body)| signature_ok(sig, body, &secret)));

    fake.set_delivery(Delivery { hold: true, ..Delivery::default() });
    for name in ["two", "three"] {
        CreateCustomer::new().name(name).send(&client).await.unwrap();
    }
    assert!(fake.wait_for_deliveries(Duration::from_secs(1)), "held deliveries don't count as pending");
    assert_eq!(receiver.got.lock().unwrap().len(), 2);
    fake.set_delivery(Delivery::default());
    fake.release_held(true);
    assert!(fake.wait_for_deliveries(Duration::from_secs(10)));
    let names: Vec<String> = receiver.got.lock().unwrap()[2..]
        .iter()
        .map(|(_, body)| {
            serde_json::from_str::<serde_json::Value>(body).unwrap()["data"]["object"]["name"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(names, ["three", "two"]);

    fake.set_delivery(Delivery { drop: true, ..Delivery::default() });
    let dropped = CreateCustomer::new().name("four").send(&client).await.unwrap();
    assert!(fake.wait_for_deliveries(Duration::from_secs(1)));
    assert_eq!(receiver.got.lock().unwrap().len(), 4);
    let pending: stripe_types::List<stripe_shared::Event> =
        get("/events", "delivery_success=false").send(&client).await.unwrap();
    assert_eq!(pending.data.len(), 1);
    assert_eq!(pending.data[0].pending_webhooks, 1);
    let object = miniserde::json::to_string(&pending.data[0].data.object);
    assert_eq!(miniserde::json::from_str::<stripe_shared::Customer>(&object).unwrap().id, dropped.id);
    assert_eq!(fake.events(&account.id).len(), 4);
}
