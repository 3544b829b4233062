//! Streams an uploaded file into a new raw volume with `virStorageVolUpload`.
//! It runs on its own blocking thread with its own libvirt connection, so a
//! long upload never holds up the host's worker; chunks arrive through a
//! small bounded channel, so the file is never held in memory. A failed or
//! oversized upload deletes the half-made volume.

use axum::body::Bytes;
use tokio::sync::mpsc::Receiver;
use virt::connect::Connect;
use virt::storage_vol::StorageVol;
use virt::stream::Stream;

use crate::domxml::storage::VolumeSpec;
use crate::error::AppError;
use crate::gateway::{translate, Gateway};
use crate::i18n::Key;

/// Where an upload goes, and how many bytes it may bring at most.
#[derive(Clone, Debug)]
pub struct Upload {
    pub pool: String,
    pub name: String,
    /// The request's announced length: the pool must have room for it, and
    /// the stream is cut off beyond it.
    pub limit: u64,
    /// Bytes other uploads into the same pool may still write: the pool
    /// must have room for those too.
    pub others: u64,
}

/// Receives chunks until the sender finishes (or sends an error) and returns
/// the bytes written. On any failure nothing is left behind.
fn run(uri: &str, up: Upload, chunks: Receiver<Result<Bytes, Key>>) -> Result<u64, Key> {
    let conn = crate::gateway::worker::open(uri)?;
    let pool = conn
        .lookup_storage_pool_by_name(&up.pool)
        .map_err(|_| Key::ErrPoolNotFound)?;
    if !pool.is_active().unwrap_or(false) {
        return Err(Key::ErrPoolInactive);
    }
    if pool.lookup_storage_vol_by_name(&up.name).is_ok() {
        return Err(Key::ErrVolumeExists);
    }
    let available = pool
        .info()
        .map_err(|e| translate("pool info", &e))?
        .available;
    if up.limit.saturating_add(up.others) > available {
        return Err(Key::ErrUploadTooLarge);
    }
    // Capacity 0: a raw file volume takes the size of what is written.
    let spec = VolumeSpec {
        name: up.name.clone(),
        bytes: 0,
        format: "raw".into(),
    };
    let vol = StorageVol::create_xml(&pool, &spec.to_xml(), 0)
        .map_err(|e| translate("upload volume", &e))?;
    let result = stream_into(&conn, &vol, up.limit, chunks);
    if result.is_err() {
        if let Err(e) = vol.delete(0) {
            tracing::error!(volume = up.name, error = %e, "could not remove a failed upload");
        }
    }
    result
}

fn stream_into(
    conn: &Connect,
    vol: &StorageVol,
    limit: u64,
    mut chunks: Receiver<Result<Bytes, Key>>,
) -> Result<u64, Key> {
    let stream = Stream::new(conn, 0).map_err(|e| translate("stream", &e))?;
    vol.upload(&stream, 0, 0, 0)
        .map_err(|e| translate("upload start", &e))?;
    let mut written = 0u64;
    let failed = loop {
        match chunks.blocking_recv() {
            None => break None,
            Some(Err(key)) => break Some(key),
            Some(Ok(chunk)) => {
                written += chunk.len() as u64;
                if written > limit {
                    break Some(Key::ErrUploadTooLarge);
                }
                if let Err(key) = send_all(&stream, &chunk) {
                    break Some(key);
                }
            }
        }
    };
    match failed {
        None => {
            stream
                .finish()
                .map_err(|e| translate("upload finish", &e))?;
            Ok(written)
        }
        Some(key) => {
            let _ = stream.abort();
            Err(key)
        }
    }
}

/// The most one `virStreamSend` carries (libvirt's RPC payload is 256 KiB).
const SEND_MAX: usize = 256 * 1024;

/// `virStreamSend` may take part of a buffer; send until all of it is gone.
pub(super) fn send_all(stream: &Stream, mut data: &[u8]) -> Result<(), Key> {
    while !data.is_empty() {
        let sent = stream
            .send(&data[..data.len().min(SEND_MAX)])
            .map_err(|e| translate("upload send", &e))?;
        if sent <= 0 {
            return Err(Key::HostErrLost);
        }
        data = &data[sent as usize..];
    }
    Ok(())
}

impl Gateway {
    /// Starts streaming an upload into a new raw volume of the host's pool,
    /// on a stream connection of its own; the caller sends the file's
    /// chunks through `chunks` and awaits the handle for the bytes written.
    /// `NotFound` when the host is unknown.
    pub fn upload(
        &self,
        host_id: i64,
        up: Upload,
        chunks: Receiver<Result<Bytes, Key>>,
    ) -> Result<tokio::task::JoinHandle<Result<u64, Key>>, AppError> {
        let uri = self.host_uri(host_id)?;
        Ok(tokio::task::spawn_blocking(move || run(&uri, up, chunks)))
    }
}
