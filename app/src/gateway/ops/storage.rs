//! Storage pools and volumes, run on the host's worker.
//! A refusal (pool not empty, volume in use, shrinking) changes nothing.

use std::collections::HashMap;

use virt::connect::Connect;
use virt::storage_pool::StoragePool;
use virt::storage_vol::StorageVol;
use virt::sys;

use crate::domxml::storage::{parse_pool, parse_volume_format, DirPoolSpec, VolumeSpec};
use crate::error::AppError;
use crate::gateway::{translate, Gateway};
use crate::i18n::Key;
use crate::model::storage::{PoolView, VolumeView};

/// Every pool of the host with its sizes and where it keeps its volumes.
fn list_pools(conn: &Connect, host_id: i64, host_name: &str) -> Result<Vec<PoolView>, Key> {
    let pools = conn
        .list_all_storage_pools(0)
        .map_err(|e| translate("pool list", &e))?;
    let mut out = Vec::with_capacity(pools.len());
    for pool in pools {
        let info = pool.info().map_err(|e| translate("pool info", &e))?;
        let xml = parse_pool(&pool.xml_desc(0).unwrap_or_default()).unwrap_or_default();
        out.push(PoolView {
            host_id,
            host_name: host_name.to_string(),
            name: pool.name().map_err(|e| translate("pool name", &e))?,
            active: pool.is_active().unwrap_or(false),
            kind: xml.kind,
            capacity: info.capacity,
            allocation: info.allocation,
            available: info.available,
            autostart: pool.autostart().unwrap_or(false),
            path: xml.path,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

fn pool(conn: &Connect, name: &str) -> Result<StoragePool, Key> {
    conn.lookup_storage_pool_by_name(name)
        .map_err(|e| match translate("pool lookup", &e) {
            Key::HostErrOther => Key::ErrPoolNotFound,
            key => key,
        })
}

/// Defines a directory pool, makes its directory, starts it and sets it to
/// start with the host. A failed step undefines it again.
fn create_dir_pool(conn: &Connect, spec: &DirPoolSpec) -> Result<(), Key> {
    if conn.lookup_storage_pool_by_name(&spec.name).is_ok() {
        return Err(Key::ErrPoolExists);
    }
    let pool = conn
        .define_storage_pool_xml(&spec.to_xml(), 0)
        .map_err(|e| translate("pool define", &e))?;
    let started = pool
        .build(0)
        .and_then(|_| pool.create(0))
        .and_then(|_| pool.set_autostart(true));
    if let Err(e) = started {
        let key = translate("pool start", &e);
        let _ = pool.destroy();
        let _ = pool.undefine();
        return Err(key);
    }
    Ok(())
}

/// Starts or stops a pool.
fn set_pool_active(conn: &Connect, name: &str, active: bool) -> Result<(), Key> {
    let pool = pool(conn, name)?;
    let done = if active {
        pool.create(0)
    } else {
        pool.destroy()
    };
    done.map_err(|e| translate("pool start/stop", &e))
}

/// Deletes an empty pool: removes its directory, then its definition.
fn delete_pool(conn: &Connect, name: &str) -> Result<(), Key> {
    let pool = pool(conn, name)?;
    let was_active = pool.is_active().unwrap_or(false);
    if was_active {
        let _ = pool.refresh(0);
        if pool.num_of_volumes().unwrap_or(0) > 0 {
            return Err(Key::ErrPoolNotEmpty);
        }
        pool.destroy().map_err(|e| translate("pool stop", &e))?;
    }
    if let Err(e) = pool.delete(0) {
        // The directory still holds files: put the pool back as it was.
        let key = translate("pool delete", &e);
        if was_active {
            let _ = pool.create(0);
        }
        return Err(if key == Key::HostErrOther {
            Key::ErrPoolNotEmpty
        } else {
            key
        });
    }
    pool.undefine().map_err(|e| translate("pool undefine", &e))
}

/// Which domains use which volume paths, from every domain's configuration.
/// By volume path: the domains that use it, and whether each uses it as a
/// disk or filesystem of its own (not a shared CD-ROM).
fn volume_users(conn: &Connect) -> HashMap<String, Vec<(String, bool)>> {
    let mut users: HashMap<String, Vec<(String, bool)>> = HashMap::new();
    for dom in conn.list_all_domains(0).unwrap_or_default() {
        let Ok(xml) = super::domain_xml(&dom, sys::VIR_DOMAIN_XML_INACTIVE, super::XmlRead::Other)
        else {
            continue;
        };
        let Ok(config) = crate::domxml::parse_domain(&xml) else {
            continue;
        };
        for disk in config.disks {
            let own = disk.device != "cdrom" && disk.device != "floppy";
            users
                .entry(disk.source)
                .or_default()
                .push((config.name.clone(), own));
        }
    }
    users
}

/// The names of an active pool's volumes (none for an inactive pool),
/// without reading any domain.
fn volume_names(conn: &Connect, pool_name: &str) -> Result<Vec<String>, Key> {
    let pool = pool(conn, pool_name)?;
    if !pool.is_active().unwrap_or(false) {
        return Ok(Vec::new());
    }
    let _ = pool.refresh(0);
    let volumes = pool
        .list_all_volumes(0)
        .map_err(|e| translate("volume list", &e))?;
    Ok(volumes.iter().filter_map(|v| v.name().ok()).collect())
}

/// The pool's volumes, each with the domains that use it.
fn list_volumes(conn: &Connect, pool_name: &str) -> Result<Vec<VolumeView>, Key> {
    let pool = pool(conn, pool_name)?;
    if !pool.is_active().unwrap_or(false) {
        return Ok(Vec::new());
    }
    let _ = pool.refresh(0);
    let users = volume_users(conn);
    let mut out = Vec::new();
    for vol in pool
        .list_all_volumes(0)
        .map_err(|e| translate("volume list", &e))?
    {
        let info = vol.info().map_err(|e| translate("volume info", &e))?;
        let path = vol.path().unwrap_or_default();
        out.push(VolumeView {
            name: vol.name().map_err(|e| translate("volume name", &e))?,
            format: parse_volume_format(&vol.xml_desc(0).unwrap_or_default()),
            capacity: info.capacity,
            allocation: info.allocation,
            used_by: users
                .get(&path)
                .map(|u| u.iter().map(|(name, _)| name.clone()).collect())
                .unwrap_or_default(),
            disk_of: users
                .get(&path)
                .map(|u| {
                    u.iter()
                        .filter(|(_, own)| *own)
                        .map(|(n, _)| n.clone())
                        .collect()
                })
                .unwrap_or_default(),
            used_elsewhere: 0,
            owner: None,
            path,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

fn volume(conn: &Connect, pool_name: &str, name: &str) -> Result<StorageVol, Key> {
    pool(conn, pool_name)?
        .lookup_storage_vol_by_name(name)
        .map_err(|_| Key::ErrVolumeNotFound)
}

/// Creates a volume in the pool; returns its path.
fn create_volume(conn: &Connect, pool_name: &str, spec: &VolumeSpec) -> Result<String, Key> {
    let pool = pool(conn, pool_name)?;
    if pool.lookup_storage_vol_by_name(&spec.name).is_ok() {
        return Err(Key::ErrVolumeExists);
    }
    let vol = StorageVol::create_xml(&pool, &spec.to_xml(), 0)
        .map_err(|e| translate("volume create", &e))?;
    vol.path().map_err(|e| translate("volume path", &e))
}

/// Grows a volume to `bytes`; returns the capacity before.
fn grow_volume(conn: &Connect, pool_name: &str, name: &str, bytes: u64) -> Result<u64, Key> {
    let vol = volume(conn, pool_name, name)?;
    let before = vol
        .info()
        .map_err(|e| translate("volume info", &e))?
        .capacity;
    if bytes <= before {
        return Err(Key::ErrGrowOnly);
    }
    vol.resize(bytes, 0)
        .map_err(|e| translate("volume resize", &e))?;
    Ok(before)
}

/// Deletes a volume no domain uses.
fn delete_volume(conn: &Connect, pool_name: &str, name: &str) -> Result<(), Key> {
    let vol = volume(conn, pool_name, name)?;
    let path = vol.path().unwrap_or_default();
    if volume_users(conn).contains_key(&path) {
        return Err(Key::ErrVolumeInUse);
    }
    vol.delete(0).map_err(|e| translate("volume delete", &e))
}

impl Gateway {
    /// Every pool of every connected host (a host that fails is left out).
    pub async fn all_pools(&self) -> Vec<PoolView> {
        self.on_every_host(list_pools).await
    }

    /// Defines, builds and starts a directory pool (autostarted).
    pub async fn create_dir_pool(&self, host_id: i64, spec: DirPoolSpec) -> Result<(), AppError> {
        self.call(host_id, move |conn| create_dir_pool(conn, &spec))
            .await
    }

    /// Starts (`true`) or stops a pool.
    pub async fn set_pool_active(
        &self,
        host_id: i64,
        pool: &str,
        active: bool,
    ) -> Result<(), AppError> {
        let pool = pool.to_string();
        self.call(host_id, move |conn| set_pool_active(conn, &pool, active))
            .await
    }

    /// Deletes an empty pool (its directory, then its definition).
    pub async fn delete_pool(&self, host_id: i64, pool: &str) -> Result<(), AppError> {
        let pool = pool.to_string();
        self.call(host_id, move |conn| delete_pool(conn, &pool))
            .await
    }

    /// The pool's volumes, each with the domains that use it.
    pub async fn volumes(&self, host_id: i64, pool: &str) -> Result<Vec<VolumeView>, AppError> {
        let pool = pool.to_string();
        self.call(host_id, move |conn| list_volumes(conn, &pool))
            .await
    }

    /// The names of a pool's volumes: cheaper than [`Gateway::volumes`],
    /// which reads every domain on the host to say who uses each.
    pub async fn volume_names(&self, host_id: i64, pool: &str) -> Result<Vec<String>, AppError> {
        let pool = pool.to_string();
        self.call(host_id, move |conn| volume_names(conn, &pool))
            .await
    }

    /// Where a volume is on its host.
    pub async fn volume_path(
        &self,
        host_id: i64,
        pool: &str,
        name: &str,
    ) -> Result<String, AppError> {
        let (pool, name) = (pool.to_string(), name.to_string());
        self.call(host_id, move |conn| {
            volume(conn, &pool, &name)?
                .path()
                .map_err(|e| translate("volume path", &e))
        })
        .await
    }

    /// Creates a volume; returns its path.
    pub async fn create_volume(
        &self,
        host_id: i64,
        pool: &str,
        spec: VolumeSpec,
    ) -> Result<String, AppError> {
        let pool = pool.to_string();
        self.call(host_id, move |conn| create_volume(conn, &pool, &spec))
            .await
    }

    /// Grows a volume to `bytes`; returns its new capacity.
    pub async fn grow_volume(
        &self,
        host_id: i64,
        pool: &str,
        name: &str,
        bytes: u64,
    ) -> Result<u64, AppError> {
        let (pool, name) = (pool.to_string(), name.to_string());
        self.call(host_id, move |conn| grow_volume(conn, &pool, &name, bytes))
            .await
    }

    /// Deletes a volume no domain uses.
    pub async fn delete_volume(
        &self,
        host_id: i64,
        pool: &str,
        name: &str,
    ) -> Result<(), AppError> {
        let (pool, name) = (pool.to_string(), name.to_string());
        self.call(host_id, move |conn| delete_volume(conn, &pool, &name))
            .await
    }
}
