//! What server functions and routes share: handed to Leptos as context.

use axum::extract::FromRef;
use leptos::prelude::*;
use sqlx::SqlitePool;

use crate::audit::AuditLog;
use crate::auth::SessionLimits;
use crate::error::AppError;
use crate::gateway::Gateway;

/// The server's shared state.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: SqlitePool,
    pub gateway: Gateway,
    pub audit: AuditLog,
    pub session_limits: SessionLimits,
    /// Serialises quota check-and-reserve against publish-and-release.
    pub quota_lock: std::sync::Arc<tokio::sync::Mutex<()>>,
    pub fleet: FleetSettings,
    /// Utilization history collection interval and retentions.
    pub history: crate::history::Settings,
    /// The jobs running in this process (cancel handles).
    pub jobs: crate::jobs::Jobs,
    /// Lost hosts, the grace period and the fencing programs.
    pub failover: crate::service::failover::Failover,
}

/// How fleet operations behave, from the server's flags.
#[derive(Clone, Copy, Debug)]
pub struct FleetSettings {
    /// vCPU overcommit ratio for placement (vCPUs per host CPU).
    pub overcommit: u32,
    /// Placement policy when the create form leaves it to the server.
    pub policy: crate::placement::Policy,
    /// How long a graceful shutdown may take before force off is offered.
    pub shutdown_timeout: std::time::Duration,
    /// Plant defaults of a live migration: bandwidth (MiB/s, 0: no limit)
    /// and longest pause at its end (ms).
    pub migration_bandwidth_mib: u64,
    pub migration_max_downtime_ms: u64,
    /// Moves a drain runs at once (per host in maintenance).
    pub migrations_per_host: usize,
}

impl Default for FleetSettings {
    fn default() -> Self {
        FleetSettings {
            overcommit: 4,
            policy: crate::placement::Policy::Spread,
            shutdown_timeout: std::time::Duration::from_secs(60),
            migration_bandwidth_mib: 0,
            migration_max_downtime_ms: 300,
            migrations_per_host: 2,
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The state inside a server function.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::Internal
    })
}
