//! Each domain's hourly CPU over the window, from the collected history
//! or an imported trace: what sizes it, and what the plan is replayed on
//! to find the hours a kept host would have run past its headroom.

use std::collections::HashMap;

use super::PlanHost;
use crate::consolidation::planner::{self, Fleet};
use crate::error::AppError;
use crate::history::metric::Metric;
use crate::history::range::Resolution;
use crate::model::consolidation::PeakHours;
use crate::state::AppState;

/// Hours of history below which a VM is sized at its allocation.
pub(super) const MIN_HOURS: usize = 12;

/// The data set in which the most of `uuids` have enough history (the
/// collected history when it ties), with the history it read.
pub(super) async fn pick_dataset(
    state: &AppState,
    datasets: &[String],
    uuids: &[String],
    days: u32,
) -> Result<(String, Busy), AppError> {
    let mut best: Option<(String, Busy, usize)> = None;
    for d in datasets {
        let busy = cores_busy(state, d, uuids, days).await?;
        let enough = busy.values().filter(|s| s.len() >= MIN_HOURS).count();
        if best.as_ref().is_none_or(|b| enough > b.2) {
            best = Some((d.clone(), busy, enough));
        }
    }
    Ok(best.map_or_else(|| ("live".into(), Busy::new()), |(d, busy, _)| (d, busy)))
}

/// Hourly mean cores busy by domain UUID: (hour, cores).
pub(super) type Busy = HashMap<String, Vec<(i64, f64)>>;

/// Each domain's hourly mean cores busy over the last `days`: (hour, cores).
pub(super) async fn cores_busy(
    state: &AppState,
    dataset: &str,
    uuids: &[String],
    days: u32,
) -> Result<Busy, AppError> {
    let series =
        crate::store::history::find_series(&state.pool, dataset, "domain", Some(uuids)).await?;
    let key_of: HashMap<i64, String> = series
        .iter()
        .map(|(id, key, _)| (*id, key.clone()))
        .collect();
    let ids: Vec<i64> = series.iter().map(|s| s.0).collect();
    let now = crate::auth::now_ms() / 1000;
    let from = now - i64::from(days) * 86_400;
    let points = crate::store::history::read_metrics(
        &state.pool,
        Resolution::Hour,
        &ids,
        (from, now + 3_600),
        &[Metric::CpuUsed],
        None,
    )
    .await?;
    let mut out = Busy::new();
    for p in points {
        if let (Some(key), Some(v)) = (key_of.get(&p.series), p.avg[Metric::CpuUsed.index()]) {
            out.entry(key.clone())
                .or_default()
                .push((p.t, v / Metric::CpuUsed.scale()));
        }
    }
    Ok(out)
}

/// The hours of the history in which a host the plan keeps would have run
/// past its headroom with the plan's VMs on it, replaying each VM's hourly
/// CPU where it would be (a VM without history at its planned size).
pub(super) fn peak_hours(
    hosts: &[PlanHost],
    fleet: &Fleet,
    plan: &planner::Plan,
    busy: &Busy,
    uuids: &[String],
    headroom: f64,
) -> Vec<PeakHours> {
    let mut at: Vec<usize> = fleet.vms.iter().map(|v| v.host).collect();
    plan.moves.iter().for_each(|m| at[m.vm] = m.to);
    // host → hour → MHz, and each host's demand from VMs with no history.
    let mut load: Vec<std::collections::BTreeMap<i64, f64>> = vec![Default::default(); hosts.len()];
    let mut flat = vec![0.0; hosts.len()];
    for (v, uuid) in uuids.iter().enumerate() {
        let from = hosts[fleet.vms[v].host].mhz;
        match busy.get(uuid).filter(|s| s.len() >= MIN_HOURS) {
            Some(series) => series
                .iter()
                .for_each(|(t, cores)| *load[at[v]].entry(*t).or_default() += cores * from),
            None => flat[at[v]] += fleet.vms[v].cpu_mhz,
        }
    }
    hosts
        .iter()
        .enumerate()
        .filter(|(h, _)| plan.after[*h].vms > 0)
        .filter_map(|(h, host)| {
            let cap = host.host.cpu_mhz.max(1.0);
            let over: Vec<(i64, f64)> = load[h]
                .iter()
                .map(|(t, mhz)| (*t, (mhz + flat[h]) / cap))
                .filter(|(_, share)| *share > headroom + 1e-9)
                .collect();
            let worst = over.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1))?;
            Some(PeakHours {
                host: host.name.clone(),
                hours: over.len(),
                over_capacity: over.iter().filter(|(_, s)| *s > 1.0 + 1e-9).count(),
                worst_t: worst.0,
                worst_pct: worst.1 * 100.0,
            })
        })
        .collect()
}
