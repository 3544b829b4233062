//! The savings report once the guard allowed the read: the plan at its
//! defaults (what consolidation saves a year), and each workspace's
//! showback over a window of the same data set — allocated and used
//! vCPU-hours and allocated GiB-hours from the hourly history, its share
//! of the fleet's energy by used vCPU-hours and of the servers' cost by
//! allocated vCPU-hours. Members see their workspaces' rows only.

use std::collections::HashMap;

use crate::error::AppError;
use crate::history::metric::Metric;
use crate::history::range::Resolution;
use crate::i18n::Key;
use crate::model::consolidation::{PlanQuery, SavingsReport, ShowbackRow};
use crate::policy::Actor;
use crate::state::AppState;

const HOURS_PER_YEAR: f64 = 8_766.0;

/// The report over the last `window_days` as `actor` may see it.
pub async fn report(
    state: &AppState,
    actor: &Actor,
    window_days: u32,
) -> Result<SavingsReport, AppError> {
    if !(1..=366).contains(&window_days) {
        return Err(AppError::field("window", Key::ErrSavingsWindow));
    }
    let query = PlanQuery {
        dataset: String::new(),
        ..PlanQuery::default()
    };
    let plan = crate::service::consolidation::plan(state, actor, &query).await?;
    let plant = crate::store::cost::plant(&state.pool).await?;
    let dataset = plan
        .query
        .as_ref()
        .map_or("live".into(), |q| q.dataset.clone());
    let mut rows = showback(state, &dataset, window_days).await?;
    // The fleet's energy and cost over the window, as the plan prices it now.
    let share = f64::from(window_days) * 24.0 / HOURS_PER_YEAR;
    let before = plan.plan.as_ref().map(|p| p.before).unwrap_or_default();
    let (window_kwh, energy_cost, server_cost) = (
        before.kwh * share,
        before.energy_cost * share,
        before.server_cost * share,
    );
    let used: f64 = rows.iter().map(|r| r.used_vcpu_hours).sum();
    let alloc: f64 = rows.iter().map(|r| r.vcpu_hours).sum();
    let part = |x: f64, of: f64| if of > 0.0 { x / of } else { 0.0 };
    for r in &mut rows {
        r.kwh = window_kwh * part(r.used_vcpu_hours, used);
        r.cost =
            energy_cost * part(r.used_vcpu_hours, used) + server_cost * part(r.vcpu_hours, alloc);
    }
    rows.retain(|r| match &r.workspace {
        Some(slug) => actor.is_admin || actor.role_in_slug(slug).is_some(),
        None => actor.is_admin,
    });
    Ok(SavingsReport {
        plan,
        pue: plant.pue,
        tariff: plant.tariff,
        server_yearly: plant.server_yearly,
        window_days,
        showback: rows,
        window_kwh,
        window_cost: energy_cost + server_cost,
        generated_at: crate::auth::now_ms() / 1000,
    })
}

/// Each workspace's vCPU-hours and GiB-hours over the window, from the
/// hourly history of the domains in `dataset` (a trace that records no
/// allocation counts the domain's allocation now for each hour it ran).
async fn showback(
    state: &AppState,
    dataset: &str,
    days: u32,
) -> Result<Vec<ShowbackRow>, AppError> {
    // What the inventory knows of each domain: workspace, vCPUs, MiB.
    let known: HashMap<String, (Option<String>, f64, f64)> = state.gateway.read(|inv| {
        (inv.hosts.values())
            .flat_map(|h| h.domains.values())
            .map(|d| {
                let size = (f64::from(d.vcpus), d.memory_kib as f64 / 1024.0);
                (
                    d.uuid.to_ascii_lowercase(),
                    (d.workspace.clone(), size.0, size.1),
                )
            })
            .collect()
    });
    let series = crate::store::history::find_series(&state.pool, dataset, "domain", None).await?;
    let series: Vec<(i64, String)> = (series.into_iter())
        .map(|(id, key, _)| (id, key.to_ascii_lowercase()))
        .filter(|(_, key)| known.contains_key(key))
        .collect();
    let ids: Vec<i64> = series.iter().map(|s| s.0).collect();
    let key_of: HashMap<i64, &str> = series.iter().map(|(id, k)| (*id, k.as_str())).collect();
    let now = crate::auth::now_ms() / 1000;
    let window = (now - i64::from(days) * 86_400, now + 3_600);
    let metrics = [Metric::CpuAlloc, Metric::CpuUsed, Metric::MemAlloc];
    let points = crate::store::history::read_metrics(
        &state.pool,
        Resolution::Hour,
        &ids,
        window,
        &metrics,
        None,
    )
    .await?;
    let mut by_ws: HashMap<Option<String>, ShowbackRow> = HashMap::new();
    let mut seen: HashMap<Option<String>, std::collections::HashSet<&str>> = HashMap::new();
    for p in &points {
        let Some(key) = key_of.get(&p.series) else {
            continue;
        };
        let (ws, vcpus, mib) = &known[*key];
        let value = |m: Metric| p.avg[m.index()].map(|v| v / m.scale());
        let Some(used) = value(Metric::CpuUsed) else {
            continue;
        };
        let row = by_ws.entry(ws.clone()).or_insert_with(|| ShowbackRow {
            workspace: ws.clone(),
            ..ShowbackRow::default()
        });
        row.used_vcpu_hours += used;
        row.vcpu_hours += value(Metric::CpuAlloc).unwrap_or(*vcpus);
        row.gib_hours += value(Metric::MemAlloc).unwrap_or(*mib) / 1024.0;
        seen.entry(ws.clone()).or_default().insert(key);
    }
    let mut rows: Vec<ShowbackRow> = by_ws.into_values().collect();
    for r in &mut rows {
        r.domains = seen.get(&r.workspace).map_or(0, |s| s.len());
    }
    rows.sort_by(|a, b| b.vcpu_hours.total_cmp(&a.vcpu_hours));
    Ok(rows)
}
