//! Millwright's own consolidation policy, in the same datacenter model:
//! it sizes each VM by the peak of its recent utilization (online: only
//! the past), fills hosts up to a target share of their MIPS, relieves a
//! host whose predicted demand passes its capacity (the VMs with the least
//! RAM first: the quickest to move), and empties the least loaded hosts —
//! the less efficient G4 before the G5 — when all their VMs fit on the
//! others, so that hosts switch off and stay off. Few, sure moves: each
//! costs 10 % of the VM while it runs and leaves its target short.

use std::collections::HashSet;

use super::plan::Migration;
use super::world::World;

/// Values of a VM's utilization history its demand is predicted from
/// (15 minutes).
const WINDOW: usize = 3;
/// Hosts are filled up to this share of their MIPS (predicted).
const TARGET: f64 = 0.9;
/// Above this share (predicted) a host sheds VMs.
const HIGH: f64 = 1.0;
/// Below this share (predicted) a host is emptied if its VMs fit elsewhere.
const LOW: f64 = 0.7;

/// A plan in the making: each VM's predicted MIPS, each host's sum.
struct Sizes {
    vm: Vec<f64>,
    host: Vec<f64>,
}

impl World {
    /// The MIPS `v` is sized at: the peak of its recent utilization.
    fn predicted(&self, v: usize) -> f64 {
        let vm = &self.vms[v];
        let now = vm.demand() / vm.mips;
        let peak = vm.history.iter().take(WINDOW).fold(now, |m, u| m.max(*u));
        peak * vm.mips
    }

    fn sizes(&self) -> Sizes {
        let vm: Vec<f64> = (0..self.vms.len()).map(|v| self.predicted(v)).collect();
        let host = self
            .hosts
            .iter()
            .map(|h| h.vms.iter().map(|v| vm[*v]).sum())
            .collect();
        Sizes { vm, host }
    }

    fn put(&mut self, sizes: &mut Sizes, h: usize, v: usize) {
        self.vm_create(h, v);
        sizes.host[h] += sizes.vm[v];
    }

    fn take(&mut self, sizes: &mut Sizes, h: usize, v: usize) {
        self.vm_destroy(h, v);
        sizes.host[h] -= sizes.vm[v];
    }

    fn too_much(&self, sizes: &Sizes, h: usize) -> bool {
        let host = &self.hosts[h];
        sizes.host[h] > host.total * HIGH || host.vms.iter().any(|v| sizes.vm[*v] > host.sched.pe())
    }

    /// Where `v` goes: the active host outside `excluded` it fills most
    /// tightly within [`TARGET`]; with `wake`, else an empty host (the
    /// biggest, the first of equals).
    fn tightest(
        &self,
        sizes: &Sizes,
        v: usize,
        excluded: &HashSet<usize>,
        wake: bool,
    ) -> Option<usize> {
        let p = sizes.vm[v];
        let room = |h: usize| {
            let host = &self.hosts[h];
            (p <= host.sched.pe()).then(|| host.total * TARGET - sizes.host[h] - p)
        };
        let mut best: Option<(f64, usize)> = None;
        for h in 0..self.hosts.len() {
            if excluded.contains(&h) || self.hosts[h].vms.is_empty() {
                continue;
            }
            if let Some(left) = room(h).filter(|l| *l >= 0.0) {
                if best.is_none_or(|(l, _)| left < l) {
                    best = Some((left, h));
                }
            }
        }
        if best.is_some() || !wake {
            return best.map(|b| b.1);
        }
        let mut empty: Option<usize> = None;
        for h in 0..self.hosts.len() {
            let host = &self.hosts[h];
            if excluded.contains(&h) || !host.vms.is_empty() || room(h).is_none_or(|l| l < 0.0) {
                continue;
            }
            if empty.is_none_or(|e| host.total > self.hosts[e].total) {
                empty = Some(h);
            }
        }
        empty
    }

    /// This interval's moves.
    pub(super) fn millwright(&mut self) -> Vec<Migration> {
        let mut sizes = self.sizes();
        let active: Vec<usize> = (0..self.hosts.len())
            .filter(|h| !self.hosts[*h].vms.is_empty())
            .collect();
        let mut map = Vec::new();
        // Relieve: the VMs with the least RAM leave first.
        let (mut leaving, mut relieved) = (Vec::new(), HashSet::new());
        for &h in &active {
            while self.too_much(&sizes, h) {
                let Some(&v) = self.hosts[h].vms.iter().min_by(|a, b| {
                    let (a, b) = (&self.vms[**a], &self.vms[**b]);
                    a.ram.total_cmp(&b.ram)
                }) else {
                    break;
                };
                self.take(&mut sizes, h, v);
                leaving.push(v);
                relieved.insert(h);
            }
        }
        leaving.sort_by(|a, b| sizes.vm[*b].total_cmp(&sizes.vm[*a]));
        let mut busy = relieved.clone();
        for v in leaving {
            if let Some(t) = self.tightest(&sizes, v, &relieved, true) {
                self.put(&mut sizes, t, v);
                busy.insert(t);
                map.push((v, t));
            }
        }
        // Empty the least loaded hosts, G4 before G5, when all their VMs
        // fit on hosts that stay.
        let mut sources: Vec<(f64, f64, usize)> = active
            .iter()
            .filter(|h| !busy.contains(*h))
            .map(|&h| (self.hosts[h].total, sizes.host[h] / self.hosts[h].total, h))
            .filter(|s| s.1 < LOW)
            .collect();
        sources.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let mut emptied: HashSet<usize> = relieved;
        for (_, _, s) in sources {
            if busy.contains(&s) {
                continue;
            }
            let mut vms = self.hosts[s].vms.clone();
            vms.sort_by(|a, b| sizes.vm[*b].total_cmp(&sizes.vm[*a]));
            emptied.insert(s);
            let mut placed = Vec::new();
            for v in vms {
                match self.tightest(&sizes, v, &emptied, false) {
                    Some(t) => {
                        self.put(&mut sizes, t, v);
                        placed.push((v, t));
                    }
                    None => {
                        for (v, t) in placed.drain(..) {
                            self.take(&mut sizes, t, v);
                        }
                        emptied.remove(&s);
                        break;
                    }
                }
            }
            busy.extend(placed.iter().map(|(_, t)| *t));
            map.extend(placed);
        }
        map
    }
}
