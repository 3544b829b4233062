//! Copies a volume from one host's pool to another's through libvirt's
//! storage API (`virStorageVolDownload` into `virStorageVolUpload`), on two
//! connections of its own: a shut-off VM's disk on storage only its host
//! sees moves with it. The bytes copied are counted for the job's progress;
//! a failed copy removes the half-made volume.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use virt::storage_vol::StorageVol;
use virt::stream::Stream;

use crate::domxml::storage::{parse_volume_format, VolumeSpec};
use crate::error::AppError;
use crate::gateway::{translate, worker, Gateway};
use crate::i18n::Key;

/// One volume to copy: from `(host, pool, name)` into `(host, pool)` under
/// the same name.
#[derive(Clone, Debug)]
pub struct VolumeCopy {
    pub from_host: i64,
    pub from_pool: String,
    pub name: String,
    pub to_host: i64,
    pub to_pool: String,
}

/// The most one stream receive takes (libvirt's RPC payload is 256 KiB).
const CHUNK: usize = 256 * 1024;

fn copy(from_uri: &str, to_uri: &str, c: &VolumeCopy, done: &AtomicU64) -> Result<u64, Key> {
    let src = worker::open(from_uri)?;
    let dst = worker::open(to_uri)?;
    let vol = src
        .lookup_storage_pool_by_name(&c.from_pool)
        .and_then(|p| p.lookup_storage_vol_by_name(&c.name))
        .map_err(|e| translate("copy source", &e))?;
    let info = vol.info().map_err(|e| translate("copy source info", &e))?;
    let format = parse_volume_format(&vol.xml_desc(0).unwrap_or_default());
    let pool = dst
        .lookup_storage_pool_by_name(&c.to_pool)
        .map_err(|_| Key::ErrPoolNotFound)?;
    if pool.lookup_storage_vol_by_name(&c.name).is_ok() {
        return Err(Key::ErrVolumeExists);
    }
    let spec = VolumeSpec {
        name: c.name.clone(),
        bytes: info.capacity,
        format: if format.is_empty() {
            "raw".into()
        } else {
            format
        },
    };
    let made = StorageVol::create_xml(&pool, &spec.to_xml(), 0)
        .map_err(|e| translate("copy target volume", &e))?;
    let result = stream(&src, &dst, &vol, &made, done);
    if result.is_err() {
        if let Err(e) = made.delete(0) {
            tracing::error!(volume = c.name, error = %e, "a failed copy was left behind");
        }
    }
    result
}

fn stream(
    src: &virt::connect::Connect,
    dst: &virt::connect::Connect,
    from: &StorageVol,
    to: &StorageVol,
    done: &AtomicU64,
) -> Result<u64, Key> {
    let down = Stream::new(src, 0).map_err(|e| translate("stream", &e))?;
    let up = Stream::new(dst, 0).map_err(|e| translate("stream", &e))?;
    from.download(&down, 0, 0, 0)
        .map_err(|e| translate("download start", &e))?;
    to.upload(&up, 0, 0, 0)
        .map_err(|e| translate("upload start", &e))?;
    let mut buf = vec![0u8; CHUNK];
    let mut total = 0u64;
    let failed = loop {
        let n = match down.recv(&mut buf) {
            Ok(0) => break None,
            Ok(n) if n > 0 => n as usize,
            Ok(_) => break Some(Key::HostErrLost),
            Err(e) => break Some(translate("download", &e)),
        };
        if let Err(key) = super::upload::send_all(&up, &buf[..n]) {
            break Some(key);
        }
        total += n as u64;
        done.fetch_add(n as u64, Ordering::Relaxed);
    };
    match failed {
        None => {
            down.finish()
                .map_err(|e| translate("download finish", &e))?;
            up.finish().map_err(|e| translate("upload finish", &e))?;
            Ok(total)
        }
        Some(key) => {
            let _ = down.abort();
            let _ = up.abort();
            Err(key)
        }
    }
}

impl Gateway {
    /// Copies the volume, counting the bytes into `done`; the bytes copied.
    /// Bounded by the long-job deadline like every long job.
    pub async fn copy_volume(&self, c: VolumeCopy, done: Arc<AtomicU64>) -> Result<u64, AppError> {
        let (from, to) = (self.host_uri(c.from_host)?, self.host_uri(c.to_host)?);
        let job = tokio::task::spawn_blocking(move || copy(&from, &to, &c, &done));
        match tokio::time::timeout(self.long_deadline, job).await {
            Ok(Ok(result)) => result.map_err(AppError::Host),
            Ok(Err(_)) => Err(AppError::Internal),
            Err(_) => Err(AppError::Host(Key::HostErrDeadline)),
        }
    }

    /// Each volume's size as its pool reports it (allocation, bytes), for a
    /// copy's progress.
    pub async fn volume_size(&self, host_id: i64, pool: &str, name: &str) -> Result<u64, AppError> {
        let (pool, name) = (pool.to_string(), name.to_string());
        self.call(host_id, move |conn| {
            let vol = conn
                .lookup_storage_pool_by_name(&pool)
                .and_then(|p| p.lookup_storage_vol_by_name(&name))
                .map_err(|e| translate("volume lookup", &e))?;
            Ok(vol
                .info()
                .map_err(|e| translate("volume info", &e))?
                .allocation)
        })
        .await
    }
}
