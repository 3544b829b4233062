//! Reading one host's counters in one round, on the host's gateway worker:
//! one bulk `virConnectGetAllDomainStats` call for every domain (state,
//! CPU, balloon, vCPU, interface and block groups, without waiting on a
//! busy domain), node CPU and memory statistics, and — for drivers without
//! bulk statistics (LXC) — each domain's info.
//!
//! `virt` 0.5 returns bulk records as raw pointers and never frees them, so
//! this module calls `virt-sys` directly and frees the list itself.

use std::ffi::{c_char, c_int, CStr};

use virt::connect::Connect;
use virt::error::Error as VirtError;
use virt_sys as sys;

use crate::error::AppError;
use crate::gateway::{translate, Gateway};
use crate::history::rate::{DomainCounters, HostCounters};
use crate::i18n::Key;

/// One domain as read this round.
#[derive(Clone, Debug)]
pub struct DomainReading {
    pub uuid: String,
    pub name: String,
    pub counters: DomainCounters,
}

/// One host's round.
#[derive(Clone, Debug)]
pub struct HostReading {
    pub host: HostCounters,
    pub domains: Vec<DomainReading>,
    /// Whether the bulk call answered (false: the per-domain fallback ran).
    pub bulk: bool,
}

/// Reads a host and all its domains.
fn read_host(conn: &Connect, host_id: i64, now_ms: i64) -> Result<HostReading, Key> {
    let info = conn.node_info().map_err(|e| translate("node_info", &e))?;
    let mut host = HostCounters {
        t_ms: now_ms,
        cpus: info.cpus,
        mem_total_kib: Some(info.memory),
        ..Default::default()
    };
    node_stats(conn, &mut host);
    let (domains, bulk) = match bulk_stats(conn, host_id, now_ms) {
        Ok(d) => (d, true),
        Err(_) => (per_domain(conn, host_id, now_ms)?, false),
    };
    Ok(HostReading {
        host,
        domains,
        bulk,
    })
}

/// Reads `(field, value)` pairs of a node statistics call.
type NodeStatFn = unsafe extern "C" fn(
    sys::virConnectPtr,
    c_int,
    *mut sys::virNodeCPUStats,
    *mut c_int,
    u32,
) -> c_int;

fn node_call(conn: &Connect, f: NodeStatFn) -> Vec<(String, u64)> {
    // SAFETY: the two-call protocol of virNodeGet{CPU,Memory}Stats: first
    // the count, then a buffer of that many entries; both struct layouts
    // are identical (field[80] + unsigned long long).
    unsafe {
        let mut n: c_int = 0;
        if f(conn.as_ptr(), -1, std::ptr::null_mut(), &mut n, 0) < 0 || n <= 0 {
            return Vec::new();
        }
        let mut buf: Vec<sys::virNodeCPUStats> = vec![std::mem::zeroed(); n as usize];
        if f(conn.as_ptr(), -1, buf.as_mut_ptr(), &mut n, 0) < 0 {
            return Vec::new();
        }
        buf.iter()
            .take(n.max(0) as usize)
            .map(|s| (field_name(&s.field), s.value))
            .collect()
    }
}

unsafe extern "C" fn memory_stats(
    conn: sys::virConnectPtr,
    cell: c_int,
    params: *mut sys::virNodeCPUStats,
    n: *mut c_int,
    flags: u32,
) -> c_int {
    sys::virNodeGetMemoryStats(conn, cell, params.cast(), n, flags)
}

/// Node CPU times and memory, where the driver reports them (QEMU does,
/// the test and LXC drivers may not: the collector then derives host CPU
/// from its domains).
fn node_stats(conn: &Connect, host: &mut HostCounters) {
    let cpu = node_call(conn, sys::virNodeGetCPUStats);
    let get =
        |stats: &[(String, u64)], k: &str| stats.iter().find(|(f, _)| f == k).map(|(_, v)| *v);
    if let (Some(k), Some(u), Some(i)) = (get(&cpu, "kernel"), get(&cpu, "user"), get(&cpu, "idle"))
    {
        let io = get(&cpu, "iowait").unwrap_or(0);
        host.cpu_busy_ns = Some(k + u);
        host.cpu_total_ns = Some(k + u + i + io);
    }
    let mem = node_call(conn, memory_stats);
    if let (Some(total), Some(free)) = (get(&mem, "total"), get(&mem, "free")) {
        host.mem_total_kib = Some(total);
        let reclaimable = get(&mem, "buffers").unwrap_or(0) + get(&mem, "cached").unwrap_or(0);
        host.mem_avail_kib = Some(free + reclaimable);
    }
}

fn field_name(field: &[c_char; 80]) -> String {
    // SAFETY: libvirt NUL-terminates fields within their 80 bytes.
    unsafe { CStr::from_ptr(field.as_ptr()) }
        .to_string_lossy()
        .into_owned()
}

/// The bulk call: one round trip for every domain of the host.
fn bulk_stats(conn: &Connect, host_id: i64, now_ms: i64) -> Result<Vec<DomainReading>, VirtError> {
    let groups = sys::VIR_DOMAIN_STATS_STATE
        | sys::VIR_DOMAIN_STATS_CPU_TOTAL
        | sys::VIR_DOMAIN_STATS_BALLOON
        | sys::VIR_DOMAIN_STATS_VCPU
        | sys::VIR_DOMAIN_STATS_INTERFACE
        | sys::VIR_DOMAIN_STATS_BLOCK;
    let mut records: *mut sys::virDomainStatsRecordPtr = std::ptr::null_mut();
    // SAFETY: on success libvirt hands us a NULL-terminated array of `n`
    // records, which we read and then free with the matching free call.
    unsafe {
        let n = sys::virConnectGetAllDomainStats(
            conn.as_ptr(),
            groups,
            &mut records,
            sys::VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT,
        );
        if n < 0 {
            return Err(VirtError::last_error());
        }
        let mut out = Vec::with_capacity(n as usize);
        for i in 0..n as usize {
            let rec = *records.add(i);
            if let Some(r) = read_record(rec, host_id, now_ms) {
                out.push(r);
            }
        }
        sys::virDomainStatsRecordListFree(records);
        Ok(out)
    }
}

/// One bulk record.
///
/// # Safety
/// `rec` must be a live record from `virConnectGetAllDomainStats`.
unsafe fn read_record(
    rec: sys::virDomainStatsRecordPtr,
    host_id: i64,
    now_ms: i64,
) -> Option<DomainReading> {
    let dom = (*rec).dom;
    let mut uuid = [0 as c_char; 37];
    if sys::virDomainGetUUIDString(dom, uuid.as_mut_ptr()) < 0 {
        return None;
    }
    let name = sys::virDomainGetName(dom);
    let name = if name.is_null() {
        String::new()
    } else {
        CStr::from_ptr(name).to_string_lossy().into_owned()
    };
    let params = std::slice::from_raw_parts((*rec).params, (*rec).nparams.max(0) as usize);
    let mut s = StatFields::default();
    for p in params {
        let value = match p.type_ as u32 {
            sys::VIR_TYPED_PARAM_INT => p.value.i as i64 as u64,
            sys::VIR_TYPED_PARAM_UINT => u64::from(p.value.ui),
            sys::VIR_TYPED_PARAM_LLONG => p.value.l as u64,
            sys::VIR_TYPED_PARAM_ULLONG => p.value.ul,
            _ => continue,
        };
        s.take(&CStr::from_ptr(p.field.as_ptr()).to_string_lossy(), value);
    }
    Some(DomainReading {
        uuid: CStr::from_ptr(uuid.as_ptr()).to_string_lossy().into_owned(),
        name,
        counters: s.into_counters(host_id, now_ms),
    })
}

/// The bulk fields Millwright uses, summed over disks and NICs.
#[derive(Default)]
struct StatFields {
    state: u64,
    cpu_ns: Option<u64>,
    vcpus: u32,
    current: Option<u64>,
    rss: Option<u64>,
    available: Option<u64>,
    unused: Option<u64>,
    rd: Option<u64>,
    wr: Option<u64>,
    rx: Option<u64>,
    tx: Option<u64>,
}

fn add(slot: &mut Option<u64>, v: u64) {
    *slot = Some(slot.unwrap_or(0).saturating_add(v));
}

impl StatFields {
    fn take(&mut self, field: &str, v: u64) {
        match field {
            "state.state" => self.state = v,
            "cpu.time" => self.cpu_ns = Some(v),
            "vcpu.current" => self.vcpus = v as u32,
            "balloon.current" => self.current = Some(v),
            "balloon.rss" => self.rss = Some(v),
            "balloon.available" => self.available = Some(v),
            "balloon.unused" => self.unused = Some(v),
            f if f.starts_with("block.") && f.ends_with(".rd.bytes") => add(&mut self.rd, v),
            f if f.starts_with("block.") && f.ends_with(".wr.bytes") => add(&mut self.wr, v),
            f if f.starts_with("net.") && f.ends_with(".rx.bytes") => add(&mut self.rx, v),
            f if f.starts_with("net.") && f.ends_with(".tx.bytes") => add(&mut self.tx, v),
            _ => {}
        }
    }

    fn into_counters(self, host_id: i64, t_ms: i64) -> DomainCounters {
        // The guest's own view (balloon driver) when it reports one, else
        // what the hypervisor process holds.
        let used = match (self.available, self.unused) {
            (Some(a), Some(u)) if a >= u => Some(a - u),
            _ => self.rss.or(self.current),
        };
        DomainCounters {
            host_id,
            t_ms,
            running: self.state == sys::VIR_DOMAIN_RUNNING as u64,
            vcpus: self.vcpus,
            cpu_ns: self.cpu_ns,
            mem_used_kib: used,
            mem_alloc_kib: self.current,
            rd_bytes: self.rd,
            wr_bytes: self.wr,
            rx_bytes: self.rx,
            tx_bytes: self.tx,
        }
    }
}

/// Drivers without bulk statistics (LXC): each domain's info, whose memory
/// is the container's current use.
fn per_domain(conn: &Connect, host_id: i64, now_ms: i64) -> Result<Vec<DomainReading>, Key> {
    let domains = conn
        .list_all_domains(0)
        .map_err(|e| translate("list_all_domains", &e))?;
    let mut out = Vec::with_capacity(domains.len());
    for dom in &domains {
        // A domain gone between list and read is simply absent this round.
        let (Ok(uuid), Ok(info)) = (dom.uuid_string(), dom.info()) else {
            continue;
        };
        let running = info.state.to_raw() == sys::VIR_DOMAIN_RUNNING;
        out.push(DomainReading {
            uuid,
            name: dom.name().unwrap_or_default(),
            counters: DomainCounters {
                host_id,
                t_ms: now_ms,
                running,
                vcpus: info.nr_virt_cpu,
                cpu_ns: running.then_some(info.cpu_time),
                mem_used_kib: running.then_some(info.memory),
                mem_alloc_kib: Some(info.max_mem),
                ..Default::default()
            },
        });
    }
    Ok(out)
}

impl Gateway {
    /// One collector round of a host: node counters and every domain's, in
    /// one bulk call where the driver has one, on the host's worker.
    pub async fn stats_round(&self, host_id: i64, now_ms: i64) -> Result<HostReading, AppError> {
        self.call(host_id, move |conn| read_host(conn, host_id, now_ms))
            .await
    }
}
