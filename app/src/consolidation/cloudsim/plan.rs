//! CloudSim's `optimizeAllocation` at each interval: the overloaded hosts
//! and the VMs to take off them, a power-aware best fit for each (the host
//! whose power grows least, never one it would overload), then the least
//! utilized hosts emptied when all their VMs fit elsewhere. Planned on the
//! live hosts and put back afterwards, as CloudSim does (`saveAllocation` /
//! `restoreAllocation`), with its quirks kept (see `super`).

use std::collections::HashSet;

use super::detect::Detect;
use super::select::Select;
use super::world::World;

/// A migration to start: (VM, target host).
pub type Migration = (usize, usize);

/// The policy the datacenter runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Policy {
    /// One of CloudSim's: how overload is detected, which VM leaves.
    CloudSim { detect: Detect, select: Select },
    /// Millwright's own (`super::millwright`).
    Millwright,
}

impl World {
    /// The migrations of this interval, planned on the hosts as they are
    /// and put back afterwards.
    pub fn optimize(&mut self, policy: Policy) -> Vec<Migration> {
        let saved: Vec<(usize, usize)> = (0..self.hosts.len())
            .flat_map(|h| {
                let host = &self.hosts[h];
                host.vms
                    .iter()
                    .filter(|v| !host.incoming.contains(v))
                    .map(move |v| (h, *v))
                    .collect::<Vec<_>>()
            })
            .collect();
        let map = match policy {
            Policy::CloudSim { detect, select } => self.cloudsim(detect, select),
            Policy::Millwright => self.millwright(),
        };
        self.restore(&saved);
        map
    }

    fn cloudsim(&mut self, detect: Detect, select: Select) -> Vec<Migration> {
        let over: Vec<usize> = (0..self.hosts.len())
            .filter(|h| self.overloaded(*h, detect))
            .collect();
        let mut leaving = Vec::new();
        for &h in &over {
            while let Some(v) = self.pick(h, select) {
                leaving.push(v);
                self.vm_destroy(h, v);
                if !self.overloaded(h, detect) {
                    break;
                }
            }
        }
        let excluded: HashSet<usize> = over.iter().copied().collect();
        let mut map = self.place_all(leaving, &excluded, detect, false);
        map.extend(self.empty_underloaded(&over, detect));
        map
    }

    /// Places `vms` (most demanding first) on the best hosts outside
    /// `excluded`; with `all_or_none`, none when one does not fit.
    fn place_all(
        &mut self,
        mut vms: Vec<usize>,
        excluded: &HashSet<usize>,
        detect: Detect,
        all_or_none: bool,
    ) -> Vec<Migration> {
        let demand = |w: &World, v: usize| w.vms[v].demand();
        vms.sort_by(|a, b| demand(self, *b).total_cmp(&demand(self, *a)));
        let mut placed = Vec::new();
        for v in vms {
            match self.best_host(v, excluded, detect) {
                Some(h) => {
                    self.vm_create(h, v);
                    placed.push((v, h));
                }
                None if all_or_none => {
                    for (v, h) in placed {
                        self.vm_destroy(h, v);
                    }
                    return Vec::new();
                }
                None => {}
            }
        }
        placed
    }

    /// `findHostForVm`: the suitable host outside `excluded` whose power
    /// grows least with `v` (the first of equals), never one `v` would
    /// overload unless it is empty.
    fn best_host(&mut self, v: usize, excluded: &HashSet<usize>, detect: Detect) -> Option<usize> {
        let (mut best, mut least) = (None, f64::MAX);
        for h in 0..self.hosts.len() {
            if excluded.contains(&h) || !self.suitable(h, v) {
                continue;
            }
            let used = self.policy_mips(h);
            if used != 0.0 && self.tried_on(h, v, detect) {
                continue;
            }
            let host = &self.hosts[h];
            let after = host.power.watts((used + self.vms[v].demand()) / host.total);
            let diff = after - host.watts();
            if diff < least {
                (least, best) = (diff, Some(h));
            }
        }
        best
    }

    /// `isHostOverUtilizedAfterAllocation`: CloudSim creates `v` on the
    /// host, asks, and destroys it again. That leaves the host's scheduler
    /// as it was but for `v`'s stale migrating-out mark, and `v` with no
    /// host; both are done here without the round trip.
    fn tried_on(&mut self, h: usize, v: usize, detect: Detect) -> bool {
        self.hosts[h].sched.migrating_out.retain(|x| *x != v);
        self.vms[v].host = None;
        self.overloaded_with(h, Some(v), detect)
    }

    /// The underloaded hosts, least utilized first, each emptied when all
    /// its VMs fit on hosts that are neither overloaded, off, nor emptied.
    fn empty_underloaded(&mut self, over: &[usize], detect: Detect) -> Vec<Migration> {
        let off: Vec<usize> = (0..self.hosts.len())
            .filter(|h| self.hosts[*h].utilization() == 0.0)
            .collect();
        let mut not_source: HashSet<usize> = over.iter().chain(&off).copied().collect();
        let mut not_target = not_source.clone();
        let mut map = Vec::new();
        while not_source.len() < self.hosts.len() {
            let Some(u) = self.least_utilized(&not_source) else {
                break;
            };
            not_source.insert(u);
            not_target.insert(u);
            let vms: Vec<usize> = self.hosts[u]
                .vms
                .iter()
                .copied()
                .filter(|v| !self.vms[*v].migrating)
                .collect();
            if vms.is_empty() {
                continue;
            }
            let placed = self.place_all(vms, &not_target, detect, true);
            not_source.extend(placed.iter().map(|(_, h)| *h));
            map.extend(placed);
        }
        map
    }

    fn least_utilized(&self, excluded: &HashSet<usize>) -> Option<usize> {
        let (mut best, mut min) = (None, 1.0);
        for (h, host) in self.hosts.iter().enumerate() {
            if excluded.contains(&h) {
                continue;
            }
            let u = host.utilization();
            if u > 0.0 && u < min && !self.all_leaving_or_any_arriving(h) {
                (min, best) = (u, Some(h));
            }
        }
        best
    }

    fn all_leaving_or_any_arriving(&self, h: usize) -> bool {
        let host = &self.hosts[h];
        for v in &host.vms {
            if !self.vms[*v].migrating {
                return false;
            }
            if host.incoming.contains(v) {
                return true;
            }
        }
        true
    }

    /// `restoreAllocation`: every host as it was before planning.
    pub(super) fn restore(&mut self, saved: &[(usize, usize)]) {
        for host in &mut self.hosts {
            host.vms.retain(|v| host.incoming.contains(v));
            host.sched.deallocate_all();
        }
        for vm in &mut self.vms {
            vm.host = None;
        }
        for &(h, v) in saved {
            self.vm_create(h, v);
            self.table[v] = Some(h);
        }
    }
}
