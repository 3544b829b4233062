//! Routes outside Leptos: health, the live event stream, preferences.

use std::convert::Infallible;
use std::time::Duration;

use app::prefs::{Theme, LANG_COOKIE, THEME_COOKIE};
use app::{i18n::Locale, state::AppState};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use tokio::sync::watch;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::StreamExt;

/// The client's address for the audit log (`unknown` without connect info).
pub fn source_address(req: &axum::extract::Request) -> String {
    req.extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// `GET /healthz`: database and hosts at a glance.
pub async fn healthz(State(state): State<AppState>) -> Response {
    let db_ok = sqlx::query_scalar::<_, i64>("SELECT 1")
        .fetch_one(&state.pool)
        .await
        .is_ok();
    let (connected, total, domains) = state.gateway.read(|inv| {
        let connected = inv
            .hosts
            .values()
            .filter(|h| h.state == app::model::HostState::Connected)
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

/// `GET /events`: one event per inventory change the caller may see, naming
/// the host and domain that changed (see `app::live`). Signed-in callers
/// only (a refusal is audited); a member is never told of another
/// workspace's domain. Streams end when `shutdown` turns true, so graceful
/// shutdown can finish.
pub async fn events(
    state: AppState,
    mut shutdown: watch::Receiver<bool>,
    session: tower_sessions::Session,
    req: axum::extract::Request,
) -> Response {
    use app::guard::{Op, Subject};
    use app::live::Change;

    let source = source_address(&req);
    drop(req);
    let actor = app::auth::session_actor(&state.pool, &session, state.session_limits)
        .await
        .ok()
        .flatten();
    let action = app::policy::Action::DomainList;
    let op = match Op::authorize(
        state.clone(),
        actor,
        source,
        action,
        Subject::list("events"),
    )
    .await
    {
        Ok(op) => op,
        Err(app::error::AppError::Unauthorized) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(_) => return StatusCode::FORBIDDEN.into_response(),
    };
    let slugs = op.actor.visible_slugs();
    let first = Event::default()
        .event("hello")
        .data(state.gateway.version().to_string());
    let changes = BroadcastStream::new(state.gateway.subscribe()).filter_map(move |msg| {
        // A lagged receiver cannot say what it missed: anything may have changed.
        let change = msg.unwrap_or_else(|_| Change::unknown());
        let seen = change.for_viewer(slugs.as_deref())?;
        Some(Ok::<_, Infallible>(
            Event::default().event("message").data(seen.encode()),
        ))
    });
    let stop = async move {
        // An error means the sender is gone: the server is stopping too.
        let _ = shutdown.wait_for(|stop| *stop).await;
    };
    Sse::new(futures::StreamExt::take_until(
        tokio_stream::once(Ok(first)).chain(changes),
        stop,
    ))
    .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
    .into_response()
}

#[derive(Deserialize)]
pub struct PrefsQuery {
    lang: Option<String>,
    theme: Option<String>,
    back: Option<String>,
}

/// `GET /prefs?lang=zh-CN&back=/hosts`: remembers a choice in a cookie and
/// returns to the page. Works without JavaScript.
pub async fn prefs(Query(q): Query<PrefsQuery>) -> Response {
    const YEAR: u32 = 365 * 24 * 3600;
    let mut headers = HeaderMap::new();
    let mut set = |name: &str, value: &str| {
        let cookie = format!("{name}={value}; Path=/; Max-Age={YEAR}; SameSite=Lax");
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            headers.append(header::SET_COOKIE, v);
        }
    };
    if let Some(locale) = q.lang.as_deref().and_then(Locale::parse) {
        set(LANG_COOKIE, locale.code());
    }
    if let Some(theme) = q.theme.as_deref().and_then(Theme::parse) {
        set(THEME_COOKIE, theme.as_str());
    }
    let back = q
        .back
        .filter(|b| is_local_path(b))
        .unwrap_or_else(|| "/".into());
    if let Ok(v) = HeaderValue::from_str(&back) {
        headers.insert(header::LOCATION, v);
    }
    (StatusCode::SEE_OTHER, headers).into_response()
}

/// Only same-site paths: no scheme, no `//host`, no backslash tricks.
fn is_local_path(p: &str) -> bool {
    p.starts_with('/')
        && !p.starts_with("//")
        && !p.contains('\\')
        && !p.chars().any(char::is_control)
}

/// `GET /audit.csv?<filters>`: the matching audit records as a streamed CSV
/// download, through the same guard as server functions (and audited).
pub async fn audit_csv(
    State(state): State<AppState>,
    session: tower_sessions::Session,
    req: axum::extract::Request,
) -> Response {
    let params = Query::<Vec<(String, String)>>::try_from_uri(req.uri())
        .map(|q| q.0)
        .unwrap_or_default();
    let connect = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .cloned();
    use app::guard::Op;

    let mut map = leptos_router::params::ParamsMap::new();
    for (k, v) in params {
        map.insert(k, v);
    }
    let filter = app::pages::audit::filter_from_params(&map);
    let actor = app::auth::session_actor(&state.pool, &session, state.session_limits)
        .await
        .ok()
        .flatten();
    let Ok((scope, filter)) = app::api::audit::ssr::scope(&state, actor.as_ref(), filter).await
    else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let source = connect
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    let subject = app::api::audit::ssr::subject(scope, &filter);
    let op = match Op::authorize(
        state.clone(),
        actor,
        source,
        app::policy::Action::AuditExport,
        subject,
    )
    .await
    {
        Ok(op) => op,
        Err(app::error::AppError::Unauthorized) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(_) => return StatusCode::FORBIDDEN.into_response(),
    };
    let _ = op
        .finish(Ok(()), serde_json::Value::Null, serde_json::Value::Null)
        .await;
    let body = futures::StreamExt::map(state.audit.csv(&filter), |chunk| {
        chunk
            .map(axum::body::Bytes::from)
            .map_err(std::io::Error::other)
    });
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"audit.csv\""),
    );
    (headers, axum::body::Body::from_stream(body)).into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn open_redirects_are_refused() {
        assert!(super::is_local_path("/inventory?q=a"));
        for bad in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil",
            "hosts",
        ] {
            assert!(!super::is_local_path(bad), "{bad}");
        }
    }
}
