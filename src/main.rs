use std::process::ExitCode;

use tollgate::config::{LogFormat, Secret, Settings};
use tollgate::db::embedded::EmbeddedPostgres;
use tollgate::startup::Application;

const USAGE: &str = "\
tollgate: billing for API products

Usage:
  tollgate serve               apply pending migrations, then serve (the default)
  tollgate migrate             apply pending migrations and exit
  tollgate load-catalog FILE   create a catalog file's features and plans through the API,
                               with TOLLGATE_SECRET_KEY, at TOLLGATE_URL (default
                               http://127.0.0.1:8080); existing keys are left as they are

Settings come from the environment (or .env): DATABASE_URL, LISTEN_ADDR, JWT_SECRET,
PUBLIC_URL, SMTP_URL, RUST_LOG, LOG_FORMAT, DATA_DIR. With DATABASE_URL unset, a private
PostgreSQL cluster is started under DATA_DIR (./.data). See README.md.";

enum Command {
    Serve,
    Migrate,
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
    let command = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [] | ["serve"] => Command::Serve,
        ["migrate"] => Command::Migrate,
        ["load-catalog", path] => return load_catalog(path),
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };

    let _ = dotenvy::dotenv();
    let format =
        if std::env::var("LOG_FORMAT").is_ok_and(|v| v.trim() == "json") { LogFormat::Json } else { LogFormat::Text };
    tollgate::telemetry::init(format);

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

    let result = match command {
        Command::Migrate => migrate(&settings),
        Command::Serve => actix_web::rt::System::new().block_on(async move {
            let app = Application::build(settings).await?;
            app.run_until_stopped().await?;
            Ok(())
        }),
    };
    drop(embedded); // stops the private cluster if this process started it
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
