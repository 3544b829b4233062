//! Creating, reading and deleting domains. A create undoes what it made
//! when a later step fails: nothing half done.

use virt::connect::Connect;
use virt::storage_vol::StorageVol;
use virt::sys;

use super::container_root::{self, NewRoot};
use super::{domain_xml, lookup, XmlRead};
use crate::domxml::build::{DiskSpec, DomainSpec, Flavor};
use crate::domxml::{escape, parse_domain};
use crate::error::AppError;
use crate::gateway::worker::{domain_row, row_of};
use crate::gateway::{translate, Gateway};
use crate::i18n::Key;
use crate::model::domain::{DomainDetail, DomainRow};

/// A new volume to make for the domain's disk.
#[derive(Clone, Debug)]
pub struct NewVolume {
    pub pool: String,
    pub gib: u64,
    pub format: String,
}

/// What a new domain's storage is made of.
#[derive(Clone, Debug)]
pub enum NewStorage {
    /// A VM's disk volume.
    Disk(NewVolume),
    /// A container's own root, copied from a root filesystem.
    Root(NewRoot),
}

/// The hypervisor type to ask for: `kvm` where the host offers it.
fn vm_hypervisor(conn: &Connect) -> String {
    match conn.capabilities() {
        Ok(caps)
            if caps.contains("<domain type='kvm'") || caps.contains("<domain type=\"kvm\"") =>
        {
            "kvm".into()
        }
        _ => "qemu".into(),
    }
}

/// Creates the domain: volume, define, optionally start. On failure, removes
/// what was made and returns why.
fn create(
    conn: &Connect,
    mut spec: DomainSpec,
    storage: Option<NewStorage>,
    start: bool,
    host: (i64, &str),
) -> Result<(DomainRow, u64), Key> {
    if conn.lookup_domain_by_name(&spec.name).is_ok() {
        return Err(Key::ErrNameOnHost);
    }
    let (made, root, root_bytes) = match storage {
        Some(NewStorage::Disk(v)) => (Some(make_volume(conn, &spec.name, &v)?), None, 0),
        Some(NewStorage::Root(r)) => {
            let (path, bytes) = container_root::make(conn, &spec.name, &r)?;
            (None, Some(path), bytes)
        }
        None => (None, None, 0),
    };
    if let (Flavor::Container { rootfs, .. }, Some(path)) = (&mut spec.flavor, &root) {
        *rootfs = path.clone();
    }
    if let Flavor::Vm {
        hypervisor, disk, ..
    } = &mut spec.flavor
    {
        if hypervisor.is_empty() {
            *hypervisor = vm_hypervisor(conn);
        }
        if let Some((_, path)) = &made {
            let format = disk
                .as_ref()
                .map(|d| d.format.clone())
                .unwrap_or_else(|| "qcow2".into());
            *disk = Some(DiskSpec {
                path: path.clone(),
                format,
            });
        }
    }
    let undo_volume = |made: Option<(StorageVol, String)>| {
        if let Some((vol, path)) = made {
            if let Err(e) = vol.delete(0) {
                tracing::error!(path, error = %e, "could not remove the volume of a failed create");
            }
        }
        if let Some(path) = &root {
            container_root::remove(conn, path);
        }
    };
    let dom = match conn.define_domain_xml(&spec.to_xml()) {
        Ok(dom) => dom,
        Err(e) => {
            undo_volume(made);
            return Err(translate("define", &e));
        }
    };
    if start {
        if let Err(e) = dom.create() {
            let key = translate("start", &e);
            let _ = dom.undefine();
            undo_volume(made);
            return Err(key);
        }
    }
    domain_row(&dom, host.0, host.1).map(|row| (row, root_bytes))
}

fn make_volume(conn: &Connect, name: &str, v: &NewVolume) -> Result<(StorageVol, String), Key> {
    let pool = conn
        .lookup_storage_pool_by_name(&v.pool)
        .map_err(|e| translate("pool lookup", &e))?;
    let ext = if v.format == "raw" { "img" } else { "qcow2" };
    let xml = format!(
        "<volume><name>{}.{ext}</name><capacity unit='GiB'>{}</capacity><target><format type='{}'/></target></volume>",
        escape(name),
        v.gib,
        escape(&v.format)
    );
    let vol = StorageVol::create_xml(&pool, &xml, 0).map_err(|e| translate("volume create", &e))?;
    let path = vol.path().map_err(|e| translate("volume path", &e))?;
    Ok((vol, path))
}

/// Deletes a domain (stopping it first), with or without its disk volumes.
fn delete(conn: &Connect, uuid: &str, with_storage: bool) -> Result<Vec<String>, Key> {
    let dom = lookup(conn, uuid)?;
    let xml = super::domain_xml(&dom, sys::VIR_DOMAIN_XML_INACTIVE, super::XmlRead::Other)?;
    let config = crate::domxml::parse_domain(&xml).map_err(|_| Key::HostErrConfig)?;
    if dom.is_active().unwrap_or(false) {
        dom.destroy().map_err(|e| translate("destroy", &e))?;
    }
    if dom.is_persistent().unwrap_or(true) {
        // Not every driver knows every flag (LXC has no managed save, the
        // test driver no NVRAM): fewer flags until one is accepted.
        let snapshots =
            sys::VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | sys::VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA;
        dom.undefine_flags(snapshots | sys::VIR_DOMAIN_UNDEFINE_NVRAM)
            .or_else(|_| dom.undefine_flags(snapshots))
            .or_else(|_| dom.undefine_flags(sys::VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA))
            .or_else(|_| dom.undefine())
            .map_err(|e| translate("undefine", &e))?;
    }
    let mut removed = Vec::new();
    if with_storage {
        // A container's own root goes with it (a shared directory never:
        // only a root volume made for the container).
        for fs in config
            .disks
            .iter()
            .filter(|d| d.device == "filesystem")
            .filter(|d| container_root::is_root(conn, &d.source, &config.name))
        {
            container_root::remove(conn, &fs.source);
            removed.push(fs.source.clone());
        }
        for disk in config
            .disks
            .iter()
            .filter(|d| d.device == "disk" && d.source.starts_with('/'))
        {
            match conn
                .lookup_storage_vol_by_path(&disk.source)
                .and_then(|v| v.delete(0))
            {
                Ok(()) => removed.push(disk.source.clone()),
                Err(e) => {
                    translate("volume delete", &e);
                }
            }
        }
    }
    Ok(removed)
}

/// A domain's full description: facts, parsed configuration with disk
/// capacities and (while running) NIC addresses from DHCP leases, and the
/// XML, read once.
fn detail(conn: &Connect, host_id: i64, host_name: &str, uuid: &str) -> Result<DomainDetail, Key> {
    let dom = lookup(conn, uuid)?;
    let info = dom.info().map_err(|e| translate("domain info", &e))?;
    let xml = domain_xml(&dom, 0, XmlRead::Detail)?;
    let mut config = parse_domain(&xml).map_err(|_| Key::HostErrConfig)?;
    for disk in config
        .disks
        .iter_mut()
        .filter(|d| !d.target.is_empty() && d.device != "filesystem")
    {
        // Capacity is best effort: an empty CD-ROM or a test host has none.
        disk.capacity = dom.block_info(&disk.target, 0).ok().map(|b| b.capacity);
    }
    // The inventory row's sum: the "disk" devices whose capacity was read.
    let disk_bytes = config
        .disks
        .iter()
        .filter(|d| d.device == "disk")
        .filter_map(|d| d.capacity)
        .sum();
    let row = row_of(&info, &config, disk_bytes, host_id, host_name);
    if row.state.is_active() {
        // Best effort: the leases of libvirt's own networks (a bridged
        // NIC or a test host has none).
        let leases = dom
            .interface_addresses(sys::VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE, 0)
            .unwrap_or_default();
        for nic in &mut config.nics {
            nic.addresses = leases
                .iter()
                .filter(|l| {
                    l.hwaddr
                        .as_deref()
                        .is_some_and(|m| m.eq_ignore_ascii_case(&nic.mac))
                })
                .flat_map(|l| l.addrs.iter().map(|a| format!("{}/{}", a.addr, a.prefix)))
                .collect();
        }
    }
    Ok(DomainDetail {
        row,
        config,
        autostart: dom.autostart().unwrap_or(false),
        persistent: dom.is_persistent().unwrap_or(true),
        cpu_time_ns: info.cpu_time,
        xml,
    })
}

impl Gateway {
    /// Makes the domain (and its new volume, or a container's own root) and
    /// optionally starts it, on a connection of its own: a long define and
    /// start is not cut off by the call deadline. On failure nothing is left
    /// on the host. With the row, the size of a new container root (bytes;
    /// 0 for a VM).
    pub async fn create_domain(
        &self,
        host_id: i64,
        spec: DomainSpec,
        storage: Option<NewStorage>,
        start: bool,
    ) -> Result<(DomainRow, u64), AppError> {
        let host_name = self.host_name(host_id)?;
        self.call_long(host_id, move |conn| {
            create(conn, spec, storage, start, (host_id, &host_name))
        })
        .await
    }

    /// Deletes a domain (stopping it first); with `with_storage` also its
    /// disk volumes. Returns the paths of the volumes removed.
    pub async fn delete_domain(
        &self,
        host_id: i64,
        uuid: &str,
        with_storage: bool,
    ) -> Result<Vec<String>, AppError> {
        let id = uuid.to_string();
        self.call_long(host_id, move |conn| delete(conn, &id, with_storage))
            .await
    }

    /// The domain's full description, read from its host.
    pub async fn domain_detail(&self, host_id: i64, uuid: &str) -> Result<DomainDetail, AppError> {
        let host_name = self.host_name(host_id)?;
        let id = uuid.to_string();
        self.call(host_id, move |conn| detail(conn, host_id, &host_name, &id))
            .await
    }

    /// The domain's inventory row as it is on its host now.
    pub async fn domain_row(&self, host_id: i64, uuid: &str) -> Result<DomainRow, AppError> {
        let host_name = self.host_name(host_id)?;
        let id = uuid.to_string();
        self.call(host_id, move |conn| {
            domain_row(&lookup(conn, &id)?, host_id, &host_name)
        })
        .await
    }
}
