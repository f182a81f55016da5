//! The binary itself: the private cluster when `DATABASE_URL` is unset, start-up errors, the
//! `migrate` subcommand, and SIGTERM.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_tollgate");

fn scratch(name: &str) -> PathBuf {
    // Under target/ so that, when running as root, the `postgres` user can reach it.
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn tollgate(dir: &PathBuf) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("JWT_SECRET")
        .env_remove("LISTEN_ADDR")
        .env_remove("POSTGRES_BIN_DIR")
        .env("RUST_LOG", "info")
        .stdin(Stdio::null());
    cmd
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
fn serve_without_database_url_runs_on_a_private_cluster_and_stops_it_on_sigterm() {
    let dir = scratch("embedded");
    let port = free_port();
    let mut child = tollgate(&dir)
        .arg("serve")
        .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let log = std::thread::spawn(move || BufReader::new(stdout).lines().map_while(Result::ok).collect::<Vec<_>>());

    let deadline = Instant::now() + Duration::from_secs(120);
    let ready = loop {
        if let Ok(out) = Command::new("curl").args(["-s", &format!("http://127.0.0.1:{port}/readyz")]).output() {
            if String::from_utf8_lossy(&out.stdout).contains("ok") {
                break true;
            }
        }
        if Instant::now() > deadline || child.try_wait().unwrap().is_some() {
            break false;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    if !ready {
        let _ = child.kill();
        panic!("never became ready: {:?}", log.join().unwrap());
    }
    let data = dir.join(".data");
    assert!(data.join("postgres/PG_VERSION").exists(), "the cluster lives under ./.data/postgres");
    assert!(data.join("postgres/postmaster.pid").exists(), "and is running");
    assert!(data.join("jwt_secret").exists(), "a development JWT secret was generated");
    let conf = std::fs::read_to_string(data.join("postgres/postgresql.conf")).unwrap();
    assert!(conf.contains("listen_addresses = ''"), "no TCP listener");

    let signup = Command::new("curl")
        .args(["-s", "-XPOST", "-H", "content-type: application/json", &format!("http://127.0.0.1:{port}/v1/signup")])
        .args(["-d", r#"{"organization":"Embedded","email":"e@example.com","password":"correct horse battery"}"#])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&signup.stdout).contains("sk_test_"));

    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "did not stop after SIGTERM");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "clean exit: {status:?}");
    assert!(!data.join("postgres/postmaster.pid").exists(), "the private cluster was stopped");
    let lines = log.join().unwrap();
    assert!(lines.iter().any(|l| l.contains("stopped the private PostgreSQL cluster")), "{lines:?}");
    assert!(!lines.iter().any(|l| l.contains("correct horse battery")), "no secret in the logs");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_setting_stops_start_up_naming_the_variable() {
    let dir = scratch("badcfg");
    let out = tollgate(&dir).arg("serve").env("LISTEN_ADDR", "localhost").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("LISTEN_ADDR"), "{err}");
    let out = tollgate(&dir).env("JWT_SECRET", "short").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("JWT_SECRET"));
    let out = tollgate(&dir).arg("frobnicate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Usage"));
}

#[test]
fn without_postgresql_it_says_what_to_install() {
    let dir = scratch("nopg");
    let out = tollgate(&dir).arg("serve").env("POSTGRES_BIN_DIR", "/nonexistent/bin").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Install PostgreSQL") && err.contains("DATABASE_URL"), "{err}");
}

#[test]
fn migrate_applies_pending_migrations_once() {
    let (url, _name) = crate::helpers::fresh_database();
    // The template is migrated already; a brand-new empty database is not.
    let empty = format!("tollgate_empty_{}", uuid::Uuid::new_v4().simple());
    {
        use diesel::{Connection, RunQueryDsl};
        let mut conn = diesel::PgConnection::establish(&crate::helpers::base_url()).unwrap();
        diesel::sql_query(format!("CREATE DATABASE {empty}")).execute(&mut conn).unwrap();
    }
    let empty_url = tollgate::db::with_database(&url, &empty);
    let dir = scratch("migrate");
    let first = tollgate(&dir).arg("migrate").env("DATABASE_URL", &empty_url).output().unwrap();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert!(String::from_utf8_lossy(&first.stdout).contains("applied 20261124000001"));
    let second = tollgate(&dir).arg("migrate").env("DATABASE_URL", &empty_url).output().unwrap();
    assert!(String::from_utf8_lossy(&second.stdout).contains("no pending migrations"));
    {
        use diesel::{Connection, RunQueryDsl};
        let mut conn = diesel::PgConnection::establish(&crate::helpers::base_url()).unwrap();
        diesel::sql_query(format!("DROP DATABASE {empty} WITH (FORCE)")).execute(&mut conn).unwrap();
        diesel::sql_query(format!("DROP DATABASE {_name} WITH (FORCE)")).execute(&mut conn).unwrap();
    }
}
