//! Rates from cumulative counters: CPU time and I/O bytes only ever grow
//! while a domain runs, so a rate is the delta over the elapsed time. A
//! counter that went backwards (restart, reset), a domain seen on another
//! host than last round (migration: a fresh QEMU process) or a gap longer
//! than `max_gap_ms` (host reconnect) restarts the baseline: that round
//! reports gauges only, never a negative or smeared rate.

use super::metric::{scaled, Metric, Values, M};

/// One domain's counters as read in one round.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DomainCounters {
    pub host_id: i64,
    pub t_ms: i64,
    pub running: bool,
    pub vcpus: u32,
    pub cpu_ns: Option<u64>,
    pub mem_used_kib: Option<u64>,
    pub mem_alloc_kib: Option<u64>,
    pub rd_bytes: Option<u64>,
    pub wr_bytes: Option<u64>,
    pub rx_bytes: Option<u64>,
    pub tx_bytes: Option<u64>,
}

/// A host's node counters as read in one round.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HostCounters {
    pub t_ms: i64,
    pub cpus: u32,
    /// Busy (user + kernel) and total CPU time over all CPUs, ns.
    pub cpu_busy_ns: Option<u64>,
    pub cpu_total_ns: Option<u64>,
    pub mem_total_kib: Option<u64>,
    /// Free plus reclaimable (buffers, cache).
    pub mem_avail_kib: Option<u64>,
}

/// The elapsed time between two readings if `prev` is a usable baseline.
fn elapsed_s(prev_t: i64, cur_t: i64, max_gap_ms: i64) -> Option<f64> {
    let dt = cur_t - prev_t;
    (dt > 0 && dt <= max_gap_ms).then(|| dt as f64 / 1000.0)
}

/// Per-second rate of a counter; `None` across a reset.
pub fn per_second(prev: Option<u64>, cur: Option<u64>, dt_s: f64) -> Option<f64> {
    let (p, c) = (prev?, cur?);
    (c >= p).then(|| (c - p) as f64 / dt_s)
}

/// A domain's row: gauges always, rates when `prev` is a valid baseline.
pub fn domain_values(
    prev: Option<&DomainCounters>,
    cur: &DomainCounters,
    host_cpus: u32,
    max_gap_ms: i64,
) -> Values {
    let mut v: Values = [None; M];
    let set = |v: &mut Values, m: Metric, x: Option<f64>| v[m.index()] = scaled(m, x);
    set(
        &mut v,
        Metric::Running,
        Some(f64::from(u8::from(cur.running))),
    );
    set(
        &mut v,
        Metric::MemAlloc,
        cur.mem_alloc_kib.map(|k| k as f64 / 1024.0),
    );
    if !cur.running {
        set(&mut v, Metric::CpuAlloc, Some(0.0));
        return v;
    }
    set(&mut v, Metric::CpuAlloc, Some(f64::from(cur.vcpus)));
    set(
        &mut v,
        Metric::MemUsed,
        cur.mem_used_kib.map(|k| k as f64 / 1024.0),
    );
    let Some(prev) = prev.filter(|p| p.host_id == cur.host_id && p.running) else {
        return v;
    };
    let Some(dt) = elapsed_s(prev.t_ms, cur.t_ms, max_gap_ms) else {
        return v;
    };
    if let Some(ns_per_s) = per_second(prev.cpu_ns, cur.cpu_ns, dt) {
        let cores = ns_per_s / 1e9;
        set(&mut v, Metric::CpuUsed, Some(cores));
        if cur.vcpus > 0 {
            set(
                &mut v,
                Metric::CpuPct,
                Some(cores * 100.0 / f64::from(cur.vcpus)),
            );
        }
        if host_cpus > 0 {
            set(
                &mut v,
                Metric::CpuHostPct,
                Some(cores * 100.0 / f64::from(host_cpus)),
            );
        }
    }
    let io = [
        (Metric::Rd, prev.rd_bytes, cur.rd_bytes),
        (Metric::Wr, prev.wr_bytes, cur.wr_bytes),
        (Metric::Rx, prev.rx_bytes, cur.rx_bytes),
        (Metric::Tx, prev.tx_bytes, cur.tx_bytes),
    ];
    for (m, p, c) in io {
        set(&mut v, m, per_second(p, c, dt).map(|b| b / 1024.0));
    }
    v
}

/// A host's CPU % (of all its CPUs) from node CPU times, when the driver
/// reports them.
pub fn host_cpu_pct(
    prev: Option<&HostCounters>,
    cur: &HostCounters,
    max_gap_ms: i64,
) -> Option<f64> {
    let prev = prev?;
    elapsed_s(prev.t_ms, cur.t_ms, max_gap_ms)?;
    let busy = cur.cpu_busy_ns?.checked_sub(prev.cpu_busy_ns?)?;
    let total = cur.cpu_total_ns?.checked_sub(prev.cpu_total_ns?)?;
    (total > 0).then(|| busy as f64 * 100.0 / total as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GAP: i64 = 60_000;

    fn reading(host: i64, t_s: i64, cpu_s: u64, rd: u64) -> DomainCounters {
        DomainCounters {
            host_id: host,
            t_ms: t_s * 1000,
            running: true,
            vcpus: 2,
            cpu_ns: Some(cpu_s * 1_000_000_000),
            mem_used_kib: Some(512 * 1024),
            mem_alloc_kib: Some(1024 * 1024),
            rd_bytes: Some(rd),
            wr_bytes: Some(0),
            rx_bytes: None,
            tx_bytes: None,
        }
    }

    fn get(v: &Values, m: Metric) -> Option<f64> {
        v[m.index()].map(|x| x as f64 / m.scale())
    }

    #[test]
    fn cpu_is_a_share_of_vcpus_and_of_the_host() {
        // 10 s of CPU over 10 s on 2 vCPUs of an 8-CPU host.
        let v = domain_values(
            Some(&reading(1, 0, 100, 0)),
            &reading(1, 10, 110, 0),
            8,
            GAP,
        );
        assert_eq!(get(&v, Metric::CpuUsed), Some(1.0));
        assert_eq!(get(&v, Metric::CpuPct), Some(50.0));
        assert_eq!(get(&v, Metric::CpuHostPct), Some(12.5));
        assert_eq!(get(&v, Metric::MemUsed), Some(512.0));
        assert_eq!(get(&v, Metric::Rx), None, "unreported stays unreported");
    }

    #[test]
    fn io_bytes_become_kib_per_second() {
        let v = domain_values(
            Some(&reading(1, 0, 0, 0)),
            &reading(1, 10, 0, 10 * 1024 * 1024),
            8,
            GAP,
        );
        assert_eq!(get(&v, Metric::Rd), Some(1024.0));
        assert_eq!(get(&v, Metric::Wr), Some(0.0));
    }

    #[test]
    fn a_counter_reset_gives_no_rate_then_resumes() {
        // The domain restarted: its CPU time went from 500 s back to 1 s.
        let before = reading(1, 0, 500, 900);
        let restarted = reading(1, 10, 1, 10);
        let v = domain_values(Some(&before), &restarted, 8, GAP);
        assert_eq!(get(&v, Metric::CpuPct), None);
        assert_eq!(get(&v, Metric::Rd), None);
        assert_eq!(
            get(&v, Metric::MemUsed),
            Some(512.0),
            "gauges still reported"
        );
        let next = reading(1, 20, 6, 10);
        let v = domain_values(Some(&restarted), &next, 8, GAP);
        assert_eq!(get(&v, Metric::CpuPct), Some(25.0));
    }

    #[test]
    fn a_migrated_domain_starts_a_new_baseline_on_its_new_host() {
        // Same UUID, new host: the destination's counters are unrelated.
        let on_h1 = reading(1, 0, 100, 0);
        let on_h2 = reading(2, 10, 300, 0);
        let v = domain_values(Some(&on_h1), &on_h2, 8, GAP);
        assert_eq!(get(&v, Metric::CpuUsed), None);
        let v = domain_values(Some(&on_h2), &reading(2, 20, 305, 0), 8, GAP);
        assert_eq!(get(&v, Metric::CpuPct), Some(25.0));
    }

    #[test]
    fn a_long_gap_after_a_reconnect_is_not_smeared_into_a_rate() {
        let v = domain_values(Some(&reading(1, 0, 0, 0)), &reading(1, 3600, 10, 0), 8, GAP);
        assert_eq!(get(&v, Metric::CpuPct), None);
    }

    #[test]
    fn a_stopped_domain_reports_no_usage() {
        let mut off = reading(1, 10, 0, 0);
        off.running = false;
        let v = domain_values(Some(&reading(1, 0, 5, 0)), &off, 8, GAP);
        assert_eq!(get(&v, Metric::Running), Some(0.0));
        assert_eq!(get(&v, Metric::CpuAlloc), Some(0.0));
        assert_eq!(get(&v, Metric::CpuPct), None);
    }

    #[test]
    fn host_cpu_from_node_times() {
        let a = HostCounters {
            t_ms: 0,
            cpus: 4,
            cpu_busy_ns: Some(1_000),
            cpu_total_ns: Some(10_000),
            ..Default::default()
        };
        let b = HostCounters {
            t_ms: 10_000,
            cpu_busy_ns: Some(4_000),
            cpu_total_ns: Some(20_000),
            ..a.clone()
        };
        assert_eq!(host_cpu_pct(Some(&a), &b, GAP), Some(30.0));
        assert_eq!(host_cpu_pct(Some(&b), &a, GAP), None);
        assert_eq!(host_cpu_pct(None, &b, GAP), None);
    }
}
