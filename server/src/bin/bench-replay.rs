//! Replay benchmark: every CloudSim policy and Millwright's on both
//! PlanetLab days with the CloudSim model — energy, migrations and SLAV next to CloudSim's own
//! published results, and the wall time of each replay (median of RUNS),
//! also as a ratio to the THR-MMT-0.8 replay of the same day measured in
//! the same run. CloudSim itself needs about 28 s for LR-MMT on one day on
//! this kind of machine; the target is ≤ 3 s. Prints figures, asserts
//! nothing about time.
//!
//! Run: `cargo run --release -p millwright --bin bench-replay [-- RUNS]`.

use std::path::Path;
use std::time::{Duration, Instant};

use app::consolidation::cloudsim::{replay, Policy};

/// (day, policy, CloudSim's kWh, migrations, SLAV %).
const PUBLISHED: [(&str, &str, f64, u64, f64); 6] = [
    ("20110303", "thr-mmt-0.8", 192.62, 26_711, 0.00318),
    ("20110303", "iqr-mmt-1.5", 189.98, 26_282, 0.00301),
    ("20110303", "mad-mmt-2.5", 185.79, 26_556, 0.00334),
    ("20110303", "lr-mmt-1.2", 163.48, 27_859, 0.00464),
    ("20110303", "lr-mc-1.2", 151.07, 23_380, 0.00683),
    ("20110306", "thr-mmt-0.8", 144.74, 20_908, 0.00360),
];

const POLICIES: [&str; 6] = [
    "thr-mmt-0.8",
    "iqr-mmt-1.5",
    "mad-mmt-2.5",
    "lr-mmt-1.2",
    "lr-mc-1.2",
    "millwright",
];

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(3);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../demo/traces/planetlab");
    println!("replay with the CloudSim model, median of {runs} runs");
    println!(
        "{:<9} {:<12} {:>9} {:>8} {:>9}   {:>24}   {:>8} {:>7}",
        "day", "policy", "kWh", "migr.", "SLAV %", "CloudSim kWh/migr./SLAV", "ms", "× THR"
    );
    for day in ["20110303", "20110306"] {
        let traces: Vec<Vec<f64>> = app::history::trace::read_planetlab_dir(&root.join(day))
            .expect("the PlanetLab day")
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        let mut baseline = None;
        for name in POLICIES {
            let policy = Policy::parse(name).expect("a policy");
            let mut times = Vec::new();
            let mut out = None;
            for _ in 0..runs.max(1) {
                let started = Instant::now();
                out = Some(replay(&traces, policy));
                times.push(started.elapsed());
            }
            times.sort();
            let median: Duration = times[times.len() / 2];
            let base = *baseline.get_or_insert(median);
            let out = out.expect("a replay");
            let published = PUBLISHED
                .iter()
                .find(|p| p.0 == day && p.1 == name)
                .map(|p| format!("{:.2}/{}/{:.5}", p.2, p.3, p.4))
                .unwrap_or_else(|| "—".into());
            println!(
                "{:<9} {:<12} {:>9.2} {:>8} {:>9.5}   {:>24}   {:>8} {:>6.2}×",
                day,
                name,
                out.energy_kwh,
                out.migrations,
                out.slav * 100.0,
                published,
                median.as_millis(),
                median.as_secs_f64() / base.as_secs_f64(),
            );
        }
    }
}
