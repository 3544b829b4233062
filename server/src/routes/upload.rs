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
    let mut file = match form.next_field().await {
        Ok(Some(field)) if field.name() == Some("file") => field,
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
