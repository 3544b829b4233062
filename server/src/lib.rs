//! Millwright's server: configuration → database → libvirt gateway → router.

pub mod config;
pub mod demo;
pub mod errors;
pub mod identity;
pub mod replay;
pub mod routes;
pub mod sessions;

use std::path::Path;
use std::time::Duration;

use app::gateway::Gateway;
use app::state::AppState;
use app::{shell, App};
use axum::routing::get;
use axum::Router;
use leptos::config::{get_configuration, LeptosOptions};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use tokio::sync::watch;

use crate::config::{Config, DemoMode};

/// Why the server could not start; each names what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot create the data directory {0}: {1}")]
    DataDir(String, std::io::Error),
    #[error("cannot open the database {0}: {1}")]
    Database(String, sqlx::Error),
    #[error("database migration failed (the database was left unchanged): {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the demo plant could not be loaded: {0}")]
    Demo(#[from] demo::DemoError),
    #[error("--host {0:?}: {1}")]
    Host(String, String),
    #[error("cannot listen on {0}: {1}")]
    Listen(std::net::SocketAddr, std::io::Error),
    #[error("database: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("first administrator: {0}")]
    Admin(String),
    #[error("--import-trace {0:?}: {1}")]
    Trace(String, String),
    #[error("server: {0}")]
    Serve(std::io::Error),
}

/// The assembled server: the full router (sessions included), its state,
/// and the switch that ends live event streams at shutdown.
pub struct Built {
    pub app: Router,
    pub state: AppState,
    pub stop: watch::Sender<bool>,
}

/// Opens the database, bootstraps identity, connects the hosts and builds
/// the router. Used by [`run`] and by integration tests.
pub async fn build(cfg: &Config) -> Result<Built, StartError> {
    let pool = open_database(cfg).await?;
    identity::bootstrap_admin(&pool, cfg).await?;
    let audit = app::audit::AuditLog::open(pool.clone()).await?;
    let stale = app::store::quota::clear(&pool).await?;
    if stale > 0 {
        tracing::info!(
            stale,
            "quota reservations of creates that ended with the last run released"
        );
    }
    let sessions = sessions::session_layer(&pool, cfg).await?;
    let gateway =
        Gateway::new(cfg.libvirt_deadline()).with_long_deadline(cfg.libvirt_long_deadline());
    let specs = register_hosts(cfg, &pool).await?;
    let demo_on = specs.iter().any(|s| s.demo);
    for spec in specs {
        gateway.add_host(spec);
    }
    for (id, mode) in app::store::maintenance::states(&pool).await? {
        gateway.set_maintenance(id, mode);
    }
    let mut leptos_options = leptos_options();
    leptos_options.site_addr = cfg.listen;
    let session_limits = app::auth::SessionLimits {
        absolute_ms: cfg.session_max_hours.max(1) * 3_600_000,
    };
    let state = AppState {
        leptos_options,
        pool,
        gateway,
        audit,
        session_limits,
        quota_lock: Default::default(),
        fleet: cfg.fleet(),
        history: cfg.history(),
        jobs: Default::default(),
        failover: cfg.failover(),
    };
    let interrupted = app::jobs::reconcile_interrupted(&state).await?;
    if interrupted > 0 {
        tracing::info!(
            interrupted,
            "jobs cut off by the last stop: reading their end from libvirt"
        );
    }
    app::service::failover::spawn_watcher(state.clone());
    let (stop, stop_rx) = watch::channel(false);
    if cfg.audit_retention_days > 0 {
        identity::spawn_audit_retention(state.audit.clone(), cfg.audit_retention_days);
    }
    if cfg.collect_interval_secs > 0 {
        spawn_history(&state).await?;
    }
    for entry in &cfg.import_traces {
        import_trace(&state.pool, entry).await?;
    }
    if demo_on {
        spawn_demo_replay(&state, cfg.demo_dir.join("traces/planetlab-20110303"));
    }
    let trusted: std::sync::Arc<[std::net::IpAddr]> = cfg.trusted_proxies.clone().into();
    let app = router(state.clone(), stop_rx)
        .layer(sessions)
        .layer(axum::middleware::from_fn(errors::detached))
        .layer(axum::middleware::from_fn_with_state(
            trusted,
            identity::client_address,
        ));
    Ok(Built { app, state, stop })
}

/// Starts the utilization history collector and its pruning.
async fn spawn_history(state: &AppState) -> Result<(), StartError> {
    use app::history::collector::{prune_forever, Collector};
    let collector =
        Collector::start(state.pool.clone(), state.gateway.clone(), state.history).await?;
    tokio::spawn(collector.run());
    tokio::spawn(prune_forever(state.pool.clone(), state.history));
    Ok(())
}

/// `--import-trace NAME=PATH`: a PlanetLab directory or a CSV file.
async fn import_trace(pool: &SqlitePool, entry: &str) -> Result<(), StartError> {
    use app::history::trace;
    let bad = |why: String| StartError::Trace(entry.to_string(), why);
    let (name, path) = entry
        .split_once('=')
        .ok_or_else(|| bad("expected NAME=PATH".into()))?;
    let name = app::validate::resources::resource_name("name", name)
        .map_err(|e| bad(e.key.en().to_string()))?;
    let path = std::path::Path::new(path.trim());
    let entities = if path.is_dir() {
        let files = trace::read_planetlab_dir(path).map_err(|e| bad(e.to_string()))?;
        trace::planetlab_entities(files, app::auth::now_ms() / 1000)
    } else {
        let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
        trace::parse_csv(&text).map_err(|e| bad(e.to_string()))?
    };
    let points = trace::import(pool, &name, &entities)
        .await
        .map_err(|e| bad(e.to_string()))?;
    tracing::info!(name, entities = entities.len(), points, "trace imported");
    Ok(())
}

/// Replays real VM traces as the demo plant's history (labelled as such).
fn spawn_demo_replay(state: &AppState, dir: std::path::PathBuf) {
    let (pool, gateway) = (state.pool.clone(), state.gateway.clone());
    tokio::spawn(async move {
        let now = app::auth::now_ms() / 1000;
        match app::history::demo::replay(&pool, &gateway, &dir, now).await {
            Ok(points) => {
                tracing::info!(points, dir = %dir.display(), "demo history replayed from traces")
            }
            Err(err) => tracing::warn!(error = %err, "demo history not replayed"),
        }
    });
}

/// Serves until SIGINT or SIGTERM, then shuts down gracefully.
pub async fn run(cfg: Config) -> Result<(), StartError> {
    let Built {
        app,
        state,
        stop: stop_tx,
    } = build(&cfg).await?;
    let (pool, gateway, audit) = (
        state.pool.clone(),
        state.gateway.clone(),
        state.audit.clone(),
    );
    let listener = tokio::net::TcpListener::bind(cfg.listen)
        .await
        .map_err(|e| StartError::Listen(cfg.listen, e))?;
    tracing::info!("listening on http://{}", cfg.listen);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        tracing::info!("shutting down");
        let _ = stop_tx.send(true);
    })
    .await
    .map_err(StartError::Serve)?;
    gateway.shutdown();
    if let Err(e) = audit.flush().await {
        tracing::error!(error = %e, "aggregated refusals not written at shutdown");
    }
    pool.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Every route: Leptos pages and server functions, health, events, prefs.
pub fn router(state: AppState, stop: watch::Receiver<bool>) -> Router {
    let routes = generate_route_list(App);
    let context_state = state.clone();
    let events_state = state.clone();
    let options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(routes::health::healthz))
        .route(
            "/events",
            get(move |caller: routes::Caller| {
                routes::events::events(events_state.clone(), stop.clone(), caller)
            }),
        )
        .route("/prefs", get(routes::prefs::prefs))
        .route(
            "/favicon.ico",
            get(|| async { axum::response::Redirect::permanent("/logo.svg") }),
        )
        .route("/audit.csv", get(routes::audit_csv::audit_csv))
        // The size limit of an upload is the pool's free space, not axum's 2 MB.
        .route(
            "/storage/upload",
            axum::routing::post(routes::upload::upload)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/charts/domain/{host}/{uuid}/{file}",
            get(routes::charts::domain),
        )
        .route("/charts/host/{id}/{file}", get(routes::charts::host))
        .route(
            "/charts/workspace/{slug}/{file}",
            get(routes::charts::workspace),
        )
        .route("/charts/fleet/{file}", get(routes::charts::fleet))
        .route("/charts/trace/{name}/{file}", get(routes::charts::trace))
        .route(
            "/history/traces",
            axum::routing::post(routes::traces::import).layer(
                axum::extract::DefaultBodyLimit::max(routes::traces::LIMIT + (1 << 20)),
            ),
        )
        .route("/charts/heat.svg", get(routes::charts::heat))
        .route("/charts/savings/{file}", get(routes::charts::savings))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn(errors::server_fn_status))
        .layer(axum::middleware::from_fn(errors::form_outcome))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            identity::require_session,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            identity::same_origin,
        ))
        .with_state(state)
}

/// Opens (creating if needed) the SQLite database and runs migrations.
pub async fn open_database(cfg: &Config) -> Result<SqlitePool, StartError> {
    std::fs::create_dir_all(&cfg.data_dir)
        .map_err(|e| StartError::DataDir(cfg.data_dir.display().to_string(), e))?;
    open_sqlite(&cfg.data_dir.join("millwright.db"), 8).await
}

/// Opens (creating if needed) the SQLite file at `path` with the server's
/// settings (WAL, foreign keys, a 5 s busy timeout) and runs the
/// migrations. The benchmarks open their files with it too.
pub async fn open_sqlite(path: &Path, max_connections: u32) -> Result<SqlitePool, StartError> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(max_connections)
        .connect_with(options)
        .await
        .map_err(|e| StartError::Database(path.display().to_string(), e))?;
    sqlx::migrate!("../migrations").run(&pool).await?;
    Ok(pool)
}

/// Registers `--host NAME=URI` entries not known yet, loads the demo plant
/// when it is on, and returns every host to connect to.
async fn register_hosts(
    cfg: &Config,
    pool: &SqlitePool,
) -> Result<Vec<app::gateway::HostSpec>, StartError> {
    for entry in &cfg.hosts {
        let (name, uri) = entry
            .split_once('=')
            .ok_or_else(|| StartError::Host(entry.clone(), "expected NAME=URI".into()))?;
        let uri = app::validate::HostUri::parse(uri)
            .map_err(|e| StartError::Host(entry.clone(), e.key.en().into()))?;
        match app::store::hosts::insert(pool, name.trim(), uri.as_str(), &Default::default()).await
        {
            Ok(_) | Err(app::error::AppError::Conflict(_)) => {}
            Err(_) => return Err(StartError::Host(entry.clone(), "could not be saved".into())),
        }
    }
    let demo_on = match cfg.demo_mode() {
        DemoMode::On => true,
        DemoMode::Off => false,
        DemoMode::Auto => app::store::hosts::count_registered(pool).await? == 0,
    };
    if demo_on {
        let demo = demo::load(pool, &cfg.demo_dir).await?;
        tracing::info!(hosts = demo.len(), "demo plant loaded");
    }
    Ok(app::store::hosts::list(pool, demo_on).await?)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// Leptos settings from cargo-leptos' environment; a binary built by plain
/// cargo falls back to the same names (site under `LEPTOS_SITE_ROOT`).
pub fn leptos_options() -> LeptosOptions {
    // Without cargo-leptos' name, get_configuration would print a warning.
    let named =
        option_env!("LEPTOS_OUTPUT_NAME").is_some() || std::env::var("LEPTOS_OUTPUT_NAME").is_ok();
    match named.then(|| get_configuration(None).ok()).flatten() {
        Some(conf) => conf.leptos_options,
        None => LeptosOptions::builder()
            .output_name("millwright")
            .site_root(std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into()))
            .site_pkg_dir("pkg")
            .build(),
    }
}
