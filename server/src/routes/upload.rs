//! `POST /storage/upload`: a plain multipart form (works without
//! JavaScript) streamed into a new raw volume. The fields come in form
//! order — `host_id`, `pool`, `name`, then `file` — so the guard decides
//! before a byte of the file is read. Chunks go through a small bounded
//! channel to a blocking thread with its own libvirt connection.

use std::time::Instant;

use app::audit::Target;
use app::error::AppError;
use app::gateway::Upload;
use app::guard::Subject;
use app::i18n::Key;
use app::policy::Action;
use app::state::AppState;
use app::visibility::pool_slugs;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::Caller;

/// Chunks in flight between the request and libvirt: bounds memory use.
const IN_FLIGHT: usize = 4;

/// The small fields before the file.
#[derive(Default, serde::Serialize)]
struct Head {
    host_id: i64,
    pool: String,
    name: String,
}

pub async fn upload(State(state): State<AppState>, c: Caller, req: Request) -> Response {
    let Some(limit) = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
    else {
        return StatusCode::LENGTH_REQUIRED.into_response();
    };
    let Ok(mut form) = Multipart::from_request(req, &state).await else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let head = read_head(&mut form).await;
    let slugs = pool_slugs(&state, c.actor.as_ref(), head.host_id, &head.pool)
        .await
        .unwrap_or_default();
    let target = Target::new(
        "volume",
        format!("{}/{}/{}", head.host_id, head.pool, head.name),
        head.name.as_str(),
    );
    let params = serde_json::json!({ "host_id": head.host_id, "pool": head.pool, "bytes": limit });
    let subject = Subject::pool(&slugs, target, params);
    let op = match c.authorize(&state, Action::VolumeUpload, subject).await {
        Ok(op) => op,
        Err(err) => return err.into_response(),
    };
    let started = Instant::now();
    let result = stream(&state, &head, limit, &mut form).await;
    let after = match &result {
        Ok(bytes) => {
            let secs = started.elapsed().as_secs_f64().max(1e-3);
            let mib_s = *bytes as f64 / 1048576.0 / secs;
            tracing::info!(volume = head.name, bytes, mib_s, "upload finished");
            serde_json::json!({ "bytes": bytes, "mib_per_s": (mib_s * 10.0).round() / 10.0 })
        }
        Err(_) => serde_json::Value::Null,
    };
    let result = op.finish(result, serde_json::Value::Null, after).await;
    back(&head, result)
}

/// Reads `host_id`, `pool` and `name`, stopping before the file. Each is
/// read to at most [`SMALL_FIELD`] bytes, so a request that puts a large
/// file in their place cannot make the server buffer it.
async fn read_head(form: &mut Multipart) -> Head {
    let mut head = Head::default();
    for _ in 0..3 {
        let Ok(Some(field)) = form.next_field().await else {
            break;
        };
        let name = field.name().unwrap_or_default().to_string();
        if !["host_id", "pool", "name"].contains(&name.as_str()) {
            break;
        }
        let value = small_text(field).await.unwrap_or_default();
        match name.as_str() {
            "host_id" => head.host_id = value.trim().parse().unwrap_or_default(),
            "pool" => head.pool = value.trim().to_string(),
            _ => head.name = value,
        }
    }
    head
}

/// The most a text field before the file may carry.
const SMALL_FIELD: usize = 1024;

pub(crate) async fn small_text(mut field: axum::extract::multipart::Field<'_>) -> Option<String> {
    let mut bytes = Vec::new();
    while let Ok(Some(chunk)) = field.chunk().await {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > SMALL_FIELD {
            return None;
        }
    }
    String::from_utf8(bytes).ok()
}

/// Validates, then pumps the file field into the upload thread.
async fn stream(
    state: &AppState,
    head: &Head,
    limit: u64,
    form: &mut Multipart,
) -> Result<u64, AppError> {
    let name = app::validate::resources::resource_name("name", &head.name)
        .map_err(|e| AppError::Invalid(vec![e]))?;
    if !state
        .gateway
        .read(|inv| inv.hosts.contains_key(&head.host_id))
    {
        return Err(AppError::field("host_id", Key::ErrNotFound));
    }
    let mut file = match form.next_field().await {
        Ok(Some(field)) if field.name() == Some("file") => field,
        _ => return Err(AppError::field("file", Key::ErrUploadFile)),
    };
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, Key>>(IN_FLIGHT);
    let target = Upload {
        pool: head.pool.clone(),
        name,
        limit,
    };
    // The gateway streams it on a connection of its own.
    let worker = state
        .gateway
        .upload(head.host_id, target, rx)
        .map_err(|_| AppError::field("host_id", Key::ErrNotFound))?;
    loop {
        let next = match file.chunk().await {
            Ok(Some(chunk)) => Ok(chunk),
            Ok(None) => break,
            Err(err) => {
                tracing::warn!(error = %err, "upload body interrupted");
                Err(Key::ErrTransport)
            }
        };
        let stop = next.is_err();
        // A closed channel means the upload thread gave up; it says why.
        if tx.send(next).await.is_err() || stop {
            break;
        }
    }
    drop(tx);
    let written = worker.await.map_err(|_| AppError::Internal)?;
    written.map_err(|key| match key {
        Key::ErrVolumeExists => AppError::field("name", key),
        Key::ErrUploadTooLarge => AppError::field("file", key),
        key => AppError::Host(key),
    })
}

/// Back to the pool's page, saying what happened (works without JavaScript).
fn back(head: &Head, result: Result<u64, AppError>) -> Response {
    let mut url = format!(
        "/storage?host={}&pool={}",
        head.host_id,
        app::url::encode_path(&head.pool)
    );
    match result {
        Ok(_) => url.push_str(&format!("&uploaded={}", app::url::encode_path(&head.name))),
        Err(err) => {
            let key = err.first_key();
            url.push_str(&format!("&upload_error={key:?}"));
        }
    }
    Redirect::to(&url).into_response()
}
