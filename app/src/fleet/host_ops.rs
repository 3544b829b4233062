//! The libvirt side of fleet operations, run on the host's worker thread.
//! A create undoes what it made when a later step fails: nothing half done.

use virt::connect::Connect;
use virt::storage_vol::StorageVol;
use virt::sys;

use crate::domxml::build::{DiskSpec, DomainSpec, Flavor};
use crate::domxml::escape;
use crate::gateway::{translate, worker::domain_row};
use crate::i18n::Key;
use crate::model::DomainRow;

/// A new volume to make for the domain's disk.
#[derive(Clone, Debug)]
pub struct NewVolume {
    pub pool: String,
    pub gib: u64,
    pub format: String,
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
pub fn create(
    conn: &Connect,
    mut spec: DomainSpec,
    volume: Option<NewVolume>,
    start: bool,
    host: (i64, &str),
) -> Result<DomainRow, Key> {
    if conn.lookup_domain_by_name(&spec.name).is_ok() {
        return Err(Key::ErrNameOnHost);
    }
    let made = match volume {
        Some(v) => Some(make_volume(conn, &spec.name, &v)?),
        None => None,
    };
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
    domain_row(&dom, host.0, host.1)
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

/// A power or autostart change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Power {
    Start,
    Shutdown,
    Reboot,
    ForceOff,
    Suspend,
    Resume,
    AutostartOn,
    AutostartOff,
}

impl Power {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "start" => Power::Start,
            "shutdown" => Power::Shutdown,
            "reboot" => Power::Reboot,
            "force-off" => Power::ForceOff,
            "suspend" => Power::Suspend,
            "resume" => Power::Resume,
            "autostart-on" => Power::AutostartOn,
            "autostart-off" => Power::AutostartOff,
            _ => return None,
        })
    }
}

/// Applies a power change.
pub fn power(conn: &Connect, uuid: &str, action: Power) -> Result<(), Key> {
    let dom = conn
        .lookup_domain_by_uuid_string(uuid)
        .map_err(|e| translate("lookup", &e))?;
    let result = match action {
        Power::Start => dom.create().map(|_| ()),
        Power::Shutdown => dom.shutdown().map(|_| ()),
        Power::Reboot => dom.reboot(0).map(|_| ()),
        Power::ForceOff => dom.destroy().map(|_| ()),
        Power::Suspend => dom.suspend().map(|_| ()),
        Power::Resume => dom.resume().map(|_| ()),
        Power::AutostartOn => dom.set_autostart(true).map(|_| ()),
        Power::AutostartOff => dom.set_autostart(false).map(|_| ()),
    };
    result.map_err(|e| translate("power", &e))
}

/// Deletes a domain (stopping it first), with or without its disk volumes.
pub fn delete(conn: &Connect, uuid: &str, with_storage: bool) -> Result<Vec<String>, Key> {
    let dom = conn
        .lookup_domain_by_uuid_string(uuid)
        .map_err(|e| translate("lookup", &e))?;
    let xml = dom
        .xml_desc(sys::VIR_DOMAIN_XML_INACTIVE)
        .map_err(|e| translate("domain xml", &e))?;
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
