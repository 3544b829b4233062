//! CloudSim's power-aware dynamic consolidation, as its PlanetLab examples
//! run it (`Cloudslab/cloudsim` 3.0.3 – 5.0), replayed exactly enough to
//! reproduce its published energy, migrations and SLA figures: 800 hosts
//! (HP ML110 G4 and G5, alternating), one VM per trace file (four types by
//! file order), a 300 s interval, VMs whose demand falls to zero removed for
//! good, migrations that last RAM / 62.5 MB/s during which the VM gets 90 %
//! of its MIPS on the source and 10 % on the target, and the metrics of its
//! `Helper.printResults`. Every rule and quirk kept is described in the
//! modules: `world` (hosts, VMs, histories), `sched` (MIPS sharing),
//! `detect` (overload), `select` (which VM leaves), `plan` (where it goes).

mod detect;
mod millwright;
mod plan;
mod sched;
mod select;
mod world;

pub use detect::Detect;
pub use plan::Policy;
pub use select::Select;

use super::power::{ML110_G4, ML110_G5};
use world::{Host, Vm, World, INTERVAL};

/// The day CloudSim simulates, s.
const LIMIT: f64 = 86_400.0;
/// VM types: (MIPS, RAM MB).
const VM_TYPES: [(f64, f64); 4] = [
    (2500.0, 870.0),
    (2000.0, 1740.0),
    (1000.0, 1740.0),
    (500.0, 613.0),
];
/// Hosts, and the target's bandwidth a migration uses (MB/s).
const HOSTS: usize = 800;
const MIGRATION_MB_S: f64 = 1_000_000.0 / 16_000.0;

impl Policy {
    /// CloudSim's policy names (`thr-mmt-0.8`, `iqr-mmt-1.5`,
    /// `mad-mmt-2.5`, `lr-mmt-1.2`, `lr-mc-1.2`, …) and `millwright`.
    pub fn parse(name: &str) -> Option<Policy> {
        if name == "millwright" {
            return Some(Policy::Millwright);
        }
        let mut parts = name.split('-');
        let (d, s, p) = (parts.next()?, parts.next()?, parts.next()?);
        let p: f64 = p.parse().ok().filter(|p: &f64| p.is_finite() && *p > 0.0)?;
        if parts.next().is_some() {
            return None;
        }
        let detect = match d {
            "thr" => Detect::Thr(p),
            "iqr" => Detect::Iqr(p),
            "mad" => Detect::Mad(p),
            "lr" => Detect::Lr(p),
            _ => return None,
        };
        let select = match s {
            "mmt" => Select::Mmt,
            "mc" => Select::Mc,
            _ => return None,
        };
        Some(Policy::CloudSim { detect, select })
    }
}

/// What a replay measured.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Outcome {
    pub energy_kwh: f64,
    pub migrations: u64,
    /// Share of active hosts' time at full CPU (allocated below requested).
    pub slatah: f64,
    /// Share of requested MIPS lost to migrations.
    pub pdm: f64,
    pub slav: f64,
    /// Hosts with a VM after the initial placement.
    pub hosts_used_at_start: usize,
    /// VMs removed when their demand fell to zero.
    pub vms_removed: usize,
}

/// The replay: its world, clock, energy and counts.
struct Run {
    world: World,
    last: f64,
    energy_j: f64,
    migrations: u64,
    removed: usize,
}

/// Replays `traces` (CPU percent per 5-minute interval, one per VM, in
/// file-name order) under `policy` on CloudSim's 800 hosts.
/// The (MIPS, RAM MB) of each of `n` VMs: CloudSim's four types in equal
/// runs, in file order.
pub fn vm_sizes(n: usize) -> Vec<(f64, f64)> {
    let per_type = n.div_ceil(4).max(1);
    (0..n).map(|i| VM_TYPES[(i / per_type).min(3)]).collect()
}

pub fn replay(traces: &[Vec<f64>], policy: Policy) -> Outcome {
    replay_on(traces, policy, HOSTS)
}

/// [`replay`] on `hosts` hosts (G4 and G5 alternating).
pub fn replay_on(traces: &[Vec<f64>], policy: Policy, hosts: usize) -> Outcome {
    let vms: Vec<Vm> = traces
        .iter()
        .zip(vm_sizes(traces.len()))
        .map(|(t, (mips, ram))| Vm::new(mips, ram, t))
        .collect();
    let hosts: Vec<Host> = (0..hosts)
        .map(|j| match j % 2 {
            0 => Host::new(1860.0, 2, 4096.0, ML110_G4),
            _ => Host::new(2660.0, 2, 4096.0, ML110_G5),
        })
        .collect();
    let table = vec![None; vms.len()];
    let mut run = Run {
        world: World { hosts, vms, table },
        last: 0.0,
        energy_j: 0.0,
        migrations: 0,
        removed: 0,
    };
    run.place_initially();
    let hosts_used_at_start = run.world.hosts.iter().filter(|h| !h.vms.is_empty()).count();
    // The cloudlets are submitted at 0.1 s; intervals follow from there.
    for vm in &mut run.world.vms {
        vm.update_at(0.0);
    }
    let mut t = 0.1 + INTERVAL;
    while t < LIMIT {
        run.process(t);
        let map = run.world.optimize(policy);
        run.migrate(t, map);
        t += INTERVAL;
    }
    run.outcome(hosts_used_at_start)
}

impl Run {
    /// Every VM in id order on the host whose power grows least (the first
    /// of equals), by its full MIPS and RAM.
    fn place_initially(&mut self) {
        let w = &mut self.world;
        for v in 0..w.vms.len() {
            w.vms[v].instantiating = true;
            let (mips, ram) = (w.vms[v].mips, w.vms[v].ram);
            let (mut best, mut least) = (None, f64::MAX);
            for (h, host) in w.hosts.iter().enumerate() {
                let fits = host.sched.pe() >= mips
                    && host.sched.available >= mips
                    && host.ram - host.ram_used >= ram;
                if !fits {
                    continue;
                }
                let used = host.total - host.sched.available;
                let diff = host.power.watts((used + mips) / host.total) - host.watts();
                if diff < least {
                    (least, best) = (diff, Some(h));
                }
            }
            let h = best.expect("CloudSim's 800 hosts take every VM");
            w.vm_create(h, v);
            w.hosts[h].ram_used += ram;
            w.table[v] = Some(h);
            w.vms[v].instantiating = false;
        }
    }

    /// `updateCloudetProcessingWithoutSchedulingFutureEventsForce` at `t`:
    /// every host updated, the energy since the last time, and the VMs
    /// whose demand is zero removed.
    fn process(&mut self, t: f64) {
        let dt = t - self.last;
        let w = &mut self.world;
        for h in 0..w.hosts.len() {
            w.update(h, t);
        }
        if dt > 0.0 {
            for host in &w.hosts {
                let from = host.previous_utilization();
                if from != 0.0 {
                    let (a, b) = (host.power.watts(from), host.power.watts(host.utilization()));
                    self.energy_j += (a + (b - a) / 2.0) * dt;
                }
            }
        }
        for h in 0..w.hosts.len() {
            let done: Vec<usize> = w.hosts[h]
                .vms
                .iter()
                .copied()
                .filter(|v| !w.vms[*v].migrating && w.vms[*v].demand() == 0.0)
                .collect();
            for v in done {
                if let Some(owner) = w.table[v].take() {
                    w.vm_destroy(owner, v);
                    self.removed += 1;
                }
            }
        }
        self.last = t;
    }

    /// Starts the migrations of `map` at `t` and lands them in the order
    /// of their ends, those ending together in one batch.
    fn migrate(&mut self, t: f64, map: Vec<plan::Migration>) {
        let mut ends: Vec<(f64, usize, usize)> = Vec::with_capacity(map.len());
        for (v, to) in map {
            self.world.add_migrating_in(to, v, t);
            self.migrations += 1;
            ends.push((t + self.world.vms[v].ram / MIGRATION_MB_S, v, to));
        }
        // Stable: equal ends keep the order they were started in.
        ends.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut i = 0;
        while i < ends.len() {
            let at = ends[i].0;
            if at > self.last {
                self.process(at);
            }
            while i < ends.len() && ends[i].0 == at {
                let (_, v, to) = ends[i];
                let w = &mut self.world;
                if let Some(from) = w.table[v].take() {
                    w.vm_destroy(from, v);
                }
                w.remove_migrating_in(to, v);
                w.vm_create(to, v);
                w.table[v] = Some(to);
                w.vms[v].migrating = false;
                i += 1;
            }
            self.process(at);
        }
    }

    fn outcome(&self, hosts_used_at_start: usize) -> Outcome {
        let w = &self.world;
        let (active, short) = w.hosts.iter().fold((0.0, 0.0), |(a, s), h| {
            (a + h.totals.active_s, s + h.totals.short_s)
        });
        let (requested, lost) = w.vms.iter().fold((0.0, 0.0), |(r, l), v| {
            (r + v.totals.requested, l + v.totals.lost_migrating)
        });
        let slatah = if active > 0.0 { short / active } else { 0.0 };
        let pdm = if requested > 0.0 {
            lost / requested
        } else {
            0.0
        };
        Outcome {
            energy_kwh: self.energy_j / 3.6e6,
            migrations: self.migrations,
            slatah,
            pdm,
            slav: slatah * pdm,
            hosts_used_at_start,
            vms_removed: self.removed,
        }
    }
}

#[cfg(test)]
mod tests;
