//! `GET /audit.csv`: the audit log as a streamed CSV download.

use super::args::QueryArgs;
use app::policy::Action;
use app::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

use super::Caller;

/// `GET /audit.csv?<filters>`: the matching audit records as a streamed CSV
/// download, through the same guard as server functions (and audited).
pub async fn audit_csv(
    State(state): State<AppState>,
    c: Caller,
    QueryArgs(params): QueryArgs<Vec<(String, String)>>,
) -> Response {
    let mut map = leptos_router::params::ParamsMap::new();
    for (k, v) in params {
        map.insert(k, v);
    }
    let filter = app::pages::audit::filter_from_params(&map);
    let (scope, filter) = match app::service::audit::scope(&state, c.actor.as_ref(), filter).await {
        Ok(scoped) => scoped,
        Err(err) => return err.into_response(),
    };
    let subject = app::service::audit::subject(scope, &filter);
    let op = match c.authorize(&state, Action::AuditExport, subject).await {
        Ok(op) => op,
        Err(err) => return err.into_response(),
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
