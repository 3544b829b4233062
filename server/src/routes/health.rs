//! `GET /healthz`: for load balancers and monitoring.

use app::guard::Subject;
use app::policy::Action;
use app::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::Caller;

/// `GET /healthz`: whether the server and its database answer — all that
/// anyone may learn. An administrator also gets the hosts and domain
/// counts of the whole plant (a host list read, through the guard);
/// members see their own share on the dashboard instead.
pub async fn healthz(State(state): State<AppState>, c: Caller) -> Response {
    let db_ok = app::store::ping(&state.pool).await;
    let status = if db_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let mut body = serde_json::json!({ "status": if db_ok { "ok" } else { "degraded" } });
    let admin = c.actor.as_ref().is_some_and(|a| a.is_admin);
    let op = match admin {
        true => c
            .authorize(&state, Action::HostList, Subject::list("health"))
            .await
            .ok(),
        false => None,
    };
    if let Some(op) = op {
        let (connected, total, domains) = state.gateway.read(|inv| {
            let connected = inv
                .hosts
                .values()
                .filter(|h| h.state == app::model::host::HostState::Connected)
                .count();
            (connected, inv.hosts.len(), inv.domain_count())
        });
        body["database"] = (if db_ok { "ok" } else { "unavailable" }).into();
        body["hosts"] = serde_json::json!({ "connected": connected, "total": total });
        body["domains"] = domains.into();
        body["version"] = env!("CARGO_PKG_VERSION").into();
        let _ = op
            .finish(Ok(()), serde_json::Value::Null, serde_json::Value::Null)
            .await;
    }
    (status, Json(body)).into_response()
}
