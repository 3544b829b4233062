//! The consolidation planner: the fewest hosts that carry the fleet with
//! each host's CPU filled to at most the headroom target and memory never
//! overcommitted, honouring where each VM may run (its workspace's allowed
//! hosts, pins, the hosts Mobility can move it to), keep-apart groups and
//! keep-together groups (moved as one); among such plans, the one with the
//! fewest migrations. Its output is an ordered list of migrations, each
//! feasible at its turn, and the hosts left empty.
//!
//! How: the lower bound says how few hosts could possibly do; from there,
//! ever larger sets of hosts to keep are tried (galloping, then bisecting)
//! in a few orders (hosts carrying the most VMs first, the largest first,
//! the busiest first). For one set, VMs already on a kept host stay unless
//! the host is over its limits (then the fewest, smallest VMs leave), and
//! the others are placed largest first on the kept host they fill best.
//! The migrations are then ordered by simulating them: evictions first,
//! small VMs first, each only when its target has room at that moment.

mod order;
mod pack;
#[cfg(test)]
mod tests;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::bounds::{lower_bound, rounded_bound, Capacity};

/// A host as the planner sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Host {
    /// All cores, MHz.
    pub cpu_mhz: f64,
    pub memory_mib: f64,
    /// Whether VMs may move onto it (false: in maintenance, say).
    pub receives: bool,
}

/// A VM as the planner sees it: where it is, its demand, and where it may
/// go.
#[derive(Clone, Debug, PartialEq)]
pub struct Vm {
    pub host: usize,
    pub cpu_mhz: f64,
    pub memory_mib: f64,
    /// Hosts it may run on (`None`: any); its own host need not be listed.
    pub allowed: Option<Vec<usize>>,
    /// Whether it can be moved at all.
    pub movable: bool,
}

/// What the planner is given.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fleet {
    pub hosts: Vec<Host>,
    pub vms: Vec<Vm>,
    /// Groups of VMs no two of which may share a host.
    pub apart: Vec<Vec<usize>>,
    /// Groups of VMs that stay on one host (moved one after the other).
    pub together: Vec<Vec<usize>>,
}

impl Fleet {
    /// The average host's (CPU MHz, memory MiB), at least 1 each: the
    /// yardstick units and hosts are sized against.
    pub fn average_host(&self) -> (f64, f64) {
        let n = self.hosts.len().max(1) as f64;
        let avg = |f: fn(&Host) -> f64| (self.hosts.iter().map(f).sum::<f64>() / n).max(1.0);
        (avg(|h| h.cpu_mhz), avg(|h| h.memory_mib))
    }
}

/// One migration of the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Move {
    pub vm: usize,
    pub from: usize,
    pub to: usize,
}

/// A host's load: CPU demand (MHz), memory (MiB) and VMs.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Load {
    pub cpu_mhz: f64,
    pub memory_mib: f64,
    pub vms: usize,
}

/// The plan.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// In the order they run.
    pub moves: Vec<Move>,
    pub before: Vec<Load>,
    pub after: Vec<Load>,
    /// Hosts carrying VMs before and after.
    pub hosts_before: usize,
    pub hosts_after: usize,
    /// The fewest hosts any plan could use (`None`: the fleet does not fit
    /// its hosts at all).
    pub lower_bound: Option<usize>,
}

impl Plan {
    /// Hosts that carried VMs and are left empty: to power down.
    pub fn emptied(&self) -> Vec<usize> {
        (0..self.before.len())
            .filter(|&h| self.before[h].vms > 0 && self.after[h].vms == 0)
            .collect()
    }
}

/// Why there is no plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoPlan {
    /// Even with every host kept, some VM has nowhere to go within the
    /// headroom and its rules.
    DoesNotFit,
}

/// Plans `fleet` with CPU filled to `headroom` (0–1) of each host.
pub fn plan(fleet: &Fleet, headroom: f64) -> Result<Plan, NoPlan> {
    let units = pack::Units::new(fleet);
    let before = loads(fleet, &fleet.vms.iter().map(|v| v.host).collect::<Vec<_>>());
    let fixed = units.fixed_hosts(fleet.hosts.len());
    let bound = fleet_bound(fleet, headroom, &fixed);
    let orders = host_orders(fleet, &before, &fixed);
    let n = fleet.hosts.len();
    let at_least = fixed.iter().filter(|f| **f).count().max(bound.unwrap_or(0));
    let attempt = |k: usize| best_of(fleet, &units, &orders, &fixed, k, headroom);
    // Gallop up from the bound, then bisect between the last failure and
    // the first success.
    let (mut lo, mut step, mut found) = (at_least, 1, None);
    let mut k = at_least.min(n);
    loop {
        if let Some(p) = attempt(k) {
            found = Some((k, p));
            break;
        }
        if k >= n {
            break;
        }
        lo = k + 1;
        k = (k + step).min(n);
        step *= 2;
    }
    let (mut hi, mut best) = found.ok_or(NoPlan::DoesNotFit)?;
    while lo < hi {
        let mid = (lo + hi) / 2;
        match attempt(mid) {
            Some(p) => (hi, best) = (mid, p),
            None => lo = mid + 1,
        }
    }
    // Fewer hosts may still do with other hosts kept: the largest-first
    // order shaken a little, a bounded number of times.
    let mut rng = StdRng::seed_from_u64(0x4d57);
    let mut tries = 0;
    while hi > at_least && tries < SHAKES {
        tries += 1;
        let shaken = shake(fleet, &orders[1], &fixed, &mut rng);
        if let Some(p) = best_of(fleet, &units, &[shaken], &fixed, hi - 1, headroom) {
            (hi, best) = (hi - 1, p);
        }
    }
    let after = loads(fleet, &best.1);
    let used = |l: &[Load]| l.iter().filter(|l| l.vms > 0).count();
    Ok(Plan {
        moves: best.0,
        hosts_before: used(&before),
        hosts_after: used(&after),
        before,
        after,
        lower_bound: bound,
    })
}

/// How many shaken orders are tried for one host fewer.
const SHAKES: usize = 64;

/// `order` (largest first) with each host's place moved by up to a fifth
/// of the hosts at random; hosts that must be kept still lead.
fn shake(fleet: &Fleet, order: &[usize], fixed: &[bool], rng: &mut StdRng) -> Vec<usize> {
    let spread = (fleet.hosts.len() as f64 / 5.0).max(1.0);
    let mut keyed: Vec<(bool, f64, usize)> = order
        .iter()
        .enumerate()
        .map(|(i, &h)| (!fixed[h], i as f64 + rng.gen_range(0.0..spread), h))
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    keyed.into_iter().map(|(_, _, h)| h).collect()
}

/// The lower bound: the largest of the sum bound over all hosts, the sum
/// bound with the hosts that must stay counted first, and the rounded
/// bounds of CPU and memory against the largest host.
fn fleet_bound(fleet: &Fleet, headroom: f64, fixed: &[bool]) -> Option<usize> {
    let cap = |h: &Host| Capacity {
        cpu_mhz: h.cpu_mhz,
        memory_mib: h.memory_mib,
    };
    let caps: Vec<Capacity> = fleet.hosts.iter().map(cap).collect();
    let cpu: f64 = fleet.vms.iter().map(|v| v.cpu_mhz).sum();
    let mem: f64 = fleet.vms.iter().map(|v| v.memory_mib).sum();
    let plain = lower_bound(cpu, mem, &caps, headroom)?;
    let (kept, others): (Vec<_>, Vec<_>) = fleet.hosts.iter().zip(fixed).partition(|(_, f)| **f);
    let room = |f: fn(&Capacity) -> f64| kept.iter().map(|(h, _)| f(&cap(h))).sum::<f64>();
    let others: Vec<Capacity> = others.into_iter().map(|(h, _)| cap(h)).collect();
    let with_fixed = lower_bound(
        (cpu - room(|c| c.cpu_mhz) * headroom).max(0.0),
        (mem - room(|c| c.memory_mib)).max(0.0),
        &others,
        headroom,
    )
    .map_or(0, |b| b + kept.len());
    let largest = |f: fn(&Capacity) -> f64| caps.iter().map(f).fold(0.0, f64::max);
    let cpus: Vec<f64> = fleet.vms.iter().map(|v| v.cpu_mhz).collect();
    let mems: Vec<f64> = fleet.vms.iter().map(|v| v.memory_mib).collect();
    let rounded = rounded_bound(&cpus, largest(|c| c.cpu_mhz) * headroom)
        .max(rounded_bound(&mems, largest(|c| c.memory_mib)));
    Some(plain.max(with_fixed).max(rounded.min(fleet.hosts.len())))
}

/// Each host's load when VM `i` is on `at[i]`.
fn loads(fleet: &Fleet, at: &[usize]) -> Vec<Load> {
    let mut l = vec![Load::default(); fleet.hosts.len()];
    for (v, &h) in fleet.vms.iter().zip(at) {
        l[h].cpu_mhz += v.cpu_mhz;
        l[h].memory_mib += v.memory_mib;
        l[h].vms += 1;
    }
    l
}

/// Orders in which hosts are preferred for keeping: the most VMs first
/// (fewest migrations), the largest first (fewest hosts), the busiest
/// first. Hosts that must be kept lead every order.
fn host_orders(fleet: &Fleet, before: &[Load], fixed: &[bool]) -> Vec<Vec<usize>> {
    let n = fleet.hosts.len();
    let (cpu, mem) = fleet.average_host();
    let size = |h: usize| fleet.hosts[h].cpu_mhz / cpu + fleet.hosts[h].memory_mib / mem;
    let busy = |h: usize| before[h].cpu_mhz / cpu + before[h].memory_mib / mem;
    let keys: [&dyn Fn(usize) -> (f64, f64); 3] = [
        &|h| (before[h].vms as f64, size(h)),
        &|h| (size(h), before[h].vms as f64),
        &|h| (busy(h), size(h)),
    ];
    keys.iter()
        .map(|key| {
            let mut order: Vec<usize> = (0..n)
                .filter(|&h| fixed[h] || fleet.hosts[h].receives)
                .collect();
            order.sort_by(|&a, &b| {
                fixed[b].cmp(&fixed[a]).then_with(|| {
                    let (ka, kb) = (key(a), key(b));
                    kb.0.total_cmp(&ka.0).then(kb.1.total_cmp(&ka.1))
                })
            });
            order
        })
        .collect()
}

/// The plan with the fewest migrations keeping `k` hosts, over the orders
/// (moves in order, and every VM's host after).
fn best_of(
    fleet: &Fleet,
    units: &pack::Units,
    orders: &[Vec<usize>],
    fixed: &[bool],
    k: usize,
    headroom: f64,
) -> Option<(Vec<Move>, Vec<usize>)> {
    let mut best: Option<(Vec<Move>, Vec<usize>)> = None;
    for order in orders {
        if order.len() < k {
            continue;
        }
        let mut kept = vec![false; fleet.hosts.len()];
        order.iter().take(k).for_each(|&h| kept[h] = true);
        if fixed.iter().zip(&kept).any(|(f, k)| *f && !*k) {
            continue;
        }
        let Some(at) = pack::pack(fleet, units, &kept, headroom) else {
            continue;
        };
        let Some(moves) = order::order(fleet, units, &at, headroom) else {
            continue;
        };
        if best.as_ref().is_none_or(|b| moves.len() < b.0.len()) {
            best = Some((moves, at));
        }
    }
    best
}
