//! The metrics every history row carries, as scaled integers so SQLite
//! stores each in a few bytes. The order is the column order of the
//! `history_*` tables (migration 0004).

/// Number of metrics per row.
pub const M: usize = 11;

/// One row's metrics; `None` is "not reported".
pub type Values = [Option<i64>; M];

/// A metric column. Units (scaled integers):
/// - `CpuPct`: CPU busy in hundredths of a percent — a domain's of its own
///   vCPUs, a host's of its CPUs, a workspace's of its allocated vCPUs;
/// - `CpuHostPct`: a domain's CPU in hundredths of a percent of its host;
/// - `CpuUsed`: CPU in use, millicores; `CpuAlloc`: vCPUs allocated
///   (running domains) or, for a host, its CPUs;
/// - `MemUsed`, `MemAlloc`: KiB (a host's `MemAlloc` is its total);
/// - `Rd`, `Wr`, `Rx`, `Tx`: disk read/write and network receive/transmit,
///   bytes per second;
/// - `Running`: running domains (host, workspace) or 1/0 (domain).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Metric {
    CpuPct,
    CpuHostPct,
    CpuUsed,
    CpuAlloc,
    MemUsed,
    MemAlloc,
    Rd,
    Wr,
    Rx,
    Tx,
    Running,
}

impl Metric {
    pub const ALL: [Metric; M] = [
        Metric::CpuPct,
        Metric::CpuHostPct,
        Metric::CpuUsed,
        Metric::CpuAlloc,
        Metric::MemUsed,
        Metric::MemAlloc,
        Metric::Rd,
        Metric::Wr,
        Metric::Rx,
        Metric::Tx,
        Metric::Running,
    ];

    /// The column name in the history tables.
    pub fn column(self) -> &'static str {
        match self {
            Metric::CpuPct => "cpu_pct",
            Metric::CpuHostPct => "cpu_host_pct",
            Metric::CpuUsed => "cpu_used",
            Metric::CpuAlloc => "cpu_alloc",
            Metric::MemUsed => "mem_used",
            Metric::MemAlloc => "mem_alloc",
            Metric::Rd => "rd",
            Metric::Wr => "wr",
            Metric::Rx => "rx",
            Metric::Tx => "tx",
            Metric::Running => "running",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// Divides the stored integer into the displayed unit (%, cores, MiB,
    /// KiB/s, count).
    pub fn scale(self) -> f64 {
        match self {
            Metric::CpuPct | Metric::CpuHostPct => 100.0,
            Metric::CpuUsed => 1000.0,
            Metric::MemUsed | Metric::MemAlloc => 1024.0,
            Metric::Rd | Metric::Wr | Metric::Rx | Metric::Tx => 1024.0,
            Metric::CpuAlloc | Metric::Running => 1.0,
        }
    }
}

/// Rounds a measured value into its stored integer, dropping non-finite ones.
pub fn scaled(metric: Metric, value: Option<f64>) -> Option<i64> {
    value
        .filter(|v| v.is_finite())
        .map(|v| (v * metric.scale()).round() as i64)
}
