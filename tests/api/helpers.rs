//! `spawn_app()`: a server on port 0 over a fresh database, and helpers to call it.
//!
//! The database server is `DATABASE_URL` when set; otherwise a private cluster under
//! `.data/test-postgres` (started once and left running for the next run). A template database
//! named by a hash of `migrations/` is created and migrated once, under an advisory lock, and
//! every test clones it (`CREATE DATABASE … TEMPLATE …`), which takes milliseconds.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use actix_web::http::Method;
use actix_web::web;
use chrono::Utc;
use diesel::{Connection, PgConnection, RunQueryDsl};
use serde_json::{json, Value};
use tollgate::clock::ManualClock;
use tollgate::config::{Secret, Settings};
use tollgate::db::{database_exists, quote_ident, with_database};
use tollgate::startup::{Application, Options};
use tollgate::state::AppState;

pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";
pub const PASSWORD: &str = "correct horse battery";

struct Server {
    /// Maintenance connection URL.
    base: String,
    template: String,
}

fn migrations_hash() -> String {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("migrations/ is readable").flatten() {
            let p = entry.path();
            if p.is_dir() {
                walk(&p, out)
            } else {
                out.push(p)
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    let mut all = Vec::new();
    for f in files {
        all.extend(f.strip_prefix(&root).unwrap().to_string_lossy().as_bytes());
        all.extend(std::fs::read(&f).unwrap());
    }
    tollgate::crypto::sha256(&all)[..6].iter().map(|b| format!("{b:02x}")).collect()
}

pub fn base_url() -> String {
    match std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()) {
        Some(url) => url,
        None => {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(".data/test-postgres");
            let pg = tollgate::db::embedded::EmbeddedPostgres::start(&dir).expect("start the test cluster");
            let url = pg.url("postgres");
            pg.keep_running();
            url
        }
    }
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let base = base_url();
        let template = format!("tollgate_tpl_{}", migrations_hash());
        let mut conn = PgConnection::establish(&base).expect("connect to the test database server");
        diesel::sql_query("SELECT pg_advisory_lock(7461756)").execute(&mut conn).unwrap();
        if !database_exists(&mut conn, &template).unwrap() {
            let building = format!("{template}_building");
            diesel::sql_query(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(&building)))
                .execute(&mut conn)
                .unwrap();
            diesel::sql_query(format!("CREATE DATABASE {}", quote_ident(&building))).execute(&mut conn).unwrap();
            {
                let mut tpl = PgConnection::establish(&with_database(&base, &building)).unwrap();
                tollgate::db::migrate(&mut tpl).expect("migrations apply");
            }
            diesel::sql_query(format!(
                "ALTER DATABASE {} RENAME TO {}",
                quote_ident(&building),
                quote_ident(&template)
            ))
            .execute(&mut conn)
            .unwrap();
        }
        diesel::sql_query("SELECT pg_advisory_unlock(7461756)").execute(&mut conn).unwrap();
        Server { base, template }
    })
}

/// A new database cloned from the template; returns its URL.
pub fn fresh_database() -> (String, String) {
    let s = server();
    let name = format!("tollgate_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = PgConnection::establish(&s.base).unwrap();
    diesel::sql_query(format!("CREATE DATABASE {} TEMPLATE {}", quote_ident(&name), quote_ident(&s.template)))
        .execute(&mut conn)
        .unwrap();
    (with_database(&s.base, &name), name)
}

fn drop_database(name: &str) {
    let base = server().base.clone();
    let name = name.to_string();
    // Drop runs inside the async test; do the blocking work on a plain thread.
    let _ = std::thread::spawn(move || {
        if let Ok(mut conn) = PgConnection::establish(&base) {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(&name)))
                .execute(&mut conn);
        }
    })
    .join();
}

/// The fake Stripe every test instance talks to (one per test process; each test makes its own
/// Stripe accounts in it, so tests do not see each other's data).
pub fn fake_stripe() -> &'static fake_stripe::FakeStripe {
    static FAKE: OnceLock<fake_stripe::FakeStripe> = OnceLock::new();
    FAKE.get_or_init(fake_stripe::FakeStripe::start)
}

pub fn test_settings(database_url: &str) -> Settings {
    let mut settings = Settings::from_lookup(|k| match k {
        "JWT_SECRET" => Some(JWT_SECRET.into()),
        "LISTEN_ADDR" => Some("127.0.0.1:0".into()),
        _ => None,
    })
    .expect("test settings are valid");
    settings.database_url = Some(Secret::new(database_url));
    settings.workers = Some(1);
    settings.db_pool_size = 4;
    settings.stripe_api_base = fake_stripe().base_url();
    settings.stripe_timeout = Duration::from_secs(10);
    settings
}

pub struct TestApp {
    pub address: String,
    pub client: awc::Client,
    pub state: web::Data<AppState>,
    pub clock: Arc<ManualClock>,
    pub handle: actix_web::dev::ServerHandle,
    pub database_url: String,
    /// Set on the instance that created the database, which drops it.
    db_name: Option<String>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(name) = &self.db_name {
            drop_database(name);
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}, None).await
}

pub async fn spawn_app_with(
    customize: impl FnOnce(&mut Settings),
    extra_routes: Option<fn(&mut web::ServiceConfig)>,
) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        tollgate::telemetry::init(tollgate::config::LogFormat::Text);
    }
    let (database_url, db_name) = fresh_database();
    let mut app = start(&database_url, customize, extra_routes).await;
    app.db_name = Some(db_name);
    app
}

/// Another instance on the same database (as behind a load balancer).
pub async fn spawn_instance_on(other: &TestApp) -> TestApp {
    start(&other.database_url, |_| {}, None).await
}

/// [`spawn_instance_on`] with settings of its own.
pub async fn spawn_instance_on_with(other: &TestApp, customize: impl FnOnce(&mut Settings)) -> TestApp {
    start(&other.database_url, customize, None).await
}

async fn start(
    database_url: &str,
    customize: impl FnOnce(&mut Settings),
    extra_routes: Option<fn(&mut web::ServiceConfig)>,
) -> TestApp {
    let database_url = database_url.to_string();
    let mut settings = test_settings(&database_url);
    customize(&mut settings);
    let clock = Arc::new(ManualClock::new(Utc::now()));
    // Emails stay in memory, unless the test gave an SMTP server.
    let mailer = settings.smtp_url.is_none().then(|| Arc::new(tollgate::email::Mailer::memory()));
    let app = Application::build_with(settings, Options { clock: clock.clone(), extra_routes, mailer })
        .await
        .expect("the application builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state();
    let handle = app.handle();
    actix_web::rt::spawn(app.run_until_stopped());
    let client = awc::Client::builder().timeout(Duration::from_secs(30)).disable_redirects().finish();
    TestApp { address, client, state, clock, handle, database_url, db_name: None }
}

/// What a test sees of a response.
#[derive(Debug)]
pub struct Res {
    pub status: u16,
    pub headers: actix_web::http::header::HeaderMap,
    pub text: String,
    pub body: Value,
}

impl Res {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The error code of an error answer, after checking the envelope's shape and its `type`.
    pub fn error_code(&self) -> &str {
        let err = &self.body["error"];
        assert!(err.is_object(), "not an error envelope: {} {}", self.status, self.text);
        assert_eq!(
            self.header("content-type").map(|c| c.starts_with("application/json")),
            Some(true),
            "errors are JSON"
        );
        let expected_type = match self.status {
            401 => "authentication",
            403 => "permission",
            404 => "not_found",
            409 => "conflict",
            429 => "rate_limited",
            503 => "unavailable",
            500..=599 => "internal",
            _ => "invalid_request",
        };
        assert_eq!(err["type"], expected_type, "type for status {}: {}", self.status, self.text);
        assert!(err["message"].as_str().is_some_and(|m| !m.is_empty()));
        err["code"].as_str().unwrap()
    }

    pub fn error_param(&self) -> Option<&str> {
        self.body["error"]["param"].as_str()
    }
}

/// A signed-up tenant.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: String,
    pub user_id: String,
    pub email: String,
    pub token: String,
    pub sk_test: String,
    pub sk_live: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// The general request: any method, headers and raw body.
    pub async fn send(&self, method: Method, path: &str, headers: &[(&str, &str)], body: Option<Vec<u8>>) -> Res {
        let mut req = self.client.request(method, self.url(path));
        for (k, v) in headers {
            req = req.insert_header((*k, *v));
        }
        let mut res = match body {
            Some(b) => req.send_body(b).await,
            None => req.send().await,
        }
        .expect("the request is answered");
        let bytes = res.body().limit(8 * 1024 * 1024).await.expect("the body is read");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Res { status: res.status().as_u16(), headers: res.headers().clone(), text, body }
    }

    pub async fn get(&self, path: &str, token: &str) -> Res {
        let auth = format!("Bearer {token}");
        self.send(Method::GET, path, &[("Authorization", &auth)], None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Res {
        self.post_with(path, token, body, &[]).await
    }

    pub async fn post_with(&self, path: &str, token: &str, body: Value, headers: &[(&str, &str)]) -> Res {
        let auth = format!("Bearer {token}");
        let mut all = vec![("Authorization", auth.as_str()), ("Content-Type", "application/json")];
        all.extend_from_slice(headers);
        self.send(Method::POST, path, &all, Some(body.to_string().into_bytes())).await
    }

    pub async fn post_open(&self, path: &str, body: Value) -> Res {
        self.send(Method::POST, path, &[("Content-Type", "application/json")], Some(body.to_string().into_bytes()))
            .await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Res {
        let auth = format!("Bearer {token}");
        let h = [("Authorization", auth.as_str()), ("Content-Type", "application/json")];
        self.send(Method::PATCH, path, &h, Some(body.to_string().into_bytes())).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Res {
        let auth = format!("Bearer {token}");
        self.send(Method::DELETE, path, &[("Authorization", &auth)], None).await
    }

    pub async fn signup(&self) -> Tenant {
        let email = format!("owner-{}@example.com", uuid::Uuid::new_v4().simple());
        let res = self
            .post_open("/v1/signup", json!({"organization": "Acme Weather API", "email": email, "password": PASSWORD}))
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
        let b = &res.body;
        Tenant {
            id: b["tenant"]["id"].as_str().unwrap().into(),
            user_id: b["user"]["id"].as_str().unwrap().into(),
            email,
            token: b["access_token"].as_str().unwrap().into(),
            sk_test: b["secret_keys"]["test"].as_str().unwrap().into(),
            sk_live: b["secret_keys"]["live"].as_str().unwrap().into(),
        }
    }

    /// A direct connection to this test's database, for checking what is stored.
    pub fn db(&self) -> PgConnection {
        PgConnection::establish(&self.database_url).unwrap()
    }
}

/// docs/api.md's example plan, `pro`, with the four features it uses.
pub async fn pro_plan(app: &TestApp, key: &str) -> Value {
    for f in [
        json!({"key": "api_calls", "name": "API calls", "type": "metered", "unit": "request"}),
        json!({"key": "data_mb", "name": "Data", "type": "metered", "unit": "MB"}),
        json!({"key": "inferences", "name": "Inferences", "type": "metered"}),
        json!({"key": "exports", "name": "Exports", "type": "metered"}),
        json!({"key": "batch_api", "name": "Batch API", "type": "boolean"}),
        json!({"key": "support_tier", "name": "Support", "type": "config"}),
    ] {
        let res = app.post("/v1/features", key, f).await;
        assert!(res.status == 201 || res.status == 409, "{}", res.text);
    }
    let res = app.post("/v1/plans", key, api_md_plan()).await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body
}

/// The plan of docs/api.md's "Catalog" section, verbatim.
pub fn api_md_plan() -> Value {
    json!({"key": "pro", "name": "Pro", "currency": "USD", "interval": "month", "amount": "99.00",
     "billing": "in_advance", "trial_days": 0,
     "entitlements": [
       {"feature": "batch_api"},
       {"feature": "api_calls", "limit": 100000, "reset": "day", "overage": "block",
        "rate_limit": {"limit": 50, "window_seconds": 1}},
       {"feature": "support_tier", "value": "dedicated"}],
     "charges": [
       {"feature": "api_calls", "model": "per_unit", "unit_amount": "0.002", "included": 50000},
       {"feature": "data_mb", "model": "graduated",
        "tiers": [{"up_to": 1000, "unit_amount": "0"}, {"up_to": null, "unit_amount": "0.01"}]},
       {"feature": "inferences", "model": "volume", "tiers": [{"up_to": 100, "unit_amount": "0.05", "flat_amount": "0"}, {"up_to": null, "unit_amount": "0.04"}]},
       {"feature": "exports", "model": "package", "package_size": 1000, "package_amount": "1.00", "included": 0}]})
}

pub async fn customer(app: &TestApp, key: &str, email: &str) -> String {
    let res = app.post("/v1/customers", key, json!({"email": email})).await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body["id"].as_str().unwrap().to_string()
}

/// A tenant ready for verify: features, a plan `metered` whose `api_calls` entitlement is the
/// given one, a subscribed customer and an API key.
pub struct Metered {
    pub tenant: Tenant,
    pub customer: String,
    pub subscription: String,
    pub key: String,
    pub key_id: String,
}

pub async fn metered(app: &TestApp, api_calls: Value) -> Metered {
    let tenant = app.signup().await;
    let sk = &tenant.sk_test;
    for f in [
        json!({"key": "api_calls", "name": "API calls", "type": "metered"}),
        json!({"key": "batch_api", "name": "Batch API", "type": "boolean"}),
        json!({"key": "exports", "name": "Exports", "type": "metered"}),
        json!({"key": "requests", "name": "Requests", "type": "metered", "aggregation": "count"}),
    ] {
        assert_eq!(app.post("/v1/features", sk, f).await.status, 201);
    }
    let mut ent = api_calls;
    ent["feature"] = json!("api_calls");
    let plan = json!({"key": "metered", "name": "Metered", "currency": "USD", "interval": "month", "amount": "10.00",
        "entitlements": [ent, {"feature": "batch_api"}, {"feature": "requests", "limit": 3, "reset": "day"}]});
    let res = app.post("/v1/plans", sk, plan).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let customer = customer(app, sk, &format!("c-{}@example.com", uuid::Uuid::new_v4().simple())).await;
    let sub = app.post("/v1/subscriptions", sk, json!({"customer": customer, "plan": "metered"})).await;
    assert_eq!(sub.status, 201, "{}", sub.text);
    let key = app.post(&format!("/v1/customers/{customer}/api-keys"), sk, json!({"name": "prod"})).await;
    assert_eq!(key.status, 201, "{}", key.text);
    Metered {
        tenant: tenant.clone(),
        customer,
        subscription: sub.body["id"].as_str().unwrap().into(),
        key: key.body["key"].as_str().unwrap().into(),
        key_id: key.body["id"].as_str().unwrap().into(),
    }
}

impl TestApp {
    pub async fn verify(&self, sk: &str, body: Value) -> Res {
        let res = self.post("/v1/verify", sk, body).await;
        assert_eq!(res.status, 200, "verify answers 200 for well-formed requests: {}", res.text);
        res
    }
}

/// A test that needs a tool this machine lacks (Python, npm) says so and passes, unless
/// `require_var` is `1` (CI sets it), where the missing tool fails the test.
pub fn tool_missing(require_var: &str, message: &str) {
    assert!(std::env::var(require_var).as_deref() != Ok("1"), "{message}");
    eprintln!("skipped: {message}");
}

/// A real SMTP server (aiosmtpd, installed by `tests/smtp/install.sh`) on a free port, keeping
/// what it receives in a maildir; stopped when dropped. `None` (the test then passes, saying
/// so) when Python cannot install it, unless `TOLLGATE_REQUIRE_SMTP=1` (CI).
pub struct SmtpServer {
    pub port: u16,
    dir: PathBuf,
    child: std::process::Child,
}

/// One email as the SMTP server received it.
#[derive(Debug, Clone)]
pub struct Mail {
    pub from_name: String,
    pub from: String,
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl SmtpServer {
    pub fn start() -> Option<SmtpServer> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let installed = std::process::Command::new(root.join("tests/smtp/install.sh"))
            .current_dir(root)
            .stdin(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        let python = root.join(".tools/smtp/bin/python");
        if !installed || !python.exists() {
            tool_missing(
                "TOLLGATE_REQUIRE_SMTP",
                "aiosmtpd could not be installed (tests/smtp/install.sh needs python3 with venv)",
            );
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = std::env::temp_dir().join(format!("tollgate-smtp-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let child = std::process::Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(dir.join("maildir"))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("aiosmtpd starts");
        // Owned (and so killed and waited for) from here on, whatever happens next.
        let server = SmtpServer { port, dir, child };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(server);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("aiosmtpd did not start on port {port}");
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, parsed.
    pub fn mails(&self) -> Vec<Mail> {
        let mut files: Vec<_> = ["new", "cur"]
            .iter()
            .filter_map(|d| std::fs::read_dir(self.dir.join("maildir").join(d)).ok())
            .flatten()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort();
        files
            .iter()
            .filter_map(|f| std::fs::read(f).ok())
            .map(|raw| {
                let m = mail_parser::MessageParser::default().parse(&raw).expect("a MIME message");
                let first = |a: Option<&mail_parser::Address>| {
                    a.and_then(|a| a.first()).map(|a| {
                        (a.name().unwrap_or_default().to_string(), a.address().unwrap_or_default().to_string())
                    })
                };
                let (from_name, from) = first(m.from()).unwrap_or_default();
                let to = m
                    .to()
                    .map(|a| a.iter().filter_map(|a| a.address().map(str::to_string)).collect())
                    .unwrap_or_default();
                Mail {
                    from_name,
                    from,
                    to,
                    subject: m.subject().unwrap_or_default().to_string(),
                    text: m.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
                    html: m.body_html(0).map(|t| t.into_owned()).unwrap_or_default(),
                }
            })
            .collect()
    }

    /// Waits (up to 10 s) for a message whose subject starts so.
    pub async fn mail_starting(&self, subject: &str) -> Mail {
        for _ in 0..200 {
            if let Some(m) = self.mails().into_iter().find(|m| m.subject.starts_with(subject)) {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no email {subject:?}: {:?}", self.mails().iter().map(|m| &m.subject).collect::<Vec<_>>());
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl TestApp {
    pub async fn put(&self, path: &str, token: &str, body: Value) -> Res {
        let auth = format!("Bearer {token}");
        let h = [("Authorization", auth.as_str()), ("Content-Type", "application/json")];
        self.send(Method::PUT, path, &h, Some(body.to_string().into_bytes())).await
    }

    /// Moves the tenant's test clock to `to` (RFC 3339), running what is due on the way.
    pub async fn advance(&self, sk: &str, to: &str) {
        let res = self.post("/v1/test-clock/advance", sk, json!({ "to": to })).await;
        assert_eq!(res.status, 200, "{}", res.text);
    }

    /// Connects a new test-mode account of the fake Stripe to the tenant.
    pub async fn connect_stripe(&self, t: &Tenant) -> fake_stripe::Account {
        let acct = fake_stripe().create_account(false);
        let res = self.put("/v1/stripe-account", &t.token, json!({"api_key": acct.secret_key})).await;
        assert_eq!(res.status, 200, "{}", res.text);
        acct
    }
}
