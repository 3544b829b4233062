//! Server function errors answered with their status. server_fn answers
//! every error 500; this layer reads the [`AppError`] in the body and sets
//! the status it stands for (422 for a broken field rule, 404, 409, ...), so
//! only an internal error is a 500.

use app::error::AppError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;

/// An error body is one small JSON value; anything larger is not ours.
const LIMIT: usize = 1 << 20;

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
