//! `GET /healthz`: for load balancers and monitoring.

use app::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// `GET /healthz`: database and hosts at a glance.
pub async fn healthz(State(state): State<AppState>) -> Response {
    let db_ok = app::store::ping(&state.pool).await;
    let (connected, total, domains) = state.gateway.read(|inv| {
        let connected = inv
            .hosts
            .values()
            .filter(|h| h.state == app::model::host::HostState::Connected)
            .count();
        (connected, inv.hosts.len(), inv.domain_count())
    });
    let status = if db_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = serde_json::json!({
        "status": if db_ok { "ok" } else { "degraded" },
        "database": if db_ok { "ok" } else { "unavailable" },
        "hosts": { "connected": connected, "total": total },
        "domains": domains,
        "version": env!("CARGO_PKG_VERSION"),
    });
    (status, Json(body)).into_response()
}
