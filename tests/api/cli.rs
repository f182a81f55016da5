//! The binary's command line: argument and settings errors, `--version`, `--help`, and how it
//! stops on Ctrl-C.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::Utc;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use tollgate::ids::{InvoiceId, TenantId};
use tollgate::schema::jobs;
use tollgate::tenancy::{Mode, Scope};

const BIN: &str = env!("CARGO_BIN_EXE_tollgate");

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The binary in an empty folder (no `.env`), with none of the settings the tests set.
fn tollgate(dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir).env("DATA_DIR", dir).env("RUST_LOG", "info").stdin(Stdio::null());
    for var in ["DATABASE_URL", "JWT_SECRET", "LISTEN_ADDR", "LOG_FORMAT", "POSTGRES_BIN_DIR"] {
        cmd.env_remove(var);
    }
    cmd
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_wrong_command_line_names_what_is_wrong_then_shows_the_usage() {
    let dir = scratch("cli-args");
    let cases: &[(&[&str], &str)] = &[
        (&["serv"], r#"tollgate: unknown command "serv""#),
        (&["--verbose"], r#"tollgate: unknown option "--verbose""#),
        (&["migrate", "x"], r#"tollgate: unexpected argument "x" after "migrate""#),
        (&["serve", "--now"], r#"tollgate: unexpected argument "--now" after "serve""#),
        (&["load-catalog"], r#"tollgate: "load-catalog" needs a FILE"#),
        (
            &["load-catalog", "a.json", "b.json"],
            r#"tollgate: unexpected argument "b.json" after "load-catalog a.json""#,
        ),
        (&["version", "2"], r#"tollgate: unexpected argument "2" after "version""#),
    ];
    for (args, message) in cases {
        let out = tollgate(&dir).args(*args).output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().next(), Some(*message), "{args:?}");
        assert!(err.contains("Usage:"), "{args:?}: the usage follows: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn version_prints_the_package_version() {
    let dir = scratch("cli-version");
    for arg in ["--version", "-V", "version"] {
        let out = tollgate(&dir).arg(arg).output().unwrap();
        assert!(out.status.success(), "{arg}: {}", stderr(&out));
        assert_eq!(String::from_utf8_lossy(&out.stdout), format!("tollgate {}\n", env!("CARGO_PKG_VERSION")), "{arg}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn help_lists_every_setting_read_from_the_environment() {
    let dir = scratch("cli-help");
    let out = tollgate(&dir).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for var in [
        "DATABASE_URL",
        "LISTEN_ADDR",
        "JWT_SECRET",
        "PUBLIC_URL",
        "SMTP_URL",
        "EMAIL_FROM",
        "RUST_LOG",
        "LOG_FORMAT",
        "DATA_DIR",
        "DATABASE_POOL_SIZE",
        "DATABASE_POOL_TIMEOUT_MS",
        "USAGE_WRITERS",
        "WORKERS",
        "POSTGRES_BIN_DIR",
        "TOLLGATE_SECRET_KEY",
        "TOLLGATE_URL",
    ] {
        let line = help.lines().find(|l| l.trim_start().starts_with(&format!("{var} ")));
        assert!(line.is_some(), "{var} has a line of its own in --help:\n{help}");
    }
    for default in ["127.0.0.1:8080", "./.data", "billing@tollgate.localhost", "5000", "(16)", "(info)", "(text)"] {
        assert!(help.contains(default), "the default {default} is shown:\n{help}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_invalid_rust_log_or_an_empty_jwt_secret_stops_start_up_naming_it() {
    let dir = scratch("cli-env");
    // Nothing listens there: without the checks, `migrate` would get as far as connecting.
    let unreachable = "postgres://tollgate@127.0.0.1:1/none";
    let cases: &[(&str, &str)] =
        &[("RUST_LOG", "info,tollgate=loud"), ("RUST_LOG", "tollgate[{=x"), ("JWT_SECRET", ""), ("JWT_SECRET", "   ")];
    for (var, value) in cases {
        let out = tollgate(&dir).arg("migrate").env("DATABASE_URL", unreachable).env(var, value).output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{var}={value:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{var}={value:?}: one line: {err}");
        assert!(err.starts_with(&format!("tollgate: configuration error: {var}: ")), "{var}={value:?}: {err}");
    }
    assert!(!dir.join("jwt_secret").exists(), "an empty JWT_SECRET is not replaced by a development secret");
    let _ = std::fs::remove_dir_all(&dir);
}

// --- Stopping ---------------------------------------------------------------------------------

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// One HTTP/1.1 exchange on a new connection, read until the server closes it.
/// Returns the status and the body, after checking the body is as long as announced.
fn http(port: u16, head: &str, body: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    write!(stream, "{head}\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}", body.len())?;
    let mut raw = String::new();
    stream.read_to_string(&mut raw)?;
    let bad = |what: &str| std::io::Error::other(format!("{what}: {raw:?}"));
    let (head, body) = raw.split_once("\r\n\r\n").ok_or_else(|| bad("no complete response"))?;
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| bad("no status"))?;
    let length: Option<usize> = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().ok()))
        .flatten();
    if length != Some(body.len()) {
        return Err(bad("the body is not the announced length"));
    }
    Ok((status, body.to_string()))
}

struct Running {
    child: Child,
    port: u16,
    log: Option<JoinHandle<Vec<String>>>,
}

impl Running {
    /// `tollgate serve` on `database_url`, once `/healthz` answers.
    fn start(dir: &Path, database_url: &str) -> Running {
        let port = free_port();
        let mut child = tollgate(dir)
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
            .env("JWT_SECRET", crate::helpers::JWT_SECRET)
            .env("WORKERS", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let log = std::thread::spawn(move || BufReader::new(stdout).lines().map_while(Result::ok).collect());
        let mut running = Running { child, port, log: Some(log) };
        let deadline = Instant::now() + Duration::from_secs(60);
        while !http(port, "GET /healthz HTTP/1.1", "").is_ok_and(|(status, _)| status == 200) {
            if Instant::now() > deadline || running.child.try_wait().unwrap().is_some() {
                panic!("never became ready: {:?}", running.stop_log());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        running
    }

    fn signal(&self, signal: libc::c_int) {
        // SAFETY: kill(2) on the child we started and have not reaped.
        assert_eq!(unsafe { libc::kill(self.child.id() as libc::pid_t, signal) }, 0);
    }

    fn wait(&mut self, within: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                panic!("still running after {within:?}: {:?}", self.stop_log());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills the process if it still runs, and returns what it logged.
    fn stop_log(&mut self) -> Vec<String> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.log.take().map(|l| l.join().unwrap()).unwrap_or_default()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Connections of this database waiting for a lock.
fn waiting_for_locks(conn: &mut PgConnection) -> i64 {
    diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "(SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock')",
    ))
    .get_result(conn)
    .unwrap()
}

fn wait_for_waiters(conn: &mut PgConnection, n: i64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while waiting_for_locks(conn) < n {
        assert!(Instant::now() < deadline, "fewer than {n} connections ever waited for the lock");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Signs a tenant up; returns its id and test secret key.
fn signup(port: u16) -> (TenantId, String) {
    let body = r#"{"organization":"Cli","email":"cli@example.com","password":"correct horse battery"}"#;
    let (status, text) = http(port, "POST /v1/signup HTTP/1.1\r\nContent-Type: application/json", body).unwrap();
    assert_eq!(status, 201, "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    (v["tenant"]["id"].as_str().unwrap().parse().unwrap(), v["secret_keys"]["test"].as_str().unwrap().to_string())
}

/// A request that blocks until the test releases its lock on `invoices`, in flight on a thread.
fn list_invoices(port: u16, key: &str) -> JoinHandle<std::io::Result<(u16, String)>> {
    let head = format!("GET /v1/invoices HTTP/1.1\r\nAuthorization: Bearer {key}");
    std::thread::spawn(move || http(port, &head, ""))
}

fn drop_database(name: &str) {
    let mut conn = PgConnection::establish(&crate::helpers::base_url()).unwrap();
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", tollgate::db::quote_ident(name)))
        .execute(&mut conn)
        .unwrap();
}

#[test]
fn ctrl_c_lets_the_request_in_flight_and_the_job_in_progress_finish() {
    let (url, name) = crate::helpers::fresh_database();
    let dir = scratch("cli-sigint");
    let mut app = Running::start(&dir, &url);
    let (tenant, key) = signup(app.port);

    // Whatever reads invoices now waits for this transaction: the job worker and a request.
    let mut lock = PgConnection::establish(&url).unwrap();
    lock.batch_execute("BEGIN; LOCK TABLE invoices IN ACCESS EXCLUSIVE MODE").unwrap();
    let mut db = PgConnection::establish(&url).unwrap();
    let scope = Scope { tenant_id: tenant, mode: Mode::Live };
    let (first, second) = (InvoiceId::new(), InvoiceId::new());
    let now = Utc::now();
    tollgate::invoices::jobs::finalize_invoice(&mut db, scope, first, now - chrono::TimeDelta::seconds(2)).unwrap();
    tollgate::invoices::jobs::finalize_invoice(&mut db, scope, second, now - chrono::TimeDelta::seconds(1)).unwrap();
    wait_for_waiters(&mut db, 1); // the worker, on the first job
    let in_flight = list_invoices(app.port, &key);
    wait_for_waiters(&mut db, 2);

    app.signal(libc::SIGINT);
    std::thread::sleep(Duration::from_secs(1));
    assert!(app.child.try_wait().unwrap().is_none(), "still finishing what is in flight");
    assert!(TcpStream::connect(("127.0.0.1", app.port)).is_err(), "no longer accepting connections");
    lock.batch_execute("COMMIT").unwrap();

    let answer = in_flight.join().unwrap();
    let status = app.wait(Duration::from_secs(30));
    let log = app.stop_log();
    let (code, body) = answer.unwrap_or_else(|e| panic!("the request in flight was answered in full: {e}; {log:?}"));
    assert_eq!(code, 200, "{body}");
    assert!(serde_json::from_str::<serde_json::Value>(&body).unwrap()["data"].is_array(), "{body}");
    assert!(status.success(), "clean exit: {status:?}; {log:?}");
    assert!(log.iter().any(|l| l.contains("SIGINT")), "the signal is logged: {log:?}");

    let mut done = |id: InvoiceId| -> bool {
        jobs::table
            .filter(jobs::subject.eq(id.to_string()))
            .select(jobs::done_at.is_not_null())
            .get_result(&mut db)
            .unwrap()
    };
    assert!(done(first), "the job in progress finished and committed");
    assert!(!done(second), "no job was claimed after the signal");
    drop(db);
    drop_database(&name);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_second_ctrl_c_stops_at_once() {
    let (url, name) = crate::helpers::fresh_database();
    let dir = scratch("cli-sigint2");
    let mut app = Running::start(&dir, &url);
    let (_, key) = signup(app.port);

    let mut lock = PgConnection::establish(&url).unwrap();
    lock.batch_execute("BEGIN; LOCK TABLE invoices IN ACCESS EXCLUSIVE MODE").unwrap();
    let in_flight = list_invoices(app.port, &key);
    wait_for_waiters(&mut PgConnection::establish(&url).unwrap(), 1);

    app.signal(libc::SIGINT);
    std::thread::sleep(Duration::from_millis(500));
    assert!(app.child.try_wait().unwrap().is_none(), "the first Ctrl-C waits for the request");
    app.signal(libc::SIGINT);
    let status = app.wait(Duration::from_secs(10));
    assert!(status.success(), "{status:?}");
    assert!(in_flight.join().unwrap().is_err(), "the request in flight was dropped");
    let log = app.stop_log();
    assert!(log.iter().any(|l| l.contains("at once")), "{log:?}");

    lock.batch_execute("ROLLBACK").unwrap();
    drop(lock);
    drop_database(&name);
    let _ = std::fs::remove_dir_all(&dir);
}
