//! How requests end: every change runs to its end (and its audit record is
//! written) even when the client hangs up, server function errors are
//! answered with their status, and a form's success reaches the page it
//! returns to.

use app::error::AppError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{ACCEPT, LOCATION, REFERER};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;

/// An error body is one small JSON value; anything larger is not ours.
const LIMIT: usize = 1 << 20;

/// Runs a request that may change something (any method but GET, HEAD and
/// OPTIONS) in a task of its own and waits for it. When the client hangs
/// up, hyper drops this future, not the task: the action and its closing
/// audit record complete, and a create's quota reservation is settled or
/// released as it would have been.
pub async fn detached(req: Request, next: Next) -> Response {
    if matches!(
        req.method(),
        &Method::GET | &Method::HEAD | &Method::OPTIONS
    ) {
        return next.run(req).await;
    }
    // A call that passes its deadline leaves its late outcome in the
    // request's scope, for the audit record that reconciles it.
    match tokio::spawn(app::gateway::late::scope(next.run(req))).await {
        Ok(resp) => resp,
        Err(err) => {
            tracing::error!(error = %err, "a request's task failed");
            AppError::Internal.into_response()
        }
    }
}

/// server_fn answers every error 500; this layer reads the [`AppError`] in
/// the body and sets the status it stands for (422 for a broken field rule,
/// 404, 409, ...), so only an internal error is a 500.
pub async fn server_fn_status(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    if resp.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !resp.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, LIMIT).await else {
        return AppError::Internal.into_response();
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = err.status();
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A form posted without JavaScript (every form: pages have no script but
/// their live island) is answered by server_fn with a redirect back to the
/// page. On success, this layer adds the answer to that redirect
/// ([`app::flash`]), so the page can say what was done; on failure it only
/// drops an earlier success. A server function that chose where to go
/// (sign-in, sign-out) keeps its redirect.
pub async fn form_outcome(req: Request, next: Next) -> Response {
    let html = req
        .headers()
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if req.method() != Method::POST || !html || !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let path = req.uri().path().to_string();
    let back = req
        .headers()
        .get(REFERER)
        .and_then(|v| v.to_str().ok())
        .map(|v| path_of(v).to_string());
    let resp = next.run(req).await;
    let Some(location) = resp
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
    else {
        return resp;
    };
    if back.as_deref() != Some(path_of(&location)) {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let (ok, body) = if location.contains("__err=") {
        (None, body)
    } else {
        let bytes = axum::body::to_bytes(body, app::flash::OK_LIMIT).await.ok();
        (bytes, Body::empty())
    };
    let carried =
        app::flash::location_with_ok(&location, ok.as_deref().map(|b| (path.as_str(), b)));
    if let Ok(value) = HeaderValue::from_str(&carried) {
        parts.headers.insert(LOCATION, value);
    }
    Response::from_parts(parts, body)
}

/// The path of a URL or of a path with a query.
fn path_of(url: &str) -> &str {
    let rest = match url.split_once("://") {
        Some((_, after)) => after.find('/').map_or("/", |n| &after[n..]),
        None => url,
    };
    rest.split(['?', '#']).next().unwrap_or(rest)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_path_of_a_url() {
        assert_eq!(
            super::path_of("http://127.0.0.1:3100/create?ws=ops"),
            "/create"
        );
        assert_eq!(super::path_of("http://h"), "/");
        assert_eq!(super::path_of("/inventory#top"), "/inventory");
    }
}
