//! Start-up and request plumbing for identity: the first administrator,
//! sessions, sign-in required for pages, and same-origin checks.

use app::audit::{AuditEntry, Outcome, Target};
use app::components::session::RequestActor;
use app::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::SqlitePool;
use std::net::IpAddr;
use tower_sessions::Session;

use crate::config::Config;

/// Creates `admin` when no user exists: the password comes from the
/// configuration, or is generated and printed once.
pub async fn bootstrap_admin(pool: &SqlitePool, cfg: &Config) -> Result<(), crate::StartError> {
    if app::store::users::count(pool).await? > 0 {
        return Ok(());
    }
    let (password, generated) = match &cfg.admin_password {
        Some(p) => (p.clone(), false),
        None => (app::auth::random_password(), true),
    };
    app::auth::check_new_password("password", &password).map_err(|_| {
        crate::StartError::Admin("MILLWRIGHT_ADMIN_PASSWORD needs at least 12 characters".into())
    })?;
    let hash = app::auth::hash_password(password.clone())
        .await
        .map_err(|_| crate::StartError::Admin("hashing failed".into()))?;
    app::store::users::insert(pool, "admin", &hash, true).await?;
    if generated {
        // Printed once, to the console only (never to the log file).
        println!("\n  First administrator created.\n    user:     admin\n    password: {password}\n  Change it on the Account page.\n");
    } else {
        tracing::info!("first administrator `admin` created from MILLWRIGHT_ADMIN_PASSWORD");
    }
    Ok(())
}

/// Prunes audit records older than `days` once a day (behind a checkpoint).
pub fn spawn_audit_retention(audit: app::audit::AuditLog, days: u32) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(24 * 3600));
        loop {
            tick.tick().await;
            let cutoff = time::OffsetDateTime::now_utc() - time::Duration::days(i64::from(days));
            let cutoff = app::audit::chain::timestamp(cutoff);
            match audit.prune_before(&cutoff).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(pruned = n, %cutoff, "audit retention"),
                Err(e) => tracing::warn!(error = %e, "audit retention failed"),
            }
        }
    });
}

/// Sets the request's [`app::auth::ClientAddress`] once, for every layer
/// and handler after it: the socket's peer, or the client a trusted proxy
/// names in `X-Forwarded-For`.
pub async fn client_address(
    State(trusted): State<std::sync::Arc<[IpAddr]>>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    if let Some(peer) = peer {
        let forwarded: Vec<&str> = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        let client = app::auth::forwarded_client(peer, &forwarded, &trusted);
        req.extensions_mut()
            .insert(app::auth::ClientAddress(client));
    }
    next.run(req).await
}

/// Paths served without a session.
fn is_public(path: &str) -> bool {
    path == "/login"
        || path == "/healthz"
        || path == "/prefs"
        || path == "/logo.svg"
        || path == "/favicon.ico"
        || path.starts_with("/pkg/")
        || path.starts_with("/api/")
}

/// Pages need a session; without one the browser goes to sign-in and comes
/// back afterwards. Server functions check for themselves (401).
pub async fn require_session(
    State(state): State<AppState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    if req.method() != Method::GET || is_public(&path) {
        return next.run(req).await;
    }
    match app::auth::session_actor(&state.pool, &session, state.session_limits).await {
        Ok(Some(actor)) => {
            // The page renders with this actor (no second lookup), and the
            // browser hydrates with the same one (`components::session`).
            req.extensions_mut().insert(RequestActor(Some(actor)));
            next.run(req).await
        }
        // These routes answer 401 themselves, through the guard that
        // audits the refusal.
        Ok(None) if path == "/events" || path == "/audit.csv" => next.run(req).await,
        Ok(None) => {
            let target = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            Redirect::to(&format!("/login?next={}", app::url::encode_path(target))).into_response()
        }
        Err(err) => {
            tracing::error!(error = %err, path, "session could not be read");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The session store could not be read; try again in a moment.",
            )
                .into_response()
        }
    }
}

/// Mutating requests must come from our own pages: the `Origin` (or else
/// `Referer`) must name the host the request was sent to. Refusals are audited.
pub async fn same_origin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let origin = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_string();
    if !host.is_empty() && origin_host(&origin) == Some(host) {
        return next.run(req).await;
    }
    let source = app::auth::client_address(req.extensions());
    let entry = AuditEntry::new("anonymous", source, "request.cross_origin")
        .target(Target::new("request", "", req.uri().path()))
        .params(
            serde_json::json!({ "method": req.method().as_str(), "origin": origin, "host": host }),
        )
        .outcome(Outcome::Denied, "cross-origin request refused");
    // Anyone can send these: aggregated per source and minute.
    if let Err(e) = state.audit.append_refusal(entry).await {
        tracing::error!(error = %e, "audit record could not be written");
    }
    (StatusCode::FORBIDDEN, "cross-origin request refused").into_response()
}

/// `http://127.0.0.1:3000/x` → `127.0.0.1:3000`.
fn origin_host(origin: &str) -> Option<&str> {
    let rest = origin.split_once("://")?.1;
    Some(rest.split('/').next().unwrap_or(rest))
}

#[cfg(test)]
mod tests {
    #[test]
    fn origin_hosts() {
        assert_eq!(
            super::origin_host("http://127.0.0.1:3000"),
            Some("127.0.0.1:3000")
        );
        assert_eq!(
            super::origin_host("https://mw.plant/hosts?x=1"),
            Some("mw.plant")
        );
        assert_eq!(super::origin_host("null"), None);
        assert!(super::is_public("/pkg/millwright.wasm") && !super::is_public("/inventory"));
    }
}
