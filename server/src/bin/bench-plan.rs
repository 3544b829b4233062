//! Planner benchmark: generated plants of 2,000 VMs on 200 hosts with
//! rules (workspaces' allowed hosts, pins, keep-apart and keep-together
//! groups, VMs that cannot move), and the two PlanetLab days (1,052 and
//! 898 VMs sized at their p95 on CloudSim's 800 hosts). Prints the wall
//! time (median of RUNS, and as a ratio to the lower bound's own
//! computation measured in the same run), the hosts the plan uses against
//! the lower bound, and the migrations. The target is ≤ 0.5 s and ≤ 1.03×
//! the bound; nothing here asserts time.
//!
//! Run: `cargo run --release -p millwright --bin bench-plan [-- RUNS]`.

use std::path::Path;
use std::time::{Duration, Instant};

use app::consolidation::bounds::{lower_bound, Capacity};
use app::consolidation::demand::{percentile, Percentile};
use app::consolidation::planner::{plan, Fleet, Host, Vm};

const HEADROOM: f64 = 0.8;

/// xorshift64*: enough randomness for a generated plant, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() * n as f64) as usize % n.max(1)
    }
}

/// A plant of `n` hosts (three server models) and `m` VMs (1–8 vCPUs,
/// 1–16 GiB) placed at random within 80 % CPU.
fn generated(seed: u64, n: usize, m: usize) -> Fleet {
    let mut rng = Rng(seed);
    let models = [
        (16.0 * 2400.0, 131_072.0),
        (24.0 * 2600.0, 196_608.0),
        (32.0 * 2900.0, 262_144.0),
    ];
    let hosts: Vec<Host> = (0..n)
        .map(|_| {
            let (c, mm) = models[rng.below(3)];
            Host {
                cpu_mhz: c,
                memory_mib: mm,
                receives: true,
            }
        })
        .collect();
    let (mut cpu, mut mem) = (vec![0.0; n], vec![0.0; n]);
    let mut vms = Vec::new();
    while vms.len() < m {
        let vcpus = [1.0, 2.0, 2.0, 4.0, 4.0, 8.0][rng.below(6)];
        let c = vcpus * 2600.0 * (0.05 + 0.6 * rng.next());
        let mm = [1024.0, 2048.0, 4096.0, 8192.0, 16384.0][rng.below(5)];
        let h = rng.below(n);
        if cpu[h] + c > 0.8 * hosts[h].cpu_mhz || mem[h] + mm > hosts[h].memory_mib {
            continue;
        }
        cpu[h] += c;
        mem[h] += mm;
        let (allowed, movable) = match rng.below(50) {
            0..=9 => (Some((0..n).filter(|x| x % 5 != 1).collect()), true),
            10 => (Some((0..n).filter(|x| x % 3 == 0).collect()), true),
            11 => (None, false),
            _ => (None, true),
        };
        vms.push(Vm {
            host: h,
            cpu_mhz: c,
            memory_mib: mm,
            allowed,
            movable,
        });
    }
    Fleet {
        hosts,
        apart: (0..60).map(|i| vec![3 * i, 3 * i + 1, 3 * i + 2]).collect(),
        together: (0..20)
            .map(|i| vec![m - 1 - 2 * i, m - 2 - 2 * i])
            .collect(),
        vms,
    }
}

/// A PlanetLab day as a fleet: each VM at the p95 of its day on
/// CloudSim's VM types, spread over its 800 hosts (G4 and G5 alternating).
fn planetlab(dir: &Path) -> Fleet {
    let traces = app::history::trace::read_planetlab_dir(dir).expect("the PlanetLab day");
    let sizes = app::consolidation::cloudsim::vm_sizes(traces.len());
    let hosts: Vec<Host> = (0..800)
        .map(|j| Host {
            cpu_mhz: if j % 2 == 0 {
                2.0 * 1860.0
            } else {
                2.0 * 2660.0
            },
            memory_mib: 4096.0,
            receives: true,
        })
        .collect();
    let vms = traces
        .iter()
        .zip(sizes)
        .enumerate()
        .map(|(i, ((_, pct), (mips, ram)))| Vm {
            host: i % hosts.len(),
            cpu_mhz: percentile(pct, Percentile::P95).unwrap_or(100.0) / 100.0 * mips,
            memory_mib: ram,
            allowed: None,
            movable: true,
        })
        .collect();
    Fleet {
        hosts,
        vms,
        ..Fleet::default()
    }
}

fn median(mut t: Vec<Duration>) -> Duration {
    t.sort();
    t[t.len() / 2]
}

fn bench(name: &str, fleet: &Fleet, runs: usize) {
    let caps: Vec<Capacity> = fleet
        .hosts
        .iter()
        .map(|h| Capacity {
            cpu_mhz: h.cpu_mhz,
            memory_mib: h.memory_mib,
        })
        .collect();
    let (cpu, mem) = fleet
        .vms
        .iter()
        .fold((0.0, 0.0), |(c, m), v| (c + v.cpu_mhz, m + v.memory_mib));
    let (mut tb, mut tp, mut out) = (Vec::new(), Vec::new(), None);
    for _ in 0..runs {
        let s = Instant::now();
        std::hint::black_box(lower_bound(cpu, mem, &caps, HEADROOM));
        tb.push(s.elapsed());
        let s = Instant::now();
        out = Some(plan(fleet, HEADROOM).expect("a plan"));
        tp.push(s.elapsed());
    }
    let p = out.expect("runs ≥ 1");
    let (b, t) = (median(tb), median(tp));
    let lb = p.lower_bound.unwrap_or(0);
    println!(
        "{name:<22} {:>5} {:>5} {:>6} {:>6} {:>6.3} {:>8} {:>9.1} {:>9.3} {:>9.0}",
        fleet.vms.len(),
        fleet.hosts.len(),
        p.hosts_before,
        p.hosts_after,
        p.hosts_after as f64 / lb.max(1) as f64,
        p.moves.len(),
        t.as_secs_f64() * 1e3,
        b.as_secs_f64() * 1e3,
        t.as_secs_f64() / b.as_secs_f64().max(1e-9),
    );
    println!("{:<22} lower bound {lb}", "");
}

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5)
        .max(1);
    println!(
        "planner at {} % CPU headroom, median of {runs} runs",
        HEADROOM * 100.0
    );
    println!(
        "{:<22} {:>5} {:>5} {:>6} {:>6} {:>6} {:>8} {:>9} {:>9} {:>9}",
        "fleet",
        "VMs",
        "hosts",
        "before",
        "after",
        "×bound",
        "migr.",
        "plan ms",
        "bound ms",
        "× bound t"
    );
    for seed in [1, 2, 3] {
        bench(
            &format!("generated #{seed}"),
            &generated(seed * 7919, 200, 2000),
            runs,
        );
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../demo/traces/planetlab");
    for day in ["20110303", "20110306"] {
        bench(
            &format!("PlanetLab {day}"),
            &planetlab(&root.join(day)),
            runs,
        );
    }
}
