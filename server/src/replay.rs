//! `millwright replay`: a consolidation policy replayed over a trace data
//! set, without the web UI. It prints one JSON line last: energy (kWh),
//! migrations, SLATAH, PDM and SLAV (fractions), and what was replayed.

use std::path::PathBuf;
use std::time::Instant;

use app::consolidation::cloudsim::{self, Policy};
use clap::Parser;

/// Replays a consolidation policy over a PlanetLab day.
#[derive(Debug, Parser)]
#[command(name = "millwright replay")]
pub struct ReplayArgs {
    /// A PlanetLab directory: one file per VM, a CPU percentage per line
    /// for each 5-minute interval; read in file-name order.
    #[arg(long)]
    pub planetlab: PathBuf,

    /// `millwright` (Millwright's own), or CloudSim's: thr-mmt-0.8,
    /// iqr-mmt-1.5, mad-mmt-2.5, lr-mmt-1.2, lr-mc-1.2 (any parameter:
    /// thr-mmt-0.7, …).
    #[arg(long)]
    pub policy: String,

    /// The datacenter model: `cloudsim` (CloudSim's 800 hosts, its VM
    /// types and its rules, exactly).
    #[arg(long, default_value = "cloudsim")]
    pub model: String,
}

/// Runs the replay; the JSON line, or what is wrong with the arguments.
pub fn run(args: &ReplayArgs) -> Result<String, String> {
    if args.model != "cloudsim" {
        return Err(format!(
            "--model: {:?} is not a model; the model is cloudsim",
            args.model
        ));
    }
    let policy = Policy::parse(&args.policy).ok_or_else(|| {
        format!(
            "--policy: {:?} is not a policy; use millwright, thr-mmt-0.8, iqr-mmt-1.5, mad-mmt-2.5, lr-mmt-1.2 or lr-mc-1.2",
            args.policy
        )
    })?;
    let files = app::history::trace::read_planetlab_dir(&args.planetlab)
        .map_err(|e| format!("--planetlab: {e}"))?;
    if files.is_empty() {
        return Err("--planetlab: the directory holds no trace file".into());
    }
    let traces: Vec<Vec<f64>> = files.into_iter().map(|(_, pcts)| pcts).collect();
    let started = Instant::now();
    let out = cloudsim::replay(&traces, policy);
    let line = serde_json::json!({
        "model": args.model,
        "policy": args.policy,
        "vms": traces.len(),
        "energy_kwh": out.energy_kwh,
        "migrations": out.migrations,
        "slatah": out.slatah,
        "pdm": out.pdm,
        "slav": out.slav,
        "hosts_used_at_start": out.hosts_used_at_start,
        "vms_removed": out.vms_removed,
        "elapsed_ms": started.elapsed().as_millis() as u64,
    });
    Ok(line.to_string())
}
