//! How few hosts a fleet can possibly fit on: for CPU (within the headroom
//! target) and for memory separately, the fewest hosts whose capacities,
//! largest first, add up to the demand; the plan's lower bound is the
//! larger of the two. No plan can use fewer hosts, so a plan's distance
//! from it bounds how far it is from the best.

/// A host's capacity: CPU (MHz, all cores) and memory (MiB).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Capacity {
    pub cpu_mhz: f64,
    pub memory_mib: f64,
}

/// The fewest of `sizes` (largest first) that add up to `demand`; `None`
/// when all of them do not.
fn fewest(mut sizes: Vec<f64>, demand: f64) -> Option<usize> {
    if demand <= 0.0 {
        return Some(0);
    }
    sizes.sort_by(|a, b| b.total_cmp(a));
    let mut sum = 0.0;
    for (i, s) in sizes.into_iter().enumerate() {
        sum += s;
        if sum >= demand {
            return Some(i + 1);
        }
    }
    None
}

/// The lower bound for `cpu_mhz` and `memory_mib` of demand on `hosts`
/// with CPU filled to `headroom` (0–1): (CPU bound, memory bound), each
/// `None` when the hosts cannot carry it at all.
pub fn lower_bounds(
    cpu_mhz: f64,
    memory_mib: f64,
    hosts: &[Capacity],
    headroom: f64,
) -> (Option<usize>, Option<usize>) {
    let cpu = hosts.iter().map(|h| h.cpu_mhz * headroom).collect();
    let mem = hosts.iter().map(|h| h.memory_mib).collect();
    (fewest(cpu, cpu_mhz), fewest(mem, memory_mib))
}

/// The larger of the two bounds; `None` when the fleet does not fit.
pub fn lower_bound(
    cpu_mhz: f64,
    memory_mib: f64,
    hosts: &[Capacity],
    headroom: f64,
) -> Option<usize> {
    match lower_bounds(cpu_mhz, memory_mib, hosts, headroom) {
        (Some(c), Some(m)) => Some(c.max(m)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(cpu: f64, mem: f64) -> Capacity {
        Capacity {
            cpu_mhz: cpu,
            memory_mib: mem,
        }
    }

    #[test]
    fn the_larger_of_cpu_and_memory_largest_hosts_first() {
        let hosts = [
            host(10_000.0, 8_192.0),
            host(20_000.0, 16_384.0),
            host(20_000.0, 4_096.0),
        ];
        // CPU at 80 %: 16,000 + 16,000 covers 30,000 → 2; memory 20,000 MiB
        // needs 16,384 + 8,192 → 2.
        assert_eq!(
            lower_bounds(30_000.0, 20_000.0, &hosts, 0.8),
            (Some(2), Some(2))
        );
        // Memory binds: 26,000 MiB needs all three.
        assert_eq!(lower_bound(1_000.0, 26_000.0, &hosts, 0.8), Some(3));
        // More than the fleet holds.
        assert_eq!(lower_bound(50_000.0, 1.0, &hosts, 0.8), None);
        assert_eq!(lower_bound(0.0, 0.0, &hosts, 0.8), Some(0));
    }
}
