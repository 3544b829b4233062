//! Moving a domain to another host: libvirt's peer-to-peer migration
//! (live for a running VM, offline for a shut-off one), its job statistics
//! and abort, and the facts the pre-checks need (the target's pools and
//! networks, storage both hosts share, CPU comparison).

use std::collections::BTreeSet;

use virt::connect::Connect;
use virt::domain::{Domain, JobStats, MigrateParameters};
use virt::sys;

use super::lookup;
use crate::error::AppError;
use crate::gateway::{translate, Gateway};
use crate::i18n::Key;
use crate::model::job::MigrationFigures;

/// How to move: where to, live or offline, whether disks are copied, limits.
#[derive(Clone, Debug)]
pub struct MigrateSpec {
    pub target_uri: String,
    pub live: bool,
    /// Copy the disks that are not on shared storage (live: during the
    /// migration; offline: through the storage API before it).
    pub copy_disks: bool,
    /// MiB/s; 0 leaves libvirt's default.
    pub bandwidth_mib: u64,
    /// Longest pause at the end of a live migration, ms; 0: libvirt's.
    pub max_downtime_ms: u64,
}

/// What the pre-checks learn from both hosts.
#[derive(Clone, Debug, Default)]
pub struct MoveFacts {
    /// Directories of the domain's disks: whether both hosts see the same
    /// files there, and whether the target has a pool at that path.
    pub dirs: Vec<DirFacts>,
    /// Networks the domain's interfaces use that the target lacks (or has
    /// inactive).
    pub missing_networks: Vec<String>,
    /// libvirt's CPU comparison on the target says the domain's CPU cannot
    /// be provided there.
    pub cpu_incompatible: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct DirFacts {
    pub dir: String,
    /// The source's pool at this path (its disks' volumes are there).
    pub source_pool: Option<String>,
    /// A pool of the target keeps its volumes in this directory.
    pub target_pool: Option<String>,
    /// A file made there on the source is seen there by the target.
    pub shared: bool,
}

fn figures(s: &JobStats) -> MigrationFigures {
    MigrationFigures {
        data_total: s.data_total.unwrap_or(0),
        data_processed: s.data_processed.unwrap_or(0),
        data_remaining: s.data_remaining.unwrap_or(0),
        disk_total: s.disk_total.unwrap_or(0),
        disk_processed: s.disk_processed.unwrap_or(0),
        dirty_rate: s.mem_dirty_rate.unwrap_or(0),
        mem_bps: s.mem_bps.unwrap_or(0),
        iteration: s.mem_iteration.unwrap_or(0),
        elapsed_ms: s.time_elapsed.unwrap_or(0),
        downtime_ms: s.downtime,
    }
}

fn migrate(conn: &Connect, uuid: &str, spec: &MigrateSpec) -> Result<(), Key> {
    let dom = lookup(conn, uuid)?;
    if spec.live && spec.max_downtime_ms > 0 {
        dom.migrate_set_max_downtime(spec.max_downtime_ms, 0)
            .map_err(|e| translate("migrate max downtime", &e))?;
    }
    let mut flags = sys::VIR_MIGRATE_PEER2PEER
        | sys::VIR_MIGRATE_PERSIST_DEST
        | sys::VIR_MIGRATE_UNDEFINE_SOURCE;
    flags |= match spec.live {
        true => sys::VIR_MIGRATE_LIVE,
        false => sys::VIR_MIGRATE_OFFLINE,
    };
    if spec.live && spec.copy_disks {
        flags |= sys::VIR_MIGRATE_NON_SHARED_DISK;
    }
    let params = MigrateParameters {
        bandwidth: (spec.bandwidth_mib > 0).then_some(spec.bandwidth_mib),
        ..MigrateParameters::default()
    };
    dom.migrate_to_uri3(Some(&spec.target_uri), params, flags)
        .map_err(|e| match translate("migrate", &e) {
            Key::HostErrOther if e.message().contains("canceled by client") => Key::JobCancelled,
            key => key,
        })
}

/// `virDomainGetJobStats`, read here because `virt`'s wrapper builds a
/// `Vec` from libvirt's null pointer when there is no job.
fn job_stats(dom: &Domain, flags: u32) -> Result<Option<MigrationFigures>, Key> {
    let mut kind: std::os::raw::c_int = 0;
    let mut params: sys::virTypedParameterPtr = std::ptr::null_mut();
    let mut count: std::os::raw::c_int = 0;
    // SAFETY: the out-pointers are valid locals; libvirt allocates `params`.
    let rc = unsafe {
        sys::virDomainGetJobStats(dom.as_ptr(), &mut kind, &mut params, &mut count, flags)
    };
    if rc < 0 {
        return Err(translate("job stats", &virt::error::Error::last_error()));
    }
    let copied = match params.is_null() || count <= 0 {
        true => Vec::new(),
        // SAFETY: libvirt returned `count` parameters at `params`; they are
        // copied (strings stay libvirt's) and freed below.
        false => unsafe { std::slice::from_raw_parts(params, count as usize).to_vec() },
    };
    let stats = JobStats::from((kind, copied));
    if !params.is_null() {
        // SAFETY: frees what libvirt allocated, strings included, once.
        unsafe { sys::virTypedParamsFree(params, count) };
    }
    Ok((kind != sys::VIR_DOMAIN_JOB_NONE as i32).then(|| figures(&stats)))
}

/// The running job's figures, `None` when the domain runs no job.
fn progress(conn: &Connect, uuid: &str) -> Result<Option<MigrationFigures>, Key> {
    let dom = lookup(conn, uuid)?;
    // A domain that stopped (or moved away) runs no job; asking would be
    // refused.
    if !dom.is_active().unwrap_or(false) {
        return Ok(None);
    }
    job_stats(&dom, 0)
}

/// The last completed job's figures (the destination keeps those of a
/// migration in, with its downtime).
fn completed(conn: &Connect, uuid: &str) -> Result<Option<MigrationFigures>, Key> {
    job_stats(&lookup(conn, uuid)?, sys::VIR_DOMAIN_JOB_STATS_COMPLETED)
}

fn abort(conn: &Connect, uuid: &str) -> Result<(), Key> {
    let dom = lookup(conn, uuid)?;
    // SAFETY: `dom` holds a live domain reference for the call's duration.
    let rc = unsafe { sys::virDomainAbortJob(dom.as_ptr()) };
    if rc < 0 {
        return Err(translate("abort job", &virt::error::Error::last_error()));
    }
    Ok(())
}

/// The `<cpu>` element of the domain's live definition and its type
/// (`qemu`, `kvm`, …) and arch, for the target's CPU comparison.
fn cpu_of(dom: &Domain) -> Result<Option<(String, String, String)>, Key> {
    let xml = super::domain_xml(dom, 0, super::XmlRead::Other)?;
    let doc = roxmltree::Document::parse(&xml).map_err(|_| Key::HostErrConfig)?;
    let root = doc.root_element();
    let Some(cpu) = root.children().find(|n| n.has_tag_name("cpu")) else {
        return Ok(None);
    };
    if !cpu.children().any(|n| n.has_tag_name("model")) {
        return Ok(None);
    }
    let arch = root
        .descendants()
        .find(|n| n.has_tag_name("type") && n.attribute("arch").is_some())
        .and_then(|n| n.attribute("arch"))
        .unwrap_or("x86_64");
    let virt_type = root.attribute("type").unwrap_or("qemu");
    Ok(Some((
        xml[cpu.range()].to_string(),
        virt_type.to_string(),
        arch.to_string(),
    )))
}

/// libvirt's comparison of `cpu` with what the hypervisor on `conn` can
/// provide: false when incompatible.
fn cpu_fits(
    conn: &Connect,
    (cpu, virt_type, arch): &(String, String, String),
) -> Result<bool, Key> {
    let c = |s: &str| std::ffi::CString::new(s).map_err(|_| Key::HostErrConfig);
    let (cpu, virt_type, arch) = (c(cpu)?, c(virt_type)?, c(arch)?);
    // SAFETY: every pointer is a NUL-terminated string alive for the call;
    // the connection pointer is valid while `conn` lives.
    let rc = unsafe {
        sys::virConnectCompareHypervisorCPU(
            conn.as_ptr(),
            std::ptr::null(),
            arch.as_ptr(),
            std::ptr::null(),
            virt_type.as_ptr(),
            cpu.as_ptr(),
            0,
        )
    };
    if rc < 0 {
        return Err(translate("cpu compare", &virt::error::Error::last_error()));
    }
    Ok(rc != sys::VIR_CPU_COMPARE_INCOMPATIBLE)
}

/// Pools by the directory they keep volumes in: (path, name), active only.
fn pools_by_path(conn: &Connect) -> Result<Vec<(String, String)>, Key> {
    let pools = conn
        .list_all_storage_pools(sys::VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE)
        .map_err(|e| translate("pool list", &e))?;
    Ok(pools
        .iter()
        .filter_map(|p| {
            let xml = p.xml_desc(0).ok()?;
            let path = crate::domxml::storage::parse_pool(&xml)?.path;
            Some((path.trim_end_matches('/').to_string(), p.name().ok()?))
        })
        .collect())
}

/// Makes an empty marker volume in the source's pool at `dir`; its name.
fn probe_make(conn: &Connect, dir: &str) -> Result<Option<(String, String)>, Key> {
    let Some((_, pool)) = pools_by_path(conn)?.into_iter().find(|(p, _)| p == dir) else {
        return Ok(None);
    };
    let name = format!(".millwright-share-probe-{:016x}", rand::random::<u64>());
    let pool_ref = conn
        .lookup_storage_pool_by_name(&pool)
        .map_err(|e| translate("pool lookup", &e))?;
    let spec = crate::domxml::storage::VolumeSpec {
        name: name.clone(),
        bytes: 0,
        format: "raw".into(),
    };
    virt::storage_vol::StorageVol::create_xml(&pool_ref, &spec.to_xml(), 0)
        .map_err(|e| translate("probe volume", &e))?;
    Ok(Some((pool, name)))
}

fn probe_seen(conn: &Connect, pool: &str, name: &str) -> bool {
    let Ok(pool) = conn.lookup_storage_pool_by_name(pool) else {
        return false;
    };
    let _ = pool.refresh(0);
    pool.lookup_storage_vol_by_name(name).is_ok()
}

fn probe_remove(conn: &Connect, pool: &str, name: &str) {
    if let Ok(pool) = conn.lookup_storage_pool_by_name(pool) {
        let _ = pool.refresh(0);
        if let Ok(vol) = pool.lookup_storage_vol_by_name(name) {
            if let Err(e) = vol.delete(0) {
                tracing::warn!(error = %e, volume = name, "share probe left behind");
            }
        }
    }
}

impl Gateway {
    /// Moves the domain with libvirt's peer-to-peer migration, on a
    /// connection of its own (bounded by the long-job deadline): the
    /// source's daemon connects to the target's URI itself.
    pub async fn migrate(
        &self,
        host_id: i64,
        uuid: &str,
        spec: MigrateSpec,
    ) -> Result<(), AppError> {
        let id = uuid.to_string();
        self.call_long(host_id, move |conn| migrate(conn, &id, &spec))
            .await
    }

    /// The figures of the job the domain runs now (`None`: no job).
    pub async fn job_progress(
        &self,
        host_id: i64,
        uuid: &str,
    ) -> Result<Option<MigrationFigures>, AppError> {
        let id = uuid.to_string();
        self.call(host_id, move |conn| progress(conn, &id)).await
    }

    /// The figures of the domain's last completed job (on a migration's
    /// target: the migration, with its downtime).
    pub async fn job_completed(
        &self,
        host_id: i64,
        uuid: &str,
    ) -> Result<Option<MigrationFigures>, AppError> {
        let id = uuid.to_string();
        self.call(host_id, move |conn| completed(conn, &id)).await
    }

    /// Aborts the domain's running job (a migration: it stays on its host).
    pub async fn abort_job(&self, host_id: i64, uuid: &str) -> Result<(), AppError> {
        let id = uuid.to_string();
        self.call(host_id, move |conn| abort(conn, &id)).await
    }

    /// What the pre-checks of a move of the domain to `target` need to know.
    /// `dirs` are the directories of its file disks; `networks` the networks
    /// its interfaces use.
    pub async fn move_facts(
        &self,
        host_id: i64,
        uuid: &str,
        target: i64,
        dirs: BTreeSet<String>,
        networks: BTreeSet<String>,
    ) -> Result<MoveFacts, AppError> {
        let id = uuid.to_string();
        let (cpu, source_pools) = self
            .call(host_id, move |conn| {
                Ok((cpu_of(&lookup(conn, &id)?)?, pools_by_path(conn)?))
            })
            .await?;
        let (target_pools, target_networks, cpu_ok) = self
            .call(target, move |conn| {
                let nets = conn
                    .list_all_networks(sys::VIR_CONNECT_LIST_NETWORKS_ACTIVE)
                    .map_err(|e| translate("network list", &e))?
                    .iter()
                    .filter_map(|n| n.name().ok())
                    .collect::<BTreeSet<String>>();
                let cpu_ok = match &cpu {
                    Some(cpu) => cpu_fits(conn, cpu)?,
                    None => true,
                };
                Ok((pools_by_path(conn)?, nets, cpu_ok))
            })
            .await?;
        let mut facts = MoveFacts {
            missing_networks: networks.difference(&target_networks).cloned().collect(),
            cpu_incompatible: !cpu_ok,
            ..MoveFacts::default()
        };
        for dir in dirs {
            let target_pool = target_pools
                .iter()
                .find(|(p, _)| *p == dir)
                .map(|(_, n)| n.clone());
            let mut shared = false;
            if let Some(tp) = &target_pool {
                let d = dir.clone();
                if let Some((pool, name)) = self.call(host_id, move |c| probe_make(c, &d)).await? {
                    let (seen_in, n) = (tp.clone(), name.clone());
                    shared = self
                        .call(target, move |c| Ok(probe_seen(c, &seen_in, &n)))
                        .await?;
                    self.call(host_id, move |c| {
                        probe_remove(c, &pool, &name);
                        Ok(())
                    })
                    .await?;
                    // The target's pool listed the probe: forget it there.
                    let tp = tp.clone();
                    let _ = self.call(target, move |c| Ok(probe_seen(c, &tp, ""))).await;
                }
            }
            let source_pool = source_pools
                .iter()
                .find(|(p, _)| *p == dir)
                .map(|(_, n)| n.clone());
            facts.dirs.push(DirFacts {
                dir,
                source_pool,
                target_pool,
                shared,
            });
        }
        Ok(facts)
    }
}
