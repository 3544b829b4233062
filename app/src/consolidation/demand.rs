//! A VM's demand as the planner sizes it: CPU as a chosen percentile (p95
//! by default) of its samples over a window, in host-independent units
//! (MHz: cores busy × the clock of the host they were measured on), so a
//! VM sized on one CPU model fits on another; memory at its allocation
//! (never overcommitted). A VM with too little history is sized at its
//! allocation (every vCPU busy) and flagged.

/// Which share of the samples the CPU demand covers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Percentile {
    P50,
    P90,
    #[default]
    P95,
    P99,
    Max,
}

impl Percentile {
    pub const ALL: [Percentile; 5] = [
        Percentile::P50,
        Percentile::P90,
        Percentile::P95,
        Percentile::P99,
        Percentile::Max,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Percentile::P50 => "p50",
            Percentile::P90 => "p90",
            Percentile::P95 => "p95",
            Percentile::P99 => "p99",
            Percentile::Max => "max",
        }
    }

    pub fn parse(s: &str) -> Option<Percentile> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    fn share(self) -> f64 {
        match self {
            Percentile::P50 => 0.50,
            Percentile::P90 => 0.90,
            Percentile::P95 => 0.95,
            Percentile::P99 => 0.99,
            Percentile::Max => 1.0,
        }
    }
}

/// A VM's size for planning.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sizing {
    /// CPU demand, MHz.
    pub cpu_mhz: f64,
    pub memory_mib: u64,
    /// Sized from its history (false: too little, sized at allocation).
    pub from_history: bool,
}

/// The nearest-rank percentile of `samples`: the smallest value at least
/// that share of them do not exceed. `None` when there are none.
pub fn percentile(samples: &[f64], p: Percentile) -> Option<f64> {
    let mut s: Vec<f64> = samples.iter().copied().filter(|v| v.is_finite()).collect();
    if s.is_empty() {
        return None;
    }
    s.sort_by(f64::total_cmp);
    let rank = ((p.share() * s.len() as f64).ceil() as usize).clamp(1, s.len());
    Some(s[rank - 1])
}

/// Sizes a VM of `vcpus` and `memory_mib` from `cores_busy` samples (cores
/// in use, measured on a host of `host_mhz` per core): at its allocation
/// when it has fewer than `min_samples`.
pub fn size(
    cores_busy: &[f64],
    host_mhz: f64,
    (vcpus, memory_mib): (u32, u64),
    p: Percentile,
    min_samples: usize,
) -> Sizing {
    let allocation = f64::from(vcpus) * host_mhz;
    match percentile(cores_busy, p).filter(|_| cores_busy.len() >= min_samples) {
        Some(cores) => Sizing {
            // A VM never uses more than its vCPUs.
            cpu_mhz: (cores * host_mhz).clamp(0.0, allocation),
            memory_mib,
            from_history: true,
        },
        None => Sizing {
            cpu_mhz: allocation,
            memory_mib,
            from_history: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let s: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&s, Percentile::P95), Some(95.0));
        assert_eq!(percentile(&s, Percentile::P50), Some(50.0));
        assert_eq!(percentile(&s, Percentile::Max), Some(100.0));
        assert_eq!(percentile(&[3.0], Percentile::P99), Some(3.0));
        assert_eq!(percentile(&[], Percentile::P95), None);
        assert_eq!(Percentile::parse("p90"), Some(Percentile::P90));
        assert_eq!(Percentile::parse("p42"), None);
    }

    #[test]
    fn sized_in_mhz_capped_at_allocation_or_at_allocation_when_short() {
        // 2 vCPUs on a 2,000 MHz host; p95 of 0.5..=1.5 cores.
        let busy: Vec<f64> = (0..=20).map(|i| 0.5 + f64::from(i) * 0.05).collect();
        let s = size(&busy, 2000.0, (2, 4096), Percentile::P95, 10);
        assert!(s.from_history);
        assert!((s.cpu_mhz - 1.45 * 2000.0).abs() < 1e-9, "{s:?}");
        // More cores than it has are capped.
        let s = size(&[5.0; 20], 2000.0, (2, 4096), Percentile::Max, 10);
        assert_eq!(s.cpu_mhz, 4000.0);
        // Too little history: its allocation, flagged.
        let s = size(&[0.1; 3], 2000.0, (2, 4096), Percentile::P95, 10);
        assert_eq!(
            (s.cpu_mhz, s.memory_mib, s.from_history),
            (4000.0, 4096, false)
        );
    }
}
