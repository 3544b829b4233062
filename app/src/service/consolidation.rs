//! The consolidation plan of the live fleet and the cost model, once the
//! guard allowed the read. The fleet is what the inventory holds now:
//! connected hosts (CPU as cores × MHz, memory; in maintenance they take
//! nothing) and their running domains, each sized from its hourly CPU over
//! the window in the chosen data set (its collected history, or an
//! imported trace keyed by its UUID). Where a VM may go is its workspace's
//! allowed hosts of its own driver, narrowed by pins; keep-apart and
//! keep-together rules hold; a must-together group and a container (it
//! moves only offline) stay where they are.

mod summary;

pub use summary::{cost_model, save_cost};

use std::collections::HashMap;

use crate::affinity::RuleKind;
use crate::consolidation::demand::{self, Percentile};
use crate::consolidation::planner::{self, Fleet, Host, Vm};
use crate::error::AppError;
use crate::history::metric::Metric;
use crate::history::range::Resolution;
use crate::i18n::Key;
use crate::model::consolidation::{PeakHours, PlanQuery, PlanView};
use crate::model::domain::{DomainKind, DomainRow};
use crate::model::host::{HostState, Maintenance};
use crate::policy::Actor;
use crate::state::AppState;

/// Hours of history below which a VM is sized at its allocation.
const MIN_HOURS: usize = 12;

/// A connected host as planned: id, name, MHz per core, the planner's view
/// of it, and the kinds of domain its driver runs.
struct PlanHost {
    id: i64,
    name: String,
    mhz: f64,
    host: Host,
    kinds: Vec<DomainKind>,
}

/// The plan for `query` as `actor` may see it.
pub async fn plan(
    state: &AppState,
    actor: &Actor,
    query: &PlanQuery,
) -> Result<PlanView, AppError> {
    let mut datasets = vec!["live".to_string()];
    datasets.extend(
        crate::store::history::trace_sets(&state.pool)
            .await?
            .into_iter()
            .map(|t| t.0),
    );
    let pct = Percentile::parse(&query.percentile)
        .ok_or_else(|| AppError::field("percentile", Key::ErrPlanQuery))?;
    if !(10..=100).contains(&query.headroom_pct) {
        return Err(AppError::field("headroom_pct", Key::ErrPlanQuery));
    }
    if !(1..=90).contains(&query.window_days) {
        return Err(AppError::field("window_days", Key::ErrPlanQuery));
    }
    let (mut hosts, rows) = fleet_now(state);
    for id in &query.remove {
        let host = hosts.iter_mut().find(|h| h.id == *id);
        let host = host.ok_or_else(|| AppError::field("remove", Key::ErrPlanQuery))?;
        host.host.receives = false;
    }
    let uuids: Vec<String> = rows.iter().map(|r| r.uuid.to_ascii_lowercase()).collect();
    let (dataset, busy) = match query.dataset.as_str() {
        "" => pick_dataset(state, &datasets, &uuids, query.window_days).await?,
        d if datasets.iter().any(|x| x == d) => (
            d.to_string(),
            cores_busy(state, d, &uuids, query.window_days).await?,
        ),
        _ => return Err(AppError::field("dataset", Key::ErrPlanQuery)),
    };
    let at: HashMap<i64, usize> = hosts.iter().enumerate().map(|(i, h)| (h.id, i)).collect();
    let mut fleet = Fleet {
        hosts: hosts.iter().map(|h| h.host.clone()).collect(),
        ..Fleet::default()
    };
    let mut flagged = 0;
    let mut allowed_of: HashMap<Option<String>, Vec<i64>> = HashMap::new();
    for (row, uuid) in rows.iter().zip(&uuids) {
        let h = at[&row.host_id];
        let samples: Vec<f64> = busy
            .get(uuid)
            .map_or_else(Vec::new, |s| s.iter().map(|p| p.1).collect());
        let size = demand::size(
            &samples,
            hosts[h].mhz,
            (row.vcpus, row.memory_kib / 1024),
            pct,
            MIN_HOURS,
        );
        flagged += usize::from(!size.from_history);
        if !allowed_of.contains_key(&row.workspace) {
            let ids =
                crate::service::workspaces::allowed_hosts(state, row.workspace.as_deref()).await?;
            allowed_of.insert(row.workspace.clone(), ids);
        }
        let ws = &allowed_of[&row.workspace];
        let allowed = (0..hosts.len())
            .filter(|&i| hosts[i].kinds.contains(&row.kind))
            .filter(|&i| ws.is_empty() || ws.contains(&hosts[i].id))
            .collect();
        fleet.vms.push(Vm {
            host: h,
            cpu_mhz: size.cpu_mhz,
            memory_mib: size.memory_mib as f64,
            allowed: Some(allowed),
            movable: true,
        });
    }
    apply_rules(state, &mut fleet, &uuids, &at).await?;
    let headroom = f64::from(query.headroom_pct) / 100.0;
    let plant = crate::store::cost::plant(&state.pool).await?;
    let summary = match planner::plan(&fleet, headroom) {
        Ok(p) => {
            let peaks = peak_hours(&hosts, &fleet, &p, &busy, &uuids, headroom);
            let mut s = summary::summary(state, actor, (&hosts, &fleet), &rows, &p, &plant).await?;
            s.peaks = peaks;
            Some(s)
        }
        Err(planner::NoPlan::DoesNotFit) => None,
    };
    Ok(PlanView {
        hosts: hosts.iter().map(|h| (h.id, h.name.clone())).collect(),
        query: Some(PlanQuery {
            dataset,
            ..query.clone()
        }),
        datasets,
        vms: rows.len(),
        flagged,
        plan: summary,
        currency: plant.currency,
    })
}

/// Connected hosts with their facts, by name, and their running domains.
fn fleet_now(state: &AppState) -> (Vec<PlanHost>, Vec<DomainRow>) {
    state.gateway.read(|inv| {
        let mut hosts: Vec<_> = inv
            .hosts
            .values()
            .filter(|h| h.state == HostState::Connected)
            .filter_map(|h| h.facts.as_ref().map(|f| (h, f)))
            .collect();
        hosts.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        let rows = hosts
            .iter()
            .flat_map(|(h, _)| h.domains.values().filter(|d| d.state.is_active()).cloned())
            .collect();
        let hosts = hosts
            .into_iter()
            .map(|(h, f)| PlanHost {
                id: h.id,
                name: h.name.clone(),
                mhz: f64::from(f.mhz.max(1)),
                host: Host {
                    cpu_mhz: f64::from(f.cpus) * f64::from(f.mhz.max(1)),
                    memory_mib: (f.memory_kib / 1024) as f64,
                    receives: h.maintenance == Maintenance::Off,
                },
                kinds: kinds(&f.hypervisor),
            })
            .collect();
        (hosts, rows)
    })
}

/// The hours of the history in which a host the plan keeps would have run
/// past its headroom with the plan's VMs on it, replaying each VM's hourly
/// CPU where it would be (a VM without history at its planned size).
fn peak_hours(
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

/// What a driver runs: LXC containers, QEMU VMs, the test driver both.
fn kinds(hypervisor: &str) -> Vec<DomainKind> {
    let h = hypervisor.to_ascii_uppercase();
    if h.starts_with("LXC") {
        vec![DomainKind::Container]
    } else if h.starts_with("TEST") {
        vec![DomainKind::Vm, DomainKind::Container]
    } else {
        vec![DomainKind::Vm]
    }
}

/// The data set in which the most of `uuids` have enough history (the
/// collected history when it ties), with the history it read.
async fn pick_dataset(
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
type Busy = HashMap<String, Vec<(i64, f64)>>;

/// Each domain's hourly mean cores busy over the last `days`: (hour, cores).
async fn cores_busy(
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

/// Affinity rules over the planned domains: apart and together groups,
/// pins narrowing where their domains may go, must-together groups fixed.
async fn apply_rules(
    state: &AppState,
    fleet: &mut Fleet,
    uuids: &[String],
    at: &HashMap<i64, usize>,
) -> Result<(), AppError> {
    let index: HashMap<&str, usize> = uuids
        .iter()
        .enumerate()
        .map(|(i, u)| (u.as_str(), i))
        .collect();
    for rule in crate::store::affinity::all(&state.pool).await? {
        let members: Vec<usize> = rule
            .domains
            .iter()
            .filter_map(|d| index.get(d.to_ascii_lowercase().as_str()).copied())
            .collect();
        match rule.kind {
            RuleKind::Apart if members.len() > 1 => fleet.apart.push(members),
            RuleKind::Together if members.len() > 1 => {
                if rule.must {
                    members.iter().for_each(|&v| fleet.vms[v].movable = false);
                }
                fleet.together.push(members);
            }
            RuleKind::Pin => {
                let pinned: Vec<usize> = rule
                    .hosts
                    .iter()
                    .filter_map(|h| at.get(h).copied())
                    .collect();
                for v in members {
                    if let Some(a) = &mut fleet.vms[v].allowed {
                        a.retain(|h| pinned.contains(h));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}
