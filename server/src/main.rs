//! Millwright's server: configuration → database → libvirt gateway → router.

mod config;
mod demo;
mod routes;

use std::process::ExitCode;
use std::time::Duration;

use app::gateway::Gateway;
use app::state::AppState;
use app::{shell, App};
use axum::routing::get;
use axum::Router;
use clap::Parser;
use leptos::config::get_configuration;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use tokio::sync::watch;

use crate::config::{Config, DemoMode};

/// Why the server could not start; each names what to fix.
#[derive(Debug, thiserror::Error)]
enum StartError {
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
    #[error("cannot read the web configuration: {0}")]
    Leptos(String),
    #[error("cannot listen on {0}: {1}")]
    Listen(std::net::SocketAddr, std::io::Error),
    #[error("database: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("server: {0}")]
    Serve(std::io::Error),
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MILLWRIGHT_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .init();
    match run(Config::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err}");
            eprintln!("millwright: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cfg: Config) -> Result<(), StartError> {
    let pool = open_database(&cfg).await?;
    let gateway = Gateway::new(cfg.libvirt_deadline());
    for spec in register_hosts(&cfg, &pool).await? {
        gateway.add_host(spec);
    }

    let conf = get_configuration(None).map_err(|e| StartError::Leptos(e.to_string()))?;
    let mut leptos_options = conf.leptos_options;
    leptos_options.site_addr = cfg.listen;
    let state = AppState {
        leptos_options,
        pool: pool.clone(),
        gateway: gateway.clone(),
    };
    let (stop_tx, stop_rx) = watch::channel(false);
    let app = router(state, stop_rx);

    let listener = tokio::net::TcpListener::bind(cfg.listen)
        .await
        .map_err(|e| StartError::Listen(cfg.listen, e))?;
    tracing::info!("listening on http://{}", cfg.listen);
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            tracing::info!("shutting down");
            let _ = stop_tx.send(true);
        })
        .await
        .map_err(StartError::Serve)?;
    gateway.shutdown();
    pool.close().await;
    tracing::info!("stopped");
    Ok(())
}

fn router(state: AppState, stop: watch::Receiver<bool>) -> Router {
    let routes = generate_route_list(App);
    let context_state = state.clone();
    let events_state = state.clone();
    let options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(routes::healthz))
        .route(
            "/events",
            get(move || routes::events(events_state.clone(), stop.clone())),
        )
        .route("/prefs", get(routes::prefs))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .with_state(state)
}

async fn open_database(cfg: &Config) -> Result<SqlitePool, StartError> {
    std::fs::create_dir_all(&cfg.data_dir)
        .map_err(|e| StartError::DataDir(cfg.data_dir.display().to_string(), e))?;
    let path = cfg.data_dir.join("millwright.db");
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
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
