//! CloudSim's `VmSchedulerTimeSharedOverSubscription` for VMs of one PE:
//! a request above the PE's MIPS is capped; a VM migrating out gets 90 % of
//! it, one migrating in 10 %; when the host's MIPS run out every VM is
//! scaled down to fit and floored. Its maps keep insertion order (CloudSim
//! uses a `HashMap`; the order changes sums at the last bit only).

/// One host's scheduler.
#[derive(Clone, Debug)]
pub struct Sched {
    pe: f64,
    total: f64,
    /// VM → requested MIPS (uncapped).
    requested: Vec<(usize, f64)>,
    /// VM → allocated MIPS.
    allocated: Vec<(usize, f64)>,
    pub available: f64,
    pub migrating_in: Vec<usize>,
    pub migrating_out: Vec<usize>,
}

fn put(map: &mut Vec<(usize, f64)>, vm: usize, v: f64) {
    match map.iter_mut().find(|e| e.0 == vm) {
        Some(e) => e.1 = v,
        None => map.push((vm, v)),
    }
}

impl Sched {
    pub fn new(pe: f64, pes: u32) -> Sched {
        let total = pe * f64::from(pes);
        Sched {
            pe,
            total,
            requested: Vec::new(),
            allocated: Vec::new(),
            available: total,
            migrating_in: Vec::new(),
            migrating_out: Vec::new(),
        }
    }

    pub fn pe(&self) -> f64 {
        self.pe
    }

    /// MIPS allocated to `vm` (0 when none).
    pub fn allocated(&self, vm: usize) -> f64 {
        self.allocated
            .iter()
            .find(|e| e.0 == vm)
            .map_or(0.0, |e| e.1)
    }

    /// `allocatePesForVm(Vm, mips)`: the migration lists first, then the
    /// allocation.
    pub fn allocate_vm(&mut self, vm: usize, in_migration: bool, mips: f64) {
        if in_migration {
            if !self.migrating_in.contains(&vm) && !self.migrating_out.contains(&vm) {
                self.migrating_out.push(vm);
            }
        } else {
            self.migrating_out.retain(|v| *v != vm);
        }
        self.allocate(vm, mips);
    }

    fn allocate(&mut self, vm: usize, mips: f64) {
        let capped = mips.min(self.pe);
        put(&mut self.requested, vm, mips);
        let mut total = capped;
        if self.migrating_in.contains(&vm) {
            total *= 0.1;
        }
        if self.available >= total {
            let mut a = capped;
            if self.migrating_out.contains(&vm) {
                a *= 0.9;
            } else if self.migrating_in.contains(&vm) {
                a *= 0.1;
            }
            put(&mut self.allocated, vm, a);
            self.available -= total;
        } else {
            self.redistribute();
        }
    }

    fn redistribute(&mut self) {
        let mut required = 0.0;
        for (vm, r) in &self.requested {
            let mut c = r.min(self.pe);
            if self.migrating_in.contains(vm) {
                c *= 0.1;
            }
            required += c;
        }
        let scale = self.total / required;
        self.allocated.clear();
        for (vm, r) in &self.requested {
            let c = r.min(self.pe);
            let a = if self.migrating_out.contains(vm) {
                c * 0.9 * scale
            } else if self.migrating_in.contains(vm) {
                c * 0.1 * scale
            } else {
                c * scale
            };
            self.allocated.push((*vm, a.floor()));
        }
        self.available = 0.0;
    }

    /// `deallocatePesForVm`: `vm` goes and the others are allocated again.
    pub fn deallocate(&mut self, vm: usize) {
        self.requested.retain(|e| e.0 != vm);
        self.allocated.clear();
        self.available = self.total;
        for (v, r) in self.requested.clone() {
            self.allocate(v, r);
        }
    }

    /// `deallocatePesForAllVms` (the migration lists stay).
    pub fn deallocate_all(&mut self) {
        self.requested.clear();
        self.allocated.clear();
        self.available = self.total;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_subscription_scales_every_vm_down_and_floors() {
        let mut s = Sched::new(1000.0, 2);
        s.allocate_vm(1, false, 900.0);
        s.allocate_vm(2, false, 1500.0); // capped at one PE
        assert_eq!(s.allocated(2), 1000.0);
        assert_eq!(s.available, 100.0);
        s.allocate_vm(3, false, 300.0);
        // 2,000 MIPS for 2,200 asked.
        assert_eq!(s.allocated(1), (900.0 * 2000.0 / 2200.0_f64).floor());
        assert_eq!(s.available, 0.0);
        s.deallocate(3);
        assert_eq!((s.allocated(1), s.available), (900.0, 100.0));
    }

    #[test]
    fn a_vm_moving_out_gets_ninety_percent_and_one_moving_in_ten() {
        let mut s = Sched::new(1000.0, 2);
        s.allocate_vm(1, true, 500.0);
        assert_eq!(s.allocated(1), 450.0);
        assert_eq!(s.available, 1500.0);
        s.migrating_in.push(2);
        s.allocate_vm(2, true, 500.0);
        assert_eq!(s.allocated(2), 50.0);
        assert_eq!(s.available, 1450.0);
    }
}
