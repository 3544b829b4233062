//! How requests end: every change runs to its end (and its audit record is
//! written) even when the client hangs up, and server function errors are
//! answered with their status.

use app::error::AppError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode};
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
