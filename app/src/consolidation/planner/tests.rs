use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;

fn host(cpu: f64, mem: f64) -> Host {
    Host {
        cpu_mhz: cpu,
        memory_mib: mem,
        receives: true,
    }
}

fn vm(host: usize, cpu: f64, mem: f64) -> Vm {
    Vm {
        host,
        cpu_mhz: cpu,
        memory_mib: mem,
        allowed: None,
        movable: true,
    }
}

/// A random fleet of `n` hosts (three models) and `m` VMs placed where
/// they fit at 80 % CPU, with pins, workspaces' allowed hosts, keep-apart
/// pairs, keep-together pairs and some VMs that cannot move.
pub fn random_fleet(rng: &mut StdRng, n: usize, m: usize) -> Fleet {
    let models = [
        (2.0 * 1860.0, 4096.0),
        (2.0 * 2660.0, 4096.0),
        (12.0 * 2930.0, 65536.0),
    ];
    let hosts: Vec<Host> = (0..n)
        .map(|_| {
            let (c, mm) = models[rng.gen_range(0..models.len())];
            host(c, mm)
        })
        .collect();
    let mut cpu = vec![0.0; n];
    let mut mem = vec![0.0; n];
    let mut vms = Vec::new();
    // As many as fit, up to `m`.
    for _ in 0..m * 50 {
        if vms.len() == m {
            break;
        }
        let (c, mm) = (
            rng.gen_range(50.0..2500.0),
            [613.0, 870.0, 1740.0][rng.gen_range(0..3)],
        );
        let h = rng.gen_range(0..n);
        if cpu[h] + c <= 0.8 * hosts[h].cpu_mhz && mem[h] + mm <= hosts[h].memory_mib {
            cpu[h] += c;
            mem[h] += mm;
            let mut v = vm(h, c, mm);
            match rng.gen_range(0..40) {
                // A workspace allowed most hosts.
                0..=3 => v.allowed = Some((0..n).filter(|x| x % 5 != 1).collect()),
                // A pin to a few.
                4 => v.allowed = Some((0..n).filter(|x| x % 7 == 0).collect()),
                5 => v.movable = false,
                _ => {}
            }
            vms.push(v);
        }
    }
    let m = vms.len();
    let apart = (0..m / 50).map(|i| vec![2 * i, 2 * i + 1]).collect();
    let together = (0..m / 100)
        .map(|i| vec![m - 1 - 2 * i, m - 2 - 2 * i])
        .collect();
    Fleet {
        hosts,
        vms,
        apart,
        together,
    }
}

/// Replays `plan` on `fleet`, asserting every migration is feasible at its
/// turn and the end state keeps every limit and rule.
pub fn assert_sound(fleet: &Fleet, plan: &Plan, headroom: f64) {
    let n = fleet.hosts.len();
    let mut at: Vec<usize> = fleet.vms.iter().map(|v| v.host).collect();
    let mut cpu = vec![0.0; n];
    let mut mem = vec![0.0; n];
    for (v, &h) in fleet.vms.iter().zip(&at) {
        cpu[h] += v.cpu_mhz;
        mem[h] += v.memory_mib;
    }
    let apart_ok = |at: &[usize], h: usize| {
        fleet
            .apart
            .iter()
            .all(|g| g.iter().filter(|&&v| at[v] == h).count() <= 1)
    };
    let over_before: Vec<bool> = (0..n)
        .map(|h| cpu[h] > fleet.hosts[h].cpu_mhz * headroom + 1e-6)
        .collect();
    for mv in &plan.moves {
        let v = &fleet.vms[mv.vm];
        assert_eq!(at[mv.vm], mv.from, "{mv:?} starts where the VM is");
        assert!(v.movable, "{mv:?} moves an immovable VM");
        assert!(
            fleet.hosts[mv.to].receives,
            "{mv:?} to a host that receives none"
        );
        if let Some(a) = &v.allowed {
            assert!(a.contains(&mv.to), "{mv:?} to a host it may not use");
        }
        at[mv.vm] = mv.to;
        cpu[mv.from] -= v.cpu_mhz;
        mem[mv.from] -= v.memory_mib;
        cpu[mv.to] += v.cpu_mhz;
        mem[mv.to] += v.memory_mib;
        let t = &fleet.hosts[mv.to];
        assert!(
            mem[mv.to] <= t.memory_mib + 1e-6,
            "{mv:?} overcommits memory"
        );
        assert!(cpu[mv.to] <= t.cpu_mhz + 1e-6, "{mv:?} overloads CPU");
        assert!(apart_ok(&at, mv.to), "{mv:?} breaks keep-apart at its turn");
    }
    for h in 0..n {
        let t = &fleet.hosts[h];
        assert!(mem[h] <= t.memory_mib + 1e-6, "host {h} memory");
        // A host over the headroom only if it was and what is left there
        // cannot move.
        if cpu[h] > t.cpu_mhz * headroom + 1e-6 {
            assert!(over_before[h], "host {h} pushed over the headroom");
        }
        assert!(apart_ok(&at, h), "host {h} keep-apart");
        assert_eq!(plan.after[h].vms, at.iter().filter(|&&x| x == h).count());
    }
    for g in &fleet.together {
        assert!(g.iter().all(|&v| at[v] == at[g[0]]), "together {g:?} split");
    }
    let lb = plan.lower_bound.expect("the fleet fits");
    assert!(
        lb <= plan.hosts_after,
        "bound {lb} > plan {}",
        plan.hosts_after
    );
}

#[test]
fn small_fleet_fits_one_host_small_vms_first_and_the_rest_is_emptied() {
    let fleet = Fleet {
        hosts: vec![
            host(10_000.0, 8192.0),
            host(4000.0, 4096.0),
            host(4000.0, 4096.0),
        ],
        vms: vec![
            vm(0, 3000.0, 2048.0),
            vm(1, 2000.0, 2048.0),
            vm(2, 500.0, 1024.0),
        ],
        ..Fleet::default()
    };
    let plan = plan(&fleet, 0.8).unwrap();
    assert_eq!(
        (plan.hosts_before, plan.hosts_after, plan.lower_bound),
        (3, 1, Some(1))
    );
    assert_eq!(
        plan.moves,
        vec![
            Move {
                vm: 2,
                from: 2,
                to: 0
            },
            Move {
                vm: 1,
                from: 1,
                to: 0
            }
        ]
    );
    assert_eq!(plan.emptied(), vec![1, 2]);
    assert_sound(&fleet, &plan, 0.8);
}

#[test]
fn rules_hold_apart_pinned_immovable_and_together() {
    let mut fleet = Fleet {
        hosts: vec![
            host(10_000.0, 8192.0),
            host(10_000.0, 8192.0),
            host(10_000.0, 8192.0),
        ],
        vms: vec![
            vm(0, 500.0, 512.0),
            vm(1, 500.0, 512.0),
            vm(2, 500.0, 512.0),
            vm(2, 500.0, 512.0),
        ],
        apart: vec![vec![0, 1]],
        together: vec![vec![2, 3]],
    };
    // Without rules all four fit on one host.
    let free = plan(
        &Fleet {
            apart: vec![],
            together: vec![],
            ..fleet.clone()
        },
        0.8,
    )
    .unwrap();
    assert_eq!(free.hosts_after, 1);
    let p = plan(&fleet, 0.8).unwrap();
    assert_eq!(p.hosts_after, 2, "{p:?}");
    assert_sound(&fleet, &p, 0.8);
    // VM 2 cannot move and VM 0 is pinned to host 1: host 2 stays in use.
    fleet.vms[2].movable = false;
    fleet.vms[0].allowed = Some(vec![1]);
    let p = plan(&fleet, 0.8).unwrap();
    assert_sound(&fleet, &p, 0.8);
    assert!(p.after[2].vms >= 2, "VM 2 and its together partner stay");
    assert_eq!(p.hosts_after, 2);
}

#[test]
fn an_overloaded_host_sheds_its_smallest_vm_that_suffices() {
    let fleet = Fleet {
        hosts: vec![host(10_000.0, 65536.0), host(10_000.0, 65536.0)],
        vms: vec![
            vm(0, 6000.0, 1024.0),
            vm(0, 2500.0, 1024.0),
            vm(0, 900.0, 1024.0),
        ],
        ..Fleet::default()
    };
    // 9,400 MHz on host 0 is over 8,000 at 80 %: the 900 MHz VM moving
    // does not suffice (8,500), the 2,500 one does.
    let p = plan(&fleet, 0.8).unwrap();
    assert_eq!(
        p.moves,
        vec![Move {
            vm: 1,
            from: 0,
            to: 1
        }]
    );
    assert_sound(&fleet, &p, 0.8);
}

#[test]
fn a_host_that_takes_nothing_keeps_only_what_cannot_move() {
    let mut fleet = Fleet {
        hosts: vec![host(10_000.0, 8192.0), host(10_000.0, 8192.0)],
        vms: vec![
            vm(0, 500.0, 512.0),
            vm(0, 500.0, 512.0),
            vm(1, 500.0, 512.0),
        ],
        ..Fleet::default()
    };
    fleet.hosts[0].receives = false;
    fleet.vms[0].movable = false;
    let p = plan(&fleet, 0.8).unwrap();
    // Host 0 stays for VM 0; VM 1 leaves it all the same.
    assert_eq!(
        p.moves,
        vec![Move {
            vm: 1,
            from: 0,
            to: 1
        }]
    );
    assert_sound(&fleet, &p, 0.8);
}

#[test]
fn no_plan_when_the_fleet_does_not_fit() {
    let fleet = Fleet {
        hosts: vec![host(1000.0, 1024.0)],
        vms: vec![vm(0, 100.0, 2048.0)],
        ..Fleet::default()
    };
    assert_eq!(plan(&fleet, 0.8), Err(NoPlan::DoesNotFit));
}

#[test]
fn random_fleets_are_planned_soundly_near_the_bound() {
    let mut rng = StdRng::seed_from_u64(7);
    for round in 0..30 {
        let n = rng.gen_range(3..40);
        let m = rng.gen_range(n..n * 8);
        let fleet = random_fleet(&mut rng, n, m);
        let p = plan(&fleet, 0.8).unwrap_or_else(|e| {
            let units = pack::Units::new(&fleet);
            let all = vec![true; n];
            let at = pack::pack(&fleet, &units, &all, 0.8);
            panic!(
                "round {round} n {n} m {m}: {e:?}; all kept packs: {}",
                at.is_some()
            )
        });
        assert_sound(&fleet, &p, 0.8);
        assert!(p.hosts_after <= p.hosts_before.max(p.hosts_after));
    }
}
