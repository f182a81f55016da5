//! Building and running the HTTP server. Tests build the same [`Application`] on port 0.

use std::net::TcpListener;
use std::sync::Arc;

use actix_http::{HttpService, Protocol};
use actix_service::{fn_service, map_config, IntoServiceFactory, ServiceFactoryExt};
use actix_web::dev::{AppConfig, Server};
use actix_web::middleware::from_fn;
use actix_web::{web, App};
use utoipa_actix_web::AppExt;

use crate::clock::{Clock, SystemClock};
use crate::config::Settings;
use crate::email::Mailer;
use crate::headguard::HeadGuard;
use crate::middleware::RouteTable;
use crate::openapi::SpecJson;
use crate::state::AppState;

pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
    jobs: crate::jobs::Worker,
}

/// What tests (and embedders) may change about an [`Application`].
pub struct Options {
    pub clock: Arc<dyn Clock>,
    /// Extra routes mounted beside the API (tests mount handlers that panic or run slowly).
    pub extra_routes: Option<fn(&mut web::ServiceConfig)>,
    /// Where emails go; by default as the settings say (SMTP, or files under the data dir).
    pub mailer: Option<Arc<Mailer>>,
}

impl Default for Options {
    fn default() -> Self {
        Options { clock: Arc::new(SystemClock), extra_routes: None, mailer: None }
    }
}

impl Application {
    /// Connects to the database, applies pending migrations and binds the listener.
    /// `settings.database_url` must be set (the binary starts the private cluster first).
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        Self::build_with(settings, Options::default()).await
    }

    pub async fn build_with(mut settings: Settings, options: Options) -> anyhow::Result<Application> {
        let Options { clock, extra_routes, mailer } = options;
        let mailer = match mailer {
            Some(m) => m,
            None => Arc::new(Mailer::from_settings(&settings)?),
        };
        let url = settings.database_url.clone().ok_or_else(|| anyhow::anyhow!("DATABASE_URL is not set"))?;
        let (size, timeout) = (settings.db_pool_size, settings.db_pool_timeout);
        let pool_url = url.clone();
        let pool = actix_web::rt::task::spawn_blocking(move || -> anyhow::Result<_> {
            let url = pool_url;
            use diesel::Connection;
            let mut conn = diesel::PgConnection::establish(url.expose())
                .map_err(|e| anyhow::anyhow!("cannot connect to the database: {e}"))?;
            let applied = crate::db::migrate(&mut conn)?;
            if !applied.is_empty() {
                tracing::info!(migrations = ?applied, "applied migrations");
            }
            drop(conn);
            let pool = crate::db::build_pool(url.expose(), size, timeout)?;
            crate::crypto::password::Hasher::warm_up();
            Ok(pool)
        })
        .await??;

        let listener = TcpListener::bind(settings.listen_addr)
            .map_err(|e| anyhow::anyhow!("cannot listen on {} (LISTEN_ADDR): {e}", settings.listen_addr))?;
        let port = listener.local_addr()?.port();
        // Listening on port 0 (any free port), the default public URL names the port taken.
        if let Some(base) = settings.public_url.strip_suffix(":0") {
            settings.public_url = format!("{base}:{port}");
        }
        let workers = settings.workers;
        let listen_url = url.expose().to_string();
        // Every domain with background work registers its kinds of job here.
        let mut jobs = crate::jobs::Registry::default();
        crate::subscriptions::jobs::register(&mut jobs);
        crate::invoices::jobs::register(&mut jobs);
        crate::mails::register(&mut jobs);
        crate::portal::register(&mut jobs);
        crate::dashboard::register(&mut jobs);
        let gateway = Arc::new(crate::payments::gateway::Gateway::new(&settings));
        crate::payments::jobs::register(&mut jobs, gateway.clone());
        let gateway = web::Data::from(gateway);
        let sender = Arc::new(crate::webhooks::delivery::Sender::new(&settings));
        crate::webhooks::register(&mut jobs, sender.clone());
        let sender = web::Data::from(sender);
        let state = web::Data::new(AppState::new(pool, clock, Arc::new(settings), mailer, jobs)?);
        crate::cache::spawn_listener(listen_url, Arc::downgrade(&state.caches))?;
        let jobs = crate::jobs::Worker::spawn(Arc::downgrade(&state.jobs));

        let spec = crate::openapi::spec();
        let routes = web::Data::new(RouteTable::from_openapi(&spec));
        let spec_json = web::Data::new(SpecJson(crate::openapi::document_json(&spec)));

        let app_state = state.clone();
        // Per instance, shared by its workers.
        let resolutions = web::Data::from(crate::entitlements::Resolutions::new(&state.caches));
        let login_throttle = web::Data::new(crate::accounts::throttle::LoginThrottle::default());
        let app = move || {
            App::new()
                .into_utoipa_app()
                .app_data(app_state.clone())
                .app_data(gateway.clone())
                .app_data(sender.clone())
                .app_data(resolutions.clone())
                .app_data(login_throttle.clone())
                .app_data(routes.clone())
                .app_data(spec_json.clone())
                .configure(crate::openapi::configure)
                .into_app()
                .service(crate::openapi::openapi_json)
                .service(crate::openapi::docs)
                .service(crate::openapi::docs_asset)
                .configure(crate::portal::pages)
                .configure(crate::dashboard::pages)
                .configure(|cfg| {
                    if let Some(extra) = extra_routes {
                        extra(cfg)
                    }
                })
                .default_service(web::to(crate::middleware::fallback))
                // Registered innermost first: see `middleware` for the order.
                .wrap(from_fn(crate::middleware::catch_panics))
                .wrap(from_fn(crate::idempotency::middleware))
                .wrap(from_fn(crate::middleware::normalize_errors))
                .wrap(from_fn(crate::middleware::observe))
        };
        // What `HttpServer::listen` builds, with each connection wrapped in a `HeadGuard` so a
        // request head too large for actix still answers in the envelope.
        let addr = listener.local_addr()?;
        let mut builder = actix_server::Server::build();
        let shutting_down = builder.graceful_shutdown_signal();
        builder = builder
            .shutdown_timeout(30)
            // Signals are ours (see `run_until_stopped`): actix stops at once on SIGINT, and
            // knows nothing of the job worker.
            .disable_signals();
        if let Some(n) = workers {
            builder = builder.workers(n);
        }
        let server = builder
            .listen("tollgate", listener, move || {
                let shutting_down = shutting_down.clone();
                let http = HttpService::build()
                    .graceful_shutdown_signal(move || {
                        let signal = shutting_down.clone();
                        async move { signal.notified().await }
                    })
                    .local_addr(addr)
                    .finish(map_config(app().into_factory().map_err(|e: actix_web::Error| e.error_response()), |_| {
                        AppConfig::default()
                    }));
                fn_service(|io: actix_web::rt::net::TcpStream| async move {
                    let peer = io.peer_addr().ok();
                    Ok((HeadGuard::new(io), Protocol::Http1, peer))
                })
                .and_then(http)
            })?
            .run();
        Ok(Application { port, server, state, jobs })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// Stops the server: `handle().stop(true)` is what SIGTERM does (in-flight requests finish).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGTERM or SIGINT (Ctrl-C), or until [`Self::handle`] stops the server.
    ///
    /// The first signal stops gracefully: no new connections, and no new jobs; requests in flight
    /// finish (30 s at most). A second SIGINT stops at once, dropping the requests still open.
    /// Either way the job in progress finishes before this returns, so the database (perhaps
    /// the private cluster, stopped next) is not taken away from it.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        use tokio::signal::unix::{signal, SignalKind};

        let Application { port, server, state, jobs } = self;
        // Should these fail, the instance stops now rather than run with Ctrl-C unhandled.
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        tracing::info!("tollgate listening on http://127.0.0.1:{port}");
        let handle = server.handle();
        let signals = async {
            let name = tokio::select! {
                _ = interrupt.recv() => "SIGINT",
                _ = terminate.recv() => "SIGTERM",
            };
            tracing::info!(
                "{name} received: stopping; requests in flight may finish (30 s at most), Ctrl-C again stops at once"
            );
            jobs.stop_claiming();
            // `server` completes once the requests are done.
            actix_web::rt::spawn(handle.stop(true));
            interrupt.recv().await;
            tracing::warn!("SIGINT received again: stopping at once; requests still in flight are dropped");
        };
        let purge = crate::idempotency::purge_forever(state);
        let result = tokio::select! {
            result = server => result,
            // Dropping the server while it stops gracefully makes actix close what is still open
            // (a second stop command would wait behind the first).
            () = signals => Ok(()),
            () = purge => Ok(()),
        };
        jobs.stop().await;
        tracing::info!("tollgate stopped");
        result
    }
}
