//! The simulated datacenter: hosts with their schedulers and VM lists, VMs
//! with their traces, and CloudSim's host and VM operations on them
//! (`Host.vmCreate`, `vmDestroy`, `addMigratingInVm`, `removeMigratingInVm`,
//! `HostDynamicWorkload.updateVmsProcessing`), each recording the state
//! history the metrics are computed from as it goes.

use std::collections::VecDeque;

use super::sched::Sched;
use crate::consolidation::power::PowerTable;

/// CloudSim's scheduling interval, s.
pub const INTERVAL: f64 = 300.0;
/// Utilization values a VM keeps, newest first.
pub const HISTORY: usize = 30;

/// A state history entry: time, allocated and requested MIPS, and for a
/// host whether it is active, for a VM whether it is migrating out.
#[derive(Clone, Copy, Debug)]
struct Entry {
    t: f64,
    allocated: f64,
    requested: f64,
    flag: bool,
}

/// What a host's history adds up to: active seconds, and those of them
/// with less allocated than requested.
#[derive(Clone, Copy, Debug, Default)]
pub struct HostTotals {
    pub active_s: f64,
    pub short_s: f64,
}

/// What a VM's history adds up to: MIPS·s requested and allocated, and
/// those lost while it migrated.
#[derive(Clone, Copy, Debug, Default)]
pub struct VmTotals {
    pub requested: f64,
    pub allocated: f64,
    pub lost_migrating: f64,
}

pub struct Host {
    pub total: f64,
    pub power: PowerTable,
    pub sched: Sched,
    pub vms: Vec<usize>,
    /// VMs migrating in.
    pub incoming: Vec<usize>,
    pub util_mips: f64,
    pub prev_util_mips: f64,
    /// RAM given out, MB (binding only when VMs are first created).
    pub ram_used: f64,
    pub ram: f64,
    last: Option<Entry>,
    pub totals: HostTotals,
}

pub struct Vm {
    pub mips: f64,
    pub ram: f64,
    /// Utilization (0–1) per interval; one more value than the trace.
    data: Vec<f64>,
    pub host: Option<usize>,
    pub migrating: bool,
    pub instantiating: bool,
    /// When its cloudlet was last updated (`None`: not submitted yet).
    pub updated: Option<f64>,
    /// Its demand since then (0 before).
    demand: f64,
    /// Its utilization at each interval, newest first.
    pub history: VecDeque<f64>,
    history_at: f64,
    last: Option<Entry>,
    pub totals: VmTotals,
}

impl Vm {
    pub fn new(mips: f64, ram: f64, percents: &[f64]) -> Vm {
        let mut data: Vec<f64> = percents.iter().map(|p| p / 100.0).collect();
        data.push(*data.last().unwrap_or(&0.0));
        Vm {
            mips,
            ram,
            data,
            host: None,
            migrating: false,
            instantiating: false,
            updated: None,
            demand: 0.0,
            history: VecDeque::new(),
            history_at: 0.0,
            last: None,
            totals: VmTotals::default(),
        }
    }

    /// `UtilizationModelPlanetLabInMemory.getUtilization(t)`.
    pub fn utilization(&self, t: f64) -> f64 {
        let last = self.data.len() - 1;
        if t % INTERVAL == 0.0 {
            return self.data[((t as i64) / (INTERVAL as i64)) as usize];
        }
        let t1 = ((t / INTERVAL).floor() as usize).min(last);
        let t2 = ((t / INTERVAL).ceil() as usize).min(last);
        let delta = (self.data[t2] - self.data[t1]) / ((t2 - t1) as f64 * INTERVAL);
        self.data[t1] + delta * (t - t1 as f64 * INTERVAL)
    }

    /// The MIPS it asks for now (`getCurrentRequestedTotalMips`).
    pub fn demand(&self) -> f64 {
        match self.instantiating {
            true => self.mips,
            false => self.demand,
        }
    }

    /// Its cloudlet updated at `t`: it asks for its utilization then.
    pub fn update_at(&mut self, t: f64) {
        self.updated = Some(t);
        self.demand = self.utilization(t) * self.mips;
    }

    fn entry(&mut self, e: Entry) {
        if let Some(p) = self.last.filter(|p| p.t != e.t) {
            let dt = e.t - p.t;
            self.totals.allocated += p.allocated * dt;
            self.totals.requested += p.requested * dt;
            if p.allocated < p.requested && p.flag {
                self.totals.lost_migrating += (p.requested - p.allocated) * dt;
            }
        }
        self.last = Some(e);
    }
}

impl Host {
    pub fn new(pe: f64, pes: u32, ram: f64, power: PowerTable) -> Host {
        Host {
            total: pe * f64::from(pes),
            power,
            sched: Sched::new(pe, pes),
            vms: Vec::new(),
            incoming: Vec::new(),
            util_mips: 0.0,
            prev_util_mips: 0.0,
            ram_used: 0.0,
            ram,
            last: None,
            totals: HostTotals::default(),
        }
    }

    fn fraction(&self, mips: f64) -> f64 {
        let u = mips / self.total;
        if u > 1.0 && u < 1.01 {
            1.0
        } else {
            u
        }
    }

    /// Measured utilization (`getUtilizationOfCpu`).
    pub fn utilization(&self) -> f64 {
        self.fraction(self.util_mips)
    }

    pub fn previous_utilization(&self) -> f64 {
        self.fraction(self.prev_util_mips)
    }

    /// Watts at the measured utilization (`getPower`).
    pub fn watts(&self) -> f64 {
        self.power.watts(self.utilization())
    }

    fn entry(&mut self, e: Entry) {
        if let Some(p) = self.last.filter(|p| p.t != e.t) {
            if p.flag {
                let dt = e.t - p.t;
                self.totals.active_s += dt;
                if p.allocated < p.requested {
                    self.totals.short_s += dt;
                }
            }
        }
        self.last = Some(e);
    }
}

/// The datacenter: hosts, VMs, and which host each VM belongs to.
pub struct World {
    pub hosts: Vec<Host>,
    pub vms: Vec<Vm>,
    /// The allocation policy's table: VM → host.
    pub table: Vec<Option<usize>>,
}

impl World {
    /// `Host.vmCreate`.
    pub fn vm_create(&mut self, h: usize, v: usize) {
        let (migrating, demand) = (self.vms[v].migrating, self.vms[v].demand());
        let host = &mut self.hosts[h];
        host.sched.allocate_vm(v, migrating, demand);
        host.vms.push(v);
        self.vms[v].host = Some(h);
    }

    /// `Host.vmDestroy`.
    pub fn vm_destroy(&mut self, h: usize, v: usize) {
        let host = &mut self.hosts[h];
        host.sched.deallocate(v);
        host.vms.retain(|x| *x != v);
        self.vms[v].host = None;
    }

    /// `Host.addMigratingInVm` at `t`.
    pub fn add_migrating_in(&mut self, h: usize, v: usize, t: f64) {
        self.vms[v].migrating = true;
        if self.hosts[h].incoming.contains(&v) {
            return;
        }
        let demand = self.vms[v].demand();
        let host = &mut self.hosts[h];
        host.sched.migrating_in.push(v);
        host.sched.allocate_vm(v, true, demand);
        host.incoming.push(v);
        host.vms.push(v);
        self.update(h, t);
        if let Some(source) = self.vms[v].host {
            self.update(source, t);
        }
    }

    /// `Host.removeMigratingInVm`.
    pub fn remove_migrating_in(&mut self, h: usize, v: usize) {
        let host = &mut self.hosts[h];
        host.sched.deallocate(v);
        host.incoming.retain(|x| *x != v);
        host.vms.retain(|x| *x != v);
        host.sched.migrating_in.retain(|x| *x != v);
        self.vms[v].migrating = false;
    }

    /// `PowerVm.updateVmProcessing`: its cloudlet now, and its history at
    /// each interval.
    fn vm_process(&mut self, v: usize, t: f64) {
        let vm = &mut self.vms[v];
        vm.update_at(t);
        if t > vm.history_at && (t - 0.1) % INTERVAL == 0.0 {
            let u = vm.utilization(t);
            vm.history.push_front(u);
            vm.history.truncate(HISTORY);
            vm.history_at = t;
        }
    }

    /// `HostDynamicWorkload.updateVmsProcessing` at `t`.
    pub fn update(&mut self, h: usize, t: f64) {
        let vms = self.hosts[h].vms.clone();
        for &v in &vms {
            self.vm_process(v, t);
        }
        let host = &mut self.hosts[h];
        host.prev_util_mips = host.util_mips;
        host.util_mips = 0.0;
        // CloudSim deallocates each VM in turn, which ends with none
        // allocated: the same as at once.
        host.sched.deallocate_all();
        for &v in &vms {
            let vm = &self.vms[v];
            host.sched.allocate_vm(v, vm.migrating, vm.demand());
        }
        let mut requested_sum = 0.0;
        for &v in &vms {
            let vm = &mut self.vms[v];
            let requested = vm.demand();
            let mut allocated = host.sched.allocated(v);
            if !host.incoming.contains(&v) {
                vm.entry(Entry {
                    t,
                    allocated,
                    requested,
                    flag: vm.migrating,
                });
                if vm.migrating {
                    allocated /= 0.9;
                }
            }
            host.util_mips += allocated;
            requested_sum += requested;
        }
        let (allocated, active) = (host.util_mips, host.util_mips > 0.0);
        host.entry(Entry {
            t,
            allocated,
            requested: requested_sum,
            flag: active,
        });
    }

    /// The allocation policy's view of a host's MIPS in use (an incoming
    /// VM counted as if it had arrived).
    pub fn policy_mips(&self, h: usize) -> f64 {
        let host = &self.hosts[h];
        host.vms.iter().fold(0.0, |sum, v| {
            let a = host.sched.allocated(*v);
            match host.incoming.contains(v) {
                true => sum + a * 0.9 / 0.1 + a,
                false => sum + a,
            }
        })
    }

    /// `Host.isSuitableForVm` once running (RAM and bandwidth asked are 0).
    pub fn suitable(&self, h: usize, v: usize) -> bool {
        let (host, demand) = (&self.hosts[h], self.vms[v].demand());
        host.sched.pe() >= demand && host.sched.available >= demand
    }

    /// The host's VMs, and `extra` after them (a VM it is tried with).
    fn listed(&self, h: usize, extra: Option<usize>) -> impl Iterator<Item = &Vm> {
        self.hosts[h]
            .vms
            .iter()
            .copied()
            .chain(extra)
            .map(|v| &self.vms[v])
    }

    /// The host's utilization history (with `extra`): its VMs' histories
    /// weighted by their MIPS, newest first, without the zeros at its end.
    pub fn host_history(&self, h: usize, extra: Option<usize>) -> Vec<f64> {
        let total = self.hosts[h].total;
        let mut sum = [0.0; HISTORY];
        for vm in self.listed(h, extra) {
            for (i, u) in vm.history.iter().enumerate() {
                sum[i] += u * vm.mips / total;
            }
        }
        let keep = sum.iter().rposition(|x| *x != 0.0).map_or(1, |i| i + 1);
        sum[..keep].to_vec()
    }

    /// Σ demand of the host's VMs (with `extra`) / its MIPS.
    pub fn requested_share(&self, h: usize, extra: Option<usize>) -> f64 {
        let sum = self.listed(h, extra).fold(0.0, |s, vm| s + vm.demand());
        sum / self.hosts[h].total
    }
}
