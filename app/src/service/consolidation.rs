//! The consolidation plan of the live fleet and the cost model, once the
//! guard allowed the read. The fleet is what the inventory holds now:
//! connected hosts (CPU as cores × MHz, memory; in maintenance they take
//! nothing) and their running domains, each sized from its hourly CPU over
//! the window in the chosen data set (its collected history, or an
//! imported trace keyed by its UUID). Where a VM may go is its workspace's
//! allowed hosts of its own driver, narrowed by pins; keep-apart and
//! keep-together rules hold; a must-together group and a container (it
//! moves only offline) stay where they are.

mod apply;
mod busy;
mod summary;

pub use apply::apply;
pub use summary::{cost_model, save_cost};

use std::collections::HashMap;

use crate::affinity::RuleKind;
use crate::consolidation::demand::{self, Percentile};
use crate::consolidation::planner::{self, Fleet, Host, Vm};
use crate::error::AppError;
use crate::i18n::Key;
use crate::model::consolidation::{PlanQuery, PlanView};
use crate::model::domain::{DomainKind, DomainRow};
use crate::model::host::{HostState, Maintenance};
use crate::policy::Actor;
use crate::state::AppState;
use busy::{cores_busy, peak_hours, pick_dataset, Busy, MIN_HOURS};

/// A connected host as planned: id, name, MHz per core, the planner's view
/// of it, and the kinds of domain its driver runs.
struct PlanHost {
    id: i64,
    name: String,
    mhz: f64,
    host: Host,
    kinds: Vec<DomainKind>,
}

/// The live fleet planned for a query: what the page shows and what
/// applying the plan runs.
struct Computed {
    /// Every connected host: (id, name).
    scope: Vec<(i64, String)>,
    hosts: Vec<PlanHost>,
    /// The running domains planned, each the planner's VM of its index.
    rows: Vec<DomainRow>,
    uuids: Vec<String>,
    fleet: Fleet,
    busy: Busy,
    dataset: String,
    datasets: Vec<String>,
    flagged: usize,
    headroom: f64,
    plan: Option<planner::Plan>,
}

/// The plan for `query` as `actor` may see it.
pub async fn plan(
    state: &AppState,
    actor: &Actor,
    query: &PlanQuery,
) -> Result<PlanView, AppError> {
    let c = compute(state, query).await?;
    let plant = crate::store::cost::plant(&state.pool).await?;
    let summary = match &c.plan {
        Some(p) => {
            let peaks = peak_hours(&c.hosts, &c.fleet, p, &c.busy, &c.uuids, c.headroom);
            let mut s =
                summary::summary(state, actor, (&c.hosts, &c.fleet), &c.rows, p, &plant).await?;
            s.peaks = peaks;
            Some(s)
        }
        None => None,
    };
    Ok(PlanView {
        hosts: c.hosts.iter().map(|h| (h.id, h.name.clone())).collect(),
        scope: c.scope.clone(),
        query: Some(PlanQuery {
            dataset: c.dataset.clone(),
            ..query.clone()
        }),
        datasets: c.datasets.clone(),
        vms: c.rows.len(),
        flagged: c.flagged,
        plan: summary,
        currency: plant.currency,
        token: apply::token(&c),
        apply_blocked: apply::blocked(state, &c),
    })
}

/// Plans the live fleet for `query`, refusing settings out of range.
async fn compute(state: &AppState, query: &PlanQuery) -> Result<Computed, AppError> {
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
    let (mut hosts, mut rows) = fleet_now(state);
    let scope = hosts.iter().map(|h| (h.id, h.name.clone())).collect();
    if (query.hosts.iter()).any(|id| !hosts.iter().any(|h| h.id == *id)) {
        return Err(AppError::field("hosts", Key::ErrPlanQuery));
    }
    if !query.hosts.is_empty() {
        hosts.retain(|h| query.hosts.contains(&h.id));
        rows.retain(|r| query.hosts.contains(&r.host_id));
    }
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
    let plan = planner::plan(&fleet, headroom).ok();
    Ok(Computed {
        scope,
        hosts,
        rows,
        uuids,
        fleet,
        busy,
        dataset,
        datasets,
        flagged,
        headroom,
        plan,
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
        let mut rows: Vec<DomainRow> = hosts
            .iter()
            .flat_map(|(h, _)| h.domains.values().filter(|d| d.state.is_active()).cloned())
            .collect();
        // In a stable order: the same fleet makes the same plan (and token).
        rows.sort_by(|a, b| (&a.host_name, &a.uuid).cmp(&(&b.host_name, &b.uuid)));
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
