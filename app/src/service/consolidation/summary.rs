//! The plan as the page shows it (names the viewer may not see left out),
//! priced with the cost model; and the cost model itself.

use std::collections::HashMap;

use super::PlanHost;
use crate::consolidation::cost::{self, Plant, Priced};
use crate::consolidation::planner::{Fleet, Plan};
use crate::error::AppError;
use crate::model::consolidation::{
    CostForm, CostModel, HostPower, PlanSummary, PlannedHost, PlannedMove,
};
use crate::model::domain::DomainRow;
use crate::policy::Actor;
use crate::state::AppState;

/// Each host's (idle, peak) watts: its own figures or the defaults.
async fn watts(state: &AppState) -> Result<HashMap<i64, (f64, f64)>, AppError> {
    Ok(crate::store::cost::host_power(&state.pool)
        .await?
        .into_iter()
        .map(|(h, i, p)| (h, (i, p)))
        .collect())
}

fn watts_of(w: &HashMap<i64, (f64, f64)>, host: i64) -> (f64, f64) {
    w.get(&host)
        .copied()
        .unwrap_or((cost::DEFAULT_IDLE_W, cost::DEFAULT_PEAK_W))
}

pub(super) async fn summary(
    state: &AppState,
    actor: &Actor,
    (hosts, fleet): (&[PlanHost], &Fleet),
    rows: &[DomainRow],
    p: &Plan,
    plant: &Plant,
) -> Result<PlanSummary, AppError> {
    let sees = |row: &DomainRow| {
        actor.is_admin
            || row
                .workspace
                .as_deref()
                .is_some_and(|w| actor.role_in_slug(w).is_some())
    };
    let moves = p
        .moves
        .iter()
        .map(|m| {
            let row = &rows[m.vm];
            PlannedMove {
                domain: sees(row).then(|| row.name.clone()),
                uuid: sees(row).then(|| row.uuid.clone()),
                from: hosts[m.from].name.clone(),
                to: hosts[m.to].name.clone(),
                cpu_mhz: fleet.vms[m.vm].cpu_mhz,
                memory_mib: fleet.vms[m.vm].memory_mib as u64,
                offline: row.kind == crate::model::domain::DomainKind::Container,
            }
        })
        .collect();
    let pct = |x: f64, of: f64| if of > 0.0 { x / of * 100.0 } else { 0.0 };
    let planned = hosts
        .iter()
        .enumerate()
        .map(|(i, h)| PlannedHost {
            id: h.id,
            name: h.name.clone(),
            cpu_before: pct(p.before[i].cpu_mhz, h.host.cpu_mhz),
            cpu_after: pct(p.after[i].cpu_mhz, h.host.cpu_mhz),
            mem_before: pct(p.before[i].memory_mib, h.host.memory_mib),
            mem_after: pct(p.after[i].memory_mib, h.host.memory_mib),
            vms_before: p.before[i].vms,
            vms_after: p.after[i].vms,
            receives: h.host.receives,
        })
        .collect();
    let w = watts(state).await?;
    // Every connected host draws power now; after the plan, those left
    // empty are powered down.
    let priced = |after: bool| -> Vec<Priced> {
        hosts
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let load = if after { p.after[i] } else { p.before[i] };
                let (idle_w, peak_w) = watts_of(&w, h.id);
                Priced {
                    idle_w,
                    peak_w,
                    busy: load.cpu_mhz / h.host.cpu_mhz.max(1.0),
                    on: !after || load.vms > 0,
                }
            })
            .collect()
    };
    Ok(PlanSummary {
        hosts_before: p.hosts_before,
        hosts_after: p.hosts_after,
        lower_bound: p.lower_bound,
        moves,
        hosts: planned,
        before: cost::yearly(plant, &priced(false)),
        after: cost::yearly(plant, &priced(true)),
        peaks: Vec::new(),
    })
}

/// The cost model with every registered host's watts.
pub async fn cost_model(state: &AppState) -> Result<CostModel, AppError> {
    let plant = crate::store::cost::plant(&state.pool).await?;
    let w = watts(state).await?;
    let mut hosts: Vec<HostPower> = state.gateway.read(|inv| {
        inv.hosts
            .values()
            .map(|h| {
                let (idle_w, peak_w) = watts_of(&w, h.id);
                HostPower {
                    host_id: h.id,
                    name: h.name.clone(),
                    idle_w,
                    peak_w,
                }
            })
            .collect()
    });
    hosts.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(CostModel {
        pue: plant.pue,
        currency: plant.currency,
        tariff: plant.tariff,
        server_yearly: plant.server_yearly,
        hosts,
    })
}

/// Saves the form; the model before and after.
pub async fn save_cost(
    state: &AppState,
    form: &CostForm,
) -> Result<(CostModel, CostModel), AppError> {
    let before = cost_model(state).await?;
    let known: Vec<i64> = before.hosts.iter().map(|h| h.host_id).collect();
    let (plant, hosts) = cost::validate(form, &known).map_err(AppError::Invalid)?;
    crate::store::cost::save(&state.pool, &plant, &hosts).await?;
    Ok((before, cost_model(state).await?))
}
