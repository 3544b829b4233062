//! Changing an existing domain on its host: vCPUs and memory while it is
//! off, sandbox limits through libvirt's tunables, and clones.

use std::collections::HashMap;

use virt::connect::Connect;
use virt::domain::{Domain, MemoryParameters, SchedBandwidth, SchedulerInfo};
use virt::storage_vol::StorageVol;
use virt::sys;

use super::lookup;
use crate::domxml::build::Limits;
use crate::domxml::escape;
use crate::error::AppError;
use crate::gateway::{translate, worker::domain_row, Gateway};
use crate::i18n::Key;
use crate::model::domain::DomainRow;

fn require_off(dom: &Domain) -> Result<(), Key> {
    match dom.is_active() {
        Ok(false) => Ok(()),
        Ok(true) => Err(Key::ErrMustBeOff),
        Err(e) => Err(translate("state", &e)),
    }
}

/// Sets the vCPUs and memory of a shut-off domain's definition: maximum
/// and current alike (the maximum is raised first and lowered last, so
/// each step stays valid).
fn resize(conn: &Connect, uuid: &str, vcpus: u32, memory_mib: u64) -> Result<(), Key> {
    let dom = lookup(conn, uuid)?;
    require_off(&dom)?;
    let fail = |e: virt::error::Error| translate("resize", &e);
    let info = dom.info().map_err(fail)?;
    let vcpu_cfg = sys::VIR_DOMAIN_VCPU_CONFIG;
    let vcpu_max = vcpu_cfg | sys::VIR_DOMAIN_VCPU_MAXIMUM;
    // Never below the current count, so the current one stays valid.
    dom.set_vcpus_flags(vcpus.max(info.nr_virt_cpu), vcpu_max)
        .map_err(fail)?;
    dom.set_vcpus_flags(vcpus, vcpu_cfg).map_err(fail)?;
    dom.set_vcpus_flags(vcpus, vcpu_max).map_err(fail)?;
    let kib = memory_mib * 1024;
    let mem_cfg = sys::VIR_DOMAIN_MEM_CONFIG;
    let mem_max = mem_cfg | sys::VIR_DOMAIN_MEM_MAXIMUM;
    if kib > info.max_mem {
        dom.set_memory_flags(kib, mem_max).map_err(fail)?;
        dom.set_memory_flags(kib, mem_cfg).map_err(fail)?;
    } else {
        dom.set_memory_flags(kib, mem_cfg).map_err(fail)?;
        dom.set_memory_flags(kib, mem_max).map_err(fail)?;
    }
    Ok(())
}

/// libvirt's "no limit" for memory tunables (KiB).
const MEMORY_UNLIMITED: u64 = 9_007_199_254_740_991;

/// Applies sandbox limits through libvirt's tunables: to the running
/// domain and to its definition. An empty bandwidth quota or hard limit
/// lifts the limit; relative weights left empty stay as they are, and an
/// I/O weight of 0 is removed from the definition.
fn set_limits(conn: &Connect, uuid: &str, limits: &Limits) -> Result<(), Key> {
    let dom = lookup(conn, uuid)?;
    let active = dom.is_active().map_err(|e| translate("state", &e))?;
    let persistent = dom.is_persistent().unwrap_or(true);
    let mut flags = 0;
    if active {
        flags |= sys::VIR_DOMAIN_AFFECT_LIVE;
    }
    if persistent || !active {
        flags |= sys::VIR_DOMAIN_AFFECT_CONFIG;
    }
    let fail = |e: virt::error::Error| translate("tunables", &e);
    let sched = SchedulerInfo {
        cpu_shares: limits.cpu_shares,
        vcpu_bw: SchedBandwidth {
            period: limits.cpu_period_us,
            quota: Some(limits.cpu_quota_us.unwrap_or(-1)),
        },
        ..Default::default()
    };
    dom.set_scheduler_parameters_flags(&sched, flags)
        .map_err(fail)?;
    let memory = MemoryParameters {
        hard_limit: Some(
            limits
                .memory_hard_limit_mib
                .map_or(MEMORY_UNLIMITED, |m| m * 1024),
        ),
        ..Default::default()
    };
    dom.set_memory_parameters(memory, flags).map_err(fail)?;
    match limits.blkio_weight {
        Some(0) if flags & sys::VIR_DOMAIN_AFFECT_CONFIG != 0 => {
            set_blkio_weight(&dom, 0, sys::VIR_DOMAIN_AFFECT_CONFIG).map_err(fail)?
        }
        Some(0) | None => {}
        Some(weight) => set_blkio_weight(&dom, weight, flags).map_err(fail)?,
    }
    Ok(())
}

/// virt 0.5 wraps no blkio setter: one typed parameter by hand.
fn set_blkio_weight(dom: &Domain, weight: u32, flags: u32) -> Result<(), virt::error::Error> {
    // SAFETY: a zeroed virTypedParameter is valid (plain C data); the field
    // name fits its 80-byte buffer with the terminating NUL.
    let mut param: sys::virTypedParameter = unsafe { std::mem::zeroed() };
    for (dst, src) in param.field.iter_mut().zip(b"weight\0") {
        *dst = *src as std::os::raw::c_char;
    }
    param.type_ = sys::VIR_TYPED_PARAM_UINT as i32;
    param.value.ui = weight;
    // SAFETY: the domain pointer is live for `dom`'s lifetime; one parameter.
    let rc = unsafe { sys::virDomainSetBlkioParameters(dom.as_ptr(), &mut param, 1, flags) };
    if rc < 0 {
        Err(virt::error::Error::last_error())
    } else {
        Ok(())
    }
}

/// Clones a shut-off domain on its host: each disk volume copied in its own
/// pool, the definition with a new name, UUID and MACs. A failed step
/// removes the copies made so far.
fn clone(conn: &Connect, uuid: &str, name: &str, host: (i64, &str)) -> Result<DomainRow, Key> {
    let dom = lookup(conn, uuid)?;
    require_off(&dom)?;
    if conn.lookup_domain_by_name(name).is_ok() {
        return Err(Key::ErrNameOnHost);
    }
    let xml = super::domain_xml(&dom, sys::VIR_DOMAIN_XML_INACTIVE, super::XmlRead::Other)?;
    let config = crate::domxml::parse_domain(&xml).map_err(|_| Key::HostErrConfig)?;
    if config.kind() == crate::model::domain::DomainKind::Container {
        // A copy would share the source's root; a container is made anew
        // from a root filesystem instead.
        return Err(Key::ErrCloneContainer);
    }
    let mut copies: Vec<StorageVol> = Vec::new();
    let undo = |copies: Vec<StorageVol>| {
        for vol in copies {
            if let Err(e) = vol.delete(0) {
                tracing::error!(error = %e, "could not remove a volume copy of a failed clone");
            }
        }
    };
    let mut disks = HashMap::new();
    let sources = config
        .disks
        .iter()
        .filter(|d| d.device == "disk" && d.source.starts_with('/'));
    for (i, disk) in sources.enumerate() {
        match copy_volume(conn, &disk.source, name, i) {
            Ok((vol, path)) => {
                disks.insert(disk.source.clone(), path);
                copies.push(vol);
            }
            Err(key) => {
                undo(copies);
                return Err(key);
            }
        }
    }
    let definition = match crate::domxml::clone::clone_definition(&xml, name, &disks) {
        Ok(x) => x,
        Err(_) => {
            undo(copies);
            return Err(Key::HostErrConfig);
        }
    };
    match conn.define_domain_xml(&definition) {
        Ok(new) => domain_row(&new, host.0, host.1),
        Err(e) => {
            undo(copies);
            Err(translate("define", &e))
        }
    }
}

/// Copies the volume at `path` in its pool as `<name>[-i].<ext>`.
fn copy_volume(
    conn: &Connect,
    path: &str,
    name: &str,
    i: usize,
) -> Result<(StorageVol, String), Key> {
    let source = conn
        .lookup_storage_vol_by_path(path)
        .map_err(|_| Key::ErrCloneDiskNotInPool)?;
    let pool = source
        .lookup_storage_pool()
        .map_err(|e| translate("pool lookup", &e))?;
    let info = source.info().map_err(|e| translate("volume info", &e))?;
    let format = volume_format(&source).unwrap_or_else(|| "raw".into());
    let ext = if format == "raw" {
        "img"
    } else {
        format.as_str()
    };
    let suffix = if i == 0 {
        String::new()
    } else {
        format!("-{i}")
    };
    let xml = format!(
        "<volume><name>{}{suffix}.{}</name><capacity unit='bytes'>{}</capacity><target><format type='{}'/></target></volume>",
        escape(name),
        escape(ext),
        info.capacity,
        escape(&format)
    );
    let vol = StorageVol::create_xml_from(&pool, &xml, &source, 0)
        .map_err(|e| translate("volume copy", &e))?;
    let copy = vol.path().map_err(|e| translate("volume path", &e))?;
    Ok((vol, copy))
}

fn volume_format(vol: &StorageVol) -> Option<String> {
    let xml = vol.xml_desc(0).ok()?;
    let doc = roxmltree::Document::parse(&xml).ok()?;
    doc.descendants()
        .find(|n| n.has_tag_name("format") && n.parent().is_some_and(|p| p.has_tag_name("target")))
        .and_then(|n| n.attribute("type"))
        .map(str::to_string)
}

impl Gateway {
    /// Sets a shut-off domain's vCPUs and memory; returns its new row.
    pub async fn resize(
        &self,
        host_id: i64,
        uuid: &str,
        vcpus: u32,
        memory_mib: u64,
    ) -> Result<DomainRow, AppError> {
        let host_name = self.host_name(host_id)?;
        let id = uuid.to_string();
        self.call(host_id, move |conn| {
            resize(conn, &id, vcpus, memory_mib)?;
            domain_row(&lookup(conn, &id)?, host_id, &host_name)
        })
        .await
    }

    /// Applies sandbox limits, live when the domain runs and in its definition.
    pub async fn set_limits(
        &self,
        host_id: i64,
        uuid: &str,
        limits: Limits,
    ) -> Result<(), AppError> {
        let id = uuid.to_string();
        self.call(host_id, move |conn| set_limits(conn, &id, &limits))
            .await
    }

    /// Clones a shut-off domain on its host (volume copies can be long: a
    /// connection of its own). Returns the new domain's row.
    pub async fn clone_domain(
        &self,
        host_id: i64,
        uuid: &str,
        name: &str,
    ) -> Result<DomainRow, AppError> {
        let host_name = self.host_name(host_id)?;
        let (id, name) = (uuid.to_string(), name.to_string());
        self.call_long(host_id, move |conn| {
            clone(conn, &id, &name, (host_id, &host_name))
        })
        .await
    }
}
