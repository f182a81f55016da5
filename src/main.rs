use std::process::ExitCode;

use tollgate::config::{LogFormat, Secret, Settings};
use tollgate::db::embedded::EmbeddedPostgres;
use tollgate::startup::Application;

const USAGE: &str = "\
tollgate: billing for API products

Usage:
  tollgate [serve]             apply pending migrations, then serve
  tollgate migrate             apply pending migrations and exit
  tollgate load-catalog FILE   create a catalog file's features and plans through the API;
                               existing keys are left as they are
  tollgate help | --help | -h  print this help
  tollgate version | --version | -V
                               print the version

Settings come from the environment, or from a .env file (defaults in parentheses):
  DATABASE_URL              postgres:// URL of the database (unset: a private PostgreSQL
                            cluster under DATA_DIR/postgres, started and stopped with tollgate)
  LISTEN_ADDR               address to serve on (127.0.0.1:8080)
  JWT_SECRET                root secret of access tokens, 32+ characters (unset: generated
                            once into DATA_DIR/jwt_secret; for development only)
  PUBLIC_URL                where clients reach the service, for links (http://LISTEN_ADDR)
  SMTP_URL                  smtp:// or smtps:// server for invoice emails (unset: .eml files
                            under DATA_DIR/outbox)
  EMAIL_FROM                sender address of invoice emails (billing@tollgate.localhost)
  DATA_DIR                  development state (./.data)
  DATABASE_POOL_SIZE        database connections (16)
  DATABASE_POOL_TIMEOUT_MS  wait for a free connection, then answer 503 (5000)
  WORKERS                   HTTP worker threads (one per core)
  USAGE_WRITERS             most threads writing usage at once (2)
  RUST_LOG                  log filter, e.g. info,tollgate=debug (info)
  LOG_FORMAT                text or json (text)
  POSTGRES_BIN_DIR          folder holding initdb and pg_ctl, for the private cluster
                            (searched in PATH and the usual install locations)
  TOLLGATE_SECRET_KEY       load-catalog: the tenant's secret key, sk_test_… or sk_live_…
  TOLLGATE_URL              load-catalog: the API to load into (http://127.0.0.1:8080)

SIGTERM or Ctrl-C stops gracefully: requests in flight finish (30 s at most), then the job in
progress; a second Ctrl-C stops at once. See README.md.";

enum Command {
    Serve,
    Migrate,
    LoadCatalog(String),
    Help,
    Version,
}

/// Reads the arguments; an error is the one line saying what is wrong with them.
fn parse(args: &[String]) -> Result<Command, String> {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // Each command with the arguments it takes; anything after them is one too many.
    let (command, taken) = match args.as_slice() {
        [] => return Ok(Command::Serve),
        ["serve", ..] => (Command::Serve, 1),
        ["migrate", ..] => (Command::Migrate, 1),
        ["load-catalog"] => return Err(r#""load-catalog" needs a FILE"#.into()),
        ["load-catalog", file, ..] => (Command::LoadCatalog(file.to_string()), 2),
        ["help" | "--help" | "-h", ..] => (Command::Help, 1),
        ["version" | "--version" | "-V", ..] => (Command::Version, 1),
        [other, ..] if other.starts_with('-') => return Err(format!("unknown option {other:?}")),
        [other, ..] => return Err(format!("unknown command {other:?}")),
    };
    match args.get(taken) {
        None => Ok(command),
        Some(extra) => Err(format!("unexpected argument {extra:?} after {:?}", args[..taken].join(" "))),
    }
}

fn load_catalog(path: &str) -> ExitCode {
    let _ = dotenvy::dotenv();
    let Some(key) = std::env::var("TOLLGATE_SECRET_KEY").ok().filter(|k| !k.is_empty()) else {
        eprintln!(
            "tollgate: set TOLLGATE_SECRET_KEY to the secret key (sk_test_… or sk_live_…) of the tenant to load into"
        );
        return ExitCode::from(2);
    };
    let url = std::env::var("TOLLGATE_URL").unwrap_or_else(|_| "http://127.0.0.1:8080".into());
    let catalog = match std::fs::read_to_string(path)
        .map_err(|e| e.to_string())
        .and_then(|s| serde_json::from_str(&s).map_err(|e| e.to_string()))
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("tollgate: cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let result = actix_web::rt::System::new().block_on(tollgate::catalog::loader::load(&url, &key, &catalog));
    match result {
        Ok(r) => {
            println!(
                "features: {} created, {} already there; plans: {} created, {} already there",
                r.features_created, r.features_existing, r.plans_created, r.plans_existing
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tollgate: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse(&args) {
        Ok(Command::Serve) => run(false),
        Ok(Command::Migrate) => run(true),
        Ok(Command::LoadCatalog(path)) => load_catalog(&path),
        Ok(Command::Help) => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Ok(Command::Version) => {
            println!("tollgate {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("tollgate: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// `serve`, or `migrate` when `migrate_only`: logging, settings and the database, then the work.
fn run(migrate_only: bool) -> ExitCode {
    let _ = dotenvy::dotenv();
    let format =
        if std::env::var("LOG_FORMAT").is_ok_and(|v| v.trim() == "json") { LogFormat::Json } else { LogFormat::Text };
    if let Err(e) = tollgate::telemetry::try_init(format) {
        eprintln!("tollgate: configuration error: {e}");
        return ExitCode::from(2);
    }

    let mut settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("tollgate: configuration error: {e}");
            return ExitCode::from(2);
        }
    };

    // With no DATABASE_URL, run on a private cluster that lives as long as this process.
    let mut embedded = None;
    if settings.database_url.is_none() {
        let started = EmbeddedPostgres::start(&settings.data_dir.join("postgres")).and_then(|pg| {
            pg.ensure_database("tollgate")?;
            Ok(pg)
        });
        match started {
            Ok(pg) => {
                settings.database_url = Some(Secret::new(pg.url("tollgate")));
                embedded = Some(pg);
            }
            Err(e) => {
                eprintln!("tollgate: {e}");
                return ExitCode::FAILURE;
            }
        }
    }

    let result = if migrate_only {
        migrate(&settings)
    } else {
        actix_web::rt::System::new().block_on(async move {
            let app = Application::build(settings).await?;
            // Returns once requests in flight and the job in progress are done (see `startup`).
            app.run_until_stopped().await?;
            Ok(())
        })
    };
    // The job in progress is done, and so are the requests (unless a second Ctrl-C dropped
    // them): stop the private cluster if this process started it.
    drop(embedded);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tollgate: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn migrate(settings: &Settings) -> anyhow::Result<()> {
    use diesel::Connection;
    let url = settings.database_url.as_ref().expect("resolved above");
    let mut conn = diesel::PgConnection::establish(url.expose())
        .map_err(|e| anyhow::anyhow!("cannot connect to the database: {e}"))?;
    let applied = tollgate::db::migrate(&mut conn)?;
    if applied.is_empty() {
        println!("no pending migrations");
    } else {
        for m in applied {
            println!("applied {m}");
        }
    }
    Ok(())
}
