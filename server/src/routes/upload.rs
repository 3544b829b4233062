//! `POST /storage/upload`: a plain multipart form (works without
//! JavaScript) streamed into a new raw volume. The fields come in form
//! order — `host_id`, `pool`, `name`, `workspace` (optional), then `file`
//! — so the guard decides
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
use axum::extract::multipart::Field;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::Caller;

/// Chunks in flight between the request and libvirt: bounds memory use.
const IN_FLIGHT: usize = 4;

/// The largest upload (an installer DVD is under 10 GiB).
pub const MAX_BYTES: u64 = 64 << 30;

/// How long an upload may wait for its next chunk before it is abandoned.
pub const IDLE: std::time::Duration = std::time::Duration::from_secs(60);

/// Uploads running at once, plant-wide: each holds a libvirt stream and a
/// host's disk bandwidth.
pub const CONCURRENT: usize = 4;

static RUNNING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(CONCURRENT);

/// Bytes the running uploads may still write, by (host, pool): a new one
/// must find room for its own and theirs, so concurrent uploads cannot
/// overrun a pool that each alone would fit.
static PENDING: std::sync::Mutex<Vec<((i64, String), u64)>> = std::sync::Mutex::new(Vec::new());

/// An upload's share of [`PENDING`], given back when it ends in any way.
struct Pending {
    pool: (i64, String),
    bytes: u64,
}

impl Pending {
    /// Claims `bytes` on the pool; returns the claim and what others hold.
    fn claim(host_id: i64, pool: &str, bytes: u64) -> (Pending, u64) {
        let key = (host_id, pool.to_string());
        let mut pending = PENDING.lock().unwrap_or_else(|e| e.into_inner());
        let others = pending
            .iter()
            .filter(|(k, _)| *k == key)
            .map(|(_, b)| b)
            .sum();
        pending.push((key.clone(), bytes));
        (Pending { pool: key, bytes }, others)
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        let mut pending = PENDING.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = pending
            .iter()
            .position(|(k, b)| *k == self.pool && *b == self.bytes)
        {
            pending.swap_remove(i);
        }
    }
}

/// The small fields before the file.
#[derive(Default, serde::Serialize)]
struct Head {
    host_id: i64,
    pool: String,
    name: String,
    /// The workspace the volume will belong to (see `service::volumes`).
    workspace: String,
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
    // The small fields, then the file: handled where it is read, so the
    // field's borrow of the form never outlives this loop.
    let mut head = Head::default();
    for _ in 0..HEAD_FIELDS.len() {
        let Ok(Some(field)) = form.next_field().await else {
            break;
        };
        let name = field.name().unwrap_or_default().to_string();
        if !HEAD_FIELDS.contains(&name.as_str()) {
            return decide_and_stream(&state, &c, &head, limit, Some(field)).await;
        }
        head.set(&name, small_text(field).await.unwrap_or_default());
    }
    match form.next_field().await {
        Ok(Some(field)) => decide_and_stream(&state, &c, &head, limit, Some(field)).await,
        _ => decide_and_stream(&state, &c, &head, limit, None).await,
    }
}

/// The fields before the file, in form order (`workspace` may be left
/// out).
const HEAD_FIELDS: [&str; 4] = ["host_id", "pool", "name", "workspace"];

impl Head {
    fn set(&mut self, field: &str, value: String) {
        match field {
            "host_id" => self.host_id = value.trim().parse().unwrap_or_default(),
            "pool" => self.pool = value.trim().to_string(),
            "workspace" => self.workspace = value.trim().to_string(),
            _ => self.name = value,
        }
    }
}

/// The guard, then the file (`file`: the field after the small ones).
async fn decide_and_stream(
    state: &AppState,
    c: &Caller,
    head: &Head,
    limit: u64,
    file: Option<Field<'_>>,
) -> Response {
    let state = state.clone();
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
    let result = owned_stream(&state, &op.actor, &slugs, head, limit, file).await;
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
    back(head, result)
}

/// Streams the file as a volume of the workspace it goes to, whose disk
/// quota holds the request's length until the real size is known.
async fn owned_stream(
    state: &AppState,
    actor: &app::policy::Actor,
    allowing: &[String],
    head: &Head,
    limit: u64,
    file: Option<Field<'_>>,
) -> Result<u64, AppError> {
    // The name as the volume will have it, before anything is claimed.
    let name = app::validate::resources::resource_name("name", &head.name)
        .map_err(|e| AppError::Invalid(vec![e]))?;
    let owner = app::service::volumes::new_owner(state, actor, allowing, &head.workspace).await?;
    let key = app::store::volumes::VolumeKey {
        host_id: head.host_id,
        pool: &head.pool,
        name: &name,
    };
    if let Some(ws) = &owner {
        app::service::volumes::claim(state, ws, key, limit).await?;
    }
    let result = stream(state, head, limit, file).await;
    match (&result, &owner) {
        (Ok(bytes), Some(_)) => app::service::volumes::settle(state, key, *bytes).await,
        (Err(_), Some(ws)) => app::service::volumes::unclaim(state, key, ws).await,
        _ => {}
    }
    result
}

/// The most a text field before the file may carry.
const SMALL_FIELD: usize = 1024;

pub(crate) async fn small_text(mut field: Field<'_>) -> Option<String> {
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
    file: Option<Field<'_>>,
) -> Result<u64, AppError> {
    let name = app::validate::resources::resource_name("name", &head.name)
        .map_err(|e| AppError::Invalid(vec![e]))?;
    if limit > MAX_BYTES {
        return Err(AppError::field("file", Key::ErrUploadOverCap));
    }
    let Ok(_running) = RUNNING.try_acquire() else {
        return Err(AppError::field("file", Key::ErrUploadBusy));
    };
    if !state
        .gateway
        .read(|inv| inv.hosts.contains_key(&head.host_id))
    {
        return Err(AppError::field("host_id", Key::ErrNotFound));
    }
    let mut file = match file {
        Some(field) if field.name() == Some("file") => field,
        _ => return Err(AppError::field("file", Key::ErrUploadFile)),
    };
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, Key>>(IN_FLIGHT);
    let (_claim, others) = Pending::claim(head.host_id, &head.pool, limit);
    let target = Upload {
        pool: head.pool.clone(),
        name,
        limit,
        others,
    };
    // The gateway streams it on a connection of its own.
    let worker = state
        .gateway
        .upload(head.host_id, target, rx)
        .map_err(|_| AppError::field("host_id", Key::ErrNotFound))?;
    loop {
        let next = match tokio::time::timeout(IDLE, file.chunk()).await {
            Ok(Ok(Some(chunk))) => Ok(chunk),
            Ok(Ok(None)) => break,
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "upload body interrupted");
                Err(Key::ErrTransport)
            }
            Err(_) => Err(Key::ErrUploadIdle),
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
        Key::ErrUploadTooLarge | Key::ErrUploadIdle => AppError::field("file", key),
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

#[cfg(test)]
mod tests {
    use super::Pending;

    #[test]
    fn uploads_into_one_pool_count_each_others_bytes_until_they_end() {
        let (a, none) = Pending::claim(7, "iso-test", 100);
        assert_eq!(none, 0);
        let (b, others) = Pending::claim(7, "iso-test", 50);
        assert_eq!(others, 100);
        let (_c, elsewhere) = Pending::claim(8, "iso-test", 10);
        assert_eq!(elsewhere, 0, "another host's pool");
        drop(a);
        assert_eq!(Pending::claim(7, "iso-test", 1).1, 50);
        drop(b);
        assert_eq!(Pending::claim(7, "iso-test", 1).1, 0);
    }
}
